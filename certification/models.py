"""A certification cycle and the findings its reviewers record.

Both are state machines whose moves are checked here (``move_to``), kept as history (``core.transitions``)
by the services that make them, and never deleted once they count as evidence: a cycle that has a pack or a
finding is closed, not removed; a finding that was recorded is closed or withdrawn, never erased.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label, value_labels
from core.extensions import db
from core.models import stored_enum
from core.rules import TransitionRefused
from core.timeutil import utcnow
from core.transitions import require_reason
from core.versioning import Versioned

# The records the relationships below name, mapped before these (whichever package is imported first, the mapper
# must find "CriteriaSet", "Criterion" and "Improvement" when it is configured, e.g. by a ``joinedload`` at import).
from evidence import models as _evidence_models  # noqa: F401
from improvements import models as _improvement_models  # noqa: F401


class CycleState(enum.StrEnum):
    """Where a certification cycle stands."""

    PREPARING = "preparing"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


CYCLE_STATE_LABELS = value_labels({
    CycleState.PREPARING: _l("Preparing"),
    CycleState.UNDER_REVIEW: _l("Under review"),
    CycleState.CLOSED: _l("Closed"),
})

#: Preparing → under review (the visit starts) → closed (the reviewers' report is final). A review that
#: started too early goes back to preparing, with a reason; a closed cycle is history and stays closed.
CYCLE_TRANSITIONS = {
    CycleState.PREPARING: {CycleState.UNDER_REVIEW},
    CycleState.UNDER_REVIEW: {CycleState.CLOSED, CycleState.PREPARING},
    CycleState.CLOSED: set(),
}
CYCLE_BACKWARD = {(CycleState.UNDER_REVIEW, CycleState.PREPARING)}
#: The kind of record in the state-change history (``core.transitions``).
CYCLE_HISTORY_KIND = "certification_cycle"
FINDING_HISTORY_KIND = "certification_finding"

cycle_reviewers = Table(
    "certification_cycle_reviewers", db.metadata,
    Column("cycle_id", ForeignKey("certification_cycles.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Cycle(Audited, Versioned, db.Model):
    """One certification (or renewal, or follow-up visit): the criteria set, the scope in words, the period the
    data covers, the visit's dates and its reviewers."""

    __tablename__ = "certification_cycles"
    __audit_label__ = _l("Certification cycle")
    __record_page__ = "certification.cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"), index=True, info=label(_l("Criteria set")))
    #: The scope, in words, as the certificate will state it.
    scope_programmes: Mapped[str | None] = mapped_column(Text, info=label(_l("Programmes in scope")))
    scope_sites: Mapped[str | None] = mapped_column(Text, info=label(_l("Sites in scope")))
    scope_exclusions: Mapped[str | None] = mapped_column(Text, info=label(_l("Exclusions")))
    #: The period the data covers: criteria that read a window read this one in the cycle's pack.
    period_start: Mapped[date] = mapped_column(Date, info=label(_l("Period from")))
    period_end: Mapped[date] = mapped_column(Date, info=label(_l("Period to")))
    visit_planned_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Visit planned on")))
    visit_held_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Visit held on")))
    state: Mapped[CycleState] = mapped_column(stored_enum(CycleState), default=CycleState.PREPARING, index=True,
                                              info=label(_l("State")))
    closed_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Closed on")))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Created by")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    criteria_set = relationship("CriteriaSet")
    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewers = relationship("User", secondary=cycle_reviewers, order_by="User.name")
    findings = relationship("Finding", back_populates="cycle", order_by="Finding.number")

    def __str__(self) -> str:
        return self.name

    def move_to(self, state: CycleState, *, today: date, why: str | None = None) -> None:
        """Change state; refuse a move the cycle does not allow, and going back without ``why``."""
        if state not in CYCLE_TRANSITIONS[self.state]:
            raise TransitionRefused(_l("A cycle cannot go from “%(old)s” to “%(new)s”.",
                                       old=CYCLE_STATE_LABELS[self.state], new=CYCLE_STATE_LABELS[state]))
        if (self.state, state) in CYCLE_BACKWARD:
            require_reason(why, _l("Say why the cycle goes back from “%(old)s” to “%(new)s”.",
                                   old=CYCLE_STATE_LABELS[self.state], new=CYCLE_STATE_LABELS[state]))
        if state is CycleState.CLOSED:
            self.closed_on = today
        self.state = state

    def covers(self, day: date) -> bool:
        return self.period_start <= day <= self.period_end


class FindingKind(enum.StrEnum):
    """What a reviewer found: the two grades of nonconformity, an observation, an opportunity for improvement."""

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"
    OPPORTUNITY = "opportunity"

    @property
    def is_nonconformity(self) -> bool:
        return self in (FindingKind.MAJOR, FindingKind.MINOR)


