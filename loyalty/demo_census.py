"""The demo organisation's census, and removing it before the organisation imports its own (B2).

**The marker.** ``flask demo`` writes its clients as an import of its own: a ``CensusImport`` with ``demo`` set.
Each client records the last import whose file listed it (``Client.last_import_id``), so the demo's clients are
those whose last import is the demo's — never guessed from codes or names. A real file that lists a client of the
same code updates that client and becomes its last import: from then on it is one of the organisation's own
clients (its file says so), and removing the demo leaves it, with what the demo had given it. The check page of
an import says so before it happens (``demo_mix``), with the way to remove the demo first.

**What goes with the demo's clients** is what exists only because of them: their yearly figures here, and in the
packages above, through the ``client_dependants`` signal, the records pointing at them (their complaints, their
survey invitations and the answers given through them), and the state-change history (``core.transitions``) of
the clients and complaints removed — an id SQLite gives again later must not inherit their past. Records that
stay but pointed at a removed record are detached, not removed (a requirement first heard in a removed complaint:
the requirement is the organisation's knowledge, and improvements may start from it). All of it in the caller's
transaction, with set-based statements, and one audit row: the demo's import record, updated with when and how
many of each kind.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, exists, func, select

from core import signals, transitions
from core.audit import acting_as
from core.extensions import db
from core.timeutil import utcnow
from loyalty import services
from loyalty.models import CensusImport, Client, ClientYear
from loyalty.services import CensusRuleError


@dataclass(frozen=True)
class Dependants:
    """One kind of record that goes (or is detached) with some census clients."""

    #: The kind, as the removal's record counts it (``complaints``).
    key: str
    #: What people call records of the kind, in the plural.
    label: Any
    count: int
    #: Removes (or detaches) them in the current transaction; returns how many.
    remove: Callable[[], int]
    #: The records stay, only unlinked from what is removed.
    detached: bool = False


def current_demo_import() -> CensusImport | None:
    """The demo's census import whose clients have not been removed, if the census holds one."""
    return db.session.scalar(select(CensusImport).where(CensusImport.demo.is_(True),
                                                        CensusImport.removed_at.is_(None))
                             .order_by(CensusImport.id.desc()).limit(1))


@dataclass(frozen=True)
class DemoCensus:
    """The demo's census as the census pages mention it: its import record and how many of its clients remain."""

    record: CensusImport
    clients: int


def demo_census() -> DemoCensus | None:
    """The demo's clients still in the census, counted (two queries); None when there are none."""
    record = current_demo_import()
    if record is None:
        return None
    count = db.session.scalar(select(func.count(Client.id)).where(Client.last_import_id == record.id))
    return DemoCensus(record, count) if count else None


def demo_client_ids(record: CensusImport) -> Select:
    """The ids of the clients the demo's import was the last to list."""
    return select(Client.id).where(Client.last_import_id == record.id)


def removal_plan(record: CensusImport) -> list[Dependants]:
    """What removing the demo's clients takes away, kind by kind, in the order it is done: the other packages'
    records first, then the yearly figures, then the clients' history and the clients (a fixed number of
    queries)."""
    clients = demo_client_ids(record)
    found = [dependant for answer in signals.send(signals.client_dependants, clients=clients)
             for dependant in answer]
    figures = select(ClientYear.id).where(ClientYear.client_id.in_(clients))
    found.append(Dependants("client_years", _l("Yearly figures"), _count(figures),
                            lambda: _delete(ClientYear, ClientYear.client_id.in_(clients))))
    found.append(Dependants("client_history", _l("Recorded changes of the removed clients' exit dates"),
                            transitions.count_history(services.CLIENT_HISTORY_KIND, clients),
                            lambda: transitions.forget_history(services.CLIENT_HISTORY_KIND, clients)))
    found.append(Dependants("clients", _l("Clients"), _count(clients), lambda: _delete_clients(clients)))
    return found


def _delete_clients(clients: Select) -> int:
    """Delete the clients, once nothing points at them any more; refuse (``CensusRuleError``) while a table still
    does — a package whose hooks did not answer ``client_dependants``. The tables are read from the schema's
    foreign keys, so a new one is never forgotten (SQLite would not refuse the orphans by itself)."""
    left = [table.name for table in db.metadata.sorted_tables for key in table.foreign_keys
            if key.column is Client.__table__.c.id
            and db.session.scalar(select(exists().where(key.parent.in_(clients))))]
    if left:
        raise CensusRuleError(_("Records still point at these clients (%(tables)s): nothing was removed.",
                                tables=", ".join(left)))
    return _delete(Client, Client.id.in_(clients))


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _delete(model, condition) -> int:
    """A set-based DELETE, which the session does not track (no audit row per record: the removal has one)."""
    return db.session.execute(delete(model).where(condition).execution_options(synchronize_session=False)).rowcount


@dataclass(frozen=True)
class Removal:
    """What a removal took away (or detached): how many of each kind, by ``Dependants.key``, and their labels."""

    counts: dict[str, int]
    labels: dict[str, Any]

    @property
    def message(self) -> str:
        """"Clients: 2000; Yearly figures: 7100…", in the order they were removed."""
        return "; ".join(f"{self.labels[key]}: {format_decimal(count)}" for key, count in self.counts.items())


def remove_demo_census(record: CensusImport, *, actor) -> Removal:
    """Remove the clients the demo's import last listed, and what exists only because of them; record it on the
    import (one audit row, whose counts say how many of each kind went or were detached).

    Refuses (``CensusRuleError``) an import that is not the demo's, or whose clients were removed already."""
    if not record.demo:
        raise CensusRuleError(_("Only the demo organisation's census can be removed this way."))
    if record.removed_at is not None:
        raise CensusRuleError(_("The demo organisation's clients were removed already."))
    plan = removal_plan(record)
    counts = {dependant.key: dependant.remove() for dependant in plan}
    with acting_as(actor):
        record.removed_at, record.removed = utcnow(), counts
        db.session.flush()
    return Removal(counts, {dependant.key: dependant.label for dependant in plan})


@dataclass(frozen=True)
class DemoMix:
    """What importing a file into a census that holds the demo's clients would mix (the check page says it)."""

    demo: DemoCensus
    #: The file's codes that are demo clients': those rows update the demo's clients, which become the
    #: organisation's (and stay when the demo is removed).
    matched: int
    #: Current demo clients the file does not list: a full census proposes them as lost.
    proposed_lost: int


def demo_mix(codes, *, full_census: bool) -> DemoMix | None:
    """How a file with ``codes`` meets the demo's clients still in the census; None when it holds none.

    Two queries when there is a demo census (one when not), whatever the size of the file."""
    record = current_demo_import()
    if record is None:
        return None
    clients = Client.__table__
    rows = db.session.execute(select(clients.c.code, clients.c.left_on)
                              .where(clients.c.last_import_id == record.id)).all()
    if not rows:
        return None
    listed = set(codes)
    matched = sum(1 for code, _left in rows if code in listed)
    lost = sum(1 for code, left in rows if left is None and code not in listed) if full_census else 0
    return DemoMix(DemoCensus(record, len(rows)), matched, lost)
