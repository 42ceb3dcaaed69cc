"""An improvement's life: raising the opportunity, its plan, prioritisation scores, tasks and status."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from core import transitions
from core.extensions import db
from core.i18n import day
from core.models import User
from core.rules import TransitionRefused
from core.timeutil import utcnow
from core.versioning import ensure_current
from improvements import dates, smart
from improvements.models import (
    BACKWARD,
    DONE,
    HISTORY_KIND,
    STATUS_LABELS,
    Improvement,
    ImprovementKind,
    PriorityCriterion,
    PriorityScore,
    Status,
    Task,
    TaskStatus,
)
from improvements.services import ImprovementRuleError, may_edit_group
from improvements.sources import CERTIFICATION_FINDING, check_source
from processes.models import Indicator, Measurement
from processes.periods import period_start


def raise_opportunity(group, data: dict, *, actor, today: date) -> Improvement:
    """Log an opportunity in a group, with its source and, where there is one, the record it came from."""
    try:
        check_source(data["source_kind"], data.get("source_id"))
    except ValueError as error:
        raise ImprovementRuleError(str(error)) from error
    improvement = Improvement(group=group, title=data["title"].strip(), statement=data["statement"].strip(),
                              raised_by=actor, raised_on=data.get("raised_on") or today,
                              source_kind=data["source_kind"], source_id=data.get("source_id") or None,
                              source_note=(data.get("source_note") or "").strip() or None,
                              status=Status.OPPORTUNITY)
    db.session.add(improvement)
    db.session.flush()
    return improvement


PLAN_FIELDS = ("objective", "indicator_id", "measure_name", "measure_unit", "higher_is_better", "baseline_value",
               "baseline_period", "target_value", "deadline", "owner_id")


def check_deadline(improvement: Improvement, deadline: date | None, today: date) -> None:
    """A new plan, or a plan whose deadline changes, cannot set a deadline already past."""
    if deadline is not None and deadline < today and deadline != improvement.deadline:
        raise ImprovementRuleError(_("The deadline %(date)s has already passed: choose a later date.",
                                     date=day(deadline)))


def save_plan(improvement: Improvement, data: dict, *, version, today: date) -> None:
    """Apply the plan: objective, measure, baseline (read from the indicator when left empty), target, deadline."""
    ensure_current(improvement, version)
    check_deadline(improvement, data.get("deadline"), today)
    for name in PLAN_FIELDS:
        if name in data:
            value = data[name]
            setattr(improvement, name, (value.strip() or None) if isinstance(value, str) else value)
    indicator = db.session.get(Indicator, improvement.indicator_id) if improvement.indicator_id else None
    if indicator is not None and improvement.baseline_period is not None:
        improvement.baseline_period = period_start(improvement.baseline_period, indicator.frequency)
        if improvement.baseline_value is None:
            improvement.baseline_value = db.session.scalar(select(Measurement.value).where(
                Measurement.indicator_id == indicator.id, Measurement.period == improvement.baseline_period))
    db.session.flush()


def save_scores(improvement: Improvement, scores: dict[int, int | None]) -> None:
    """The group's 1–5 score on each criterion; an empty score removes it."""
    current = {s.criterion_id: s for s in improvement.scores}
    for criterion_id, value in scores.items():
        if value is None:
            if criterion_id in current:
                improvement.scores.remove(current[criterion_id])
        elif criterion_id in current:
            current[criterion_id].score = value
        else:
            improvement.scores.append(PriorityScore(criterion_id=criterion_id, score=value))
    db.session.flush()


def criteria() -> list[PriorityCriterion]:
    return list(db.session.scalars(select(PriorityCriterion).order_by(PriorityCriterion.position,
                                                                      PriorityCriterion.id)))


def save_criterion(criterion: PriorityCriterion | None, data: dict, *, version=None) -> PriorityCriterion:
    if criterion is None:
        criterion = PriorityCriterion(position=len(criteria()) + 1)
        db.session.add(criterion)
    else:
        ensure_current(criterion, version)
    criterion.name = data["name"].strip()
    criterion.weight = data["weight"]
    criterion.higher_is_better = bool(data.get("higher_is_better"))
    criterion.axis = data.get("axis") or None
    db.session.flush()
    return criterion


CLOSED = (Status.IMPLEMENTED, Status.VERIFIED, Status.CANCELLED)


def add_task(improvement: Improvement, title: str, owner_id: int | None, due_on: date, *, today: date) -> Task:
    if improvement.status in CLOSED:
        raise ImprovementRuleError(_("This improvement is closed: it takes no new tasks."))
    if due_on < today:
        raise ImprovementRuleError(_("The due date %(date)s has already passed.", date=day(due_on)))
    task = Task(title=title.strip(), owner_id=owner_id, due_on=due_on, status=TaskStatus.TODO)
    improvement.tasks.append(task)
    db.session.flush()
    return task


