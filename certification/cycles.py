"""Certification cycles: creating and editing one, moving it through its states, and who may move it.

A cycle is what a certifier audits once: the criteria set, the scope in words, the period the data covers, the
visit and its reviewers. Its state (preparing → under review → closed) is kept as history
(``core.transitions``); going back from under review to preparing says why and is confirmed. A closed cycle is
history: it is neither edited nor reopened, and a cycle that has a pack or a finding is never deleted.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from certification.models import (
    CYCLE_BACKWARD,
    CYCLE_HISTORY_KIND,
    Cycle,
    CycleState,
    Finding,
    FindingState,
    cycle_reviewers,
)
from core import transitions
from core.extensions import db
from core.models import Role, User
from core.rules import RuleError
from core.transitions import ConfirmationNeeded
from core.versioning import ensure_current
from evidence.models import CriteriaSet, PackJob, PackSnapshot


class CycleRuleError(RuleError):
    """A change to a certification cycle that its rules refuse."""


@dataclass
class CycleData:
    """What the cycle form states (and what a test passes): every field of a cycle a coordinator sets."""

    name: str
    set_id: int | None
    period_start: date | None
    period_end: date | None
    scope_programmes: str | None = None
    scope_sites: str | None = None
    scope_exclusions: str | None = None
    visit_planned_on: date | None = None
    visit_held_on: date | None = None
    reviewer_ids: tuple[int, ...] = ()


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def problems(data: CycleData, *, today: date, cycle: Cycle | None = None) -> dict[str, list[str]]:
    """What is wrong with the data of a cycle, by field (empty when it may be saved)."""
    found: dict[str, list[str]] = {}

    def add(field, message):
        found.setdefault(field, []).append(str(message))

    if not _text(data.name):
        add("name", _l("Give the cycle a name, e.g. “Certification 2026”."))
    if data.set_id is None or db.session.get(CriteriaSet, data.set_id) is None:
        add("criteria_set", _l("Choose a criteria set that exists."))
    elif cycle is not None and cycle.set_id != data.set_id and has_evidence(cycle):
        add("criteria_set", _l("This cycle already has packs or findings on its criteria set: keep that set."))
    if data.period_start is None:
        add("period_start", _l("Say from which day the data is covered."))
    if data.period_end is None:
        add("period_end", _l("Say up to which day the data is covered."))
    elif data.period_start is not None and data.period_end < data.period_start:
        add("period_end", _l("The period cannot end before it starts."))
    for field in ("visit_planned_on", "visit_held_on"):
        visit = getattr(data, field)
        if visit is not None and data.period_start is not None and visit < data.period_start:
            add(field, _l("The visit cannot be before the period the data covers starts."))
    if data.visit_held_on is not None and data.visit_held_on > today:
        add("visit_held_on", _l("A visit held cannot be in the future: plan it instead."))
    if len(reviewers_among(data.reviewer_ids)) != len(set(data.reviewer_ids)):
        add("reviewers", _l("Only active users with the reviewer role can review a cycle."))
    return found


def reviewers_among(ids) -> list[User]:
    """The active reviewers among ``ids`` (one query)."""
    ids = set(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.role == Role.REVIEWER,
                                                      User.active.is_(True)).order_by(User.name)))


def reviewer_choices() -> list[tuple[int, str]]:
    """Every active reviewer, by name: who may be assigned to a cycle."""
    return list(db.session.execute(select(User.id, User.name).where(User.role == Role.REVIEWER,
                                                                    User.active.is_(True)).order_by(User.name)))


def save_cycle(cycle: Cycle | None, data: CycleData, *, actor, today: date, version=None) -> Cycle:
    """Create a cycle (``cycle`` None, in preparation) or edit one that is not closed; refused with the reasons
    by field when the data does not hold. Adds and flushes; the caller commits."""
    if cycle is not None:
        if cycle.state is CycleState.CLOSED:
            raise CycleRuleError(_l("A closed cycle is history: it can no longer be edited."))
        ensure_current(cycle, version if version is not None else cycle.version)
    found = problems(data, today=today, cycle=cycle)
    if found:
        raise CycleRuleError(*[message for messages in found.values() for message in messages],
                             field=next(iter(found)))
    if cycle is None:
        cycle = Cycle(created_by_id=getattr(actor, "id", None), state=CycleState.PREPARING)
        db.session.add(cycle)
    cycle.name, cycle.set_id = data.name.strip(), data.set_id
    cycle.scope_programmes, cycle.scope_sites = _text(data.scope_programmes), _text(data.scope_sites)
    cycle.scope_exclusions = _text(data.scope_exclusions)
    cycle.period_start, cycle.period_end = data.period_start, data.period_end
    cycle.visit_planned_on, cycle.visit_held_on = data.visit_planned_on, data.visit_held_on
    cycle.reviewers = reviewers_among(data.reviewer_ids)
    db.session.flush()
    return cycle


# --- States ----------------------------------------------------------------------------------------------


def closing_problems(cycle: Cycle) -> list[str]:
    """Why the reviewers' report cannot be final yet: the visit has not been held, or a finding has no answer."""
    found = []
    if cycle.visit_held_on is None:
        found.append(str(_l("Record the day the visit was held before closing the cycle.")))
    unanswered = [f.reference for f in cycle.findings if f.state is FindingState.OPEN]
    if unanswered:
        found.append(str(_l("These findings are not answered yet: %(refs)s.", refs=", ".join(unanswered))))
    return found


