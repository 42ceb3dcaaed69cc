"""Account operations: authentication, creating and changing users. They flush; the view commits."""

from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.passwords import weakness
from core import throttle
from core.extensions import db
from core.models import Role, User, new_login_token
from core.rules import RuleError
from core.timeutil import utcnow
from core.versioning import ensure_current


@cache
def _dummy_hash() -> str:
    # Checked when the e-mail is unknown, so that a wrong e-mail costs as long as a wrong password
    # and the response time does not reveal which accounts exist.
    return generate_password_hash("no account has this password", method=current_app.config["PASSWORD_HASH_METHOD"])



class AccountError(RuleError):
    """An account operation that the rules refuse (e.g. removing the last administrator)."""


class Throttled(Exception):
    """Too many failed attempts for this e-mail, user or address: refused before the secret was checked."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def authenticate(email: str, password: str, *, address: str | None = None) -> User | None:
    """The active user with this e-mail and password, or None — without saying which part failed.

    Raises ``Throttled`` when the e-mail (known or not) or the address has failed too often; the
    password is then not even checked. A right password forgets the e-mail's failures. The sign-in is
    recorded (``record_sign_in``) by the view once it is complete, after the second step if there is one."""
    guard = throttle.throttles()
    if guard is None:
        user = _password_holder(email, password)
    else:
        # The address is only tested here and counted after a failure, so a burst may overshoot its
        # limit by the requests in flight; the e-mail's attempts are judged one at a time, which is exact.
        verdict = guard.address.check(address) if address else throttle.ALLOWED
        if not verdict.allowed:
            raise Throttled(verdict.retry_after)
        with guard.password.attempt(email) as (verdict, forget_failures):
            if not verdict.allowed:
                raise Throttled(verdict.retry_after)
            user = _password_holder(email, password)
            if user is not None:
                forget_failures()
        if user is None and address:
            guard.address.failed(address)
    return user


def checked_under(backoff: throttle.BackOff | None, subject: str, verify) -> bool:
    """Run ``verify()`` (is the secret right?) as one attempt of ``subject`` under ``backoff``; raises
    ``Throttled`` while the subject must wait. A right answer forgets the failures; a wrong one counts (it
    reserved its place before the check). Without throttling (most tests) it only verifies."""
    if backoff is None:
        return verify()
    with backoff.attempt(subject) as (verdict, forget_failures):
        if not verdict.allowed:
            raise Throttled(verdict.retry_after)
        right = verify()
        if right:
            forget_failures()
        return right


def password_confirmed(user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s, checked under the same per-e-mail throttle as signing in.

    Pages that ask for the current password again (changing it) would otherwise let whoever holds an
    open session guess it without limit. Raises ``Throttled`` while the e-mail must wait."""
    guard = throttle.throttles()
    return checked_under(guard and guard.password, user.email, lambda: user.check_password(password))


def _password_holder(email: str, password: str) -> User | None:
    user = User.by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def record_sign_in(user: User) -> None:
    """Note when ``user`` last signed in, for the user list.

    A plain UPDATE, like ``end_sessions``: a sign-in is not a change to the account, so it neither checks
    nor bumps the version, and simultaneous sign-ins of one account (two tabs, a script) never conflict."""
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=utcnow()))


def create_user(*, email: str, name: str, role: Role | str, password: str, language: str | None = None) -> User:
    """Add a new active account."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(_("Use at least %(n)d characters.", n=minimum))
    problem = weakness(password, email=email, name=name)
    if problem:
        raise AccountError(str(problem))
    if User.by_email(email) is not None:
        raise AccountError(_("Another account already uses this e-mail."))
    user = User(email=email.strip().lower(), name=name.strip(), role=Role(role), language=language or None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _would_remove_last_admin(user: User, new_role: Role | None = None, deactivate: bool = False) -> bool:
    if user.role != Role.ADMIN or not user.active:
        return False
    if new_role in (None, Role.ADMIN) and not deactivate:
        return False
    others = db.session.scalar(
        select(db.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active, User.id != user.id)
    )
    return others == 0


def update_user(user: User, *, version, name: str, email: str, role: Role | str,
                language: str | None, password: str | None = None) -> User:
    """Change a user's details (and password when given), refusing a stale form."""
    ensure_current(user, version)
    role = Role(role)
    if _would_remove_last_admin(user, new_role=role):
        raise AccountError(_("The last active administrator must stay an administrator."))
    user.name, user.email, user.role = name.strip(), email.strip().lower(), role
    user.language = language or None
    if password:
        user.set_password(password)
    db.session.flush()
    return user


def set_active(user: User, active: bool) -> User:
    """Deactivate or reactivate an account; deactivating also ends the person's open sessions."""
    if not active and _would_remove_last_admin(user, deactivate=True):
        raise AccountError(_("The last active administrator cannot be deactivated."))
    user.active = active
    if not active:
        user.login_token = new_login_token()
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of ``user`` (signing out), by replacing the login token.

    A plain UPDATE: signing out is not a change to the account's data, so it neither bumps the version
    (an administrator's open edit form of this user stays valid) nor writes to the audit trail."""
    db.session.execute(update(User).where(User.id == user.id).values(login_token=new_login_token()))


def change_own_password(user: User, new_password: str) -> None:
    """Set a new password; other sessions of the same person end, this one is renewed by the view."""
    user.set_password(new_password)
    db.session.flush()


SORTABLE = {"name": User.name, "email": User.email, "role": User.role, "last_login": User.last_login_at}


def user_query(*, q: str | None = None, role: str | None = None, status: str | None = None,
               sort: str = "name", descending: bool = False):
    """The users matching a search and filters, in the requested order (a SELECT to paginate)."""
    query = select(User)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(db.func.lower(User.name).like(pattern), db.func.lower(User.email).like(pattern)))
    if role:
        query = query.where(User.role == Role(role))
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    column = SORTABLE.get(sort, User.name)
    return query.order_by(column.desc() if descending else column.asc(), User.id)
