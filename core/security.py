"""Response headers and error pages that every response gets."""

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from core import api
from core.extensions import database_reachable, db, login_manager

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your role does not give access to this page or action.")),
    404: (_l("Page not found"), _l("There is nothing at this address. Check it, or start again from the menu.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Saved by someone else"),
          _l("Someone saved the same record at the same moment. Nothing of yours was saved: reload the page, "
             "check their change and apply yours again.")),
    413: (_l("File too large"), _l("The upload is larger than this installation accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error happened. Nothing was saved. Try again, or tell your administrator.")),
    503: (_l("Temporarily unavailable"), _l("The application is not ready to serve requests.")),
}


def set_security_headers(response):
    """``after_request``: the headers that keep pages from being framed, sniffed or injected into."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if _signed_in() and "Cache-Control" not in headers:
        # A signed-in page may hold people's data or personal links: no browser or proxy keeps it.
        # Views that decide for themselves (exports, downloads, static files) keep their own header.
        headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    # Only a user already loaded for this request: an after_request hook must not query on its own.
    user = g.get("_login_user")
    return user is not None and user.is_authenticated


def render_error(code: int, detail: str | None = None):
    title, message = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if api.is_api_request():
        return api.problem_for(error)
    if code not in ERROR_TEXTS:
        return error
    return render_error(code)


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        str(_l("The form expired or was sent from another page (%(reason)s). "
               "Go back, reload the page and send it again.", reason=error.description)),
    )


def handle_stale_data(error: StaleDataError):
    """Two saves of one versioned record raced; the database refused the second (see ``Versioned``)."""
    db.session.rollback()
    if api.is_api_request():
        return api.problem(409, detail=str(ERROR_TEXTS[409][1]))
    return render_error(409)


#: What the error page says when the database is what failed.
DATABASE_UNREACHABLE = _l("The database cannot be reached. Nothing was saved. Try again in a few minutes; if it "
                          "lasts, tell your administrator.")
DATABASE_FAILED = _l("The database could not answer (it may be busy, or being restored). Nothing was saved. "
                     "Try again in a moment.")


def _rolled_back() -> None:
    """End the request's transaction: after a failed statement it is aborted, and the error page must not
    run its own queries (the signed-in user, the organisation's name) inside it."""
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection itself is gone; the next request gets a fresh one
        db.session.close()


def _as_visitor_if_user_unloadable() -> None:
    """The error page shows the signed-in menu only when the user can still be loaded; when the database is
    what failed, it is rendered as for a visitor rather than failing itself (a bare "Internal Server Error")."""
    try:
        user = current_user._get_current_object()
        if user.is_authenticated:
            user.language  # noqa: B018 - reloads the user expired by the rollback: the page needs it
    except SQLAlchemyError:
        _rolled_back()
        g._login_user = login_manager.anonymous_user()
        g.organisation = None


def safe_error_page(code: int, detail=None):
    """An error page after something failed: rolled back, and rendered without needing the database.

    ``detail`` is a lazy string: translating it asks for the reader's language, which loads the user."""
    _rolled_back()
    if api.is_api_request():
        return api.problem(code, detail=str(detail or ERROR_TEXTS.get(code, ERROR_TEXTS[500])[1]))
    _as_visitor_if_user_unloadable()
    return render_error(code, detail)


def handle_server_error(error):
    """Any unexpected error: the 500 page (503 when it was the database that went away)."""
    _rolled_back()
    if not database_reachable():
        return safe_error_page(503, DATABASE_UNREACHABLE)
    return safe_error_page(500)


def handle_database_unavailable(error: OperationalError | InterfaceError):
    """The database refused to work (unreachable, locked, its schema gone): 503, saying which."""
    _rolled_back()
    return safe_error_page(503, DATABASE_FAILED if database_reachable() else DATABASE_UNREACHABLE)


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
    app.after_request(set_security_headers)
