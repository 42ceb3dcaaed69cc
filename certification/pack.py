"""What a certification cycle gives its evidence pack (``core.signals.pack_cycle``): the cover's name, scope,
period and visit, and the findings section, read in three queries and worded in the pack's language (the pack is
gathered inside its locale)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from certification.models import CYCLE_STATE_LABELS, FINDING_KIND_LABELS, FINDING_STATE_LABELS, Cycle, Finding
from core.extensions import db
from core.pack_cycle import PackCycle, PackCycleFinding
from improvements.models import STATUS_LABELS


def pack_cycle(cycle_id: int) -> PackCycle | None:
    """The cycle as its pack prints it, or None when there is no such cycle."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.id == cycle_id).options(
        selectinload(Cycle.reviewers),
        selectinload(Cycle.findings).options(joinedload(Finding.criterion), joinedload(Finding.improvement))))
    if cycle is None:
        return None
    return PackCycle(
        id=cycle.id, name=cycle.name, set_id=cycle.set_id, state=str(CYCLE_STATE_LABELS[cycle.state]),
        period_start=cycle.period_start, period_end=cycle.period_end, programmes=cycle.scope_programmes,
        sites=cycle.scope_sites, exclusions=cycle.scope_exclusions, visit_planned_on=cycle.visit_planned_on,
        visit_held_on=cycle.visit_held_on, reviewers=tuple(user.name for user in cycle.reviewers),
        findings=tuple(_finding(found) for found in cycle.findings))


def _finding(found: Finding) -> PackCycleFinding:
    action = found.improvement
    return PackCycleFinding(
        reference=found.reference, kind=str(FINDING_KIND_LABELS[found.kind]),
        criterion=found.criterion.code if found.criterion else "", state=str(FINDING_STATE_LABELS[found.state]),
        text=found.text, raised_on=found.raised_on, root_cause=found.root_cause, response=found.response,
        action=action.title if action else None, action_state=str(STATUS_LABELS[action.status]) if action else None,
        closed_on=found.closed_on, closing_comment=found.closing_comment)
