"""The certification cycle's forms: the cycle itself, the list's filters and the confirmation of a move."""

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certification import cycles
from certification.models import CYCLE_STATE_LABELS
from core.extensions import db
from core.forms import VersionedForm, options
from evidence.models import CriteriaSet


def _none_if_zero(value):
    return None if value in (0, "0", "", None) else int(value)


class CycleForm(VersionedForm):
    """A cycle's set, scope, period, visit and reviewers; checked by the same rules the service applies
    (``certification.cycles.problems``), each reason on its field."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("e.g. Certification 2026, or Follow-up visit 2027"))
    criteria_set = SelectField(_l("Criteria set"), coerce=_none_if_zero)
    scope_programmes = TextAreaField(_l("Programmes in scope"), validators=[Optional(), Length(max=2000)],
                                     description=_l("As the certificate will state them."))
    scope_sites = TextAreaField(_l("Sites in scope"), validators=[Optional(), Length(max=2000)])
    scope_exclusions = TextAreaField(_l("Exclusions"), validators=[Optional(), Length(max=2000)],
                                     description=_l("What is left out of the certification, and why."))
    period_start = DateField(_l("Period from"), validators=[DataRequired()])
    period_end = DateField(_l("Period to"), validators=[DataRequired()],
                           description=_l("The cycle's pack reads the data of this period."))
    visit_planned_on = DateField(_l("Visit planned on"), validators=[Optional()])
    visit_held_on = DateField(_l("Visit held on"), validators=[Optional()])
    reviewers = SelectMultipleField(_l("Reviewers"), coerce=int, validators=[Optional()],
                                    description=_l("Users with the reviewer role."))
    submit = SubmitField(_l("Save the cycle"))

    def __init__(self, *args, today: date, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.cycle = today, cycle
        language = str(get_locale() or "en")[:2]
        sets = db.session.scalars(select(CriteriaSet).order_by(CriteriaSet.is_current.desc(), CriteriaSet.code))
        self.criteria_set.choices = options([(0, _l("Choose a criteria set"))]
                                            + [(s.id, f"{s.code} · {s.title(language)}") for s in sets])
        self.reviewers.choices = options(cycles.reviewer_choices())

    def data_given(self) -> cycles.CycleData:
        return cycles.CycleData(
            name=self.name.data or "", set_id=self.criteria_set.data, period_start=self.period_start.data,
            period_end=self.period_end.data, scope_programmes=self.scope_programmes.data,
            scope_sites=self.scope_sites.data, scope_exclusions=self.scope_exclusions.data,
            visit_planned_on=self.visit_planned_on.data, visit_held_on=self.visit_held_on.data,
            reviewer_ids=tuple(self.reviewers.data or ()))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, messages in cycles.problems(self.data_given(), today=self.today, cycle=self.cycle).items():
            field = self[name]
            new = [message for message in messages if message not in field.errors]
            if new and not field.errors:  # a field's own check (a missing date) says it first
                field.errors = [*field.errors, *new]
                valid = False
        return valid


class CycleFilterForm(FlaskForm):
    q = StringField(_l("Search"), validators=[Optional()])
    state = SelectField(_l("State"), validators=[Optional()],
                        choices=options([("", _l("All states"))]
                                        + [(state.value, label) for state, label in CYCLE_STATE_LABELS.items()]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
