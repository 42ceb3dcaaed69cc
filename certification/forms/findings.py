"""The findings' forms: a reviewer records one, a coordinator answers it, the reviewer closes it or sends the
answer back, and the lists' filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certification.models import FINDING_KIND_LABELS, FINDING_STATE_LABELS, Cycle
from core.extensions import db
from core.forms import options
from evidence.records import record_choices
from improvements.models import Group
from processes.forms import none_if_zero, user_options


def _short(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


class FindingForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options((k.value, v) for k, v in FINDING_KIND_LABELS.items()),
                       validators=[DataRequired()])
    criterion_id = SelectField(_l("Criterion"), coerce=none_if_zero, validators=[DataRequired()])
    record = SelectField(_l("About the record"), validators=[Optional()],
                         description=_l("Optional: the process, indicator, improvement or evidence item it is about."))
    text = TextAreaField(_l("Finding"), validators=[DataRequired(), Length(max=8000)],
                         description=_l("What was found, against what the criterion requires."))
    evidence = TextAreaField(_l("Evidence seen"), validators=[Optional(), Length(max=8000)],
                             description=_l("The documents, records or interviews it rests on."))
    submit = SubmitField(_l("Record finding"))

    def __init__(self, criteria, language: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion_id.choices = options([(0, _l("— choose —"))] + [
            (c.id, f"{c.code} · {_short(c.text_in(language))}") for c in criteria])
        self.record.choices = options([("", _l("— none —")), *record_choices()])


def group_options():
    return options([(0, _l("— choose —"))] + [(g.id, g.name) for g in db.session.scalars(
        select(Group).order_by(Group.name))])


class AnswerForm(FlaskForm):
    """The coordinator's answer; which fields count depends on the finding's kind (``certification.findings``)."""

    root_cause = TextAreaField(_l("Root cause"), validators=[Optional(), Length(max=8000)])
    response = TextAreaField(_l("Response"), validators=[Optional(), Length(max=8000)])
    action = TextAreaField(_l("Corrective action"), validators=[Optional(), Length(max=8000)],
                           description=_l("What will be done to remove the cause, so that it does not happen again."))
    group_id = SelectField(_l("Improvement group that works it"), coerce=none_if_zero, validators=[Optional()])
    owner_id = SelectField(_l("Owner of the action"), coerce=none_if_zero, validators=[Optional()],
                           description=_l("A member of the group: they work it and mark it implemented."))
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    task_title = StringField(_l("First task"), validators=[Optional(), Length(max=300)])
    task_owner_id = SelectField(_l("Task owner"), coerce=none_if_zero, validators=[Optional()])
    task_due_on = DateField(_l("Task due date"), validators=[Optional()])
    make_opportunity = BooleanField(_l("Take it up as an improvement opportunity of the group"))
    submit = SubmitField(_l("Answer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_id.choices = group_options()
        self.owner_id.choices = user_options(blank=_l("— choose —"))
        self.task_owner_id.choices = user_options(blank=_l("— nobody yet —"))


class CloseForm(FlaskForm):
    comment = TextAreaField(_l("What you verified"), validators=[DataRequired(), Length(max=8000)])
    submit = SubmitField(_l("Close finding"))


class SendBackForm(FlaskForm):
    reason = TextAreaField(_l("Why the answer is not accepted"), validators=[DataRequired(), Length(max=8000)])
    submit = SubmitField(_l("Send the answer back"))


class FindingFilterForm(FlaskForm):
    """The search above the lists of findings (sent by GET, so no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    state = SelectField(_l("State"), validators=[Optional()],
                        choices=options([("", _l("Any state"))] + [(k.value, v) for k, v in
                                                                   FINDING_STATE_LABELS.items()]))
    kind = SelectField(_l("Kind"), validators=[Optional()],
                       choices=options([("", _l("Any kind")), ("nonconformity", _l("Nonconformity (major or minor)"))]
                                       + [(k.value, v) for k, v in FINDING_KIND_LABELS.items()]))
    cycle = SelectField(_l("Cycle"), coerce=none_if_zero, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        cycles = db.session.scalars(select(Cycle).order_by(Cycle.period_start.desc(), Cycle.id.desc()))
        self.cycle.choices = options([(0, _l("All cycles"))] + [(c.id, c.name) for c in cycles])
