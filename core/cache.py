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

A lookup needs the version before anything else, and a signed-in request reads its user first anyway: the
user's statement carries the version along (``with_data_version``, ``accounts.views.load_user``), so a kept
page is served on one statement. What was read that way answers lookups only until the transaction writes or
ends (``_forget_seen_version``).
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, literal_column, select
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.extensions import cache, db

T = TypeVar("T")

#: ``session.info`` key: the newest audit entry (id, time) read with another statement of this transaction.
_SEEN = "data_version_seen"

#: Other transactions of this database holding a transaction id (so possibly writing), seen after the
#: statement's snapshot was taken. One still in flight may commit audit entries with lower ids than the
#: newest one seen; once it has finished, later statements (READ COMMITTED) see what it wrote. Only client
#: connections write audit entries: the server's own autovacuum workers take a transaction id too when they
#: analyse a table (they write its statistics), and counting them declined to store results at random.
_WRITERS_IN_FLIGHT = literal_column("""(
    SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)
    WHERE pg_locks.locktype = 'transactionid' AND pg_locks.mode = 'ExclusiveLock' AND pg_locks.granted
      AND pg_stat_activity.datname = current_database() AND pid <> pg_backend_pid()
      AND pg_stat_activity.backend_type = 'client backend')""")


def newest_change(ignoring: tuple[str, ...] = (), *, for_storing: bool = True
                  ) -> tuple[tuple[int, object] | None, bool]:
    """(id and time of the newest audit entry, whether no other transaction may still add an older one).

    ``ignoring`` names tables whose changes do not count (e.g. what a computation itself writes). The entry is
    None while the trail holds nothing that counts. Only a result about to be stored needs to know whether
    writers are in flight; a lookup (``for_storing=False``) skips that part of the statement, the dearer one on
    PostgreSQL, and is answered "not settled"."""
    newest = select(AuditEntry.id, AuditEntry.created_at)
    if ignoring:
        newest = newest.where(AuditEntry.entity_type.not_in(ignoring))
    newest = newest.order_by(AuditEntry.id.desc()).limit(1).subquery()
    columns = [newest.c.id, newest.c.created_at]
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql and for_storing:
        columns.append(_WRITERS_IN_FLIGHT)  # read in the same statement, after its snapshot
    row = db.session.execute(select(*columns)).first()
    if row is None:
        return None, False
    if not postgresql:
        return (row[0], row[1]), True
    return (row[0], row[1]), for_storing and row[2] == 0


def with_data_version(statement):
    """``statement`` with two more columns, the newest audit entry's id and time (two index seeks): a request
    that reads something anyway reads the data version with it. Hand them to ``seen_data_version``."""
    newest = select(AuditEntry.id, AuditEntry.created_at).order_by(AuditEntry.id.desc()).limit(1)
    return statement.add_columns(newest.with_only_columns(AuditEntry.id).scalar_subquery(),
                                 newest.with_only_columns(AuditEntry.created_at).scalar_subquery())


def seen_data_version(newest_id, created_at) -> None:
    """Note the version read by a ``with_data_version`` statement, for this transaction's lookups."""
    db.session.info[_SEEN] = (newest_id, created_at)


def data_version(*, for_storing: bool = True) -> tuple[str | None, bool]:
    """(version of the committed data, whether a result computed now may be stored).

    The version is None while the trail is empty (a new installation: nothing worth keeping). A version to
    store under is read afresh on every call, never remembered for the request, so a page computed after a
    write of the same request is never stored under the version from before it.

    A lookup may read the version with ``for_storing=False``: whatever is kept under a version was stored
    while no writer could still add an older entry to it, so it answers for that version whoever is writing
    now (their changes will bring a newer one). It is then the one read with the signed-in user, if this
    transaction has not written since (``seen_data_version``). What is then computed and stored must read the
    version again with ``for_storing=True``, in a statement of its own, before computing."""
    seen = None if for_storing else db.session.info.get(_SEEN)
    if seen is not None:
        newest, settled = (None if seen[0] is None else seen), False
    else:
        newest, settled = newest_change(for_storing=for_storing)
    if newest is None:
        return None, False
    return f"{newest[0]}@{newest[1].isoformat()}", settled


def cached(name: str, *parts, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same ``name``, ``parts`` and language while the data
    has not changed since. ``parts`` name what else the result depends on (a record id, a variant)."""
    def key(version: str) -> str:
        return ":".join(str(part) for part in (name, *parts, get_locale(), request.script_root, version))

    version, _ = data_version(for_storing=False)
    if version is None:
        return compute()
    value = cache.get(key(version))
    if value is None:
        version, settled = data_version()
        value = compute()
        # Inside a SAVEPOINT (a change previewed, see core.transitions) the version may be rolled back.
        if settled and version is not None and not db.session().in_nested_transaction():
            cache.set(key(version), value)
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
        def key(version: str) -> str:
            return ":".join(str(part) for part in ("page", request.full_path, current_user.get_id(), csrf_secret,
                                                   get_locale(), request.script_root, version))

        version, _ = data_version(for_storing=False)
        if version is None:
            return view(*args, **kwargs)
        kept = cache.get(key(version))
        if kept is not None:
            return kept
        version, settled = data_version()
        response = make_response(view(*args, **kwargs))
        if settled and version is not None and response.status_code == 200 \
                and response.mimetype == "text/html" and not session.get("_flashes"):
            cache.set(key(version), response.get_data(as_text=True), timeout=PAGE_TIMEOUT)
        return response

    return page


# --- a version read with another statement answers until the transaction writes or ends ----------------------

@event.listens_for(Session, "after_flush")
def _forget_seen_after_flush(session, flush_context):
    session.info.pop(_SEEN, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_seen_after_writing(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info.pop(_SEEN, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_seen_version(session, transaction):
    if transaction.parent is None:
        session.info.pop(_SEEN, None)
