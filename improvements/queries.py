"""Reading improvements for pages in a fixed number of queries, and assessing them (SMART, result, C1)."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.shared_reads import shared
from improvements import smart
from improvements.models import (
    AffectedPerson,
    Evidence,
    Group,
    GroupMember,
    Improvement,
    ImprovementKind,
    ProcessChange,
    SmartCheck,
    Status,
    Task,
    TaskStatus,
    Training,
)
from improvements.results import (
    C1_REQUIRED,
    C1Status,
    Result,
    c1_reasons,
    c1_status,
    client_valued,
    computed_for,
    measured_result,
)
from processes.models import KnowledgeHolder, Measurement, ProcessStage


def measurements_for(indicator_ids) -> dict[int, list[tuple[date, float]]]:
    """Each indicator's (period, value) pairs, oldest first, in one query."""
    ids = sorted({i for i in indicator_ids if i})
    found: dict[int, list] = {i: [] for i in ids}
    if ids:
        query = (select(Measurement.indicator_id, Measurement.period, Measurement.value)
                 .where(Measurement.indicator_id.in_(ids)).order_by(Measurement.indicator_id, Measurement.period))
        for indicator_id, period, value in db.session.execute(query):
            found[indicator_id].append((period, value))
    return found


#: What assessing an improvement reads: its checks, evidence, indicator and tasks.
ASSESSED = (selectinload(Improvement.checks), selectinload(Improvement.evidence),
            joinedload(Improvement.indicator), selectinload(Improvement.tasks),
            selectinload(Improvement.process_changes), joinedload(Improvement.group),
            joinedload(Improvement.owner))


@dataclass(frozen=True)
class Assessment:
    """Where one improvement stands on SMART, its result, client valuation and C1."""

    smart_passed: bool
    result: Result
    valued: bool
    c1_reasons: list

    @property
    def qualifies(self) -> bool:
        return not self.c1_reasons


def assess(improvements, measurements=None) -> dict[int, Assessment]:
    """Assess many improvements at once (one measurements query for all their indicators)."""
    if measurements is None:
        measurements = measurements_for(i.indicator_id for i in improvements)
    computed = computed_for(improvements)
    found = {}
    for improvement in improvements:
        passed = smart.passes(improvement)
        result = measured_result(improvement, measurements.get(improvement.indicator_id, []))
        valued = client_valued(improvement, result) or any(e.reads_favourable for e in computed.get(improvement.id, []))
        found[improvement.id] = Assessment(passed, result, valued,
                                           c1_reasons(improvement, smart_passed=passed, result=result, valued=valued))
    return found


def c1_candidates() -> list[Improvement]:
    """Improvements C1 can count or must explain: everything checked or beyond, except the cancelled, and never a
    corrective action (it answers a reviewer's finding: counting it would inflate C1, and C2 would ask it for a
    before and after it never planned). C2 reads the same candidates."""
    query = (select(Improvement).options(*ASSESSED)
             .where(Improvement.kind == ImprovementKind.IMPROVEMENT, Improvement.status != Status.CANCELLED)
             .where((Improvement.status != Status.OPPORTUNITY) | Improvement.checks.any())
             .order_by(Improvement.id))
    return list(db.session.scalars(query).unique())


@shared
def _assessed_candidates() -> tuple[list, dict[int, Assessment]]:
    """Every C1 candidate and its assessment (C1 and C2 both read them while the checklist is gathered)."""
    improvements = c1_candidates()
    return improvements, assess(improvements)


def c1_overview(required: int = C1_REQUIRED) -> tuple[C1Status, dict[int, Assessment]]:
    """The C1 verdict (``required`` qualifying improvements needed) and every candidate's assessment."""
    improvements, assessments = _assessed_candidates()
    return c1_status([(i, assessments[i.id].c1_reasons) for i in improvements], required), assessments


