"""Forms for signing in, one's own account and user administration."""

import math

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from accounts import services
from accounts.passwords import weakness
from core.forms import EmailAddress, VersionedForm, options
from core.models import ROLE_LABELS, Role, User


def role_choices():
    return options((role.value, str(ROLE_LABELS[role])) for role in Role)


def language_choices(blank_label=None):
    pairs = list(current_app.config["LANGUAGES"].items())
    return options(([("", blank_label)] if blank_label else []) + pairs)


def password_length(form, field):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if field.data and len(field.data) < minimum:
        raise ValidationError(_l("Use at least %(n)d characters.", n=minimum))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), password_length])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))])
    submit = SubmitField(_l("Change password"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field):
        try:
            right = services.password_confirmed(self.user, field.data)
        except services.Throttled as refused:
            minutes = max(1, math.ceil(refused.retry_after / 60))
            raise ValidationError(ngettext("Too many failed attempts. Wait a minute before trying again.",
                                           "Too many failed attempts. Wait %(num)d minutes before trying again.",
                                           minutes)) from None
        if not right:
            raise ValidationError(_l("This is not your current password."))

    def validate_new_password(self, field):
        problem = weakness(field.data or "", email=self.user.email, name=self.user.name)
        if problem:
            raise ValidationError(problem)


def code_field():
    """Six digits from the authenticator app; browsers and phones offer the code they know (one-time-code)."""
    six_digits = Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Type the 6 digits your app shows."))
    return StringField(_l("Code from your app"), validators=[DataRequired(), six_digits],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off",
                                  "spellcheck": "false", "maxlength": "8"})


def code_or_recovery_field():
    """A code from the app or, without the phone, a recovery code (letters too: no numeric keyboard)."""
    return StringField(_l("Code from your app, or a recovery code"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"})


def current_password_field():
    return PasswordField(_l("Current password"), validators=[DataRequired()],
                         render_kw={"autocomplete": "current-password"})


class SecondStepForm(FlaskForm):
    """The second step of signing in: a code from the app."""

    code = code_field()
    submit = SubmitField(_l("Verify"))


class RecoveryCodeForm(FlaskForm):
    """The second step with a recovery code instead (no phone at hand)."""

    code = StringField(_l("Recovery code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("One of the codes you saved when you set up two-factor sign-in. "
                                      "Each works once."),
                       render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"})
    submit = SubmitField(_l("Use recovery code"))


class TwoFactorConfirmForm(FlaskForm):
    """Turning two-factor on: the first code the app shows, and the password."""

    code = code_field()
    password = current_password_field()
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class NewRecoveryCodesForm(FlaskForm):
    code = code_or_recovery_field()
    submit = SubmitField(_l("Make new recovery codes"))


class TwoFactorOffForm(FlaskForm):
    """Turning two-factor off, or (where the role requires it) setting it up again on a new phone."""

    password = current_password_field()
    code = code_or_recovery_field()
    submit = SubmitField(_l("Turn off two-factor sign-in"))

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if required:
            self.submit.label.text = _l("Set it up again on a new phone")


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"))
    submit = SubmitField(_l("Save language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(blank_label=_l("Same as the browser"))


class UserForm(VersionedForm):
    """Create or edit a user; on edit the password is optional (blank keeps the current one)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices)
    language = SelectField(_l("Language"))
    password = PasswordField(_l("Password"), validators=[Optional(), password_length])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, editing: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.language.choices = language_choices(blank_label=_l("Same as the browser"))
        if editing is None:
            self.password.validators = [DataRequired(), password_length]
            self.password.description = _l("They can change it after signing in.")
        else:
            self.password.label.text = _l("New password")
            self.password.description = _l("Leave blank to keep the current password.")

    def validate_email(self, field):
        existing = User.by_email(field.data)
        if existing is not None and existing is not self.editing:
            raise ValidationError(_l("Another account already uses this e-mail."))

    def validate_password(self, field):
        problem = field.data and weakness(field.data, email=self.email.data, name=self.name.data)
        if problem:
            raise ValidationError(problem)


class UserFilterForm(FlaskForm):
    """Search and filters above the user list (sent by GET)."""

    q = StringField(_l("Search"), validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=options([("", _l("All")), ("active", _l("Active")), ("inactive", _l("Deactivated"))]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)
        self.role.choices = options([("", _l("All roles"))]) + role_choices()


class ApiTokenForm(FlaskForm):
    """A new personal API token: what it is for, what it may do and how long it lives."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("Where it is used, e.g. “CRM nightly sync”."))
    scope = SelectField(_l("Scope"), choices=options([("read", _l("Read only")),
                                                      ("write", _l("Read and write (what your role may change)"))]))
    days = SelectField(_l("Expires after"), coerce=int, choices=options([
        (30, _l("30 days")), (90, _l("90 days")), (365, _l("1 year"))]), default=90)
    submit = SubmitField(_l("Create token"))
