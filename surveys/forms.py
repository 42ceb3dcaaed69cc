"""Forms of the survey engine: surveys, items, waves, invitations, and the answering page's token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.extensions import db
from core.forms import VersionedForm, options
from core.models import User
from core.needs import NEED_LEVEL_LABELS, NeedLevel
from improvements.models import Group
from loyalty.models import TYPOLOGY_LABELS
from processes.models import Process, ProcessStatus
from surveys.invitations import census_segments
from surveys.labels import AUDIENCE_LABELS, KIND_LABELS, ROLE_LABELS
from surveys.models import Audience, ItemKind, ItemRole
from surveys.standard import TEMPLATES

LANGUAGE_CHOICES = (("es", "Español"), ("en", "English"))
#: Roles an item of each kind may play.
NUMERIC_ROLES = {ItemRole.ATTRIBUTE, ItemRole.OVERALL, ItemRole.REPURCHASE, ItemRole.PARTICIPATION,
                 ItemRole.UNDERSTANDING}
#: Roles only added by their own action (the understanding item names its improvement in its key), so the question
#: form offers them only for an item that has one already.
OWN_ACTION_ROLES = {ItemRole.UNDERSTANDING}


def enum_options(labels: dict):
    return options([(member.value, label) for member, label in labels.items()])


class NewSurveyForm(FlaskForm):
    template = SelectField(_l("Start from"), choices=[])
    language = SelectField(_l("Language of the questions"), choices=options(LANGUAGE_CHOICES),
                           description=_l("The standard questionnaires exist in Spanish and English."))
    title = StringField(_l("Title"), validators=[Length(max=200)],
                        description=_l("Leave it empty to use the standard questionnaire's title."))
    audience = SelectField(_l("Audience"), choices=enum_options(AUDIENCE_LABELS),
                           description=_l("For an empty survey; a standard questionnaire has its own."))
    anonymous = BooleanField(_l("Anonymous: responses are kept with no link to who answered"), default=True)
    submit = SubmitField(_l("Create survey"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = options([(key, spec[0]) for key, spec in TEMPLATES.items()] +
                                        [("", _l("An empty survey"))])

    def validate_title(self, field):
        if not self.template.data and not (field.data or "").strip():
            raise ValidationError(_l("An empty survey needs a title."))

    @property
    def chosen_audience(self) -> Audience:
        return TEMPLATES[self.template.data][1] if self.template.data else Audience(self.audience.data)


class SurveyDetailsForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=2000)],
                                description=_l("Shown above the questions."))
    anonymous = BooleanField(_l("Anonymous: responses are kept with no link to who answered"))
    submit = SubmitField(_l("Save"))


class ItemForm(FlaskForm):
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=500)])
    kind = SelectField(_l("Kind of answer"), choices=enum_options(KIND_LABELS))
    role = SelectField(_l("Measures"), choices=enum_options(ROLE_LABELS),
                       description=_l("What the results use it for: CSAT, NPS, drivers, D1…"))
    tag = StringField(_l("Attribute or improvement it measures"), validators=[Optional(), Length(max=120)],
                      description=_l("A short name for tables and charts, e.g. “Speed of response”."))
    need_level = SelectField(_l("Level of need it is about"), validators=[Optional()],
                             choices=options([("", _l("Not stated")), *((level.value, text) for level, text
                                                                        in NEED_LEVEL_LABELS.items())]),
                             description=_l("Basic, expected, desired or unanticipated: B1 reads the attributes of "
                                            "each level."))
    choices = TextAreaField(_l("Options (one per line)"), validators=[Optional(), Length(max=2000)],
                            description=_l("Only for “one option of a list”."))
    required = BooleanField(_l("An answer is required"))
    submit = SubmitField(_l("Save question"))

    def __init__(self, *args, role_kept: ItemRole | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = enum_options({role: label for role, label in ROLE_LABELS.items()
                                          if role not in OWN_ACTION_ROLES or role == role_kept})

    def validate_choices(self, field):
        if self.kind.data == ItemKind.CHOICE and len(self.choice_list()) < 2:
            raise ValidationError(_l("Give at least two options, one per line."))

    def validate_role(self, field):
        if field.data not in {r.value for r in ItemRole} or self.kind.data not in {k.value for k in ItemKind}:
            return  # a value not offered: the select itself refuses it ("Not a valid choice")
        role, kind = ItemRole(field.data), ItemKind(self.kind.data)
        if role == ItemRole.RECOMMEND and kind != ItemKind.SCALE:
            raise ValidationError(_l("The likelihood to recommend is asked on a 0 to 10 scale."))
        if role in NUMERIC_ROLES and kind not in (ItemKind.LIKERT, ItemKind.SCALE):
            raise ValidationError(_l("This measure needs a 1 to 5 or 0 to 10 answer."))
        if role == ItemRole.EXPECTATIONS and kind != ItemKind.CHOICE:
            raise ValidationError(_l("Expectations are asked as options (did not meet, met, exceeded)."))
        if role == ItemRole.EXIT_REASON and kind != ItemKind.CHOICE:
            raise ValidationError(_l("The exit reason is asked as options: the census's exit reasons."))

    def choice_list(self) -> list[str]:
        return [line.strip()[:200] for line in (self.choices.data or "").splitlines() if line.strip()]

    def item_data(self) -> dict:
        return {"text": self.text.data, "kind": self.kind.data, "role": ItemRole(self.role.data),
                "tag": self.tag.data, "required": self.required.data, "choices": self.choice_list(),
                "need_level": NeedLevel(self.need_level.data) if self.need_level.data else None}


class WaveForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("E.g. “Spring 2025”."))
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    public_link = BooleanField(_l("Also an open public link anyone can answer (client surveys)"))
    submit = SubmitField(_l("Create wave"))

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The wave cannot close before it opens."))


class SurveyFilterForm(FlaskForm):
    """The filters above the list of surveys (sent by GET, so no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    audience = SelectField(_l("Audience"), validators=[Optional()])
    anonymity = SelectField(_l("Anonymity"), validators=[Optional()],
                            choices=options([("", _l("Anonymous and named")), ("anonymous", _l("Anonymous")),
                                             ("named", _l("Named"))]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.audience.choices = options([("", _l("Every audience"))]
                                        + [(a.value, label) for a, label in AUDIENCE_LABELS.items()])


class InvitationFilterForm(FlaskForm):
    """The search above a wave's invitations (sent by GET, so no CSRF token); ``use`` only for named waves."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    use = SelectField(_l("Links"), validators=[Optional()],
                      choices=options([("", _l("Used and unused")), ("used", _l("Used: answered")),
                                       ("unused", _l("Unused: not answered yet"))]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)


class PasteInvitationsForm(FlaskForm):
    lines = TextAreaField(_l("People to invite, one per line"), validators=[DataRequired()],
                          description=_l("Name; e-mail; typology; segment — or paste the columns from a "
                                         "spreadsheet. Only the name is needed."))
    submit = SubmitField(_l("Add invitations"))


class ClientInvitationsForm(FlaskForm):
    """Current clients of the census, by typology and segment."""

    typologies = SelectMultipleField(_l("Typologies"), validators=[Optional()],
                                     description=_l("None chosen: every typology."))
    segments = SelectMultipleField(_l("Segments"), validators=[Optional()],
                                   description=_l("None chosen: every segment."))
    submit = SubmitField(_l("Invite these clients"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.typologies.choices = options([(t.value, label) for t, label in TYPOLOGY_LABELS.items()])
        self.segments.choices = options([(s, s) for s in census_segments()])


class StaffInvitationsForm(FlaskForm):
    groups = SelectMultipleField(_l("Members of these improvement groups"), coerce=int, validators=[Optional()],
                                 description=_l("Each member answers for their group: results are given per group."))
    users = SelectMultipleField(_l("Or people chosen one by one"), coerce=int, validators=[Optional()])
    group = StringField(_l("Their group"), validators=[Optional(), Length(max=120)],
                        description=_l("The improvement group or team: results are given per group."))
    processes = SelectMultipleField(_l("Or everyone taking part in these processes"), coerce=int,
                                    validators=[Optional()])
    submit = SubmitField(_l("Invite"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups.choices = options([(g.id, g.name) for g in db.session.scalars(select(Group).order_by(Group.name))])
        people = db.session.scalars(select(User).where(User.active).order_by(User.name))
        self.users.choices = options([(u.id, u.name) for u in people])
        processes = db.session.scalars(select(Process).where(Process.status != ProcessStatus.RETIRED)
                                       .order_by(Process.code))
        self.processes.choices = options([(p.id, f"{p.code} · {p.name}") for p in processes])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and not self.groups.data and not self.users.data and not self.processes.data:
            self.groups.errors.append(_l("Choose groups, people or processes."))
            return False
        return valid


class AnswerForm(FlaskForm):
    """The answering page: its CSRF token; the answers themselves are read by ``engine.check_answers``."""


class ExclusionForm(FlaskForm):
    """Excluding one network's burst of public-link responses: the reason is kept in the audit trail."""

    reason = StringField(_l("Why these responses are excluded"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Exclude"))


class LostClientsInvitationsForm(FlaskForm):
    """An exit interview's audience: the census's clients who left in a period."""

    left_from = DateField(_l("Clients who left from"), validators=[DataRequired()])
    left_to = DateField(_l("to"), validators=[DataRequired()])
    submit = SubmitField(_l("Invite these clients"))

    def validate_left_to(self, field):
        if field.data and self.left_from.data and field.data < self.left_from.data:
            raise ValidationError(_l("The period cannot end before it starts."))


class ExitReviewForm(FlaskForm):
    """The review of one exit interview's answer against the census's exit reason."""

    decision = SelectField(_l("Decision"), choices=options((("apply", _l("Record the client's reason")),
                                                            ("keep", _l("Keep the census's reason")))))
    note = StringField(_l("Why"), validators=[Optional(), Length(max=500)],
                       description=_l("Needed to replace or keep a reason the census already has."))
    submit = SubmitField(_l("Save the review"))


class UnderstandingItemForm(FlaskForm):
    """Add "I know about the change to …" for one implemented improvement to a client survey."""

    improvement = SelectField(_l("Improvement"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Add the question"))

    def __init__(self, *args, improvements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.improvement.choices = options([(i.id, i.title) for i in improvements])
