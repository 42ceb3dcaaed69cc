"""Personal API tokens: creating one (its secret shown once), finding the live one a request presents, revoking.

They flush; the view commits. The API (``core.api``) asks ``find`` for the holder of every bearer token.
"""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from accounts.models import ApiToken, TokenScope
from core import api
from core.extensions import db
from core.models import User
from core.rules import RuleError
from core.timeutil import utcnow

#: What a token's secret starts with, so that a leaked one is recognised (secret scanners, logs).
SECRET_PREFIX = "fdz_"
#: The lifetimes offered, in days: a token never lives for ever.
LIFETIMES = (30, 90, 365)
#: ``last_used_at`` is written at most this often, so that using a token does not write on every request.
USE_RESOLUTION = timedelta(minutes=1)


class TokenError(RuleError):
    """A token operation the rules refuse."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, *, name: str, scope: TokenScope | str, days: int) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its secret, which is returned this once and never kept."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name that says where it is used."))
    if days not in LIFETIMES:
        raise TokenError(_("Choose one of the lifetimes offered."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, scope=TokenScope(scope), secret_hash=digest(secret),
                     prefix=secret[:10], expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke(token: ApiToken, *, actor: User) -> bool:
    """Revoke ``token`` at once; False when it was already revoked (nothing changes)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at, token.revoked_by_id = utcnow(), actor.id
    db.session.flush()
    return True


def tokens_of(user: User) -> list[ApiToken]:
    """A person's tokens, newest first (revoked and expired ones too: the page says so)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def all_tokens():
    """Everybody's tokens, newest first, with their holders (a SELECT to paginate)."""
    return (select(ApiToken).options(joinedload(ApiToken.user), joinedload(ApiToken.revoked_by))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


@api.token_loader
def find(secret: str) -> tuple[User, ApiToken] | None:
    """The holder and the token of a presented secret while the token lives and its holder is active; else None.

    The holder's ``active`` flag is read on every request, so a deactivated person's tokens stop at once. The
    time of use is written by a plain UPDATE, committed at once, at most once a minute: not in the trail, and
    not a change of the data version (lists keep their ETags)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_hash == digest(secret)))
    now = utcnow()
    if token is None or not token.live(now) or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token.user, token
