"""The reviewers' findings within a cycle, and how they are answered and closed.

A reviewer records a finding (a nonconformity, major or minor; an observation; an opportunity for improvement)
on a criterion of the cycle's set and, optionally, on a record (``evidence.records``), while the cycle is not
closed. A coordinator answers it: the root cause and the response and, for a nonconformity, a **corrective
action** worked as an improvement action of a group (``improvements.work.plan_corrective_action``: its plan,
tasks and board, counted by no criterion); an opportunity for improvement may become an improvement opportunity
of a group, which then goes through the SMART check like any other. The reviewer closes the finding once
verified (a nonconformity only once its action is implemented, which closing marks verified), or sends the
answer back with a reason. Every move is kept in the finding's history (``core.transitions``); nothing is
deleted.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from certification.models import (
    FINDING_HISTORY_KIND,
    FINDING_STATE_LABELS,
    Cycle,
    CycleState,
    Finding,
    FindingKind,
    FindingState,
)
from core import transitions
from core.extensions import db
from core.listing import text_matches
from core.models import Role, User
from core.rules import RuleError
from evidence.models import Criterion
from evidence.records import parse_record
from improvements import work
from improvements.models import Group, Improvement, ImprovementKind, Status
from improvements.services import may_edit_group
from improvements.sources import CERTIFICATION_FINDING


class FindingRuleError(RuleError):
    """A change to a finding its rules refuse; the message says why."""


def _text(value) -> str | None:
    return (value or "").strip() or None


def may_review(user, cycle: Cycle) -> bool:
    """A reviewer records, closes and sends back the findings of a cycle: one of its assigned reviewers, or any
    reviewer while the cycle has none assigned."""
    if user is None or getattr(user, "role", None) != Role.REVIEWER:
        return False
    return not cycle.reviewers or any(reviewer.id == user.id for reviewer in cycle.reviewers)


def _require_reviewer(user, cycle: Cycle) -> None:
    if not may_review(user, cycle):
        raise FindingRuleError(_("Only a reviewer of the cycle “%(cycle)s” records and closes its findings.",
                                 cycle=cycle.name))


def criteria_of(cycle: Cycle) -> list[Criterion]:
    """The criteria a finding of the cycle may be on: its set's, in force, in their order."""
    query = (select(Criterion).where(Criterion.set_id == cycle.set_id, Criterion.retired_on.is_(None))
             .order_by(Criterion.position, Criterion.id))
    return list(db.session.scalars(query))


def record_finding(cycle: Cycle, data: dict, *, actor, today: date) -> Finding:
    """A reviewer's finding, numbered next in its cycle. ``data``: kind, criterion_id, text, evidence and record
    (``"process:12"`` as ``evidence.records`` writes it, or empty)."""
    _require_reviewer(actor, cycle)
    if cycle.state == CycleState.CLOSED:
        raise FindingRuleError(_("The cycle “%(cycle)s” is closed: it takes no new findings.", cycle=cycle.name))
    criterion = db.session.get(Criterion, data.get("criterion_id") or 0)
    if criterion is None or criterion.set_id != cycle.set_id or criterion.retired_on is not None:
        raise FindingRuleError(_("Choose a criterion of the cycle’s criteria set."), field="criterion_id")
    try:
        kind = FindingKind(data.get("kind"))
    except ValueError:
        raise FindingRuleError(_("Choose what kind of finding it is."), field="kind") from None
    text = _text(data.get("text"))
    if text is None:
        raise FindingRuleError(_("Write what was found."), field="text")
    record_type, record_id = None, None
    if _text(data.get("record")):
        record_type, record_id = parse_record(data["record"])
        if record_type is None:
            raise FindingRuleError(_("The record chosen does not exist any more."), field="record")
    number = (db.session.scalar(select(func.max(Finding.number)).where(Finding.cycle_id == cycle.id)) or 0) + 1
    finding = Finding(cycle=cycle, number=number, criterion=criterion, kind=kind, text=text,
                      evidence=_text(data.get("evidence")), record_type=record_type, record_id=record_id,
                      state=FindingState.OPEN, raised_by=actor, raised_on=today)
    db.session.add(finding)
    db.session.flush()
    transitions.record_transition(FINDING_HISTORY_KIND, finding.id, from_value=None, to_value=FindingState.OPEN,
                                  actor=actor)
    return finding


