"""Two-factor sign-in: the second step of signing in, setting it up, recovery codes, turning it off, resetting."""

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from accounts import bp, services, sessions, two_factor
from accounts.forms import (
    NewRecoveryCodesForm,
    RecoveryCodeForm,
    SecondStepForm,
    TwoFactorConfirmForm,
    TwoFactorOffForm,
)
from accounts.views import throttled
from core.access import ADMINISTRATION, OWN_ACCOUNT, PUBLIC, allow
from core.extensions import db
from core.forms import EmptyForm
from core.models import User
from core.rules import rule_refusals

#: Recovery codes left at or below which signing in with one warns to make new ones.
FEW_CODES_LEFT = 3


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
def second_step():
    """The second step of signing in: a code from the app, or a recovery code, after the right password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    expected = sessions.PENDING in session
    pending = sessions.pending_sign_in()
    if pending is None:
        if expected:
            flash(_("Sign in again: the code was not given in time."), "info")
        return redirect(url_for(".login"))
    code_form, recovery_form = SecondStepForm(prefix="code"), RecoveryCodeForm(prefix="recovery")
    page = {"template": "accounts/second_step.html", "code_form": code_form, "recovery_form": recovery_form}
    for form, verify in ((code_form, two_factor.verify_code), (recovery_form, two_factor.use_recovery_code)):
        if not (form.submit.data and form.validate_on_submit()):
            continue
        try:
            right = two_factor.checked(pending.user, lambda f=form, v=verify: v(pending.user, f.code.data))
        except services.Throttled as refused:
            return throttled(refused.retry_after, **page)
        if right:
            return _signed_in(pending, with_recovery_code=form is recovery_form)
        form.code.errors.append(_("This code is not right, or it has been used already."))
    return render_template(page.pop("template"), **page)


def _signed_in(pending: sessions.PendingSignIn, *, with_recovery_code: bool):
    services.record_sign_in(pending.user)
    db.session.commit()
    sessions.start(pending.user, remember=pending.remember)
    if with_recovery_code:
        left = two_factor.recovery_codes_left(pending.user)
        category = "warning" if left <= FEW_CODES_LEFT else "info"
        flash(ngettext("You signed in with a recovery code. %(num)d code is left.",
                       "You signed in with a recovery code. %(num)d codes are left.", left), category)
    return redirect(pending.next_url)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@allow(OWN_ACCOUNT)
def two_factor_setup():
    """Set up two-factor sign-in: scan the QR code (or type the secret), then confirm with a code and the password."""
    user = current_user._get_current_object()
    if two_factor.is_enabled(user):
        return redirect(url_for(".account"))
    pending = two_factor.pending_enrolment(user)
    form = TwoFactorConfirmForm()
    if pending is not None and form.validate_on_submit():
        try:
            codes = two_factor.checked(user, lambda: user.check_password(form.password.data)
                                       and two_factor.confirm(user, form.code.data))
        except services.Throttled as refused:
            return throttled(refused.retry_after, "accounts/two_factor_setup.html", **_setup_page(user, pending, form))
        if codes:
            services.end_sessions(user)  # sessions opened with the password alone end; this one goes on
            db.session.commit()
            sessions.start(user)
            return _recovery_codes_page(codes, first=True)
        form.code.errors.append(_("The password or the code is not right. Check the time on your phone, too."))
    return render_template("accounts/two_factor_setup.html", **_setup_page(user, pending, form))


def _setup_page(user: User, pending, form) -> dict:
    context = {"form": form, "pending": pending, "required": two_factor.is_required(user)}
    if pending is not None:
        uri = two_factor.provisioning_uri(pending, user)
        context |= {"qr": two_factor.qr_svg(uri, _("QR code to scan with your authenticator app")),
                    "secret": two_factor.grouped(pending.secret)}
    return context


def _recovery_codes_page(codes: list[str], *, first: bool):
    """The recovery codes, shown this once: the page is not kept by the browser (signed-in pages are no-store)."""
    return render_template("accounts/recovery_codes.html", codes=codes, first=first)


@bp.post("/account/two-factor/start")
@allow(OWN_ACCOUNT)
def start_two_factor():
    """Make a new secret to scan (again, if an earlier set-up was not finished)."""
    form = EmptyForm()
    if form.validate_on_submit():
        with rule_refusals(category="info"):
            two_factor.start_enrolment(current_user._get_current_object())
            db.session.commit()
            return redirect(url_for(".two_factor_setup"))
        return redirect(url_for(".account"))
    return redirect(url_for(".two_factor_setup"))


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@allow(OWN_ACCOUNT)
def new_recovery_codes():
    """Replace one's recovery codes with a new set (the old ones stop working), with a code to prove it is you."""
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user):
        return redirect(url_for(".account"))
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        try:
            right = two_factor.checked(user, lambda: two_factor.verify_code_or_recovery_code(user, form.code.data))
        except services.Throttled as refused:
            return throttled(refused.retry_after, "accounts/new_recovery_codes.html", form=form)
        if right:
            codes = two_factor.issue_recovery_codes(user)
            db.session.commit()
            return _recovery_codes_page(codes, first=False)
        form.code.errors.append(_("This code is not right, or it has been used already."))
    return render_template("accounts/new_recovery_codes.html", form=form)


@bp.route("/account/two-factor/off", methods=["GET", "POST"])
@allow(OWN_ACCOUNT)
def disable_two_factor():
    """Turn two-factor sign-in off with the password and a code; where the role requires it, set it up again."""
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user):
        return redirect(url_for(".account"))
    required = two_factor.is_required(user)
    form = TwoFactorOffForm(required=required)
    if form.validate_on_submit():
        try:
            right = two_factor.checked(user, lambda: user.check_password(form.password.data)
                                       and two_factor.verify_code_or_recovery_code(user, form.code.data))
        except services.Throttled as refused:
            return throttled(refused.retry_after, "accounts/disable_two_factor.html", form=form, required=required)
        if right:
            return _turned_off(user, required)
        form.code.errors.append(_("The password or the code is not right."))
    return render_template("accounts/disable_two_factor.html", form=form, required=required)


def _turned_off(user: User, required: bool):
    if required:
        two_factor.restart(user)
        db.session.commit()
        flash(_("Scan the new QR code with the app on your new phone."), "info")
        return redirect(url_for(".two_factor_setup"))
    two_factor.turn_off(user)
    db.session.commit()
    flash(_("Two-factor sign-in is off. Signing in now asks only for your password."), "success")
    return redirect(url_for(".account"))


@bp.post("/users/<int:user_id>/two-factor/reset")
@allow(ADMINISTRATION)
def reset_two_factor(user_id: int):
    """An administrator forgets someone's authenticator app and recovery codes (a lost phone); their sessions end."""
    user = db.get_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        if two_factor.reset(user):
            db.session.commit()
            flash(_("Two-factor sign-in of %(name)s has been reset. They sign in with their password and set it "
                    "up again.", name=user.name), "success")
        else:
            flash(_("%(name)s has no two-factor sign-in to reset.", name=user.name), "info")
    return redirect(url_for(".edit_user", user_id=user.id))
