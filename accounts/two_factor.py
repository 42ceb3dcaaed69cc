"""Two-factor sign-in: an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

Offered to everyone on their account page; required for the roles in ``TWO_FACTOR_REQUIRED_ROLES``, whose
people, once signed in with their password, can open nothing but the set-up page until it is done. A code
is accepted once: the time step of the last accepted code is stored and only later steps pass. Every check
of a code goes through the per-person code throttle. The functions flush; the view commits.
"""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from flask import current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select, update

from accounts import recovery_codes
from accounts.models import TwoFactorCredential
from accounts.services import AccountError, checked_under
from core import access, throttle
from core.extensions import db
from core.models import Organisation, Role, User, new_login_token
from core.timeutil import utcnow

INTERVAL = 30
DIGITS = 6
#: Codes of the step before and after the current one pass too: a phone's clock may be a little off.
DRIFT_STEPS = 1
#: What a person who must set up two-factor may still open: the set-up pages, and signing out.
ENROLMENT_ENDPOINTS = frozenset({"accounts.two_factor_setup", "accounts.start_two_factor", "accounts.logout"})


class TwoFactorError(AccountError):
    """A two-factor operation that the rules refuse (turning it off where the role requires it)."""


def clock() -> float:
    """Now, in seconds since the epoch (tests move it to the next time step)."""
    return time.time()


def required_roles(config) -> frozenset[Role]:
    """The roles ``TWO_FACTOR_REQUIRED_ROLES`` names (a list, or a comma-separated string); a wrong name fails."""
    names = config.get("TWO_FACTOR_REQUIRED_ROLES") or ()
    if isinstance(names, str):
        names = names.split(",")
    roles = set()
    for name in (str(n).strip().lower() for n in names):
        if name and name not in {role.value for role in Role}:
            raise ValueError(f"TWO_FACTOR_REQUIRED_ROLES: {name!r} is not a role "
                             f"(use {', '.join(role.value for role in Role)})")
        if name:
            roles.add(Role(name))
    return frozenset(roles)


def credential(user: User) -> TwoFactorCredential | None:
    return db.session.get(TwoFactorCredential, user.id)


def is_enabled(user: User) -> bool:
    """Whether ``user`` has a confirmed authenticator app, so that signing in asks for a code."""
    found = credential(user)
    return found is not None and found.confirmed


def enabled_among(user_ids) -> set[int]:
    """Which of ``user_ids`` sign in with a second factor (one query, for a page of the user list)."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(TwoFactorCredential.user_id).where(
        TwoFactorCredential.user_id.in_(ids), TwoFactorCredential.confirmed_at.is_not(None))))


def is_required(user: User) -> bool:
    return user.role in required_roles(current_app.config)


@dataclass(frozen=True)
class Status:
    """What the account pages say about a person's two-factor sign-in."""

    enabled: bool
    required: bool
    since: datetime | None
    codes_left: int


def status(user: User) -> Status:
    found = credential(user)
    enabled = found is not None and found.confirmed
    return Status(enabled=enabled, required=is_required(user), since=found.confirmed_at if enabled else None,
                  codes_left=recovery_codes_left(user) if enabled else 0)


# Enrolment


def start_enrolment(user: User) -> TwoFactorCredential:
    """A new secret for ``user`` to scan, replacing an enrolment not finished; refused when it is already on."""
    found = credential(user)
    if found is not None and found.confirmed:
        raise TwoFactorError(_("Two-factor sign-in is already on."))
    if found is None:
        found = TwoFactorCredential(user_id=user.id, user=user, secret=pyotp.random_base32())
        db.session.add(found)
    else:
        found.secret, found.created_at, found.last_step = pyotp.random_base32(), utcnow(), None
    db.session.flush()
    return found


def pending_enrolment(user: User) -> TwoFactorCredential | None:
    """The secret shown to ``user`` and not yet confirmed with a code, if any."""
    found = credential(user)
    return found if found is not None and not found.confirmed else None


def issuer() -> str:
    """The name the authenticator app shows above the codes: the app, and the organisation if set up."""
    organisation = Organisation.current()
    name = f"Fideliza ({organisation.name})" if organisation is not None else "Fideliza"
    return name.replace(":", " ")  # a colon separates the issuer from the account in the URI's label


def provisioning_uri(found: TwoFactorCredential, user: User) -> str:
    """The ``otpauth://`` address the QR code carries (also what the app reads from the typed secret)."""
    return pyotp.TOTP(found.secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=user.email, issuer_name=issuer())


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as an inline ``<svg>`` (no script, no inline style, no data: URL: the CSP allows it)."""
    code = segno.make(uri, error="m")
    return Markup(code.svg_inline(scale=5, light="#fff", dark="#000", title=title, svgclass="qr-code"))


def grouped(secret: str) -> str:
    """The secret in groups of four, to type by hand into an app that cannot scan."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm(user: User, code: str) -> list[str] | None:
    """Turn two-factor on with a first code from the app: the new recovery codes, or None if the code is wrong."""
    found = pending_enrolment(user)
    if found is None:
        raise TwoFactorError(_("Start the set-up again: there is no code to confirm."))
    if not _accept(found, code):
        return None
    found.confirmed_at = utcnow()
    db.session.flush()
    return issue_recovery_codes(user)