def _group(group_id) -> Group:
    group = db.session.get(Group, group_id) if group_id else None
    if group is None:
        raise FindingRuleError(_("Choose the improvement group that works it."), field="group_id")
    return group


def _action_title(finding: Finding) -> str:
    return _("Corrective action %(reference)s (%(criterion)s)", reference=finding.reference,
             criterion=finding.criterion.code)


def _answer_nonconformity(finding: Finding, data: dict, *, actor, today: date) -> None:
    """The corrective action: a new one, or the one already planned (an answer sent back and given again)."""
    if _text(data.get("action")) is None:
        raise FindingRuleError(_("Describe the corrective action that removes the cause."), field="action")
    plan = {"title": _action_title(finding), "objective": _text(data.get("action")),
            "statement": _("%(reference)s: %(text)s\n\nRoot cause: %(cause)s", reference=finding.reference,
                           text=finding.text, cause=_text(data.get("root_cause"))),
            "owner_id": data.get("owner_id"), "deadline": data.get("deadline")}
    action = finding.improvement
    try:
        if action is not None and action.status not in (Status.VERIFIED, Status.CANCELLED):
            work.replan_corrective_action(action, plan, today=today)
        else:
            action = work.plan_corrective_action(_group(data.get("group_id")), plan, finding_id=finding.id,
                                                 actor=actor, today=today)
            finding.improvement = action
        if _text(data.get("task_title")):
            task_owner = data.get("task_owner_id")
            if task_owner:
                person = db.session.get(User, task_owner)
                if person is None or not may_edit_group(person, action.group):
                    raise FindingRuleError(_("The task’s owner must be in the group “%(group)s” to work it.",
                                             group=action.group.name), field="task_owner_id")
            if data.get("task_due_on") is None:
                raise FindingRuleError(_("Give the task a due date."), field="task_due_on")
            work.add_task(action, data["task_title"], task_owner or None, data["task_due_on"], today=today)
    except RuleError as error:
        if isinstance(error, FindingRuleError):
            raise
        raise FindingRuleError(*error.reasons, field=error.field) from error


def _answer_opportunity(finding: Finding, data: dict, *, actor, today: date) -> None:
    """An opportunity for improvement the coordinator takes up becomes an improvement opportunity of a group,
    with the finding as its source (once: a second answer keeps the first one)."""
    if not data.get("make_opportunity") or finding.improvement is not None:
        return
    group = _group(data.get("group_id"))
    opportunity = work.raise_opportunity(group, {
        "title": _("Opportunity %(reference)s (%(criterion)s)", reference=finding.reference,
                   criterion=finding.criterion.code)[:200],
        "statement": finding.text, "source_kind": CERTIFICATION_FINDING, "source_id": finding.id,
    }, actor=actor, today=today)
    finding.improvement = opportunity


def answer_finding(finding: Finding, data: dict, *, actor, today: date) -> Finding:
    """A coordinator's answer to an open finding: the root cause and the response; for a nonconformity the
    corrective action (``action``, ``group_id``, ``owner_id``, ``deadline``, optionally a first task
    ``task_title``, ``task_owner_id``, ``task_due_on``); for an opportunity for improvement, optionally
    ``make_opportunity`` in ``group_id``."""
    if finding.state != FindingState.OPEN:
        raise FindingRuleError(_("Only an open finding is answered: this one is “%(state)s”.",
                                 state=_state_label(finding.state)))
    root_cause, response = _text(data.get("root_cause")), _text(data.get("response"))
    if finding.kind.is_nonconformity:
        if root_cause is None:
            raise FindingRuleError(_("Say what caused the nonconformity."), field="root_cause")
        _answer_nonconformity(finding, data, actor=actor, today=today)
    else:
        if response is None:
            raise FindingRuleError(_("Write the response to the finding."), field="response")
        if finding.kind == FindingKind.OPPORTUNITY:
            _answer_opportunity(finding, data, actor=actor, today=today)
    finding.root_cause, finding.response = root_cause, response
    finding.answered_by, finding.answered_on = actor, today
    finding.move_to(FindingState.ANSWERED)
    db.session.flush()
    transitions.record_transition(FINDING_HISTORY_KIND, finding.id, from_value=FindingState.OPEN,
                                  to_value=FindingState.ANSWERED, actor=actor)
    return finding


def _state_label(state: FindingState) -> str:
    return str(FINDING_STATE_LABELS[state])


