"""Forms of the client census: a client, its exit and figures, the filters, the import and the settings."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.audit import value_labels
from core.cache import cached
from core.extensions import db
from core.files import TABLES
from core.forms import AcceptedUpload, NumberField, VersionedForm, options
from loyalty import census_import
from loyalty.models import TYPOLOGY_LABELS, Client, ContributionBasis
from loyalty.reasons import exit_reasons
from loyalty.segments import TENURE_LABELS

BASIS_LABELS = value_labels({ContributionBasis.MARGIN: _l("Margin"),
                             ContributionBasis.REVENUE: _l("Purchases (revenue)")})
STATUS_CHOICES = (("", _l("Active and lost")), ("active", _l("Active")), ("lost", _l("Lost")))
#: Over whom the ranking's classes are computed (``ranking.POPULATIONS``), the default first.
POPULATION_CHOICES = (("current", _l("Current clients")), ("all", _l("All clients of the year")))
GRANULARITY_LABELS = {"month": _l("Month"), "quarter": _l("Quarter"), "year": _l("Year")}
AXIS_LABELS = {"tenure": _l("Tenure (years as a client)"),
               "satisfaction": _l("Satisfaction of each client (not available: survey answers are anonymous)")}


def typology_options(blank=None):
    return options(([("", blank)] if blank else []) + [(t.value, label) for t, label in TYPOLOGY_LABELS.items()])


def reason_options(blank=None):
    return options(([(0, blank)] if blank else []) + [(r.id, r.label) for r in exit_reasons()])


def distinct_options(column, blank):
    """The values a text column of the census takes, for a filter: a DISTINCT over every client, so kept until
    the data changes (``core.cache.cached``) rather than read on each ranking page."""
    found = cached("census-values", column.key, compute=lambda: list(db.session.scalars(
        select(column).distinct().where(column.is_not(None)).order_by(column))))
    return options([("", blank), *((value, value) for value in found)])


def none_if_zero(value):
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


class ClientForm(VersionedForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("The client's code in your ERP or CRM; imports match clients by it."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    typology = SelectField(_l("Typology"), validators=[InputRequired()])
    segment = StringField(_l("Segment"), validators=[Optional(), Length(max=80)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=80)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=120)])
    joined_on = DateField(_l("Client since"), validators=[InputRequired()])
    strategic = BooleanField(_l("Strategic client"))
    strategic_reason = StringField(_l("Why strategic"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.typology.choices = typology_options()


class LostForm(FlaskForm):
    left_on = DateField(_l("Left on"), validators=[InputRequired()], default=date.today)
    reason = SelectField(_l("Exit reason"), coerce=none_if_zero, validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         description=_l("What the client said, from the exit interview if there was one."))
    #: Only for a client who left before: why this exit date replaces the one first recorded (else it is kept).
    date_reason = TextAreaField(_l("Why does the exit date change?"), validators=[Optional(), Length(max=1000)],
                                description=_l("The client left before: the exit date first recorded is kept "
                                               "unless you say why it changes."))
    #: "yes" from the confirmation page only (``core.transitions``).
    confirm = HiddenField()
    submit = SubmitField(_l("Record the exit"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = reason_options(blank=_l("— choose —"))


class ExitDateForm(FlaskForm):
    """The explicit correction of a lost client's exit date, with its reason."""

    left_on = DateField(_l("Left on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Why does the exit date change?"), validators=[Optional(), Length(max=1000)])
    confirm = HiddenField()
    submit = SubmitField(_l("Change the exit date"))


class FiguresForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(1900, 2100)])
    potential = NumberField(_l("Purchasing potential"), validators=[Optional(), NumberRange(min=0)])
    purchases = NumberField(_l("Purchases"), validators=[InputRequired(), NumberRange(min=0)])
    margin = NumberField(_l("Margin"), validators=[Optional()])
    submit = SubmitField(_l("Add the year's figures"))


