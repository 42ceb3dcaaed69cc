"""The REST API's shared machinery: the ``Api`` object, bearer authentication, problem details, pagination, ETags.

Each capability declares its endpoints in its own ``<package>/api.py`` on a ``Blueprint`` of this module, with the
same ``core.access`` rule as a view (``@allow(TEAM_DATA)``); ``app.register_blueprints`` registers them through
``register``. Everything under ``/api/v1`` is answered without the session: who calls is only the bearer token
(``Authorization: Bearer …``), never a cookie, so the API needs and has no CSRF token (the session UI keeps it).
A lower package cannot know the accounts that hold tokens, so ``accounts`` gives the function that resolves one
(``token_loader``), as it gives Flask-Login its ``user_loader``.
"""

import hashlib
import http
from collections.abc import Callable
from datetime import UTC, date

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, g, request
from flask.json import dumps
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, quote_etag
from werkzeug.wrappers import Response

from core.extensions import csrf, db, limiter, login_manager
from core.ids import MAX_ID

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
MAX_PER_PAGE = 100
#: The most rows one batch write takes (a larger one is refused 422: split it).
MAX_BATCH = 1000
MAX_RECORD_ID = MAX_ID

#: ``secret -> (user, token)`` of an active user's live token, or None; set by ``accounts.tokens``.
_token_loader: Callable | None = None


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering errors as the rest of the app does (``core.security`` dispatches API
    requests to ``problem``) instead of registering its own handler for every HTTP error of every page, and
    documenting them as what they are: problem details."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        self.spec.components.schema("Problem", schema=ProblemSchema)
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM: {"schema": "Problem"}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response("DEFAULT_ERROR", {"description": "A problem (RFC 9457)", "content": {
            PROBLEM: {"schema": "Problem"}}}, lazy=True)


api = Api(spec_kwargs={"servers": [{"url": "/"}]})


#: A capability's API endpoints (``processes/api.py``…), registered through ``register``.
Blueprint = flask_smorest.Blueprint


def settings() -> dict:
    """The configuration flask-smorest reads, with the app's defaults (``core.config`` leaves these alone)."""
    return {
        "API_TITLE": "Fideliza API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": "Personal API tokens (created on the account page) as `Authorization: Bearer "
                                    "…`. Errors are RFC 9457 problem details. See docs/api.md."},
            "security": [{"bearer": []}],
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        },
    }


def init_app(app) -> None:
    """Bind the Api; its JSON document is public (it describes the software, not the organisation's data)."""
    from core import access

    for key, value in settings().items():
        app.config.setdefault(key, value)
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    api.init_app(app)
    access.declare("api-docs.openapi_json", access.PUBLIC_READ)


def register(blueprint: Blueprint) -> None:
    """Register a capability's API blueprint: no CSRF (no cookie is read), JSON bodies, the per-token rate limit.
    The blueprint, the CSRF guard and the limiter outlive one app (the tests build many): set up once."""
    if not getattr(blueprint, "prepared", False):
        csrf.exempt(blueprint)
        blueprint.before_request(require_json)
        blueprint.after_request(revalidate)
        limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_key)(blueprint)
        blueprint.prepared = True
    api.register_blueprint(blueprint)


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def token_loader(loader: Callable) -> Callable:
    """Decorator: the function that finds ``(user, token)`` for a presented secret (``accounts.tokens``)."""
    global _token_loader
    _token_loader = loader
    return loader


def authenticate():
    """``before_request``, ahead of the access policy: on the API, who calls is the bearer token or nobody.

    The session is never read, so a browser's cookie neither signs a request in nor is needed; a malformed
    header or an unknown, expired or revoked token is answered 401 at once."""
    if not is_api_request():
        return None
    g.api_request = True
    g._login_user = login_manager.anonymous_user()
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.partition(" ")
    found = _token_loader(secret.strip()) if scheme.lower() == "bearer" and secret.strip() and _token_loader else None
    if found is None:
        return problem(401, detail=str(_l("The token is unknown, expired or revoked.")))
    g._login_user, g.api_token = found
    return None


def require_json():
    """``before_request`` of the API's blueprints, after the access policy: a body must be JSON (else 415)."""
    if request.method in ("POST", "PUT", "PATCH") and (request.content_length or request.headers.get(
            "Transfer-Encoding")) and not request.is_json:
        return problem(415, detail=str(DETAILS[415]))
    return None


def revalidate(response):
    """``after_request`` of the API's blueprints: a client may keep an answer but must ask again before using it
    (with ``If-None-Match``: a 304 costs nothing); no shared cache keeps it (it is one person's view)."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def rate_key() -> str:
    """Rate limits count per token (per address for requests without one). The limiter judges before the token is
    looked up, so the key is a digest of the secret presented, never the secret itself."""
    scheme, _sep, secret = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return f"address:{request.remote_addr}"


class UtcDateTime(ma.fields.DateTime):
    """A moment as RFC 3339 wants it, with its offset: the app keeps UTC times without one."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# --- Problem details (RFC 9457) ------------------------------------------------------------------------------