FINDING_KIND_LABELS = value_labels({
    FindingKind.MAJOR: _l("Major nonconformity"),
    FindingKind.MINOR: _l("Minor nonconformity"),
    FindingKind.OBSERVATION: _l("Observation"),
    FindingKind.OPPORTUNITY: _l("Opportunity for improvement"),
})


class FindingState(enum.StrEnum):
    """Open (recorded by the reviewer) → answered (root cause and action, by a coordinator) → closed (verified by
    the reviewer). An answer the reviewer does not accept sends the finding back to open, with a reason."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


FINDING_STATE_LABELS = value_labels({
    FindingState.OPEN: _l("Open"),
    FindingState.ANSWERED: _l("Answered"),
    FindingState.CLOSED: _l("Closed"),
})

FINDING_TRANSITIONS = {
    FindingState.OPEN: {FindingState.ANSWERED},
    FindingState.ANSWERED: {FindingState.CLOSED, FindingState.OPEN},
    FindingState.CLOSED: set(),
}
FINDING_BACKWARD = {(FindingState.ANSWERED, FindingState.OPEN)}


class Finding(Audited, Versioned, db.Model):
    """What a reviewer recorded within a cycle, on a criterion and optionally on a record, and how it was answered
    and closed. A nonconformity is answered with a root cause and a corrective action (an improvement action with
    its tasks, ``improvement_id``); an opportunity for improvement may become an improvement opportunity."""

    __tablename__ = "certification_findings"
    __record_page__ = "certification.finding"
    __audit_label__ = _l("Finding")
    __audit_parent__ = "cycle_id"
    __audit_kinds__ = {"record_id": "record_type"}
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("certification_cycles.id"), index=True,
                                          info=label(_l("Certification cycle")))
    #: 1, 2, 3… within the cycle: the reference the report and the pack print.
    number: Mapped[int] = mapped_column(Integer, info=label(_l("Number")))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True, info=label(_l("Criterion")))
    kind: Mapped[FindingKind] = mapped_column(stored_enum(FindingKind), info=label(_l("Kind")))
    text: Mapped[str] = mapped_column(Text, info=label(_l("Finding")))
    #: What the reviewer saw that supports it (documents, records, interviews), in words.
    evidence: Mapped[str | None] = mapped_column(Text, info=label(_l("Evidence seen")))
    #: The record it is about, as manual evidence points at one (``evidence.records``): process, indicator…
    record_type: Mapped[str | None] = mapped_column(String(30), info=label(_l("Record type")))
    record_id: Mapped[int | None] = mapped_column(Integer, info=label(_l("Record")))
    state: Mapped[FindingState] = mapped_column(stored_enum(FindingState), default=FindingState.OPEN, index=True,
                                                info=label(_l("State")))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Recorded by")))
    raised_on: Mapped[date] = mapped_column(Date, info=label(_l("Recorded on")))
    #: The coordinator's answer.
    root_cause: Mapped[str | None] = mapped_column(Text, info=label(_l("Root cause")))
    response: Mapped[str | None] = mapped_column(Text, info=label(_l("Response")))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Answered by")))
    answered_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Answered on")))
    #: The corrective action (for a nonconformity) or the improvement opportunity it became (for an opportunity
    #: for improvement): an improvement whose source is this finding.
    improvement_id: Mapped[int | None] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                       info=label(_l("Action")))
    #: The reviewer's verification.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Closed by")))
    closed_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Closed on")))
    closing_comment: Mapped[str | None] = mapped_column(Text, info=label(_l("Verification")))

    cycle = relationship("Cycle", back_populates="findings")
    criterion = relationship("Criterion")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    improvement = relationship("Improvement")

    def __str__(self) -> str:
        return f"{self.reference} {self.criterion.code if self.criterion else ''}".strip()

    @property
    def reference(self) -> str:
        """``NC-3``, ``OBS-1``…: the kind's prefix and the finding's number in its cycle."""
        return f"{FINDING_PREFIX[self.kind]}-{self.number}"

    def move_to(self, state: "FindingState", *, why: str | None = None) -> None:
        if state not in FINDING_TRANSITIONS[self.state]:
            raise TransitionRefused(_l("A finding cannot go from “%(old)s” to “%(new)s”.",
                                       old=FINDING_STATE_LABELS[self.state], new=FINDING_STATE_LABELS[state]))
        if (self.state, state) in FINDING_BACKWARD:
            require_reason(why, _l("Say why the answer is not accepted."))
        self.state = state


FINDING_PREFIX = {
    FindingKind.MAJOR: "NC",
    FindingKind.MINOR: "NC",
    FindingKind.OBSERVATION: "OBS",
    FindingKind.OPPORTUNITY: "OFI",
}