class RankingFilterForm(FlaskForm):
    """The filters above the ranking (sent by GET, so no CSRF token)."""

    year = SelectField(_l("Year"), coerce=none_if_zero, validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    typology = SelectField(_l("Typology"), validators=[Optional()])
    segment = SelectField(_l("Segment"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], choices=options(STATUS_CHOICES))
    population = SelectField(_l("Classes among"), validators=[Optional()], choices=options(POPULATION_CHOICES))
    abc = SelectField(_l("Class"), validators=[Optional()],
                      choices=options([("", _l("All classes")), ("A", "A"), ("B", "B"), ("C", "C")]))
    tenure = SelectField(_l("Tenure"), validators=[Optional()])
    strategic = BooleanField(_l("Strategic only"))

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.year.choices = options([(year, str(year)) for year in years])
        self.typology.choices = typology_options(blank=_l("All typologies"))
        self.segment.choices = distinct_options(Client.segment, _l("All segments"))
        self.region.choices = distinct_options(Client.region, _l("All regions"))
        self.tenure.choices = options([("", _l("Any tenure")), *TENURE_LABELS.items()])


class HistoryForm(FlaskForm):
    granularity = SelectField(_l("Per"), choices=options(GRANULARITY_LABELS.items()), default="year")
    start = IntegerField(_l("From year"), validators=[Optional(), NumberRange(1900, 2100)])
    end = IntegerField(_l("To year"), validators=[Optional(), NumberRange(1900, 2100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)


class CensusUploadForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[AcceptedUpload(TABLES)])
    # No default: a year guessed for the user is how figures end up filed under the wrong one.
    year = IntegerField(_l("Year of the figures"), validators=[Optional(), NumberRange(1900, 2100)],
                        description=_l("The year the file's purchases, margins and potentials are for. Needed "
                                       "unless the file has a year column; with one, it is used only for rows "
                                       "whose year is empty."))
    full_census = BooleanField(_l("The file lists every current client"),
                               description=_l("Clients missing from it will be proposed as lost, for you to "
                                              "confirm one by one or all together. Nothing is deleted."))
    submit = SubmitField(_l("Upload and check"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.year.data is None and not self._file_has_year_column():
            self.year.errors.append(_l("Give the year of the figures: the file has no year column to take it "
                                       "from."))
            return False
        return True

    def _file_has_year_column(self) -> bool:
        upload = self.file.data
        data = upload.read()
        upload.seek(0)
        return census_import.has_year_column(data, upload.filename or "")


class AbsentForm(FlaskForm):
    """Confirming the clients a full census did not list as lost: a date and a reason for the chosen ones."""

    left_on = DateField(_l("Left on"), validators=[InputRequired()], default=date.today)
    reason = SelectField(_l("Exit reason"), coerce=none_if_zero, validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = reason_options(blank=_l("— choose —"))


class SettingsForm(VersionedForm):
    contribution_basis = SelectField(_l("Contribution measured by"),
                                     choices=options((b.value, label) for b, label in BASIS_LABELS.items()))
    class_a_share = NumberField(_l("Class A: the clients making the first share of the contribution (%)"),
                                validators=[InputRequired(), NumberRange(1, 99)])
    class_b_share = NumberField(_l("Class B: up to … % (cumulative); class C the rest"),
                                validators=[InputRequired(), NumberRange(2, 100)])
    loyalty_axis = SelectField(_l("Loyalty behaviour in the segmentation"),
                               choices=options(AXIS_LABELS.items()))
    tenure_short_years = IntegerField(_l("A client is new for its first … years"),
                                      validators=[InputRequired(), NumberRange(1, 50)])
    tenure_long_years = IntegerField(_l("A client is loyal from … years"),
                                     validators=[InputRequired(), NumberRange(2, 100)])
    submit = SubmitField(_l("Save"))


class ReasonForm(FlaskForm):
    name = StringField(_l("New exit reason"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Add"))


class RemoveDemoForm(FlaskForm):
    """Removing the demo organisation's clients: only with the box ticked (the button alone is not enough)."""

    confirm = BooleanField(_l("I understand: the demo’s clients and the records listed above are deleted, and this "
                              "cannot be undone"), validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Remove the demo’s clients"))
