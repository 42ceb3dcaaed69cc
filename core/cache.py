"""What pages compute from the data (chart specs, maps, long tables), kept until the data changes.

Every write to an audited record adds a row to the audit trail in the same transaction (the one
``after_flush`` listener of ``core.audit``), so the newest audit entry versions the whole database.
A key that contains it stops matching the moment anything is saved: nothing is ever deleted by hand,
and a cache shared by several workers (Redis) can never serve one worker's stale copy to another.
Only what is drawn from audited records may be kept this way: a write that bypasses the session (a
Core ``update()``) or a model that is not ``Audited`` leaves the version as it was.

Two cautions make that true. The entry's time goes into the version as well as its id, because SQLite
hands out an id again after the newest rows are deleted (``flask demo --reset``). And on PostgreSQL ids
are drawn when a row is written, not when it is committed: while another transaction on this database
may still be writing, a lower id could yet appear, so nothing is stored until none is in flight.
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import literal_column, select

from core.audit import AuditEntry
from core.extensions import cache, db

T = TypeVar("T")

#: Other transactions of this database holding a transaction id (so possibly writing), seen after the
#: statement's snapshot was taken. One still in flight may commit audit entries with lower ids than the
#: newest one seen; once it has finished, later statements (READ COMMITTED) see what it wrote.
_WRITERS_IN_FLIGHT = literal_column("""(
    SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)
    WHERE pg_locks.locktype = 'transactionid' AND pg_locks.mode = 'ExclusiveLock' AND pg_locks.granted
      AND pg_stat_activity.datname = current_database() AND pid <> pg_backend_pid())""")


def newest_change(ignoring: tuple[str, ...] = ()) -> tuple[tuple[int, object] | None, bool]:
    """(id and time of the newest audit entry, whether no other transaction may still add an older one).

    ``ignoring`` names tables whose changes do not count (e.g. what a computation itself writes). The entry is
    None while the trail holds nothing that counts."""
    newest = select(AuditEntry.id, AuditEntry.created_at)
    if ignoring:
        newest = newest.where(AuditEntry.entity_type.not_in(ignoring))
    newest = newest.order_by(AuditEntry.id.desc()).limit(1).subquery()
    columns = [newest.c.id, newest.c.created_at]
    if db.session.get_bind().dialect.name == "postgresql":
        columns.append(_WRITERS_IN_FLIGHT)  # read in the same statement, after its snapshot
    row = db.session.execute(select(*columns)).first()
    if row is None:
        return None, False
    return (row[0], row[1]), len(row) == 2 or row[2] == 0


def data_version() -> tuple[str | None, bool]:
    """(version of the committed data, whether a result computed now may be stored).

    The version is None while the trail is empty (a new installation: nothing worth keeping). It is read
    afresh on every call, never remembered for the request, so a page computed after a write of the same
    request is never stored under the version from before it."""
    newest, settled = newest_change()
    if newest is None:
        return None, False
    return f"{newest[0]}@{newest[1].isoformat()}", settled


def cached(name: str, *parts, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same ``name``, ``parts`` and language while the data
    has not changed since. ``parts`` name what else the result depends on (a record id, a variant)."""
    version, settled = data_version()
    if version is None:
        return compute()
    key = ":".join(str(part) for part in (name, *parts, get_locale(), request.script_root, version))
    value = cache.get(key)
    if value is None:
        value = compute()
        # Inside a SAVEPOINT (a change previewed, see core.transitions) the version may be rolled back.
        if settled and not db.session().in_nested_transaction():
            cache.set(key, value)
    return value


#: How long a whole page is kept (seconds): well inside the CSRF tokens' time limit, which its forms carry.
PAGE_TIMEOUT = 600


def cached_page(view):
    """Decorator for a GET view whose page depends only on the data, the person and the language: the page
    is kept per person, session, language and data version, and served again while none of them changed.

    The session is part of the key because the page's forms carry a CSRF token signed from the session's own
    secret; a session that has none yet (its first form) is never served a kept page. A pending flash
    message, or any response but a 200 page, is not kept."""

    @wraps(view)
    def page(*args, **kwargs):
        csrf_secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        if request.method != "GET" or not csrf_secret or session.get("_flashes"):
            return view(*args, **kwargs)
        version, settled = data_version()
        if version is None:
            return view(*args, **kwargs)
        key = ":".join(str(part) for part in ("page", request.full_path, current_user.get_id(), csrf_secret,
                                               get_locale(), request.script_root, version))
        kept = cache.get(key)
        if kept is not None:
            return kept
        response = make_response(view(*args, **kwargs))
        if settled and response.status_code == 200 and response.mimetype == "text/html" \
                and not session.get("_flashes"):
            cache.set(key, response.get_data(as_text=True), timeout=PAGE_TIMEOUT)
        return response

    return page
