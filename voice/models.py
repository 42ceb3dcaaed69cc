"""The voice of the client (B1): complaints and their categories, listening activities, requirements, and
what listening costs (the cost of a survey wave and the assumptions of the benefit estimate)."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label, value_labels
from core.extensions import db
from core.i18n import day
from core.models import stored_enum
from core.needs import NeedLevel
from core.rules import RuleError, TransitionRefused
from core.timeutil import utcnow
from core.transitions import require_reason
from core.versioning import Versioned
from loyalty.models import Typology
from surveys.models import Wave


class ContactKind(enum.StrEnum):
    """What the client came with (B1 "enquiries, complaints, claims and incidents")."""

    ENQUIRY = "enquiry"
    COMPLAINT = "complaint"
    #: A complaint asking for something back (a refund, a correction): the organisation owes an answer.
    CLAIM = "claim"
    INCIDENT = "incident"


class Channel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"
    WEB = "web"
    LETTER = "letter"
    OTHER = "other"


class ActivityKind(enum.StrEnum):
    """The ways of listening B1 names besides surveys and complaints, and the staff focus group (D1)."""

    FOCUS_GROUP = "focus_group"
    TRUSTED_CLIENT = "trusted_client"
    MARKET_STUDY = "market_study"
    INTERNAL_KNOWLEDGE = "internal_knowledge"
    #: Listening to the people who took part in the improvement groups (D1, seed 004, beside the participation
    #: survey): not a client activity, so B1 does not count it and it produces no client requirement.
    STAFF_FOCUS_GROUP = "staff_focus_group"


#: The kinds that listen to clients (B1); the rest listen to staff (D1).
CLIENT_ACTIVITY_KINDS = (ActivityKind.FOCUS_GROUP, ActivityKind.TRUSTED_CLIENT, ActivityKind.MARKET_STUDY,
                         ActivityKind.INTERNAL_KNOWLEDGE)


class RequirementSource(enum.StrEnum):
    """Where a requirement was heard: B1's list of sources."""

    INTERNAL_KNOWLEDGE = "internal_knowledge"
    FOCUS_GROUP = "focus_group"
    TRUSTED_CLIENT = "trusted_client"
    COMPLAINT = "complaint"
    SURVEY = "survey"
    MARKET_STUDY = "market_study"


class RequirementStatus(enum.StrEnum):
    NEW = "new"
    ANALYSED = "analysed"
    IN_IMPROVEMENT = "in_improvement"
    ADDRESSED = "addressed"
    REJECTED = "rejected"


#: What people call each status (the workflow's refusals name them).
REQUIREMENT_STATUS_LABELS = value_labels({
    RequirementStatus.NEW: lazy_pgettext("requirement status", "New"),
    RequirementStatus.ANALYSED: _l("Analysed"),
    RequirementStatus.IN_IMPROVEMENT: _l("In improvement"),
    RequirementStatus.ADDRESSED: _l("Addressed"),
    RequirementStatus.REJECTED: lazy_pgettext("requirement status", "Rejected"),
})
#: The moves the requirements workflow allows: forward one step, back one step, or rejected (with a reason).
REQUIREMENT_MOVES = {
    RequirementStatus.NEW: {RequirementStatus.ANALYSED, RequirementStatus.REJECTED},
    RequirementStatus.ANALYSED: {RequirementStatus.NEW, RequirementStatus.IN_IMPROVEMENT,
                                 RequirementStatus.ADDRESSED, RequirementStatus.REJECTED},
    RequirementStatus.IN_IMPROVEMENT: {RequirementStatus.ANALYSED, RequirementStatus.ADDRESSED,
                                       RequirementStatus.REJECTED},
    RequirementStatus.ADDRESSED: {RequirementStatus.IN_IMPROVEMENT},
    RequirementStatus.REJECTED: {RequirementStatus.NEW},
}
#: The moves back one step: they may undo evidence (B1 counts the requirements the organisation acted on), so
#: they are confirmed and say why.
REQUIREMENT_BACKWARD = {
    (RequirementStatus.ANALYSED, RequirementStatus.NEW),
    (RequirementStatus.IN_IMPROVEMENT, RequirementStatus.ANALYSED),
    (RequirementStatus.ADDRESSED, RequirementStatus.IN_IMPROVEMENT),
    (RequirementStatus.REJECTED, RequirementStatus.NEW),
}
#: The kind of record of a requirement in the state-change history (``core.transitions``).
REQUIREMENT_HISTORY_KIND = "requirement"


class VoiceRuleError(RuleError):
    """A record the rules refuse; the message says what and where."""


def listening_cost(staff_hours: float | None, hourly_rate: float | None, external_cost: float | None) -> float:
    """What an activity or a survey wave cost: staff hours × hourly rate + external cost (missing figures count
    as nothing)."""
    return (staff_hours or 0) * (hourly_rate or 0) + (external_cost or 0)


