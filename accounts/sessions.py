"""How long a sign-in lasts, and how it ends.

The session cookie holds who is signed in (``"user id:login token:signed in at"``) and two clocks: when
this session was opened (by the password, or by a remember-me cookie) and when it was last used. A
session ends when it has been idle for ``SESSION_IDLE_TIMEOUT`` or open for ``SESSION_MAX_AGE``. The
remember-me cookie carries the same identity, so the moment of the password sign-in travels with it,
signed: no session or remember-me cookie outlives ``REMEMBER_COOKIE_DURATION`` from that moment, even
replayed by someone who copied it. Signing out replaces the login token, which ends every session and
remember-me cookie of that person, on every device: after "sign out" nothing captured earlier works.

With two-factor sign-in on, a right password signs nobody in: it leaves a note in the session that the
second step is owed (who, their login token, since when), valid for ``TWO_FACTOR_PENDING_SECONDS``; only a
right code then starts the session. A new login token (signing out elsewhere, a new password) voids the note.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, session
from flask_login import login_user, logout_user, user_loaded_from_cookie

from core.extensions import db
from core.models import User

#: When this session was opened and when it was last used (seconds since the epoch).
OPENED_AT, SEEN_AT = "_opened_at", "_seen_at"
#: What Flask-Login and this module keep in the session about who is signed in.
SIGN_IN_KEYS = ("_user_id", "_fresh", "_id", "_remember_seconds", OPENED_AT, SEEN_AT)
#: A right password whose second step is still owed: ``{"user", "token", "at", "remember", "next"}``.
PENDING = "_two_factor_pending"
#: ``SEEN_AT`` is rewritten at most this often, so that not every request re-sends the cookie.
SEEN_RESOLUTION = 60


def clock() -> float:
    """Now, in seconds since the epoch (tests move it)."""
    return time.time()


def _seconds(setting) -> float:
    return setting.total_seconds() if isinstance(setting, timedelta) else float(setting)


def identity(user: User, signed_in_at: int) -> str:
    """What the session and the remember-me cookie say about who is signed in, and since when."""
    return f"{user.get_id()}:{signed_in_at}"


def parse_identity(value: str) -> tuple[int, str, int] | None:
    """``(user id, login token, signed in at)`` from an identity, or None for anything malformed."""
    user_id, _sep, rest = (value or "").partition(":")
    token, _sep, signed_in_at = rest.rpartition(":")
    if not (user_id.isdigit() and token and signed_in_at.isdigit()):
        return None
    return int(user_id), token, int(signed_in_at)


def identity_is_current(signed_in_at: int) -> bool:
    """Whether a sign-in made at ``signed_in_at`` may still be used (the remember-me bound)."""
    return clock() - signed_in_at <= _seconds(current_app.config["REMEMBER_COOKIE_DURATION"])


def fill(target, user: User, now: int | None = None) -> None:
    """Write a fresh sign-in of ``user`` into a session mapping (also what tests use to act as someone)."""
    now = int(clock()) if now is None else now
    target["_user_id"] = identity(user, now)
    target["_fresh"] = True
    target[OPENED_AT] = target[SEEN_AT] = now


def start(user: User, *, remember: bool = False) -> None:
    """Sign ``user`` in on this browser, once they have proved who they are.

    The CSRF secret of the anonymous session is dropped, so that a token planted or seen before the
    sign-in is worthless after it; Flask-WTF makes a new one with the next form."""
    session.pop("csrf_token", None)
    session.pop(PENDING, None)
    login_user(user, remember=remember)
    fill(session, user)  # after login_user, so that the remember-me cookie carries the moment too


@dataclass(frozen=True)
class PendingSignIn:
    """Someone who gave the right password and owes the second step, with what they asked for at the first."""

    user: User
    remember: bool
    next_url: str


def await_second_step(user: User, *, remember: bool, next_url: str) -> None:
    """The password of ``user`` was right and they have two-factor on: note it, without signing them in."""
    forget()
    session[PENDING] = {"user": user.id, "token": user.login_token, "at": int(clock()),
                        "remember": bool(remember), "next": next_url}


def pending_sign_in() -> PendingSignIn | None:
    """The sign-in waiting for its second step on this browser, if it is recent and its person's token unchanged."""
    marker = session.get(PENDING)
    user = _pending_user(marker) if isinstance(marker, dict) else None
    if user is None:
        session.pop(PENDING, None)
        return None
    return PendingSignIn(user, bool(marker.get("remember")), str(marker.get("next") or "/"))


def _pending_user(marker: dict) -> User | None:
    user_id, token, at = marker.get("user"), marker.get("token"), marker.get("at")
    if not (isinstance(user_id, int) and isinstance(token, str) and isinstance(at, int)):
        return None
    if clock() - at > _seconds(current_app.config["TWO_FACTOR_PENDING_SECONDS"]):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not secrets.compare_digest(user.login_token, token):
        return None
    return user


def forget() -> None:
    """Drop the sign-in from this session, keeping the rest (the language chosen on the login page)."""
    for key in SIGN_IN_KEYS:
        session.pop(key, None)


def end() -> None:
    """Sign out on this browser: clear the session (keeping only its language) and the remember-me cookie.

    The caller has replaced the person's login token, which is what ends their other sessions too."""
    language = session.get("language")
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    if language:
        session["language"] = language


def end_stale_session() -> None:
    """``before_request``, ahead of the access policy: forget a sign-in idle or open for too long.

    A sign-in without its clocks (a session older than this rule) is forgotten too. A remember-me
    cookie still valid then opens a new session, which is what the person asked for on this device. The API
    reads no session (``core.api.authenticate``): its requests leave the cookie alone."""
    if g.get("api_request") or "_user_id" not in session:
        return
    now, config = clock(), current_app.config
    opened, seen = session.get(OPENED_AT), session.get(SEEN_AT)
    if (opened is None or seen is None or now - seen > _seconds(config["SESSION_IDLE_TIMEOUT"])
            or now - opened > _seconds(config["SESSION_MAX_AGE"])):
        forget()
    elif now - seen >= SEEN_RESOLUTION:
        session[SEEN_AT] = int(now)


@user_loaded_from_cookie.connect
def _open_session_from_cookie(sender, user, **extra) -> None:
    """A remember-me cookie opened this session: its clocks start now (the cookie's own bound stays)."""
    now = int(clock())
    session[OPENED_AT] = session[SEEN_AT] = now
