"""Forms of the improvements module: groups, opportunities, plans, SMART, scores, tasks, results, C3."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.extensions import db
from core.files import DOCUMENTS
from core.forms import AcceptedUpload, ConfirmChangeForm, NumberField, VersionedForm, options
from improvements.models import EVIDENCE_LABELS, KIND_LABELS, TASK_STATUS_LABELS, Group
from improvements.smart import CRITERIA, CRITERION_LABELS, CRITERION_QUESTIONS
from improvements.sources import source_kind, source_kinds
from processes.forms import none_if_zero, process_options, user_options
from processes.models import Indicator


class OptionalUpload(AcceptedUpload):
    """An upload that may be left empty; when given, it must be acceptable."""

    def __call__(self, form, field):
        if field.data is not None and getattr(field.data, "filename", None):
            super().__call__(form, field)


class GroupForm(VersionedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=4000)])
    facilitator_id = SelectField(_l("Facilitator"), coerce=none_if_zero)
    process_ids = SelectMultipleField(_l("Processes concerned"), coerce=int)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, editing: Group | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.facilitator_id.choices = user_options(blank=_l("— nobody yet —"))
        self.process_ids.choices = process_options()

    def validate_name(self, field):
        other = db.session.scalar(select(Group).where(Group.name == field.data.strip()))
        if other is not None and other is not self.editing:
            raise ValidationError(_l("Another group already has this name."))


class MemberForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int)
    role = StringField(_l("Role in the group"), validators=[DataRequired(), Length(max=120)],
                       description=_l("e.g. secretary, member, client-facing expert"))
    submit = SubmitField(_l("Add member"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = user_options()


class RemoveMemberForm(FlaskForm):
    """What to do with the open tasks of a member who leaves the group."""

    decision = RadioField(_l("Their open tasks"), choices=options([
        ("reassign", _l("Hand them to another member")), ("unassign", _l("Leave them without an owner"))]),
        validators=[DataRequired(message=_l("Say what to do with their open tasks."))])
    reassign_to = SelectField(_l("Hand them to"), coerce=none_if_zero)
    submit = SubmitField(_l("Remove from the group"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reassign_to.choices = options([(0, _l("— choose —"))] + [(m.user_id, m.user.name) for m in members])

    def validate_reassign_to(self, field):
        if self.decision.data == "reassign" and not field.data:
            raise ValidationError(_l("Choose the member who takes the tasks over."))


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    attendee_ids = SelectMultipleField(_l("Attendees"), coerce=int,
                                       validators=[DataRequired(message=_l("Choose who attended."))])
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=20000)])
    decisions = TextAreaField(_l("Decisions"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Record meeting"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendee_ids.choices = user_options()


def source_record_choices() -> dict:
    """The records opportunities can point at, grouped by kind (``kind:id`` values)."""
    grouped = {}
    for kind in source_kinds().values():
        if kind.linkable and kind.choices:
            grouped[str(kind.label)] = options((f"{kind.key}:{record_id}", text) for record_id, text in kind.choices())
    return grouped


class OpportunityForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("A few words to find it on the board."))
    statement = TextAreaField(_l("Opportunity"), validators=[DataRequired(), Length(max=4000)],
                              description=_l("What could be better, for whom, and how we know."))
    raised_on = DateField(_l("Raised on"), validators=[Optional()])
    source_kind = SelectField(_l("Source"), choices=[])
    source_record = SelectField(_l("The record it came from"), choices=[], default="",
                                description=_l("For an indicator or an interface: which one."))
    source_note = StringField(_l("Source details"), validators=[Length(max=300)],
                              description=_l("e.g. the complaint category, the survey question or the requirement."))
    submit = SubmitField(_l("Log opportunity"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_kind.choices = options((key, kind.label) for key, kind in source_kinds().items())
        self.source_record.choices = {"": options([("", _l("— none —"))]), **source_record_choices()}

    def validate_source_record(self, field):
        if field.data and field.data.split(":")[0] != self.source_kind.data:
            raise ValidationError(_l("This record is not of the source chosen above."))
        kind = source_kind(self.source_kind.data)
        if kind is not None and kind.linkable and not field.data:
            raise ValidationError(_l("Choose the record this opportunity came from."))

    def validate_source_note(self, field):
        kind = source_kind(self.source_kind.data)
        if kind is not None and kind.client_voice and not kind.linkable and not (field.data or "").strip():
            raise ValidationError(_l("Say which requirement, complaint category or survey result it came from."))

    @property
    def source_id(self) -> int | None:
        return int(self.source_record.data.split(":")[1]) if self.source_record.data else None


class PlanForm(VersionedForm):
    objective = TextAreaField(_l("Objective"), validators=[DataRequired(), Length(max=4000)])
    indicator_id = SelectField(_l("Indicator"), coerce=none_if_zero,
                               description=_l("A process-map indicator: before and after are then read from its "
                                              "measurements."))
    measure_name = StringField(_l("Or a measure of its own"), validators=[Optional(), Length(max=200)],
                               description=_l("When no indicator of the map measures it; values are then entered."))
    measure_unit = StringField(_l("Unit"), validators=[Optional(), Length(max=30)])
    higher_is_better = BooleanField(_l("A higher value is better (for a measure named here)"), default=True)
    baseline_value = NumberField(_l("Baseline value"), validators=[Optional()],
                                 description=_l("Left empty with an indicator, it is read from the baseline period."))
    baseline_period = DateField(_l("Baseline period"), validators=[Optional()],
                                description=_l("Any day of the period."))
    target_value = NumberField(_l("Target value"), validators=[Optional()])
    deadline = DateField(_l("Deadline"), validators=[Optional()], description=_l("When the target must be reached."))
    owner_id = SelectField(_l("Owner"), coerce=none_if_zero)
    submit = SubmitField(_l("Save plan"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indicators = db.session.scalars(select(Indicator).where(Indicator.active).order_by(Indicator.code))
        self.indicator_id.choices = options([(0, _l("— none —"))] + [(i.id, str(i)) for i in indicators])
        self.owner_id.choices = user_options(blank=_l("— nobody yet —"))

    def validate_baseline_period(self, field):
        if self.indicator_id.data and self.baseline_value.data is None and field.data is None:
            raise ValidationError(_l("Give the baseline value or the period to read it from."))


def _smart_fields():
    fields = {}
    for key in CRITERIA:
        fields[key] = BooleanField(_l("Met"), description=CRITERION_QUESTIONS[key])
        fields[f"{key}_why"] = TextAreaField(_l("%(criterion)s: justification", criterion=CRITERION_LABELS[key]),
                                             validators=[DataRequired(message=_l("Write why."))])
    return fields


SmartForm = type("SmartForm", (FlaskForm,), {
    "checked_on": DateField(_l("Day of the check"), validators=[DataRequired()],
                            description=_l("The day the group made the check (not the day it is typed in).")),
    **_smart_fields(), "submit": SubmitField(_l("Record the check"))})


def answers(form) -> dict:
    return {key: (form[key].data, form[f"{key}_why"].data) for key in CRITERIA}


SCORES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


def score_form(criteria, improvement, formdata=None):
    """A form with one 1–5 select per criterion (``c<id>``), filled with the improvement's scores."""
    fields = {f"c{c.id}": SelectField(c.name, choices=options(SCORES), validators=[Optional()]) for c in criteria}
    form_class = type("ScoreForm", (FlaskForm,), {**fields, "submit": SubmitField(_l("Save scores"))})
    current = {s.criterion_id: str(s.score) for s in improvement.scores}
    data = {f"c{c.id}": current.get(c.id, "") for c in criteria}
    return form_class(formdata=formdata, data=data, prefix=f"s{improvement.id}")