def task_counts(today: date, group_id: int | None = None) -> dict[int, tuple[int, int, int]]:
    """Per improvement: (tasks, done, overdue), in one GROUP BY."""
    is_open = Task.status.in_((TaskStatus.TODO, TaskStatus.DOING))
    query = (select(Task.improvement_id, func.count(Task.id),
                    func.sum(case((Task.status == TaskStatus.DONE, 1), else_=0)),
                    func.sum(case((is_open & (Task.due_on < today), 1), else_=0)))
             .where(Task.status != TaskStatus.CANCELLED).group_by(Task.improvement_id))
    if group_id:
        query = query.join(Improvement).where(Improvement.group_id == group_id)
    return {row[0]: (row[1], int(row[2] or 0), int(row[3] or 0)) for row in db.session.execute(query)}


def improvement_page(improvement_id: int) -> Improvement | None:
    """One improvement with everything its page shows, each collection in one query."""
    stages = selectinload(Improvement.process_changes).selectinload(ProcessChange.stages)
    query = (select(Improvement).where(Improvement.id == improvement_id).options(
        *ASSESSED,
        joinedload(Improvement.raised_by), joinedload(Improvement.approved_by),
        selectinload(Improvement.checks).joinedload(SmartCheck.checked_by),
        selectinload(Improvement.tasks).joinedload(Task.owner),
        selectinload(Improvement.evidence).joinedload(Evidence.file),
        selectinload(Improvement.process_changes).joinedload(ProcessChange.process),
        selectinload(Improvement.process_changes).joinedload(ProcessChange.revision),
        stages.selectinload(ProcessStage.knowledge_holders).joinedload(KnowledgeHolder.user),
        selectinload(Improvement.affected).joinedload(AffectedPerson.user),
        selectinload(Improvement.trainings).selectinload(Training.attendees),
        selectinload(Improvement.trainings).joinedload(Training.material_file),
        selectinload(Improvement.scores),
        joinedload(Improvement.group).selectinload(Group.members).joinedload(GroupMember.user),
    ))
    return db.session.scalars(query).unique().one_or_none()


def group_improvements(group_id: int) -> list[Improvement]:
    query = (select(Improvement).where(Improvement.group_id == group_id)
             .options(*ASSESSED, selectinload(Improvement.scores)).order_by(Improvement.id))
    return list(db.session.scalars(query).unique())


def due_tasks(user_id: int, today: date, days: int = 7) -> list[Task]:
    """A person's open tasks that are overdue or due within ``days``, soonest first."""
    query = (select(Task).options(joinedload(Task.improvement))
             .where(Task.owner_id == user_id, Task.status.in_((TaskStatus.TODO, TaskStatus.DOING)),
                    Task.due_on <= today + timedelta(days=days))
             .order_by(Task.due_on, Task.id))
    return list(db.session.scalars(query))


def tasks_due_for_everyone(today: date, days: int) -> list[Task]:
    """Every open task overdue or due within ``days``, with its owner (for ``flask reminders``)."""
    query = (select(Task).options(joinedload(Task.improvement), joinedload(Task.owner))
             .where(Task.owner_id.is_not(None), Task.status.in_((TaskStatus.TODO, TaskStatus.DOING)),
                    Task.due_on <= today + timedelta(days=days))
             .order_by(Task.owner_id, Task.due_on, Task.id))
    return list(db.session.scalars(query))



def overdue_corrective_actions(today: date, owner_id: int | None = None) -> list[Improvement]:
    """Corrective actions past their own deadline and not implemented yet (approved or in progress), with their
    owner and group, oldest deadline first: the reminders and the home page show them beside the tasks (an action
    can be late with no task late, or with no task at all)."""
    query = (select(Improvement).options(joinedload(Improvement.owner), joinedload(Improvement.group))
             .where(Improvement.kind == ImprovementKind.CORRECTIVE,
                    Improvement.status.in_((Status.APPROVED, Status.IN_PROGRESS)),
                    Improvement.deadline.is_not(None), Improvement.deadline < today)
             .order_by(Improvement.deadline, Improvement.id))
    if owner_id is not None:
        query = query.where(Improvement.owner_id == owner_id)
    return list(db.session.scalars(query))
