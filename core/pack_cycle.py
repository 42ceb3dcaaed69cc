"""What the evidence pack learns about the certification cycle it is generated for (``signals.pack_cycle``).

The pack (``evidence``) sits below the package that keeps cycles (``certification``) and never imports it: it
asks by the cycle's id, and that package answers with these plain values, read in a fixed number of queries.
"""

from dataclasses import dataclass, field
from datetime import date

from core import signals


@dataclass(frozen=True)
class PackCycleFinding:
    """One reviewer's finding as the pack lists it: reference, kind, criterion, state, the answer and the
    closing."""

    reference: str
    kind: str
    criterion: str
    state: str
    text: str
    raised_on: date
    root_cause: str | None = None
    response: str | None = None
    #: The corrective action (or improvement opportunity) and where it stands, in words.
    action: str | None = None
    action_state: str | None = None
    closed_on: date | None = None
    closing_comment: str | None = None


@dataclass(frozen=True)
class PackCycle:
    """A certification cycle as its pack prints it on the cover and in its findings section."""

    id: int
    name: str
    set_id: int
    state: str
    period_start: date
    period_end: date
    programmes: str | None = None
    sites: str | None = None
    exclusions: str | None = None
    visit_planned_on: date | None = None
    visit_held_on: date | None = None
    reviewers: tuple[str, ...] = ()
    findings: tuple[PackCycleFinding, ...] = field(default_factory=tuple)

    def judged_on(self, today: date) -> date:
        """The day the criteria that read a window are judged on: the period's end, or today while it runs."""
        return min(self.period_end, today)


def for_pack(cycle_id: int | None) -> PackCycle | None:
    """The cycle a pack is generated for, as the registered package that keeps cycles gives it; None without one."""
    if cycle_id is None:
        return None
    return next(iter(signals.send(signals.pack_cycle, cycle_id=cycle_id)), None)
