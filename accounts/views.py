"""Sign-in, one's own account, and user administration."""

import math
import secrets
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import bindparam, select

from accounts import bp, services, sessions, tokens, two_factor
from accounts.forms import ApiTokenForm, LanguageForm, LoginForm, PasswordChangeForm, UserFilterForm, UserForm
from core.access import ADMINISTRATION, OWN_ACCOUNT, PUBLIC, allow
from core.cache import seen_data_version, with_data_version
from core.extensions import db, login_manager
from core.forms import EmptyForm, read_filters
from core.models import User
from core.rules import rule_refusals
from core.timeutil import utcnow
from core.versioning import submit_edit

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the login page explains itself; no flash on every redirect


#: The signed-in user, with the data version along: a kept page then needs no statement of its own
#: (``core.cache``). Built once, since every request runs it: building and keying it cost more than the query.
_USER_WITH_DATA_VERSION = with_data_version(select(User).where(User.id == bindparam("user_id")))


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session or remember-me cookie, if it is still valid: well formed, within the
    remember-me bound, the account active and its login token unchanged (signing out changes it)."""
    parsed = sessions.parse_identity(session_id)
    if parsed is None or not sessions.identity_is_current(parsed[2]):
        return None
    user_id, token, _signed_in_at = parsed
    row = db.session.execute(_USER_WITH_DATA_VERSION, {"user_id": user_id}).first()
    if row is None:
        return None
    user, *newest = row
    seen_data_version(*newest)
    if not user.active or not secrets.compare_digest(user.login_token, token):
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (open redirects)."""
    if target and not urlsplit(target).netloc and not urlsplit(target).scheme and target.startswith("/"):
        return target
    return url_for("core.home")


def throttled(retry_after: int, template: str, **context):
    """The page again, 429, saying how long to wait — on the login page the same whether or not the account exists."""
    minutes = max(1, math.ceil(retry_after / 60))
    flash(ngettext("Too many failed attempts. Wait a minute before trying again.",
                   "Too many failed attempts. Wait %(num)d minutes before trying again.", minutes), "danger")
    page = render_template(template, **context)
    return page, 429, {"Retry-After": str(retry_after)}


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    """Sign in with e-mail and password; ``?lang=`` picks the language of the page."""
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["language"] = request.args["lang"]
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, address=request.remote_addr)
        except services.Throttled as refused:
            return throttled(refused.retry_after, "accounts/login.html", form=form)
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            if two_factor.is_enabled(user):
                sessions.await_second_step(user, remember=form.remember.data, next_url=next_url)
                return redirect(url_for(".second_step"))
            services.record_sign_in(user)
            db.session.commit()
            sessions.start(user, remember=form.remember.data)
            return redirect(next_url)
        flash(_("The e-mail or the password is not right."), "danger")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@allow(OWN_ACCOUNT)
def logout():
    """Sign out: this browser's session ends, and so does every other session of the same person."""
    services.end_sessions(current_user)
    db.session.commit()
    sessions.end()
    flash(_("You have signed out."), "info")
    return redirect(url_for(".login"))


@bp.route("/account", methods=["GET", "POST"])
@allow(OWN_ACCOUNT)
def account():
    """One's own account: the password and the language of the interface."""
    password_form = PasswordChangeForm(user=current_user, prefix="pw")
    language_form = LanguageForm(prefix="lang", language=current_user.language or "")
    if password_form.submit.data and password_form.validate_on_submit():
        services.change_own_password(current_user, password_form.new_password.data)
        db.session.commit()
        sessions.start(current_user._get_current_object())  # the token changed: keep this session, end the others
        flash(_("Your password has been changed."), "success")
        return redirect(url_for(".account"))
    if language_form.submit.data and language_form.validate_on_submit():
        current_user.language = language_form.language.data or None
        db.session.commit()
        flash(_("Language saved."), "success")
        return redirect(url_for(".account"))
    return render_template("accounts/account.html", password_form=password_form, language_form=language_form,
                           two_factor=two_factor.status(current_user), token_form=ApiTokenForm(prefix="token"),
                           tokens=tokens.tokens_of(current_user), now=utcnow(), action_form=EmptyForm())


@bp.get("/users")
@allow(ADMINISTRATION)
def users():
    """Everybody with an account, searchable and filtered by role and status."""
    form = read_filters(UserFilterForm(request.args))
    query = services.user_query(q=form.q.data, role=form.role.data or None, status=form.status.data or None,
                                sort=request.args.get("sort", "name"), descending=request.args.get("dir") == "desc")
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/users.html", form=form, page=page, action_form=EmptyForm(),
                           two_factor_on=two_factor.enabled_among(user.id for user in page.items))


@bp.route("/users/new", methods=["GET", "POST"])
@allow(ADMINISTRATION)
def create_user():
    """Open an account for a new person."""
    form = UserForm()
    if form.validate_on_submit():
        user = services.create_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                    password=form.password.data, language=form.language.data)
        db.session.commit()
        flash(_("Account created for %(name)s.", name=user.name), "success")
        return redirect(url_for(".users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(ADMINISTRATION)
def edit_user(user_id: int):
    """Change a person's name, e-mail, role, language or password."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, editing=user)
    if request.method == "GET":
        form.role.data, form.language.data = user.role.value, user.language or ""
    conflict = None
    with rule_refusals():
        saved, conflict = submit_edit(form, user, lambda: services.update_user(
            user, version=form.version.data, name=form.name.data, email=form.email.data, role=form.role.data,
            language=form.language.data, password=form.password.data))
        if saved:
            db.session.commit()
            flash(_("Changes to %(name)s saved.", name=user.name), "success")
            return redirect(url_for(".users"))
    return render_template("accounts/user_form.html", form=form, user=user, conflict=conflict,
                           action_form=EmptyForm(), two_factor=two_factor.status(user))


@bp.post("/users/<int:user_id>/active")
@allow(ADMINISTRATION)
def set_user_active(user_id: int):
    """Deactivate or reactivate an account (accounts are never deleted)."""
    user = db.get_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        activate = request.form.get("active") == "1"
        with rule_refusals():
            services.set_active(user, activate)
            db.session.commit()
            message = _("%(name)s can sign in again.", name=user.name) if activate else \
                _("%(name)s has been deactivated and can no longer sign in.", name=user.name)
            flash(message, "success")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for(".users"))
