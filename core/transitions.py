"""State changes that evidence depends on: kept as history, and shown before they are made.

A certifier reads the state of the records behind each criterion (an improvement implemented, a survey wave
closed, a requirement addressed…). Two things keep a click from silently undoing that evidence:

- **History.** Every change of such a state, and every explicit change of a date evidence depends on
  (implemented on, verified on…), is one ``StateChange`` row: which record, what changed, from what to what,
  why, who and when. The rows are written beside the record's normal audit rows (``core.audit``), in the same
  transaction, by ``record_transition`` (``record_transitions`` for many records at once, as an import);
  the record's page lists them (``history``). Nothing updates them; they are deleted only with their record,
  when it is deleted for good (``forget_history``: the demo's census removed), so that an id reused later
  does not inherit another record's past.
- **Consequences before the change.** ``preview(change)`` runs the change inside a SAVEPOINT, asks every
  criterion's own evidence source (the ``evidence_sources`` signal: each package's ``evidence.py``) what it
  would say, and rolls the change back: the confirmation page names what would change ("C1: Met → Partly;
  2 improvements qualify (3 needed)") from the same functions the checklist runs, not from a sentence
  written for the occasion. ``confirm_or_refuse`` refuses (``ConfirmationNeeded``) a change that moves
  backwards or would lower a criterion until the person has seen that and confirmed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Index, Integer, Select, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from core import signals
from core.extensions import db
from core.findings import Finding, Status, stored_thresholds
from core.imports.bulk import bulk_insert
from core.rules import RuleError, TransitionRefused
from core.timeutil import utcnow

#: The field of a change of state proper (other rows name the date they change).
STATUS = "status"
#: What a preview passes as the reason of a backward move: the person has not written theirs yet, and the
#: change is rolled back anyway.
PREVIEW_REASON = "(preview)"
#: How good each status of a criterion is: a change that lowers it must be confirmed.
_RANK = {Status.MISSING: 0, Status.PARTLY: 1, Status.MET: 2}


class StateChange(db.Model):
    """One change of a record's state (or of a date its evidence depends on): from, to, why, who, when."""

    __tablename__ = "state_changes"
    __table_args__ = (Index("ix_state_changes_record", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The kind of record, e.g. ``improvement``, ``survey_wave`` (each package names its own).
    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    #: ``status``, or the column of the date that changed (``implemented_on``).
    field: Mapped[str] = mapped_column(String(40), default=STATUS)
    #: The stored values (an enum's value, a date in ISO form); None where there was none.
    from_value: Mapped[str | None] = mapped_column(String(40))
    to_value: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor = relationship("User")

    @property
    def is_date(self) -> bool:
        return self.field != STATUS


class ConfirmationNeeded(TransitionRefused):
    """The change moves backwards or would lower a criterion: it waits for the person to see that and confirm."""


def _stored(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def record_transition(kind: str, record_id: int, *, from_value, to_value, actor, reason: str | None = None,
                      field: str = STATUS, at: datetime | None = None) -> StateChange:
    """Keep one change of a record's state (or of a date, ``field``) in its history; ``at`` is now unless the
    change happened earlier (a record loaded with its past, as the demo's)."""
    change = StateChange(record_kind=kind, record_id=record_id, field=field, from_value=_stored(from_value),
                         to_value=_stored(to_value), reason=(reason or "").strip() or None,
                         actor_id=getattr(actor, "id", None), at=at or utcnow())
    db.session.add(change)
    db.session.flush()
    return change


def record_transitions(kind: str, changes: Iterable[tuple[int, object, object]], *, actor,
                       reason: str | None = None, field: str = STATUS, at: datetime | None = None) -> int:
    """Keep many records' changes of one ``field`` in their history at once: ``changes`` gives (record id, from,
    to) for each. One INSERT for all of them (an import changing thousands of records), not one per record;
    returns how many rows it wrote."""
    changes = list(changes)
    if not changes:
        return 0
    # The driver's own executemany (COPY on PostgreSQL), column by column: the ORM's insert of a list of
    # dicts costs ten times as much for the 100 000 exits of a census import.
    bulk_insert(db.session.connection(), StateChange.__table__, {
        "record_id": [int(record_id) for record_id, _old, _new in changes],
        "from_value": [_stored(old) for _id, old, _new in changes],
        "to_value": [_stored(new) for _id, _old, new in changes],
        "record_kind": kind, "field": field, "reason": (reason or "").strip() or None,
        "actor_id": getattr(actor, "id", None), "at": at or utcnow()})
    return len(changes)


def history_of(kind: str, record_ids: Select) -> Select:
    """The history rows of the records of ``kind`` whose ids ``record_ids`` selects."""
    return select(StateChange.id).where(StateChange.record_kind == kind, StateChange.record_id.in_(record_ids))


def count_history(kind: str, record_ids: Select) -> int:
    """How many history rows the records of ``kind`` selected by ``record_ids`` have (one query)."""
    return db.session.scalar(select(func.count()).select_from(history_of(kind, record_ids).subquery()))


def forget_history(kind: str, record_ids: Select) -> int:
    """Delete the history of records deleted for good (one set-based DELETE; call it before deleting them, while
    ``record_ids`` still selects them): a later record given the same id (SQLite reuses the highest ids) must
    not show their past as its own. Returns how many rows went."""
    statement = delete(StateChange).where(StateChange.record_kind == kind, StateChange.record_id.in_(record_ids))
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def history(kind: str, record_id: int) -> list[StateChange]:
    """A record's state changes, oldest first, with who made them (one query)."""
    query = (select(StateChange).options(joinedload(StateChange.actor))
             .where(StateChange.record_kind == kind, StateChange.record_id == record_id)
             .order_by(StateChange.at, StateChange.id))
    return list(db.session.scalars(query))


def require_reason(reason: str | None, message) -> str:
    """The reason a backward move needs, stripped; refused (``TransitionRefused(message)``) when empty."""
    if not (reason or "").strip():
        raise TransitionRefused(message)
    return reason.strip()


# --- What a change would do to the criteria ------------------------------------------------------------


@dataclass(frozen=True)
class Consequence:
    """What one criterion's automatic evidence says before and after the change."""

    key: str
    before: Finding
    after: Finding

    @property
    def lowered(self) -> bool:
        return _RANK[self.after.status] < _RANK[self.before.status]

    @property
    def news(self) -> list[str]:
        """What the evidence would say that it does not say now (its reasons and gaps), in its own words."""
        now = {line.text for line in self.before.reasons + self.before.gaps}
        return [line.text for line in self.after.reasons + self.after.gaps if line.text not in now]

    @property
    def losses(self) -> list[str]:
        """What it says now and would no longer say."""
        later = {line.text for line in self.after.reasons + self.after.gaps}
        return [line.text for line in self.before.reasons + self.before.gaps if line.text not in later]


@dataclass(frozen=True)
class Preview:
    #: The criteria whose evidence would change, in key order.
    consequences: list[Consequence] = field(default_factory=list)
    #: Why the change itself would be refused (then it cannot be confirmed either).
    refused: list[str] = field(default_factory=list)

    @property
    def lowers(self) -> bool:
        return any(c.lowered for c in self.consequences)


def _findings(sources: dict, stored: dict) -> dict[str, Finding]:
    """Each source's finding, with the thresholds the criteria set in use states for its key (as the criterion
    page reads it)."""
    return {key: source(thresholds=stored[key]) if stored.get(key) else source()
            for key, source in sorted(sources.items())}


def _sources(keys: Iterable[str] | None) -> dict:
    sources = signals.merged(signals.evidence_sources)
    return sources if keys is None else {k: v for k, v in sources.items() if k in set(keys)}


def preview(change: Callable[[], object], keys: Iterable[str] | None = None) -> Preview:
    """What ``change()`` would do to each criterion's automatic evidence (those of ``keys``, or all), computed
    by the criteria's own sources on the data as it would be, then rolled back (a SAVEPOINT): nothing is kept,
    audit rows and history included."""
    sources, stored = _sources(keys), stored_thresholds()
    before = _findings(sources, stored)
    savepoint = db.session.begin_nested()
    try:
        change()
        db.session.flush()
        after = _findings(sources, stored)
    except RuleError as refusal:
        return Preview(refused=refusal.reasons)
    finally:
        savepoint.rollback()
        # Objects read inside the savepoint may hold what it wrote: read everything again.
        db.session.expire_all()
    changed = [Consequence(key, before[key], after[key]) for key in before
               if before[key].status != after[key].status
               or [line.text for line in before[key].reasons + before[key].gaps]
               != [line.text for line in after[key].reasons + after[key].gaps]]
    return Preview(consequences=changed)


def confirm_or_refuse(change: Callable[[], object], *, confirmed: bool, always: bool = False,
                      keys: Iterable[str] | None = None) -> None:
    """Let a confirmed change through. Refuse an unconfirmed one with the change's own reasons when its rules
    refuse it, else (``ConfirmationNeeded``) when it must always be confirmed (``always``: a backward move,
    closing a wave) or would lower a criterion; let one that lowers nothing through."""
    if confirmed:
        return
    seen = preview(change, keys)
    if seen.refused:
        raise TransitionRefused(*seen.refused)
    if always or seen.lowers:
        raise ConfirmationNeeded(_l("This change needs confirmation: see what it changes first."))


def stored_date(value: str | None) -> date | None:
    """A date kept in the history (ISO form) as a date, for the page to write in the reader's language."""
    return date.fromisoformat(value) if value else None
