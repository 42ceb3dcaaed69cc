"""Forms of the voice of the client: complaints and their filters, requirements, listening activities, costs."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.extensions import db
from core.forms import NumberField, VersionedForm, options
from core.needs import NEED_LEVEL_LABELS
from loyalty.forms import none_if_zero, typology_options
from loyalty.models import Client
from voice.labels import (
    ACTIVITY_KIND_LABELS,
    CHANNEL_LABELS,
    CONTACT_KIND_LABELS,
    IMPORTANCE_LABELS,
    REQUIREMENT_STATUS_LABELS,
    SATISFACTION_LABELS,
    SOURCE_LABELS,
)
from voice.models import ComplaintCategory


def category_options(blank=None, *, include_id=None):
    """The offered categories (and the one a record already has, even if retired)."""
    query = select(ComplaintCategory).order_by(ComplaintCategory.name)
    found = [(c.id, c.name) for c in db.session.scalars(query) if c.active or c.id == include_id]
    return options(([(0, blank)] if blank else []) + found)


def enum_options(labels, blank=None):
    return options(([("", blank)] if blank else []) + [(key.value, label) for key, label in labels.items()])


class ActivityFilterForm(FlaskForm):
    """The filters above the listening activities (sent by GET, so no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    typology = SelectField(_l("Typology"), validators=[Optional()])
    start = DateField(_l("Held from"), validators=[Optional()])
    end = DateField(_l("Held to"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.kind.choices = enum_options(ACTIVITY_KIND_LABELS, _l("All kinds"))
        self.typology.choices = typology_options(_l("All typologies"))


class ClientCodeField(StringField):
    """A census client named by its code; ``client_id`` holds the match after validation."""

    client_id = None

    def pre_validate(self, form):
        code = (self.data or "").strip()
        self.client_id = None
        if not code:
            return
        self.client_id = db.session.scalar(select(Client.id).where(Client.code == code))
        if self.client_id is None:
            raise ValidationError(_l("There is no client with code “%(code)s” in the census.", code=code))


class ComplaintForm(VersionedForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=40)],
                            description=_l("Your own number for it, if your ticketing tool gives one."))
    received_on = DateField(_l("Received on"), validators=[InputRequired()], default=date.today)
    channel = SelectField(_l("Channel"), validators=[InputRequired()])
    category_id = SelectField(_l("Category"), coerce=none_if_zero, validators=[InputRequired()])
    client_code = ClientCodeField(_l("Client code (optional)"), validators=[Optional(), Length(max=40)],
                                  description=_l("The client's code in the census, if the client is known."))
    description = TextAreaField(_l("What the client said"), validators=[DataRequired(), Length(max=5000)])
    responded_on = DateField(_l("Responded on"), validators=[Optional()])
    resolution = TextAreaField(_l("Resolution"), validators=[Optional(), Length(max=5000)])
    #: Reopening an answered complaint (clearing its response date) or changing that date says why.
    date_reason = TextAreaField(_l("Why does the response date change?"), validators=[Optional(), Length(max=1000)],
                                description=_l("Needed to clear (reopen) or change the date of an answered "
                                               "complaint. Answered again, it keeps its first response date "
                                               "unless you say why it changes."))
    #: "yes" once the form has shown what the change does to the criteria (``core.transitions``).
    confirm = HiddenField()
    satisfaction = SelectField(_l("Client's satisfaction with the resolution"), coerce=none_if_zero,
                               validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, category_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_options(CONTACT_KIND_LABELS)
        self.channel.choices = enum_options(CHANNEL_LABELS)
        self.category_id.choices = category_options(_l("— choose —"), include_id=category_id)
        self.satisfaction.choices = options([(0, _l("Not known"))] + list(SATISFACTION_LABELS.items()))

    def validate_category_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a category."))

    def record_data(self) -> dict:
        data = {name: self[name].data for name in ("kind", "reference", "received_on", "channel", "category_id",
                                                   "description", "responded_on", "resolution", "satisfaction")}
        return data | {"client_id": self.client_code.client_id}


class ComplaintFilterForm(FlaskForm):
    """The filters above the complaints register (sent by GET, so no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    category = SelectField(_l("Category"), coerce=none_if_zero, validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=options([("", _l("Open and answered")), ("open", _l("Awaiting response")),
                                          ("answered", _l("Answered"))]))
    start = DateField(_l("Received from"), validators=[Optional()])
    end = DateField(_l("Received to"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.kind.choices = enum_options(CONTACT_KIND_LABELS, _l("All kinds"))
        self.category.choices = category_options(_l("All categories"))
        self.channel.choices = enum_options(CHANNEL_LABELS, _l("All channels"))


class CategoryForm(FlaskForm):
    name = StringField(_l("New category"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add"))


class RequirementForm(VersionedForm):
    statement = TextAreaField(_l("Requirement"), validators=[DataRequired(), Length(max=2000)],
                              description=_l("What clients need or expect, in their words when they said it."))
    explicit = SelectField(_l("Explicit or implicit"), coerce=lambda v: v in (True, "1", "True", "true"),
                           choices=options([("1", _l("Explicit: clients said it")),
                                            ("0", _l("Implicit: we inferred it"))]))
    typology = SelectField(_l("Client typology"), validators=[Optional()])
    source = SelectField(_l("Source"), validators=[InputRequired()])
    identified_on = DateField(_l("Identified on"), validators=[InputRequired()], default=date.today)
    importance = SelectField(_l("Importance"), coerce=int, default=2,
                             choices=options(IMPORTANCE_LABELS.items()))
    need_level = SelectField(_l("Level of need"), validators=[Optional()],
                             description=_l("Basic: must be there; expected: taken for granted; desired: would be "
                                            "liked besides; unanticipated: added value nobody asked for."))
    origin = SelectField(_l("Came from"), validators=[Optional()],
                         description=_l("The listening activity, complaint or survey wave it came from, if any."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, origins=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.typology.choices = typology_options(blank=_l("Any typology"))
        self.source.choices = enum_options(SOURCE_LABELS)
        self.need_level.choices = enum_options(NEED_LEVEL_LABELS, _l("Not stated"))
        self.origin.choices = options([("", _l("Nothing in particular")), *origins])

    def origin_pair(self) -> tuple[str, int] | None:
        kind, _sep, record_id = (self.origin.data or "").partition(":")
        return (kind, int(record_id)) if kind and record_id.isdigit() else None


class RequirementStatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=enum_options(REQUIREMENT_STATUS_LABELS))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           description=_l("Required when rejecting or moving back a step."))
    #: "yes" from the confirmation page only (``core.transitions``).
    confirm = HiddenField()
    submit = SubmitField(_l("Change status"))


class RequirementFilterForm(FlaskForm):
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    source = SelectField(_l("Source"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    typology = SelectField(_l("Typology"), validators=[Optional()])
    need_level = SelectField(_l("Level of need"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.need_level.choices = enum_options(NEED_LEVEL_LABELS, _l("All levels"))
        self.source.choices = enum_options(SOURCE_LABELS, _l("All sources"))
        self.status.choices = enum_options(REQUIREMENT_STATUS_LABELS, _l("All statuses"))
        self.typology.choices = typology_options(blank=_l("All typologies"))


class CostFields:
    staff_hours = NumberField(_l("Staff hours"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    hourly_rate = NumberField(_l("Hourly rate (€)"), validators=[Optional(), NumberRange(min=0, max=10_000)])
    external_cost = NumberField(_l("External cost (€)"), validators=[Optional(), NumberRange(min=0)],
                                description=_l("Venue, facilitator, incentives, an outside firm…"))


class ActivityForm(VersionedForm, CostFields):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    held_on = DateField(_l("Held on"), validators=[InputRequired()], default=date.today)
    participants = IntegerField(_l("Participants"), validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    typology = SelectField(_l("Typology of the participants"), validators=[Optional()])
    findings = TextAreaField(_l("Findings"), validators=[Optional(), Length(max=10_000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_options(ACTIVITY_KIND_LABELS)
        self.typology.choices = typology_options(blank=_l("Mixed or not recorded"))


class WaveCostForm(FlaskForm, CostFields):
    wave_id = SelectField(_l("Survey wave"), coerce=none_if_zero, validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Record the cost"))

    def __init__(self, *args, waves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.wave_id.choices = options([(0, _l("— choose —")), *waves])

    def validate_wave_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the survey wave."))


class AssumptionsForm(VersionedForm):
    baseline_year = IntegerField(_l("Baseline year"), validators=[Optional(), NumberRange(1900, 2100)],
                                 description=_l("The year whose retention is the reference. Empty: the year "
                                                "before the first listening cost."))
    attribution = NumberField(_l("Share of the change in retention credited to listening (%)"),
                              validators=[InputRequired(), NumberRange(0, 100)])
    value_years = NumberField(_l("Years of contribution per client kept"),
                              validators=[InputRequired(), NumberRange(0, 50)])
    average_contribution = NumberField(_l("Average contribution per client (€)"),
                                       validators=[Optional(), NumberRange(min=0)],
                                       description=_l("Empty: the census's average for each year."))
    default_hourly_rate = NumberField(_l("Default hourly rate (€)"), validators=[InputRequired(),
                                                                                 NumberRange(0, 10_000)])
    submit = SubmitField(_l("Save the assumptions"))

