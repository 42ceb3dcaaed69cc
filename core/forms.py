"""Forms shared across blueprints, and the organisation settings form."""

from babel.numbers import get_decimal_symbol
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from pytz import common_timezones
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from core.files import IMAGES, TABLES, UploadRejected, read_upload
from core.imports import ImportFileError, check_table_upload
from core.imports.cells import InvalidCell, number_converter
from core.reviews import MAX_INTERVAL_MONTHS


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class NumberField(FloatField):
    """A number typed the Spanish way (``87,5``, ``1.234,5``) or the English way (``87.5``).

    When the text itself does not tell (``1.234``), the reader's language decides. A text box rather than
    ``type=number``: browsers refuse a decimal comma in a number box unless their own language uses it,
    while ``inputmode`` still brings up the numeric keypad on phones."""

    widget = TextInput()

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "decimal", **(render_kw or {})}, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        # Plain digits in the reader's convention, so the value reads back as it was written.
        text = format(self.data, "f").rstrip("0").rstrip(".") if self.data % 1 else format(self.data, ".0f")
        return text.replace(".", get_decimal_symbol(get_locale()))

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        text = str(valuelist[0]).strip()
        try:
            self.data = number_converter([text], default=get_decimal_symbol(get_locale()))(text)
        except InvalidCell as error:
            self.data = None
            raise ValueError(str(error)) from error


class EmailAddress:
    """WTForms validator: a well-formed e-mail address.

    Unlike WTForms' ``Email``, it accepts the reserved ``.test`` domain that demo accounts and
    training installations use (RFC 2606); whether the mailbox exists is never checked.
    """

    def __call__(self, form, field):
        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            raise ValidationError(_l("Invalid email address.")) from error


class AcceptedUpload:
    """WTForms validator: the file field holds an upload of one of ``accept`` kinds, within limits.

    A file for an importer (``TABLES``) must also be within the import's bounds, so that a zip bomb or a
    CSV of a million rows is refused at the upload and never stored."""

    def __init__(self, accept: frozenset):
        self.accept = accept

    def __call__(self, form, field):
        try:
            filename, data, _kind = read_upload(field.data, self.accept)
            if self.accept == TABLES:
                check_table_upload(data, filename)
        except (UploadRejected, ImportFileError) as error:
            raise ValidationError(str(error)) from error


def read_filters(form: FlaskForm) -> FlaskForm:
    """Validate a filter form sent in the query string and forget each value it refuses (a choice that is
    not offered, a date that is not one): a stale bookmark or a hand-edited link lists everything instead
    of failing, and no view turns a refused value into an enum or a date. Returns the form."""
    form.validate()
    for field in form:
        if field.errors:
            field.data = None
    return form


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons that change something (deactivate…)."""

    submit = SubmitField(_l("Confirm"))


class ConfirmChangeForm(FlaskForm):
    """The confirmation of a state change whose consequences were shown (``core.transitions``); a backward move
    says why."""

    #: "yes", written by the confirmation page only (no default: a form posted from elsewhere never confirms).
    confirm = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Confirm the change"))

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "yes"


class VersionedForm(FlaskForm):
    """Base for forms that edit a ``Versioned`` record: carries the version the user started from."""

    version = HiddenField()


class OrganisationForm(VersionedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)],
                                description=_l("One or two lines for the cover of the evidence pack."))
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=120)])
    country = StringField(_l("Country"), validators=[Optional(), Length(max=80)])
    time_zone = SelectField(_l("Time zone"), validators=[Optional()],
                            description=_l("Every time on the pages and in the evidence pack is shown in this zone."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = current_app.config["BABEL_DEFAULT_TIMEZONE"]
        self.time_zone.choices = [("", _l("The installation's default (%(zone)s)", zone=default))] + [
            (zone, zone) for zone in common_timezones]


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG or JPEG)"), validators=[AcceptedUpload(IMAGES)])
    submit = SubmitField(_l("Upload logo"))


class AuditFilterForm(FlaskForm):
    """The filters above the audit trail (sent by GET, so no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    actor = SelectField(_l("Person"), coerce=int, validators=[Optional()])
    entity_type = SelectField(_l("Kind of record"), validators=[Optional()])
    action = SelectField(_l("Kind of change"), validators=[Optional()])
    entity_id = StringField(_l("Record id"), validators=[Optional(), Length(max=60)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def filters(self) -> dict:
        return {
            "q": (self.q.data or "").strip() or None,
            "actor_id": self.actor.data or None,
            "entity_type": self.entity_type.data or None,
            "action": self.action.data or None,
            "entity_id": (self.entity_id.data or "").strip() or None,
            "date_from": self.date_from.data,
            "date_to": self.date_to.data,
        }



class ReviewForm(FlaskForm):
    """A record's review interval and, ticked, a review done today (process sheets, agreements, evidence items)."""

    review_interval_months = IntegerField(
        _l("Review every (months)"), validators=[Optional(), NumberRange(1, MAX_INTERVAL_MONTHS)],
        description=_l("Leave empty when no periodic review is planned."))
    reviewed = BooleanField(_l("Reviewed today: still right as it is"))
    submit = SubmitField(_l("Save review"))
