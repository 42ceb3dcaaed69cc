"""The audit trail's integrity: each entry sealed into a SHA-256 chain, checked by ``flask audit verify``.

An entry's seal (``chain_hash``) is the SHA-256 of the previous entry's seal and of the entry's own canonical
content (``canonical``), and its place in the chain is ``chain_seq``. Rewriting an entry, deleting one or
putting one in another's place breaks the chain at that entry; a pack's cover records the chain head at its
"data as at", so entries dropped from the end later show against it too.

Entries are written during the transaction (queries of the same transaction see them at once) and sealed when
it commits (``before_commit``), under a lock held only while sealing: on PostgreSQL an advisory lock taken right
before the commit, so two writers never read the same head and fork the chain, and a writer never holds the
chain while it waits on another's rows (taking the lock at the first write would deadlock two writers of the
same record). On SQLite the transaction already holds the database's only write lock. The unique ``chain_seq``
would refuse a fork even without the lock. Sealing is the one update the database accepts on an entry, once:
its triggers refuse every other update, and every delete (migration 0017).

The whole trail is erased only with everything else, by ``flask demo --reset`` and the tests' teardown,
inside ``erasing_everything`` (see its docstring).
"""

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, event, func, select, text, update
from sqlalchemy.orm import Session

from core.audit import UNSEALED, AuditEntry

#: The "previous seal" of the first entry.
GENESIS = "0" * 64
#: Key of the PostgreSQL advisory lock that serialises sealing (any fixed 64-bit number).
CHAIN_LOCK = 7_044_117_017
#: The PostgreSQL setting under which the trigger lets the trail be TRUNCATEd (only ``erasing_everything``).
ERASURE_SETTING = "fideliza.audit_erasure"
#: The SQLite temporary table whose presence lets the trigger allow deletes (only ``erasing_everything``).
ERASURE_TABLE = "audit_erasure"

_entries = AuditEntry.__table__


def canonical(row) -> bytes:
    """The sealed content of an entry, as read back from the database, in one fixed serialisation."""
    content = [row.chain_seq, row.id, row.created_at.isoformat(sep=" ", timespec="microseconds"), row.actor_id,
               row.action, row.entity_type, row.entity_id, row.entity_label, row.version, row.changes]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def seal_of(previous: str, row) -> str:
    """SHA-256 of the previous seal and the entry's canonical content."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical(row)).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """The last sealed entry: its place in the chain, its id and its seal."""

    seq: int
    entry_id: int
    seal: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.seal}"


def chain_head(connection) -> ChainHead | None:
    """The newest sealed entry the connection sees, or None while nothing is sealed."""
    row = connection.execute(select(_entries.c.chain_seq, _entries.c.id, _entries.c.chain_hash)
                             .where(_entries.c.chain_seq.is_not(None))
                             .order_by(_entries.c.chain_seq.desc()).limit(1)).first()
    return ChainHead(*row) if row else None


def seal_pending(connection) -> int:
    """Seal every entry still without a seal, oldest first, after the current head; how many were sealed.

    Run inside the writing transaction, just before it commits (the listener below); the migration that
    introduced the chain sealed the entries written before it the same way."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = chain_head(connection)
    seq, previous = (head.seq, head.seal) if head else (0, GENESIS)
    seals = []
    pending = connection.execute(select(_entries).where(_entries.c.chain_seq.is_(None)).order_by(_entries.c.id))
    for row in pending.mappings():
        seq += 1
        previous = seal_of(previous, _Row({**row, "chain_seq": seq}))
        seals.append({"entry_id": row["id"], "seq": seq, "seal": previous})
    if seals:
        connection.execute(update(_entries).where(_entries.c.id == bindparam("entry_id"))
                           .values(chain_seq=bindparam("seq"), chain_hash=bindparam("seal")), seals)
    return len(seals)


class _Row(dict):
    """A mapping read as attributes, as ``canonical`` reads a result row."""

    __getattr__ = dict.__getitem__


@event.listens_for(Session, "before_commit")
def _seal_on_commit(session):
    """Seal the entries this transaction wrote, as the last thing before it commits."""
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit seals
    session.flush()  # the commit's own flush comes after this hook; its entries must be sealed too
    if session.info.pop(UNSEALED, False):
        seal_pending(session.connection())


@event.listens_for(Session, "after_soft_rollback")
def _forget_unsealed(session, previous_transaction):
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint: its entries are gone
        session.info.pop(UNSEALED, None)


@dataclass(frozen=True)
class ChainReport:
    """What ``verify`` found: how many entries it checked, the head, and the first broken entry if any."""

    checked: int
    head: ChainHead | None
    broken: AuditEntry | None = None
    problem: str | None = None
    unsealed: int = 0
    expected_head_found: bool | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None and self.unsealed == 0 and self.expected_head_found is not False


def verify(session, *, expected: str | None = None) -> ChainReport:
    """Recompute every seal in chain order and report the first entry that does not match.

    ``expected`` (``"seq:seal"``, as a pack's cover prints it) must still be in the chain: entries deleted
    from its end, or a chain rebuilt from scratch, leave every remaining seal valid but lose that head."""
    previous, seq, last = GENESIS, 0, None
    found_expected = None if expected is None else False
    query = select(_entries).where(_entries.c.chain_seq.is_not(None)).order_by(_entries.c.chain_seq)
    rows = session.execute(query.execution_options(yield_per=1000))
    try:
        for row in rows:
            seq += 1
            if row.chain_seq != seq:
                return _broken(session, row, "missing", seq - 1, last)
            if seal_of(previous, row) != row.chain_hash:
                return _broken(session, row, "altered", seq - 1, last)
            previous, last = row.chain_hash, ChainHead(row.chain_seq, row.id, row.chain_hash)
            if expected is not None:
                found_expected = found_expected or str(last) == expected
    finally:
        rows.close()  # a server-side cursor on PostgreSQL, left open by an early return
    unsealed = session.scalar(select(func.count(_entries.c.id)).where(_entries.c.chain_seq.is_(None)))
    return ChainReport(seq, last, unsealed=unsealed, expected_head_found=found_expected)


def _broken(session, row, problem: str, checked: int, head) -> ChainReport:
    return ChainReport(checked, head, broken=session.get(AuditEntry, row.id), problem=problem)


@contextmanager
def erasing_everything(session):
    """Let the statements inside erase the whole trail (with every other table): ``flask demo --reset`` and
    the tests' teardown, nothing else.

    On PostgreSQL the trigger then lets ``TRUNCATE`` through — never ``DELETE``, so even here no single entry
    can be taken out; the setting is ``SET LOCAL``, gone with the transaction. On SQLite, which has neither
    ``TRUNCATE`` nor session settings, a temporary table of this connection lets ``DELETE`` through until the
    block ends. Entries are never updated, here or anywhere (sealing aside)."""
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execute(text(f"SET LOCAL {ERASURE_SETTING} = 'on'"))
    else:
        connection.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {ERASURE_TABLE} (erasing INTEGER)"))
    try:
        yield
    finally:
        if postgresql:
            connection.execute(text(f"SET LOCAL {ERASURE_SETTING} = 'off'"))
        else:
            connection.execute(text(f"DROP TABLE IF EXISTS temp.{ERASURE_TABLE}"))
        session.info.pop(UNSEALED, None)