def set_task_status(task: Task, status: TaskStatus, *, today: date, actor=None) -> None:
    """Move a task; the first task started or done puts an approved improvement in progress (in its history)."""
    task.status = status
    task.done_on = today if status == TaskStatus.DONE else None
    improvement = task.improvement
    if status in (TaskStatus.DOING, TaskStatus.DONE) and improvement.status == Status.APPROVED:
        improvement.move_to(Status.IN_PROGRESS)
        db.session.flush()
        transitions.record_transition(HISTORY_KIND, improvement.id, from_value=Status.APPROVED,
                                      to_value=Status.IN_PROGRESS, actor=actor)
    db.session.flush()


def change_status(improvement: Improvement, status: Status, *, actor, today: date, result=None,
                  reason: str | None = None, confirmed: bool = False, on: date | None = None) -> None:
    """Move an improvement on, approved, implemented or verified ``on`` the day the user states (today by
    default); refused with reasons when its rules do not hold (SMART, open tasks, no result, a day out of the
    improvement's order), and until confirmed (``ConfirmationNeeded``) when it moves back or would lower a
    criterion. Kept in the improvement's history with ``reason``."""
    transitions.confirm_or_refuse(
        lambda: _move(improvement, status, actor=actor, today=today, result=result,
                      reason=reason or transitions.PREVIEW_REASON, on=on),
        confirmed=confirmed, always=(improvement.status, status) in BACKWARD)
    _move(improvement, status, actor=actor, today=today, result=result, reason=reason, on=on)


#: The moves that state the day they happened, with the date they set (kept when already set).
DATED_MOVES = {Status.APPROVED: "approved_on", Status.IMPLEMENTED: "implemented_on", Status.VERIFIED: "verified_on"}


def asks_for_day(improvement: Improvement, status: Status) -> bool:
    """Whether moving to ``status`` sets a day, which the user states (a day already set is kept)."""
    name = DATED_MOVES.get(status)
    return name is not None and getattr(improvement, name) is None


def _stated_day(improvement: Improvement, status: Status, on: date | None, today: date) -> date:
    on = on or today
    if asks_for_day(improvement, status) and status != Status.APPROVED:  # approve() checks its own day
        step = "implemented" if status == Status.IMPLEMENTED else "verified"
        if problems := dates.problems(step, on, today=today, improvement=improvement):
            raise ImprovementRuleError(*problems, field="happened_on")
    return on


def _move(improvement: Improvement, status: Status, *, actor, today: date, result, reason: str | None,
          on: date | None = None) -> None:
    old = improvement.status
    if status == Status.APPROVED:
        smart.approve(improvement, actor=actor, on=on, today=today)
    elif status == Status.IMPLEMENTED:
        open_tasks = [t.title for t in improvement.tasks if t.is_open]
        if open_tasks:
            improvement.move_to(status, reasons=[_("Tasks still open: %(tasks)s.", tasks="; ".join(open_tasks))])
        improvement.mark_implemented(_stated_day(improvement, status, on, today))
    elif status == Status.VERIFIED and improvement.is_corrective:
        raise TransitionRefused(_("A corrective action is verified by the reviewer, when they close its finding."))
    elif status == Status.VERIFIED:
        missing = [] if result is not None and result.after is not None else \
            [_("Record the result after the change before verifying it.")]
        improvement.mark_verified(_stated_day(improvement, status, on, today), reasons=missing)
    elif status in (Status.IN_PROGRESS, Status.CANCELLED):
        improvement.move_to(status, why=reason)
    else:
        raise TransitionRefused(_("That status is reached through the SMART check."))
    db.session.flush()
    transitions.record_transition(HISTORY_KIND, improvement.id, from_value=old, to_value=improvement.status,
                                  actor=actor, reason=reason)


#: The dates evidence depends on, which a later transition never overwrites: only this change, with a reason.
EVIDENCE_DATES = {"approved_on": "approved", "implemented_on": "implemented", "verified_on": "verified"}


