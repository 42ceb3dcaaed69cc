"""Personal API tokens on the pages: one's own (create, revoke) on the account page; everybody's for admins."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import bp, tokens
from accounts.forms import ApiTokenForm
from accounts.models import ApiToken
from core.access import ADMINISTRATION, OWN_ACCOUNT, allow
from core.extensions import db
from core.forms import EmptyForm
from core.rules import rule_refusals
from core.timeutil import utcnow


@bp.post("/account/tokens")
@allow(OWN_ACCOUNT)
def create_token():
    """Create a token of one's own; its secret is shown on this answer only (never stored, never in a cookie)."""
    form = ApiTokenForm(prefix="token")
    if form.validate_on_submit():
        with rule_refusals():
            token, secret = tokens.create_token(current_user, name=form.name.data, scope=form.scope.data,
                                                days=form.days.data)
            db.session.commit()
            return render_template("accounts/token_created.html", token=token, secret=secret)
    for errors in form.errors.values():
        for error in errors:
            flash(error, "danger")
    return redirect(url_for(".account", _anchor="api-tokens"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@allow(OWN_ACCOUNT)
def revoke_own_token(token_id: int):
    """Revoke one of one's own tokens (another person's is not found)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit() and tokens.revoke(token, actor=current_user):
        db.session.commit()
        flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for(".account", _anchor="api-tokens"))


@bp.get("/users/tokens")
@allow(ADMINISTRATION)
def all_tokens():
    """Everybody's API tokens, newest first, with whether each still works."""
    page = db.paginate(tokens.all_tokens(), per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/tokens.html", page=page, now=utcnow(), action_form=EmptyForm())


@bp.post("/users/tokens/<int:token_id>/revoke")
@allow(ADMINISTRATION)
def revoke_token(token_id: int):
    """An administrator revokes anybody's token (a leaked secret, a person leaving)."""
    token = db.get_or_404(ApiToken, token_id)
    if EmptyForm().validate_on_submit() and tokens.revoke(token, actor=current_user):
        db.session.commit()
        flash(_("Token “%(name)s” of %(person)s revoked.", name=token.name, person=token.user), "success")
    return redirect(url_for(".all_tokens"))