class ComplaintCategory(Audited, db.Model):
    """What complaints are about (delays, wrong statement, treatment…): a list the team keeps."""

    __tablename__ = "complaint_categories"
    __audit_label__ = _l("Complaint category")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, info=label(_l("Name")))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Offered")))

    def __str__(self) -> str:
        return self.name


class Complaint(Audited, Versioned, db.Model):
    """An enquiry, complaint, claim or incident a client raised, and how and when it was answered."""

    __tablename__ = "complaints"
    __record_page__ = "voice.complaint_detail"
    __audit_label__ = _l("Enquiry, complaint, claim or incident")
    __table_args__ = (
        Index("ix_complaints_category_received", "category_id", "received_on"),
        CheckConstraint("responded_on IS NULL OR responded_on >= received_on", name="response_order"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation's own number for it (from the ticketing tool); imports refuse one already recorded.
    reference: Mapped[str | None] = mapped_column(String(40), unique=True, info=label(_l("Reference")))
    kind: Mapped[ContactKind] = mapped_column(stored_enum(ContactKind), index=True, info=label(_l("Kind")))
    received_on: Mapped[date] = mapped_column(Date, index=True, info=label(_l("Received on")))
    channel: Mapped[Channel] = mapped_column(stored_enum(Channel), info=label(_l("Channel")))
    category_id: Mapped[int] = mapped_column(ForeignKey("complaint_categories.id"), info=label(_l("Category")))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True, info=label(_l("Client")))
    description: Mapped[str] = mapped_column(Text, info=label(_l("Description")))
    responded_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Responded on")))
    resolution: Mapped[str | None] = mapped_column(Text, info=label(_l("Resolution")))
    #: The client's satisfaction with the resolution, 1 (very dissatisfied) to 5 (very satisfied).
    satisfaction: Mapped[int | None] = mapped_column(Integer, info=label(_l("Satisfaction with the resolution")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Recorded by")))

    category = relationship("ComplaintCategory")
    client = relationship("Client")
    created_by = relationship("User")

    @property
    def response_days(self) -> int | None:
        """Days from receipt to response (lists compute it in SQL; this is for one record)."""
        return (self.responded_on - self.received_on).days if self.responded_on else None

    def __str__(self) -> str:
        return self.reference or f"#{self.id} · {day(self.received_on)}"


class ListeningActivity(Audited, Versioned, db.Model):
    """A focus group, trusted-client consultation, market study or internal-knowledge session, and its cost."""

    __tablename__ = "listening_activities"
    __record_page__ = "voice.activity_detail"
    __audit_label__ = _l("Listening activity")

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(stored_enum(ActivityKind), index=True, info=label(_l("Kind")))
    title: Mapped[str] = mapped_column(String(200), info=label(_l("Title")))
    held_on: Mapped[date] = mapped_column(Date, index=True, info=label(_l("Held on")))
    #: How many clients (or client-facing staff, for an internal-knowledge session; the people of the improvement
    #: groups, for a staff focus group) took part.
    participants: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Participants")))
    #: The typology of those who took part, when they were of one.
    typology: Mapped[Typology | None] = mapped_column(stored_enum(Typology), info=label(_l("Typology")))
    findings: Mapped[str | None] = mapped_column(Text, info=label(_l("Findings")))
    #: Staff time spent preparing, holding and analysing it.
    staff_hours: Mapped[float] = mapped_column(Float, default=0, info=label(_l("Staff hours")))
    hourly_rate: Mapped[float] = mapped_column(Float, default=0, info=label(_l("Hourly rate")))
    #: Venue, facilitator, incentives, a market-research firm…
    external_cost: Mapped[float] = mapped_column(Float, default=0, info=label(_l("External cost")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    requirements = relationship("Requirement", back_populates="activity", order_by="Requirement.id")

    @property
    def cost(self) -> float:
        return listening_cost(self.staff_hours, self.hourly_rate, self.external_cost)

    def __str__(self) -> str:
        return f"{self.title} ({day(self.held_on)})"


class WaveCost(Audited, Versioned, db.Model):
    """What one survey wave cost to run (kept here, by wave id, so the survey engine stays cost-free)."""

    __tablename__ = "survey_wave_costs"
    __audit_label__ = _l("Survey wave cost")

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id"), unique=True, info=label(_l("Survey wave")))
    staff_hours: Mapped[float] = mapped_column(Float, default=0, info=label(_l("Staff hours")))
    hourly_rate: Mapped[float] = mapped_column(Float, default=0, info=label(_l("Hourly rate")))
    external_cost: Mapped[float] = mapped_column(Float, default=0, info=label(_l("External cost")))
    note: Mapped[str | None] = mapped_column(String(300), info=label(_l("Note")))

    wave = relationship(Wave)

    @property
    def cost(self) -> float:
        return listening_cost(self.staff_hours, self.hourly_rate, self.external_cost)

    def __str__(self) -> str:
        return str(self.wave.name) if self.wave else f"#{self.wave_id}"


class Requirement(Audited, Versioned, db.Model):
    """Something clients need or expect, said (explicit) or inferred (implicit), and what became of it."""

    __tablename__ = "client_requirements"
    __record_page__ = "voice.requirement_detail"
    __audit_label__ = _l("Client requirement")
    __table_args__ = (
        CheckConstraint("(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END + CASE WHEN complaint_id IS NULL "
                        "THEN 0 ELSE 1 END + CASE WHEN wave_id IS NULL THEN 0 ELSE 1 END) <= 1",
                        name="one_origin"),
        CheckConstraint("importance BETWEEN 1 AND 3", name="importance_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str] = mapped_column(Text, info=label(_l("Requirement")))
    #: True when clients said it; False when the team inferred it (an implicit requirement).
    explicit: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Explicit")))
    typology: Mapped[Typology | None] = mapped_column(stored_enum(Typology), index=True, info=label(_l("Typology")))
    source: Mapped[RequirementSource] = mapped_column(stored_enum(RequirementSource), index=True,
                                                      info=label(_l("Source")))
    identified_on: Mapped[date] = mapped_column(Date, index=True, info=label(_l("Identified on")))
    #: Which level of the client's needs it is about (seed 003): basic, expected, desired or unanticipated.
    need_level: Mapped[NeedLevel | None] = mapped_column(stored_enum(NeedLevel), index=True,
                                                         info=label(_l("Level of need")))
    #: 1 low, 2 medium, 3 high.
    importance: Mapped[int] = mapped_column(Integer, default=2, info=label(_l("Importance")))
    status: Mapped[RequirementStatus] = mapped_column(stored_enum(RequirementStatus), default=RequirementStatus.NEW,
                                                      index=True, info=label(_l("Status")))
    rejection_reason: Mapped[str | None] = mapped_column(Text, info=label(_l("Why rejected")))
    # The record it came from: at most one (none for a requirement recorded freely).
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("listening_activities.id"), index=True,
                                                    info=label(_l("Listening activity")))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True,
                                                     info=label(_l("Complaint")))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("survey_waves.id"), index=True,
                                                info=label(_l("Survey wave")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    activity = relationship("ListeningActivity", back_populates="requirements")
    complaint = relationship("Complaint")
    wave = relationship(Wave)

    @property
    def origin(self):
        """The record it came from, or None."""
        return self.activity or self.complaint or self.wave

    def move_to(self, status: RequirementStatus, *, reason: str | None = None) -> None:
        """Change status; refuse a move the workflow does not allow, and a rejection or a move back without a
        reason."""
        if status not in REQUIREMENT_MOVES[self.status]:
            raise TransitionRefused(_l("A requirement cannot go from “%(old)s” to “%(new)s”.",
                                     old=REQUIREMENT_STATUS_LABELS[self.status], new=REQUIREMENT_STATUS_LABELS[status]))
        if (self.status, status) in REQUIREMENT_BACKWARD:
            require_reason(reason, _l("Say why the requirement goes back from “%(old)s” to “%(new)s”.",
                                      old=REQUIREMENT_STATUS_LABELS[self.status],
                                      new=REQUIREMENT_STATUS_LABELS[status]))
        if status == RequirementStatus.REJECTED:
            if not (reason or "").strip():
                raise TransitionRefused(_l("Say why the requirement is rejected."))
            self.rejection_reason = reason.strip()
        elif self.status == RequirementStatus.REJECTED:
            self.rejection_reason = None
        self.status = status

    def __str__(self) -> str:
        text = " ".join(self.statement.split())
        return text if len(text) <= 80 else text[:79] + "…"


class ListeningAssumptions(Audited, Versioned, db.Model):
    """The assumptions of "is listening worth it?" (seeds/000), in one row the coordinator edits."""

    __tablename__ = "listening_assumptions"
    __audit_label__ = _l("Cost of listening assumptions")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The year whose retention rate is the reference (the year before systematic listening began).
    baseline_year: Mapped[int | None] = mapped_column(Integer, info=label(_l("Baseline year")))
    #: The share of the change in retention credited to listening (other causes take the rest), in per cent.
    attribution: Mapped[float] = mapped_column(Float, default=50, info=label(_l("Share credited to listening (%)")))
    #: How many years a client kept keeps contributing: the benefit of keeping them one year is worth this many.
    value_years: Mapped[float] = mapped_column(Float, default=1,
                                               info=label(_l("Years of contribution per client kept")))
    #: Replaces the census's average contribution when set (e.g. a margin the census does not hold).
    average_contribution: Mapped[float | None] = mapped_column(Float, info=label(_l("Average contribution")))
    #: Offered as the hourly rate of new activities and wave costs.
    default_hourly_rate: Mapped[float] = mapped_column(Float, default=30, info=label(_l("Default hourly rate")))
