"""Comparing two certification cycles: how each criterion stood in each cycle's latest pack, what changed, and
what became of the earlier cycle's findings (a certifier's first question at the next visit)."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from certification.models import Cycle, Finding, FindingState
from core.extensions import db
from evidence import packs
from evidence.models import PackSnapshot


def latest_pack(cycle: Cycle) -> PackSnapshot | None:
    """The newest pack of the whole checklist generated for the cycle."""
    return db.session.scalar(select(PackSnapshot).where(PackSnapshot.cycle_id == cycle.id,
                                                        PackSnapshot.scope == packs.SCOPE_ALL)
                             .order_by(PackSnapshot.id.desc()).limit(1))


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle of the same criteria set whose period started last before this one's."""
    return db.session.scalar(select(Cycle).where(Cycle.set_id == cycle.set_id, Cycle.id != cycle.id,
                                                 Cycle.period_start < cycle.period_start)
                             .order_by(Cycle.period_start.desc(), Cycle.id.desc()).limit(1))


@dataclass
class Comparison:
    earlier: Cycle
    later: Cycle
    earlier_pack: PackSnapshot | None
    later_pack: PackSnapshot | None
    #: Per criterion, its statuses in each pack (``evidence.packs.StatusChange``); empty without both packs.
    changes: list = field(default_factory=list)
    #: The earlier cycle's findings, by number.
    findings: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> list:
        return [change for change in self.changes if change.changed]

    @property
    def closed(self) -> list[Finding]:
        return [found for found in self.findings if found.state is FindingState.CLOSED]

    @property
    def still_open(self) -> list[Finding]:
        return [found for found in self.findings if found.state is not FindingState.CLOSED]


def compare(first: Cycle, second: Cycle) -> Comparison:
    """The two cycles in the order of their periods, their latest packs' statuses side by side and the earlier
    cycle's findings with their state (a fixed number of queries)."""
    earlier, later = sorted((first, second), key=lambda cycle: (cycle.period_start, cycle.id))
    comparison = Comparison(earlier, later, latest_pack(earlier), latest_pack(later))
    if comparison.earlier_pack is not None and comparison.later_pack is not None:
        comparison.changes = packs.compare(comparison.earlier_pack, comparison.later_pack)[0]
    comparison.findings = list(db.session.scalars(
        select(Finding).where(Finding.cycle_id == earlier.id).options(joinedload(Finding.criterion))
        .order_by(Finding.number)))
    return comparison