class FieldErrorSchema(ma.Schema):
    #: Where the error is: ``json``, ``query``, ``header``…
    location = ma.fields.String()
    #: The field, as a dotted path (``items.2.value``); empty for the whole request.
    field = ma.fields.String()
    message = ma.fields.String()
    #: The row of a batch the error belongs to (0-based), for row-level errors.
    row = ma.fields.Integer(allow_none=True)
    #: For a row of an import (census, responses): the file's header, or the JSON row's field.
    column = ma.fields.String(allow_none=True)


class ProblemSchema(ma.Schema):
    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))


def problem(status: int, *, title: str | None = None, detail: str | None = None, errors: list | None = None,
            headers: dict | None = None) -> Response:
    """An ``application/problem+json`` response."""
    body = {"type": "about:blank", "title": title or HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "instance": request.path}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(dumps(body), status=status, mimetype=PROBLEM, headers=headers)
    return response


def field_errors(messages) -> list[dict]:
    """webargs' nested ``{location: {field: [messages]}}`` as a flat list of field errors."""
    found = []

    def walk(value, location, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, location, [*path, str(key)])
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner, location, path)
        else:
            found.append({"location": location, "field": ".".join(path), "message": str(value)})

    for location, fields in (messages or {}).items():
        walk(fields, location, [])
    return found


def problem_for(error: HTTPException) -> Response:
    """The problem details of an HTTP error raised on the API (a webargs refusal keeps its field errors)."""
    data = getattr(error, "data", None) or {}
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    retry = getattr(error, "retry_after", None)
    if retry is not None:
        headers["Retry-After"] = str(retry)
    code = error.code or 500
    detail = data.get("message") or DETAILS.get(code)
    if code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    errors = data.get("errors") or field_errors(data.get("messages"))
    return problem(code, detail=str(detail) if detail else None, errors=errors, headers=headers)


#: What the API says of its refusals, where the refusal itself says nothing more precise.
DETAILS = {
    400: _l("The request could not be understood: see the errors."),
    401: _l("Send a personal API token (created on your account page) as “Authorization: Bearer …”."),
    403: _l("Your role, or the token's scope, does not allow this."),
    405: _l("This address does not accept that method."),
    413: _l("The request is larger than this installation accepts."),
    415: _l("Send the body as application/json."),
    422: _l("The request was understood but its content is refused: see the errors."),
    429: _l("Too many requests with this token in a short time: wait and send it again."),
}


def refuse(status: int, detail: str, *, errors: list | None = None):
    """Stop the request with a problem (``detail`` says why in the reader's language)."""
    flask_smorest.abort(status, message=detail, errors=errors or [])


# --- Pagination and ETags ----------------------------------------------------------------------------------

class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=25, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


class PageMeta(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The schema of one page of ``item_schema``: ``{"items": [...], "meta": {page, per_page, total, pages}}``."""
    return type(name, (ma.Schema,), {"items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                                     "meta": ma.fields.Nested(PageMeta, required=True)})


def paginate(query, args: dict, *, after: Callable | None = None) -> dict:
    """One page of a SELECT (already in a stable order); ``after(items)`` loads what the page needs at once."""
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False, count=True)
    items = list(page.items)
    if after is not None:
        after(items)
    return {"items": items, "meta": {"page": page.page, "per_page": page.per_page, "total": page.total or 0,
                                     "pages": page.pages}}


def paginate_rows(query, args: dict, *, shape: Callable | None = None) -> dict:
    """One page of a SELECT of several columns (``paginate`` keeps only the first, as flask-sqlalchemy's pages do):
    the page's rows, each through ``shape(row)``, and one COUNT over the query. Two statements whatever the page."""
    first = (args["page"] - 1) * args["per_page"]
    rows = db.session.execute(query.limit(args["per_page"]).offset(first)).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    return {"items": [shape(row) for row in rows] if shape else rows,
            "meta": {"page": args["page"], "per_page": args["per_page"], "total": total,
                     "pages": -(-total // args["per_page"])}}


def list_etag(*parts) -> str | None:
    """The ETag of a list: the data version (``core.cache``), who asks, what they asked for and today's date (some
    answers depend on it); None when the version is unknown or may still change (then no ETag is sent)."""
    from core.cache import data_version

    version, settled = data_version()
    if version is None or not settled:
        return None
    user = g.get("_login_user")
    key = "|".join(str(part) for part in (version, getattr(user, "id", ""), get_locale(), request.full_path,
                                          date.today(), *parts))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def not_modified(etag: str | None) -> Response | None:
    """304 when the client's ``If-None-Match`` names this ETag; None otherwise (the caller answers in full)."""
    if etag is not None and etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        return response
    return None


def with_etag(response: Response, etag: str | None) -> Response:
    if etag is not None:
        response.headers["ETag"] = quote_etag(etag)
    return response


def etag_header(etag: str | None) -> dict:
    """The headers of a list answered in full: its ETag, when it has one."""
    return {"ETag": quote_etag(etag)} if etag else {}