class CriterionForm(VersionedForm):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=120)])
    weight = NumberField(_l("Weight"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    higher_is_better = BooleanField(_l("A higher score raises the priority"), default=True,
                                    description=_l("Untick for effort or cost: a high score lowers the priority."))
    axis = SelectField(_l("Axis of the impact × effort chart"), choices=options([
        ("", _l("— neither —")), ("impact", _l("Impact")), ("effort", _l("Effort"))]))
    submit = SubmitField(_l("Save criterion"))


class TaskForm(FlaskForm):
    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=300)])
    owner_id = SelectField(_l("Owner"), coerce=none_if_zero)
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    submit = SubmitField(_l("Add task"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = user_options(blank=_l("— nobody yet —"))


class TaskStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options((k.value, v) for k, v in TASK_STATUS_LABELS.items()))
    submit = SubmitField(_l("Change"))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class EvidenceDateForm(FlaskForm):
    """Correct the day an improvement was approved, implemented or verified: a date evidence depends on, so with a
    reason."""

    name = SelectField(_l("Date"), choices=options([("approved_on", _l("Approved on")),
                                                    ("implemented_on", _l("Implemented on")),
                                                    ("verified_on", _l("Verified on"))]))
    value = DateField(_l("New date"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Change the date"))


class StatusMoveForm(ConfirmChangeForm):
    """The confirmation of a move that sets a day (approved, implemented, verified): the day it happened."""

    happened_on = DateField(_l("Day it happened"), validators=[Optional()],
                            description=_l("Today unless it happened earlier; not in the future."))


class AfterForm(FlaskForm):
    after_value = NumberField(_l("Value after the change"), validators=[InputRequired()])
    after_period = DateField(_l("Measured on"), validators=[Optional()])
    submit = SubmitField(_l("Record result"))


class EvidenceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options((k.value, v) for k, v in EVIDENCE_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("e.g. Satisfaction with answers, wave 2024 vs 2025"))
    before_value = NumberField(_l("Before"), validators=[Optional()])
    after_value = NumberField(_l("After"), validators=[Optional()])
    higher_is_better = BooleanField(_l("Higher is better"), default=True)
    finding = TextAreaField(_l("Finding"), validators=[Optional(), Length(max=8000)],
                            description=_l("What clients said, e.g. in a focus group."))
    favourable = BooleanField(_l("Clients understand and value the improvement"))
    file = FileField(_l("File"), validators=[OptionalUpload(DOCUMENTS)])
    submit = SubmitField(_l("Add evidence"))


class ProcessChangeForm(FlaskForm):
    process_id = SelectField(_l("Process"), coerce=int)
    revision_id = SelectField(_l("Revision of the sheet it caused"), coerce=none_if_zero)
    stage_ids = SelectMultipleField(_l("Diagram stages changed"), coerce=int)
    description = TextAreaField(_l("What changed in the way of operating"),
                                validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Record change"))

    def __init__(self, *args, revisions=(), stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.process_id.choices = process_options()
        self.revision_id.choices = options([(0, _l("— none yet —"))] + [
            (r.id, f"{r.number} · {r.created_at:%Y-%m-%d} · {r.reason[:80]}") for r in revisions])
        self.stage_ids.choices = options((s.id, f"{s.position}. {s.name}") for s in stages)


class AffectedForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int)
    how = StringField(_l("How their work changes"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Add person"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = user_options()


class TrainingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    is_training = BooleanField(_l("Training (untick if people were only informed)"), default=True)
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    attendee_ids = SelectMultipleField(_l("Attendees"), coerce=int,
                                       validators=[DataRequired(message=_l("Choose who attended."))])
    material = TextAreaField(_l("Material"), validators=[Optional(), Length(max=4000)])
    file = FileField(_l("Material file"), validators=[OptionalUpload(DOCUMENTS)])
    submit = SubmitField(_l("Record session"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendee_ids.choices = user_options()


class ImprovementFilterForm(FlaskForm):
    """The search above the board and the C1 counter (sent by GET, so no CSRF token); ``qualifies`` is the
    counter's."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    group = SelectField(_l("Group"), coerce=none_if_zero, validators=[Optional()])
    qualifies = SelectField(_l("For C1"), validators=[Optional()],
                            choices=options([("", _l("Qualifying or not")), ("yes", _l("Qualifying")),
                                             ("no", _l("Not qualifying"))]))
    kind = SelectField(_l("Kind"), validators=[Optional()],
                       choices=options([("", _l("Improvements and corrective actions")),
                                        *((k.value, v) for k, v in KIND_LABELS.items())]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        groups = db.session.scalars(select(Group).order_by(Group.name))
        self.group.choices = options([(0, _l("All groups"))] + [(g.id, g.name) for g in groups])