def change_date(improvement: Improvement, name: str, value: date, *, actor, reason: str | None,
                today: date) -> None:
    """Correct the day it was approved, implemented or verified, saying why; kept in the improvement's history.
    The new day keeps the improvement's order (after the check, the approval, the implementation)."""
    if name not in EVIDENCE_DATES:
        raise ImprovementRuleError(_("That date cannot be changed here."))
    old = getattr(improvement, name)
    if old is None:
        raise ImprovementRuleError(_("There is no date to correct yet: it is set when the status changes."))
    step = EVIDENCE_DATES[name]
    if problems := dates.problems(step, value, today=today, improvement=improvement) + \
            dates.later_steps_problems(step, value, improvement):
        raise ImprovementRuleError(*problems, field="value")
    transitions.require_reason(reason, _("Say why the date changes."))
    if value == old:
        return
    setattr(improvement, name, value)
    db.session.flush()
    transitions.record_transition(HISTORY_KIND, improvement.id, field=name, from_value=old, to_value=value,
                                  actor=actor, reason=reason)


def is_done(improvement: Improvement) -> bool:
    return improvement.status in DONE


def _may_work(user, group) -> bool:
    """Whether ``user`` may work the group's actions on the improvement pages (a coordinator, or in the group)."""
    return user is not None and may_edit_group(user, group)


def plan_corrective_action(group, data: dict, *, finding_id: int, actor, today: date) -> Improvement:
    """A corrective action answering a reviewer's finding, worked as an improvement action of ``group`` (its plan,
    tasks and board) but of kind ``corrective``, so that no criterion counts it. The coordinator who plans it
    approves it (``approved_by``, ``approved_on``): a nonconformity is corrected, not weighed by the SMART check.
    ``data``: title, statement (why it is needed), objective (what will be done), owner_id, deadline."""
    owner = db.session.get(User, data["owner_id"]) if data.get("owner_id") else None
    if owner is None:
        raise ImprovementRuleError(_("Choose who answers for the corrective action."), field="owner_id")
    if not _may_work(owner, group):
        raise ImprovementRuleError(_("%(name)s is not in the group “%(group)s”: choose one of its members, or add them "
                                     "to the group first.", name=owner.name, group=group.name), field="owner_id")
    deadline = data.get("deadline")
    if deadline is None:
        raise ImprovementRuleError(_("Give the corrective action a deadline."), field="deadline")
    if deadline < today:
        raise ImprovementRuleError(_("The deadline %(date)s has already passed: choose a later date.",
                                     date=day(deadline)), field="deadline")
    improvement = Improvement(group=group, kind=ImprovementKind.CORRECTIVE, title=data["title"].strip()[:200],
                              statement=data["statement"].strip(), objective=(data.get("objective") or "").strip()
                              or None, raised_by=actor, raised_on=today, source_kind=CERTIFICATION_FINDING,
                              source_id=finding_id, status=Status.APPROVED, owner=owner, deadline=deadline,
                              approved_by=actor, approved_on=today, approved_at=utcnow())
    db.session.add(improvement)
    db.session.flush()
    transitions.record_transition(HISTORY_KIND, improvement.id, from_value=None, to_value=Status.APPROVED,
                                  actor=actor)
    return improvement


def replan_corrective_action(improvement: Improvement, data: dict, *, today: date) -> None:
    """A new answer to the finding changes its corrective action's objective, owner and deadline (not once it is
    verified or cancelled: then a new action is planned)."""
    if improvement.status in (Status.VERIFIED, Status.CANCELLED):
        raise ImprovementRuleError(_("This corrective action is closed: it cannot be planned again."))
    owner = db.session.get(User, data["owner_id"]) if data.get("owner_id") else None
    if owner is None or not _may_work(owner, improvement.group):
        raise ImprovementRuleError(_("%(name)s is not in the group “%(group)s”: choose one of its members, or add them "
                                     "to the group first.", name=owner.name if owner else "—",
                                     group=improvement.group.name), field="owner_id")
    check_deadline(improvement, data.get("deadline"), today)
    improvement.objective = (data.get("objective") or "").strip() or improvement.objective
    improvement.owner = owner
    improvement.deadline = data.get("deadline") or improvement.deadline
    db.session.flush()


def verify_corrective_action(improvement: Improvement, *, actor, today: date) -> None:
    """The reviewer closing the finding verifies its corrective action: implemented → verified (kept in its
    history); one already verified stays as it is. It needs no result before and after: it is no improvement C2
    weighs."""
    if not improvement.is_corrective:
        raise ImprovementRuleError(_("Only a corrective action is verified by closing its finding."))
    if improvement.status == Status.VERIFIED:
        return
    if improvement.status != Status.IMPLEMENTED:
        raise ImprovementRuleError(_("The corrective action is not implemented yet (%(status)s).",
                                     status=STATUS_LABELS[improvement.status]))
    old = improvement.status
    improvement.mark_verified(today)
    db.session.flush()
    transitions.record_transition(HISTORY_KIND, improvement.id, from_value=old, to_value=improvement.status,
                                  actor=actor)
