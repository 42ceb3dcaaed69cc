"""The organisation's logo on the answering pages: the one place it is shown to visitors without an account.

It is served under the survey link being answered, so it is reachable only by someone holding a link (no
route serves any stored file to anonymous visitors by itself), with the same rate limit as the link."""

from flask import current_app, request, url_for
from sqlalchemy import select

from core.access import PUBLIC_READ, allow
from core.extensions import db, limiter
from core.files import Owner, download_response
from core.models import Organisation
from surveys import answer_bp
from surveys.models import Invitation, Wave

#: The answering pages and the route serving the logo under each.
LOGO_ENDPOINTS = {"answer.invitation": "answer.invitation_logo", "answer.public": "answer.public_logo"}
def _limit() -> str:
    return current_app.config["SURVEY_RATE_LIMIT"]


#: The logo is public material: a browser may keep it a few minutes.
LOGO_CACHE = "private, max-age=300"


def _logo_response():
    organisation = Organisation.current()
    return download_response(organisation.logo if organisation else None, owner=Owner.ORGANISATION_LOGO,
                             cache_control=LOGO_CACHE)


def _not_found():
    return download_response(None, owner=Owner.ORGANISATION_LOGO)


@answer_bp.get("/<token>/logo")
@allow(PUBLIC_READ)
@limiter.limit(_limit)
def invitation_logo(token: str):
    """The logo, for the page of a personal link."""
    if db.session.scalar(select(Invitation.id).where(Invitation.token == token)) is None:
        return _not_found()
    return _logo_response()


@answer_bp.get("/w/<token>/logo")
@allow(PUBLIC_READ)
@limiter.limit(_limit)
def public_logo(token: str):
    """The logo, for the page of a wave's public link."""
    if db.session.scalar(select(Wave.id).where(Wave.public_token == token)) is None:
        return _not_found()
    return _logo_response()


@answer_bp.app_template_global()
def survey_logo_url() -> str | None:
    """The address of the logo for the answering page being rendered, or None when there is no logo."""
    endpoint, token = LOGO_ENDPOINTS.get(request.endpoint), (request.view_args or {}).get("token")
    organisation = Organisation.current() if endpoint and token else None
    if organisation is None or organisation.logo is None:
        return None
    return url_for(endpoint, token=token, v=organisation.logo.sha256[:16])