def close_finding(finding: Finding, comment: str | None, *, actor, today: date) -> None:
    """The reviewer's verification closes an answered finding; a nonconformity only once its corrective action
    is implemented (closing marks it verified). A closed cycle's findings are still closed at the next visit."""
    _require_reviewer(actor, finding.cycle)
    comment = _text(comment)
    if finding.state != FindingState.ANSWERED:
        raise FindingRuleError(_("Only an answered finding is closed: this one is “%(state)s”.",
                                 state=_state_label(finding.state)))
    if comment is None:
        raise FindingRuleError(_("Say what you verified before closing the finding."), field="comment")
    if finding.kind.is_nonconformity:
        action = finding.improvement
        if action is None or action.status not in (Status.IMPLEMENTED, Status.VERIFIED):
            raise FindingRuleError(_("The corrective action is not implemented yet: the finding stays answered "
                                     "until it is."))
        work.verify_corrective_action(action, actor=actor, today=today)
    finding.move_to(FindingState.CLOSED)
    finding.closed_by, finding.closed_on, finding.closing_comment = actor, today, comment
    db.session.flush()
    transitions.record_transition(FINDING_HISTORY_KIND, finding.id, from_value=FindingState.ANSWERED,
                                  to_value=FindingState.CLOSED, actor=actor, reason=comment)


def send_back(finding: Finding, reason: str | None, *, actor) -> None:
    """The reviewer does not accept the answer: the finding is open again, with why (the coordinator answers
    anew; the corrective action already planned is kept and planned again)."""
    _require_reviewer(actor, finding.cycle)
    reason = _text(reason)
    if finding.state != FindingState.ANSWERED:
        raise FindingRuleError(_("Only an answered finding is sent back: this one is “%(state)s”.",
                                 state=_state_label(finding.state)))
    finding.move_to(FindingState.OPEN, why=reason)
    db.session.flush()
    transitions.record_transition(FINDING_HISTORY_KIND, finding.id, from_value=FindingState.ANSWERED,
                                  to_value=FindingState.OPEN, actor=actor, reason=reason)


@dataclass(frozen=True)
class FindingFilters:
    """What a list of findings is narrowed to: the cycle, the state, the kind, words in the text, evidence or
    answer."""

    cycle_id: int | None = None
    state: str | None = None
    kind: str | None = None
    q: str | None = None


def findings_query(filters: FindingFilters):
    """The findings matching ``filters``, newest cycle first, then by number (cycle, criterion and action loaded
    with them)."""
    query = (select(Finding).join(Cycle, Cycle.id == Finding.cycle_id)
             .options(joinedload(Finding.cycle), joinedload(Finding.criterion), joinedload(Finding.improvement)))
    if filters.cycle_id:
        query = query.where(Finding.cycle_id == filters.cycle_id)
    if filters.state:
        query = query.where(Finding.state == filters.state)
    if filters.kind:
        kinds = (FindingKind.MAJOR, FindingKind.MINOR) if filters.kind == "nonconformity" else (filters.kind,)
        query = query.where(Finding.kind.in_(kinds))
    words = text_matches(filters.q, Finding.text, Finding.evidence, Finding.root_cause, Finding.response)
    if words is not None:
        query = query.where(words)
    return query.order_by(Cycle.period_start.desc(), Cycle.id.desc(), Finding.number)


def overdue_actions(today: date) -> list[Finding]:
    """Findings not closed whose corrective action is past its deadline and not implemented (approved or in
    progress), the oldest deadline first, with the action, its owner and the cycle (one statement)."""
    query = (select(Finding).join(Improvement, Improvement.id == Finding.improvement_id)
             .options(joinedload(Finding.cycle), joinedload(Finding.criterion),
                      joinedload(Finding.improvement).joinedload(Improvement.owner))
             .where(Finding.state != FindingState.CLOSED, Improvement.kind == ImprovementKind.CORRECTIVE,
                    Improvement.status.in_((Status.APPROVED, Status.IN_PROGRESS)),
                    Improvement.deadline.is_not(None), Improvement.deadline < today)
             .order_by(Improvement.deadline, Finding.id))
    return list(db.session.scalars(query))


def findings_of(ids) -> dict[int, Finding]:
    """Findings by id, in one statement (an improvement's source, the board's links)."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    query = select(Finding).options(joinedload(Finding.cycle), joinedload(Finding.criterion)).where(
        Finding.id.in_(ids))
    return {finding.id: finding for finding in db.session.scalars(query)}