# Codes


def normal_code(code: str) -> str:
    return "".join((code or "").split())


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (around ``now``) whose code is ``code``, or None."""
    code = normal_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp, current = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL), int(now) // INTERVAL
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept(found: TwoFactorCredential, code: str) -> bool:
    """Whether ``code`` is right and newer than the last one accepted; if so, it is the last one now.

    One conditional UPDATE claims the step, so two requests carrying the same code (a replay, a double
    click, two workers) cannot both pass: the database lets only one of them move ``last_step`` forward."""
    step = matching_step(found.secret, code, clock())
    if step is None:
        return False
    claimed = db.session.execute(
        update(TwoFactorCredential)
        .where(TwoFactorCredential.user_id == found.user_id,
               or_(TwoFactorCredential.last_step.is_(None), TwoFactorCredential.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    db.session.expire(found, ["last_step"])
    return True


def verify_code(user: User, code: str) -> bool:
    """Whether ``code`` is a current code of ``user``'s app, not used before (it is used now)."""
    found = credential(user)
    return found is not None and found.confirmed and _accept(found, code)


def verify_code_or_recovery_code(user: User, code: str) -> bool:
    """Six digits are checked as a code from the app, anything else as a recovery code (used up if right)."""
    digits = normal_code(code)
    if len(digits) == DIGITS and digits.isdigit():
        return verify_code(user, digits)
    return use_recovery_code(user, code)


def checked(user: User, verify: Callable[[], bool]) -> bool:
    """Run one check of ``user``'s second factor under their code throttle; raises ``Throttled``."""
    guard = throttle.throttles()
    return checked_under(guard and guard.code, f"two-factor:{user.id}", verify)


# Recovery codes


def issue_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes for ``user``, replacing the old set; returned once, stored only hashed."""
    found = credential(user)
    if found is None or not found.confirmed:
        raise TwoFactorError(_("Two-factor sign-in is not on."))
    codes = recovery_codes.replace(user.id)
    found.recovery_codes_issued_at = utcnow()
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Whether ``code`` is one of ``user``'s unused recovery codes; if so, it is used up now."""
    found = credential(user)
    if found is None or not found.confirmed or not recovery_codes.use(user.id, code):
        return False
    found.recovery_code_used_at = utcnow()  # the trail records the use; the codes table is not audited
    db.session.flush()
    return True


def recovery_codes_left(user: User) -> int:
    return recovery_codes.left(user.id)


# Turning it off


def _remove(user: User) -> bool:
    found = credential(user)
    recovery_codes.forget(user.id)
    if found is not None:
        db.session.delete(found)
    db.session.flush()
    return found is not None and found.confirmed


def turn_off(user: User) -> None:
    """Turn ``user``'s own two-factor sign-in off (the view has checked their password and a code)."""
    if is_required(user):
        raise TwoFactorError(_("Your role requires two-factor sign-in: it cannot be turned off."))
    _remove(user)


def restart(user: User) -> TwoFactorCredential:
    """Set two-factor up again on a new phone: the old app and codes are forgotten, a new secret is shown.

    For roles that require two-factor this is the way to change phones: until the new app is confirmed,
    the enrolment gate lets the person open nothing else."""
    _remove(user)
    return start_enrolment(user)


def reset(user: User) -> bool:
    """An administrator's reset (a lost phone): the app and the recovery codes are forgotten, and the person's
    sessions end, so that whoever holds their phone or an open session must sign in again. Whether it was on."""
    was_on = _remove(user)
    if was_on:
        user.login_token = new_login_token()
        db.session.flush()
    return was_on


# The gate for roles that require it


def enrolment_gate():
    """``before_request``, after the access policy: someone signed in whose role requires two-factor and who has
    not set it up is sent to the set-up page, whatever else they asked for (signing out excepted)."""
    endpoint = request.endpoint
    # An API token was made by its holder signed in, so past this gate: the API itself has no set-up page.
    if g.get("api_request"):
        return None
    if endpoint is None or endpoint in ENROLMENT_ENDPOINTS or not required_roles(current_app.config):
        return None
    rule = access.rule_for(endpoint)
    if rule is None or rule.allows(access.ANONYMOUS, request.method):
        return None  # public pages and static files: no user to load
    if current_user.is_authenticated and is_required(current_user) and not is_enabled(current_user):
        return redirect(url_for("accounts.two_factor_setup"))
    return None


def init_app(app) -> None:
    """Check ``TWO_FACTOR_REQUIRED_ROLES`` at start (a wrong role name fails now, not at someone's sign-in)."""
    required_roles(app.config)
    app.before_request(enrolment_gate)
