"""Forms of the process map: programmes, process sheets, the standard, indicators and interfaces."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from core.audit import value_labels
from core.extensions import db
from core.files import DOCUMENTS
from core.forms import AcceptedUpload, NumberField, VersionedForm, options
from core.models import User
from processes import computed
from processes.models import (
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Process,
    ProcessKind,
    ProcessStatus,
    Programme,
)
from processes.periods import PeriodError, parse_period
from processes.standard import SHEET_FIELDS

KIND_LABELS = {ProcessKind.STRATEGIC: _l("Strategic"), ProcessKind.KEY: _l("Key"), ProcessKind.SUPPORT: _l("Support")}
STATUS_LABELS = {ProcessStatus.DRAFT: _l("Draft"), ProcessStatus.IN_FORCE: _l("In force"),
                 ProcessStatus.RETIRED: _l("Retired")}
FREQUENCY_LABELS = {Frequency.MONTHLY: _l("Monthly"), Frequency.QUARTERLY: _l("Quarterly"),
                    Frequency.YEARLY: _l("Yearly")}
DIRECTION_LABELS = {Direction.HIGHER: _l("Higher is better"), Direction.LOWER: _l("Lower is better")}
INDICATOR_KIND_LABELS = {IndicatorKind.PERCEPTION: _l("Perception measure"),
                         IndicatorKind.PERFORMANCE: _l("Performance indicator")}

#: Every enum value of the process map, with its label (types, statuses, frequencies, directions, kinds).
ENUM_LABELS = value_labels({**KIND_LABELS, **STATUS_LABELS, **FREQUENCY_LABELS, **DIRECTION_LABELS,
                            **INDICATOR_KIND_LABELS})


def enum_options(labels: dict, blank=None):
    return options(([("", blank)] if blank else []) + [(member.value, label) for member, label in labels.items()])


def user_options(blank=None):
    people = db.session.scalars(select(User).where(User.active).order_by(User.name))
    return options(([(0, blank)] if blank else []) + [(u.id, u.name) for u in people])


def process_options(blank=None, exclude_id=None):
    processes = db.session.scalars(select(Process).where(Process.status != ProcessStatus.RETIRED)
                                   .order_by(Process.code))
    return options(([(0, blank)] if blank else []) + [(p.id, str(p)) for p in processes if p.id != exclude_id])


def programme_options(blank=None):
    programmes = db.session.scalars(select(Programme).order_by(Programme.code))
    return options(([(0, blank)] if blank else []) + [(p.id, str(p)) for p in programmes])


def none_if_zero(value):
    return None if value in (0, "0", "", None) else int(value)


class ProgrammeForm(VersionedForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    is_certified = BooleanField(_l("This is the programme under certification (the loyalty programme)"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, editing: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_code(self, field):
        other = db.session.scalar(select(Programme).where(Programme.code == field.data.strip().upper()))
        if other is not None and other is not self.editing:
            raise ValidationError(_l("Another programme already has this code."))


class ProcessForm(VersionedForm):
    """The process sheet."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Short and unique, e.g. PC-03."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Type"), choices=enum_options(KIND_LABELS))
    programme_id = SelectField(_l("Programme"), coerce=int)
    parent_id = SelectField(_l("Parent process"), coerce=none_if_zero,
                            description=_l("For a sub-process: the process it belongs to."))
    owner_id = SelectField(_l("Owner"), coerce=none_if_zero)
    status = SelectField(_l("Status"), choices=enum_options({k: v for k, v in STATUS_LABELS.items()
                                                             if k != ProcessStatus.RETIRED}))
    purpose = TextAreaField(_l("Purpose"), validators=[Optional()])
    scope_start = TextAreaField(_l("Starts with"), validators=[Optional()])
    scope_end = TextAreaField(_l("Ends with"), validators=[Optional()])
    inputs = TextAreaField(_l("Inputs"), validators=[Optional()])
    outputs = TextAreaField(_l("Outputs"), validators=[Optional()])
    process_clients = TextAreaField(_l("Clients of the process"), validators=[Optional()],
                                    description=_l("Who receives what the process produces."))
    reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)],
                           description=_l("Kept with the numbered revision this change creates."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, editing: Process | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            self.reason.validators = [DataRequired(), Length(max=2000)]
        self.programme_id.choices = programme_options()
        self.parent_id.choices = process_options(blank=_l("— none —"), exclude_id=editing.id if editing else None)
        self.owner_id.choices = user_options(blank=_l("— nobody yet —"))

    def validate_code(self, field):
        other = db.session.scalar(select(Process).where(Process.code == field.data.strip().upper()))
        if other is not None and other is not self.editing:
            raise ValidationError(_l("Another process already has this code."))


class ParticipantForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=int)
    role = StringField(_l("Role in the process"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add participant"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = user_options()


class StageForm(VersionedForm):
    """One stage of the process diagram, and why the diagram changes (the revision's reason)."""

    name = StringField(_l("Stage"), validators=[DataRequired(), Length(max=200)],
                       description=_l("What happens, in a few words: e.g. “Check the application”."))
    description = TextAreaField(_l("What is done"), validators=[Optional(), Length(max=4000)])
    responsible_role = StringField(_l("Responsible role"), validators=[DataRequired(), Length(max=120)],
                                   description=_l("Stages with the same role share a swimlane."))
    responsible_id = SelectField(_l("Responsible person"), coerce=none_if_zero)
    knowledge_holder_ids = SelectMultipleField(_l("Knowledge holders"), coerce=int,
                                               description=_l("The people who know how this stage is done."))
    reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)],
                           description=_l("Kept with the sheet's revision. Left empty, the change itself is "
                                          "recorded as the reason."))
    submit = SubmitField(_l("Save stage"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_id.choices = user_options(blank=_l("— no one in particular —"))
        self.knowledge_holder_ids.choices = user_options()


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("File"), validators=[AcceptedUpload(DOCUMENTS)])
    submit = SubmitField(_l("Upload document"))


class StandardForm(VersionedForm):
    required_fields = SelectMultipleField(_l("Fields every process sheet must fill in"),
                                          choices=options(SHEET_FIELDS.items()))
    min_participants = IntegerField(_l("Minimum participants per process"),
                                    validators=[InputRequired(), NumberRange(min=0, max=50)])
    min_indicators = IntegerField(_l("Minimum indicators per process"),
                                  validators=[InputRequired(), NumberRange(min=0, max=50)])
    targets_required = BooleanField(_l("Every indicator needs a target"))
    submit = SubmitField(_l("Save the standard"))


class IndicatorForm(VersionedForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=30)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    definition = TextAreaField(_l("Definition / formula"), validators=[Optional()])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=30)], description=_l("e.g. %, days, €"))
    frequency = SelectField(_l("Frequency"), choices=enum_options(FREQUENCY_LABELS))
    direction = SelectField(_l("Better when"), choices=enum_options(DIRECTION_LABELS))
    kind = SelectField(_l("Kind"), choices=enum_options(INDICATOR_KIND_LABELS),
                       description=_l("Perception: what clients or people say. Performance: what the process does."))
    alert_threshold = NumberField(_l("Alert threshold"), validators=[Optional()],
                                 description=_l("A result that misses the target but reaches this value is an "
                                                "alert rather than off target."))
    data_source = StringField(_l("Data source"), validators=[Optional(), Length(max=200)])
    computed_source = SelectField(_l("Measured"), default="", description=_l(
        "Computed from the app's own data: measured every period automatically, never typed."))
    source_parameter = SelectField(_l("Computed for"), coerce=none_if_zero,
                                   description=_l("The survey the figure is computed from, for a survey's figures."))
    responsible_id = SelectField(_l("Responsible"), coerce=none_if_zero,
                                 description=_l("May enter the indicator's measurements."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, editing: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.responsible_id.choices = user_options(blank=_l("— nobody yet —"))
        self.sources = computed.sources()
        self.computed_source.choices = [("", _l("Typed by people (entered or imported)"))] + [
            (key, _l("Computed from: %(source)s", source=source.label)) for key, source in self.sources.items()]
        found = {}
        for source in self.sources.values():
            found.update(dict(source.parameters()) if source.parameters else {})
        self.source_parameter.choices = [(0, _l("— none —"))] + sorted(found.items(), key=lambda pair: pair[1])

    def validate_source_parameter(self, field):
        source = self.sources.get(self.computed_source.data or "")
        if source is None or source.parameters is None:
            field.data = None
            return
        if field.data not in dict(source.parameters()):
            raise ValidationError(_l("%(what)s: choose which one this figure is computed from.",
                                     what=source.parameter_label or _l("Computed for")))

    def validate_code(self, field):
        other = db.session.scalar(select(Indicator).where(Indicator.code == field.data.strip().upper()))
        if other is not None and other is not self.editing:
            raise ValidationError(_l("Another indicator already has this code."))


class PeriodField(StringField):
    """A period typed as people write it (``2025-03``, ``2025-T1``, ``03/2025``…), read for the form's
    indicator frequency; ``field.period`` is the first day of the period."""

    period = None

    def pre_validate(self, form):
        try:
            self.period = parse_period(self.data, form.frequency) if (self.data or "").strip() else None
        except PeriodError as error:
            raise ValidationError(str(error)) from error


class IndicatorDataForm(FlaskForm):
    """A form about one indicator's periods: its ``PeriodField`` s are read in the indicator's frequency."""

    def __init__(self, *args, frequency: Frequency, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency = frequency


class TargetForm(IndicatorDataForm):
    valid_from = PeriodField(_l("From period"), validators=[DataRequired()],
                             description=_l("e.g. 2025-01, 2025-Q1 or 2025"))
    value = NumberField(_l("Target"), validators=[InputRequired()])
    submit = SubmitField(_l("Set target"))


class MeasurementForm(IndicatorDataForm):
    period = PeriodField(_l("Period"), validators=[DataRequired()], description=_l("e.g. 2025-03, 2025-Q1 or 2025"))
    value = NumberField(_l("Value"), validators=[InputRequired()])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])
    replace = BooleanField(_l("Replace the value already recorded for this period"))
    submit = SubmitField(lazy_pgettext("button", "Record"))


class BenchmarkForm(IndicatorDataForm):
    source = StringField(_l("Source"), validators=[DataRequired(), Length(max=200)],
                         description=_l("Who reports the value: a sector study, another organisation…"))
    period = PeriodField(_l("Period"), validators=[DataRequired()])
    value = NumberField(_l("Value"), validators=[InputRequired()])
    submit = SubmitField(_l("Add comparison"))


class InterfaceForm(VersionedForm):
    from_process_id = SelectField(_l("From process"), coerce=int)
    to_process_id = SelectField(_l("To process"), coerce=int)
    flow = StringField(_l("What flows"), validators=[DataRequired(), Length(max=300)])
    problem = TextAreaField(_l("Interface problem identified"), validators=[Optional()])
    agreement = TextAreaField(_l("Agreement (SLA): the commitment"), validators=[Optional()])
    indicator_id = SelectField(_l("Indicator that measures it"), coerce=none_if_zero)
    agreed_level = NumberField(_l("Agreed level"), validators=[Optional()],
                              description=_l("The value the indicator must reach, in its direction."))
    from_owner_id = SelectField(_l("Owner on the sending side"), coerce=none_if_zero)
    to_owner_id = SelectField(_l("Owner on the receiving side"), coerce=none_if_zero)
    review_date = DateField(_l("Review date"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_process_id.choices = process_options()
        self.to_process_id.choices = process_options()
        indicators = db.session.scalars(select(Indicator).where(Indicator.active).order_by(Indicator.code))
        self.indicator_id.choices = options([(0, _l("— none —"))] + [(i.id, str(i)) for i in indicators])
        self.from_owner_id.choices = user_options(blank=_l("— nobody yet —"))
        self.to_owner_id.choices = user_options(blank=_l("— nobody yet —"))

    def validate_to_process_id(self, field):
        if field.data == self.from_process_id.data:
            raise ValidationError(_l("An interface joins two different processes."))

    def validate_agreed_level(self, field):
        if field.data is not None and not self.indicator_id.data:
            raise ValidationError(_l("Choose the indicator that measures the agreed level."))


class ProcessFilterForm(FlaskForm):
    q = StringField(_l("Search"), validators=[Optional()])
    programme = SelectField(_l("Programme"), coerce=none_if_zero, validators=[Optional()])
    kind = SelectField(_l("Type"), validators=[Optional()], choices=enum_options(KIND_LABELS, blank=_l("All types")))
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=enum_options(STATUS_LABELS, blank=_l("Current (not retired)")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.programme.choices = programme_options(blank=_l("All programmes"))


def indicator_options():
    """The active indicators of current processes, by process and code."""
    query = (select(Indicator, Process.code).join(Process, Process.id == Indicator.process_id)
             .where(Indicator.active, Process.status != ProcessStatus.RETIRED).order_by(Process.code, Indicator.code))
    return options([(indicator.id, f"{code} · {indicator}") for indicator, code in db.session.execute(query)])


class MomentForm(VersionedForm):
    """A moment of contact of the service cycle, its processes and its quality indicators."""

    name = StringField(_l("Moment of contact"), validators=[DataRequired(), Length(max=200)],
                       description=_l("Where the client meets the organisation: e.g. “Joining the programme”."))
    description = TextAreaField(_l("What the client experiences"), validators=[Optional(), Length(max=4000)])
    process_ids = SelectMultipleField(_l("Processes that serve it"), coerce=int)
    indicator_ids = SelectMultipleField(_l("Quality indicators"), coerce=int,
                                        description=_l("Indicators of its processes that measure how well the "
                                                       "moment goes."))
    submit = SubmitField(_l("Save moment"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.process_ids.choices = process_options()
        self.indicator_ids.choices = indicator_options()


class ApprovalForm(FlaskForm):
    """Approve a sheet's submitted draft, published from its effective date."""

    effective_on = DateField(_l("Effective from"), validators=[InputRequired(_l("Give the date the approved sheet "
                                                                                "comes into effect."))])
    #: The revision the approver read: a newer draft since then refuses the approval.
    number = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Approve and publish"))


class SendBackForm(FlaskForm):
    """Return a submitted draft without approving it, saying what it needs."""

    reason = TextAreaField(_l("What the draft needs"), validators=[DataRequired(_l("Say what the draft needs before "
                                                                                   "it can be approved.")),
                                                                   Length(max=2000)])
    submit = SubmitField(_l("Send back to draft"))
