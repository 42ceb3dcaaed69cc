"""An improvement's life (C1): its status and workflow, the SMART check and the priority scores."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label, value_labels
from core.extensions import db
from core.models import stored_enum
from core.rules import TransitionRefused
from core.timeutil import utcnow
from core.transitions import require_reason
from core.versioning import Versioned


class Status(enum.StrEnum):
    """Where an improvement stands; ``Improvement.move_to`` refuses the moves that make no sense."""

    OPPORTUNITY = "opportunity"
    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


#: The moves people make by hand; OPPORTUNITY ⇄ PROPOSED is the SMART check's alone.
TRANSITIONS = {
    Status.PROPOSED: {Status.APPROVED, Status.CANCELLED},
    Status.APPROVED: {Status.IN_PROGRESS, Status.IMPLEMENTED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.IMPLEMENTED, Status.CANCELLED},
    Status.IMPLEMENTED: {Status.VERIFIED, Status.IN_PROGRESS},
    Status.OPPORTUNITY: {Status.CANCELLED},
    Status.VERIFIED: set(),
    Status.CANCELLED: set(),
}


#: Moves back along the workflow: they undo evidence already produced (C1 counts implemented improvements), so
#: they are confirmed and say why.
BACKWARD = {(Status.IMPLEMENTED, Status.IN_PROGRESS)}
#: The kind of record in the state-change history (``core.transitions``).
HISTORY_KIND = "improvement"

class ImprovementKind(enum.StrEnum):
    """What the record is worked for: an improvement the group chose (C1, C2 and C3 count it), or a corrective
    action answering a reviewer's nonconformity (``certification``), worked with the same plan, tasks and board but
    counted by no criterion: it repairs what a reviewer found, it is not an improvement the group chose."""

    IMPROVEMENT = "improvement"
    CORRECTIVE = "corrective"


KIND_LABELS = value_labels({
    ImprovementKind.IMPROVEMENT: _l("Improvement"),
    ImprovementKind.CORRECTIVE: _l("Corrective action"),
})

OPEN = (Status.APPROVED, Status.IN_PROGRESS)
DONE = (Status.IMPLEMENTED, Status.VERIFIED)


class Improvement(Audited, Versioned, db.Model):
    """An opportunity logged by a group and, once it passes the SMART check, the improvement it becomes."""

    __tablename__ = "improvements"
    __record_page__ = "improvements.improvement_detail"
    __audit_label__ = _l("Improvement")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("improvement_groups.id"), index=True,
                                          info=label(_l("Improvement group")))
    title: Mapped[str] = mapped_column(String(200), info=label(_l("Title")))
    statement: Mapped[str] = mapped_column(Text, info=label(_l("Opportunity")))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Raised by")))
    raised_on: Mapped[date] = mapped_column(Date, info=label(_l("Raised on")))
    #: Where the opportunity came from: a key of ``improvements.sources.KINDS``.
    source_kind: Mapped[str] = mapped_column(String(30), index=True, info=label(_l("Source")))
    #: The id of the record it came from, in the table the source kind names (resolved by the registry).
    source_id: Mapped[int | None] = mapped_column(Integer, info=label(_l("Source record")))
    #: The source in words, when no record can be linked (yet): a complaint category, a survey question…
    source_note: Mapped[str | None] = mapped_column(String(300), info=label(_l("Source details")))
    status: Mapped[Status] = mapped_column(stored_enum(Status), default=Status.OPPORTUNITY, index=True,
                                           info=label(_l("Status")))
    kind: Mapped[ImprovementKind] = mapped_column(stored_enum(ImprovementKind), default=ImprovementKind.IMPROVEMENT,
                                                  server_default=ImprovementKind.IMPROVEMENT.value, index=True,
                                                  info=label(_l("Kind")))
    # The plan (item 5): what is to be achieved, measured how, from where, to where, by when, by whom.
    objective: Mapped[str | None] = mapped_column(Text, info=label(_l("Objective")))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True,
                                                     info=label(_l("Indicator")))
    #: The measure in words when it is not one of the process map's indicators.
    measure_name: Mapped[str | None] = mapped_column(String(200), info=label(_l("Measure")))
    measure_unit: Mapped[str | None] = mapped_column(String(30), info=label(_l("Unit")))
    #: For a measure in words: whether more is better (a linked indicator says it itself).
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Higher is better")))
    baseline_value: Mapped[float | None] = mapped_column(Float, info=label(_l("Baseline")))
    baseline_period: Mapped[date | None] = mapped_column(Date, info=label(_l("Baseline period")))
    target_value: Mapped[float | None] = mapped_column(Float, info=label(_l("Target")))
    deadline: Mapped[date | None] = mapped_column(Date, index=True, info=label(_l("Deadline")))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Owner")))
    #: The result after the change, entered by hand when no linked indicator measures it.
    after_value: Mapped[float | None] = mapped_column(Float, info=label(_l("Value after")))
    after_period: Mapped[date | None] = mapped_column(Date, info=label(_l("Period after")))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Approved at")))
    #: The day the approval was given, as the user states it (``approved_at`` is when it was recorded).
    approved_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Approved on")))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Approved by")))
    implemented_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Implemented on")))
    verified_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Verified on")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    group = relationship("Group")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    owner = relationship("User", foreign_keys=[owner_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    indicator = relationship("Indicator")
    checks = relationship("SmartCheck", back_populates="improvement", cascade="all, delete-orphan",
                          order_by="SmartCheck.id")
    tasks = relationship("Task", back_populates="improvement", cascade="all, delete-orphan",
                         order_by="(Task.due_on, Task.id)")
    scores = relationship("PriorityScore", back_populates="improvement", cascade="all, delete-orphan")
    evidence = relationship("Evidence", back_populates="improvement", cascade="all, delete-orphan",
                            order_by="Evidence.id")
    process_changes = relationship("ProcessChange", back_populates="improvement", cascade="all, delete-orphan",
                                   order_by="ProcessChange.id")
    affected = relationship("AffectedPerson", back_populates="improvement", cascade="all, delete-orphan",
                            order_by="AffectedPerson.id")
    trainings = relationship("Training", back_populates="improvement", cascade="all, delete-orphan",
                             order_by="Training.held_on")

    def __str__(self) -> str:
        return self.title

    @property
    def is_corrective(self) -> bool:
        return self.kind == ImprovementKind.CORRECTIVE

    @property
    def latest_check(self) -> "SmartCheck | None":
        return self.checks[-1] if self.checks else None

    def move_to(self, status: Status, *, reasons=(), why: str | None = None) -> None:
        """Change status by hand; refuse a move the workflow does not allow (``reasons`` add to the refusal), and
        a backward move without ``why``."""
        if status not in TRANSITIONS[self.status]:
            raise TransitionRefused(_l("An improvement cannot go from “%(old)s” to “%(new)s”.",
                                       old=STATUS_LABELS[self.status], new=STATUS_LABELS[status]))
        if reasons:
            raise TransitionRefused(*reasons)
        if (self.status, status) in BACKWARD:
            require_reason(why, _l("Say why the improvement goes back from “%(old)s” to “%(new)s”.",
                                   old=STATUS_LABELS[self.status], new=STATUS_LABELS[status]))
        self.status = status

    def mark_implemented(self, today: date) -> None:
        """The day it was implemented is evidence (C2 compares before and after it): a second implementation,
        after a move back, keeps the first day; only ``change_date`` changes it, with a reason."""
        self.move_to(Status.IMPLEMENTED)
        if self.implemented_on is None:
            self.implemented_on = today

    def mark_verified(self, today: date, *, reasons=()) -> None:
        self.move_to(Status.VERIFIED, reasons=reasons)
        if self.verified_on is None:
            self.verified_on = today


STATUS_LABELS = value_labels({
    Status.OPPORTUNITY: _l("Opportunity"),
    Status.PROPOSED: _l("Proposed"),
    Status.APPROVED: _l("Approved"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.IMPLEMENTED: _l("Implemented"),
    Status.VERIFIED: _l("Verified"),
    Status.CANCELLED: _l("Cancelled"),
})


class SmartCheck(Audited, db.Model):
    """One pass of the SMART check: each criterion met or not, with the group's written justification.

    Checks are kept, not overwritten: the page shows the latest, the history shows a failed one was fixed."""

    __tablename__ = "improvement_smart_checks"
    __audit_name__ = _l("SMART check of %(improvement_id)s")
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("SMART check")

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: The day the group made the check, as the user states it (``checked_at`` is when it was recorded).
    checked_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date(), info=label(_l("Checked on")))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Checked by")))
    specific: Mapped[bool] = mapped_column(Boolean, info=label(_l("Specific")))
    specific_why: Mapped[str] = mapped_column(Text, info=label(_l("Specific: justification")))
    measurable: Mapped[bool] = mapped_column(Boolean, info=label(_l("Measurable")))
    measurable_why: Mapped[str] = mapped_column(Text, info=label(_l("Measurable: justification")))
    achievable: Mapped[bool] = mapped_column(Boolean, info=label(_l("Achievable")))
    achievable_why: Mapped[str] = mapped_column(Text, info=label(_l("Achievable: justification")))
    relevant: Mapped[bool] = mapped_column(Boolean, info=label(_l("Relevant")))
    relevant_why: Mapped[str] = mapped_column(Text, info=label(_l("Relevant: justification")))
    time_bound: Mapped[bool] = mapped_column(Boolean, info=label(_l("Time-bound")))
    time_bound_why: Mapped[str] = mapped_column(Text, info=label(_l("Time-bound: justification")))
    #: Whether every criterion held when the check was made, the plan's rules included.
    passed: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Passed")))

    improvement = relationship("Improvement", back_populates="checks")
    checked_by = relationship("User")

    def __str__(self) -> str:
        return f"SMART {self.improvement_id} {self.checked_on:%Y-%m-%d}"


class PriorityCriterion(Audited, Versioned, db.Model):
    """A criterion groups score opportunities on (impact on loyalty, effort, urgency…), with its weight."""

    __tablename__ = "improvement_priority_criteria"
    __audit_label__ = _l("Prioritisation criterion")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, info=label(_l("Criterion")))
    weight: Mapped[float] = mapped_column(Float, info=label(_l("Weight")))
    #: Effort and cost count against an opportunity: a high score lowers its priority.
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Higher is better")))
    #: Which axis of the impact × effort chart the criterion feeds: ``impact``, ``effort`` or empty.
    axis: Mapped[str | None] = mapped_column(String(10), info=label(_l("Chart axis")))
    position: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Order")))

    def __str__(self) -> str:
        return self.name


class PriorityScore(Audited, db.Model):
    """The group's score (1–5) of one improvement on one criterion."""

    __tablename__ = "improvement_priority_scores"
    __audit_name__ = _l("%(criterion_id)s: %(score)s")
    __audit_parent__ = "improvement_id"
    __audit_label__ = _l("Priority score")
    __table_args__ = (UniqueConstraint("improvement_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                info=label(_l("Improvement")))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("improvement_priority_criteria.id"), index=True,
                                              info=label(_l("Criterion")))
    score: Mapped[int] = mapped_column(Integer, info=label(_l("Score")))

    improvement = relationship("Improvement", back_populates="scores")
    criterion = relationship("PriorityCriterion")

    def __str__(self) -> str:
        return f"{self.improvement_id}/{self.criterion_id}: {self.score}"