def is_backward(cycle: Cycle, state: CycleState) -> bool:
    return (cycle.state, state) in CYCLE_BACKWARD


def change_state(cycle: Cycle, state: CycleState, *, actor, today: date, reason: str | None = None,
                 confirmed: bool = False, at: datetime | None = None) -> None:
    """Move a cycle on (the visit starts: under review; the report is final: closed) or back to preparing (with a
    reason, once confirmed: ``ConfirmationNeeded`` until then). Kept in its history (``at``: when it happened, for
    a cycle loaded with its past); the caller commits."""
    old = cycle.state
    if state is CycleState.CLOSED and old is CycleState.UNDER_REVIEW and (refused := closing_problems(cycle)):
        raise CycleRuleError(*refused)
    if is_backward(cycle, state) and not confirmed:
        raise ConfirmationNeeded(_l("Going back to preparation needs confirmation, with a reason."))
    cycle.move_to(state, today=today, why=reason)
    transitions.record_transition(CYCLE_HISTORY_KIND, cycle.id, from_value=old, to_value=state, actor=actor,
                                  reason=reason, at=at)
    db.session.flush()


def may_move(user, cycle: Cycle, state: CycleState) -> bool:
    """Coordinators run the cycle: they start the review, close it and send it back to preparation. A reviewer
    assigned to the cycle may close it once it is under review, because the certifier is the one who says the
    report is final; a reviewer changes nothing else of the cycle (it is the organisation's record)."""
    role = getattr(user, "role", None)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return True
    return (role is Role.REVIEWER and cycle.state is CycleState.UNDER_REVIEW and state is CycleState.CLOSED
            and is_assigned(user, cycle))


def is_assigned(user, cycle: Cycle) -> bool:
    return db.session.scalar(select(exists().where(cycle_reviewers.c.cycle_id == cycle.id,
                                                   cycle_reviewers.c.user_id == user.id)))


def history(cycle: Cycle):
    return transitions.history(CYCLE_HISTORY_KIND, cycle.id)


# --- Evidence and removal --------------------------------------------------------------------------------


def has_evidence(cycle: Cycle) -> bool:
    """Whether a pack (or a pack being built) or a finding belongs to the cycle: then it is evidence, kept."""
    return any(db.session.scalar(select(exists().where(column == cycle.id))) for column in (
        PackSnapshot.cycle_id, PackJob.cycle_id, Finding.cycle_id))


def delete_cycle(cycle: Cycle) -> None:
    """Remove a cycle created by mistake; refused once a pack or a finding belongs to it (close it instead)."""
    if has_evidence(cycle):
        raise CycleRuleError(_l("This cycle has packs or findings: it is kept as evidence. Close it instead."))
    transitions.forget_history(CYCLE_HISTORY_KIND, select(Cycle.id).where(Cycle.id == cycle.id))
    cycle.reviewers = []
    db.session.delete(cycle)
    db.session.flush()


def packs_of(cycle: Cycle) -> list[PackSnapshot]:
    """The packs generated for the cycle, newest first."""
    return list(db.session.scalars(select(PackSnapshot).where(PackSnapshot.cycle_id == cycle.id)
                                   .order_by(PackSnapshot.id.desc())))
