"""``Idempotency-Key``: an API write sent again with the same key gets the first answer, and changes nothing again.

The answer of a write that succeeded is kept with its key, per token, in the same transaction as the write itself:
either both are committed or neither, so a retry after a lost answer can never apply the write twice. Two requests
racing with one key meet the unique constraint: the second is told to retry (409), and its retry is answered from
the first. The same key with another request (method, path or body) is refused (422): it names another write.
Failed writes are not kept (they changed nothing; sending them again may succeed).
"""

import hashlib
from datetime import datetime
from functools import wraps

from flask import g, make_response, request
from flask_babel import gettext as _
from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from core.api import problem
from core.extensions import db
from core.timeutil import utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
#: The header as the OpenAPI document declares it on every write that takes it: what ``committed_write`` accepts
#: (printable ASCII, not only spaces, at most ``MAX_KEY_LENGTH``).
PARAMETER = {"in": "header", "name": HEADER, "required": False,
             "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
                        "pattern": "^[\\x20-\\x7E]*[\\x21-\\x7E][\\x20-\\x7E]*$"},
             "description": "Sent again with the same key, the first answer is replayed."}


class IdempotentAnswer(db.Model):
    """The answer given to one write sent with an ``Idempotency-Key`` (not audited: the write itself is)."""

    __tablename__ = "api_idempotent_answers"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The API token that sent it: keys are per token, as one client's are no business of another's.
    token_id: Mapped[int] = mapped_column(Integer, index=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    #: SHA-256 of the method, path, query and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def _fingerprint() -> str:
    seen = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.encode(), request.get_data()):
        seen.update(part + b"\0")
    return seen.hexdigest()


def _replay(kept: IdempotentAnswer, fingerprint: str) -> Response:
    if kept.fingerprint != fingerprint:
        return problem(422, detail=_("This Idempotency-Key was used for another request: use a new key for a new "
                                     "write."), errors=[{"location": "headers", "field": HEADER,
                                                          "message": _("Used for another request.")}])
    response = Response(kept.body, status=kept.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def committed_write(view):
    """Decorator (inside the route and access rule, outside the schemas) of an API view that writes: it runs the view,
    keeps its successful answer under the request's ``Idempotency-Key`` if it has one, and commits both at once.
    The view itself flushes and never commits."""

    @wraps(view)
    def write(*args, **kwargs):
        key = request.headers.get(HEADER)
        token = g.get("api_token")
        if key is not None and (not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isascii()):
            return problem(400, errors=[{"location": "headers", "field": HEADER,
                                         "message": _("At most %(n)d ASCII characters.", n=MAX_KEY_LENGTH)}])
        if key is None or token is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code < 400:
                db.session.commit()
            return response
        fingerprint = _fingerprint()
        kept = db.session.scalar(select(IdempotentAnswer).where(IdempotentAnswer.token_id == token.id,
                                                                IdempotentAnswer.key == key))
        if kept is not None:
            return _replay(kept, fingerprint)
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 400:
            return response
        db.session.add(IdempotentAnswer(token_id=token.id, key=key, fingerprint=fingerprint,
                                        status=response.status_code, body=response.get_data(as_text=True)))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return problem(409, detail=_("Another request with this Idempotency-Key was being written: send it "
                                         "again to get its answer."))
        return response

    return write
