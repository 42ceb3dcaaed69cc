"""The process map: programmes, processes, indicators and their measurements, interfaces and SLAs."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.i18n import number
from core.models import stored_enum
from core.timeutil import utcnow
from core.versioning import Versioned


class ProcessKind(enum.StrEnum):
    """Where a process sits on the map, as quality people draw it."""

    STRATEGIC = "strategic"
    KEY = "key"
    SUPPORT = "support"


class ProcessStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_FORCE = "in_force"
    RETIRED = "retired"


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Direction(enum.StrEnum):
    """Whether a larger value of the indicator is better or worse."""

    HIGHER = "higher"
    LOWER = "lower"


class IndicatorKind(enum.StrEnum):
    """E1 asks for both: what clients/people perceive, and how the process performs."""

    PERCEPTION = "perception"
    PERFORMANCE = "performance"


class Programme(Audited, Versioned, db.Model):
    """A programme of the organisation; the loyalty programme and the others it has interfaces with (A2)."""

    __tablename__ = "programmes"
    __record_page__ = "processes.edit_programme"
    __audit_label__ = _l("Programme")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, info=label(_l("Code")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    description: Mapped[str | None] = mapped_column(Text, info=label(_l("Description")))
    #: The programme under certification; its map is the one criterion A1 asks for.
    is_certified: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Under certification")))

    processes = relationship("Process", back_populates="programme", order_by="Process.code")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Process(Audited, Versioned, db.Model):
    """A process sheet ("ficha de proceso"): what the process is for, who owns it, who takes part."""

    __tablename__ = "processes"
    __record_page__ = "processes.process_detail"
    __audit_label__ = _l("Process")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, info=label(_l("Code")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    kind: Mapped[ProcessKind] = mapped_column(stored_enum(ProcessKind), info=label(_l("Type")))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True,
                                              info=label(_l("Programme")))
    #: Macro-process → process → sub-process.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"), index=True,
                                                  info=label(_l("Parent process")))
    purpose: Mapped[str | None] = mapped_column(Text, info=label(_l("Purpose")))
    scope_start: Mapped[str | None] = mapped_column(Text, info=label(_l("Starts with")))
    scope_end: Mapped[str | None] = mapped_column(Text, info=label(_l("Ends with")))
    inputs: Mapped[str | None] = mapped_column(Text, info=label(_l("Inputs")))
    outputs: Mapped[str | None] = mapped_column(Text, info=label(_l("Outputs")))
    #: Who receives the process's outputs (internal or external clients of the process).
    process_clients: Mapped[str | None] = mapped_column(Text, info=label(_l("Clients of the process")))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Owner")))
    status: Mapped[ProcessStatus] = mapped_column(stored_enum(ProcessStatus), default=ProcessStatus.DRAFT,
                                                  info=label(_l("Status")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Months between periodic reviews of the sheet; None: no periodic review is planned.
    review_interval_months: Mapped[int | None] = mapped_column(Integer, info=label(_l("Review every (months)")))
    #: The last periodic review that found the published sheet still right (approving a new version is one too).
    reviewed_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Last reviewed on")))

    programme = relationship("Programme", back_populates="processes")
    parent = relationship("Process", remote_side=[id], back_populates="children")
    children = relationship("Process", back_populates="parent", order_by="Process.code")
    owner = relationship("User")
    participants = relationship("Participant", back_populates="process", cascade="all, delete-orphan",
                                order_by="Participant.id")
    indicators = relationship("Indicator", back_populates="process", order_by="Indicator.code")
    documents = relationship("ProcessDocument", back_populates="process", cascade="all, delete-orphan",
                             order_by="ProcessDocument.id")
    stages = relationship("ProcessStage", back_populates="process", cascade="all, delete-orphan",
                          order_by="(ProcessStage.position, ProcessStage.id)")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Participant(Audited, db.Model):
    """A person taking part in a process, with their role in it."""

    __tablename__ = "process_participants"
    __audit_name__ = _l("%(user_id)s in %(process_id)s")
    __audit_parent__ = "process_id"
    __audit_label__ = _l("Process participant")
    __table_args__ = (UniqueConstraint("process_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))
    role: Mapped[str] = mapped_column(String(120), info=label(_l("Role in the process")))

    process = relationship("Process", back_populates="participants")
    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class ProcessDocument(Audited, db.Model):
    """A related document of a process (procedure, form, instruction), stored with the shared uploads."""

    __tablename__ = "process_documents"
    __audit_parent__ = "process_id"
    __audit_label__ = _l("Process document")

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), info=label(_l("File")))
    title: Mapped[str] = mapped_column(String(200), info=label(_l("Title")))

    process = relationship("Process", back_populates="documents")
    file = relationship("StoredFile")

    def __str__(self) -> str:
        return self.title


class ProcessStage(Audited, Versioned, db.Model):
    """One stage of a process diagram (C3): what is done, who answers for it, who holds the know-how."""

    __tablename__ = "process_stages"
    __audit_parent__ = "process_id"
    __audit_label__ = _l("Diagram stage")

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))
    #: Order within the diagram; gaps are allowed, ties fall back to the id.
    position: Mapped[int] = mapped_column(Integer, info=label(_l("Order")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Stage")))
    description: Mapped[str | None] = mapped_column(Text, info=label(_l("What is done")))
    #: The role that answers for the stage; it names the swimlane the stage is drawn in.
    responsible_role: Mapped[str] = mapped_column(String(120), info=label(_l("Responsible role")))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True,
                                                       info=label(_l("Responsible person")))

    process = relationship("Process", back_populates="stages")
    responsible = relationship("User")
    knowledge_holders = relationship("KnowledgeHolder", back_populates="stage", cascade="all, delete-orphan",
                                     order_by="KnowledgeHolder.id")

    def __str__(self) -> str:
        return self.name


class KnowledgeHolder(Audited, db.Model):
    """A person who holds the knowledge a stage needs (C3: who must be informed and trained on changes)."""

    __tablename__ = "process_stage_knowledge_holders"
    __audit_name__ = _l("%(user_id)s in %(stage_id)s")
    __audit_label__ = _l("Knowledge holder")
    __table_args__ = (UniqueConstraint("stage_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("process_stages.id"), index=True,
                                          info=label(_l("Diagram stage")))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=label(_l("Person")))

    stage = relationship("ProcessStage", back_populates="knowledge_holders")
    user = relationship("User")

    def __str__(self) -> str:
        return str(self.user)


class ProcessStandard(Audited, Versioned, db.Model):
    """The organisation's standard for managing processes (A1): what every process sheet must have."""

    __tablename__ = "process_standards"
    __audit_label__ = _l("Process-management standard")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Names of the sheet fields that must be filled in (see ``services.SHEET_FIELDS``).
    required_fields: Mapped[list] = mapped_column(db.JSON, default=list, info=label(_l("Required fields")))
    min_indicators: Mapped[int] = mapped_column(Integer, default=1, info=label(_l("Minimum indicators")))
    min_participants: Mapped[int] = mapped_column(Integer, default=1, info=label(_l("Minimum participants")))
    #: Whether every indicator must have a target for the process to count as complete.
    targets_required: Mapped[bool] = mapped_column(Boolean, default=True,
                                                   info=label(_l("Indicators need a target")))

    def __str__(self) -> str:
        return str(_l("Process-management standard"))


class Indicator(Audited, Versioned, db.Model):
    """What a process measures, how often, and which way is better."""

    __tablename__ = "indicators"
    __audit_parent__ = "process_id"
    __record_page__ = "processes.indicator_detail"
    __audit_label__ = _l("Indicator")

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))
    code: Mapped[str] = mapped_column(String(30), unique=True, info=label(_l("Code")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    #: How it is calculated, in words or as a formula.
    definition: Mapped[str | None] = mapped_column(Text, info=label(_l("Definition / formula")))
    unit: Mapped[str | None] = mapped_column(String(30), info=label(_l("Unit")))
    frequency: Mapped[Frequency] = mapped_column(stored_enum(Frequency), info=label(_l("Frequency")))
    direction: Mapped[Direction] = mapped_column(stored_enum(Direction), info=label(_l("Better when")))
    kind: Mapped[IndicatorKind] = mapped_column(stored_enum(IndicatorKind), info=label(_l("Kind")))
    #: The value beyond which a result is no longer "on the way" to the target but off it.
    alert_threshold: Mapped[float | None] = mapped_column(Float, info=label(_l("Alert threshold")))
    data_source: Mapped[str | None] = mapped_column(String(200), info=label(_l("Data source")))
    #: The app's own figure the indicator is computed from (a key of ``core.signals.indicator_sources``, e.g.
    #: ``"surveys.nps"``); None for an indicator whose measurements people enter.
    computed_source: Mapped[str | None] = mapped_column(String(60), info=label(_l("Computed from")))
    #: The record that figure is computed for, where it takes one (the survey of ``"surveys.nps"``).
    source_parameter: Mapped[int | None] = mapped_column(Integer, info=label(_l("Computed for")))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True,
                                                       info=label(_l("Responsible")))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Active")))

    process = relationship("Process", back_populates="indicators")
    responsible = relationship("User")
    targets = relationship("Target", back_populates="indicator", order_by="Target.valid_from",
                           cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Target(Audited, db.Model):
    """The target of an indicator from a period on, until a later target replaces it."""

    __tablename__ = "indicator_targets"
    __audit_label__ = _l("Target")
    __table_args__ = (UniqueConstraint("indicator_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True,
                                              info=label(_l("Indicator")))
    #: The first day of the first period the target holds for.
    valid_from: Mapped[date] = mapped_column(Date, info=label(_l("From")))
    value: Mapped[float] = mapped_column(Float, info=label(_l("Target")))

    indicator = relationship("Indicator", back_populates="targets")

    def __str__(self) -> str:
        return f"{self.indicator.code if self.indicator else ''} ≥ {self.valid_from}: {self.value}"


class Measurement(Audited, Versioned, db.Model):
    """The value of an indicator for one period."""

    __tablename__ = "measurements"
    __audit_label__ = _l("Measurement")
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True,
                                              info=label(_l("Indicator")))
    #: The first day of the period (month, quarter or year) the value belongs to.
    period: Mapped[date] = mapped_column(Date, info=label(_l("Period")))
    value: Mapped[float] = mapped_column(Float, info=label(_l("Value")))
    comment: Mapped[str | None] = mapped_column(Text, info=label(_l("Comment")))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Entered by")))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Written by the app from the indicator's computed source (``processes.computed``), never typed.
    computed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                           info=label(_l("Computed")))

    indicator = relationship("Indicator")
    entered_by = relationship("User")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}: {number(self.value, None)}"  # the period as the grid writes it


class Benchmark(Audited, db.Model):
    """An external comparison for an indicator: what another organisation or a study reports."""

    __tablename__ = "benchmarks"
    __audit_label__ = _l("External comparison")

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True,
                                              info=label(_l("Indicator")))
    source: Mapped[str] = mapped_column(String(200), info=label(_l("Source")))
    period: Mapped[date] = mapped_column(Date, info=label(_l("Period")))
    value: Mapped[float] = mapped_column(Float, info=label(_l("Value")))

    indicator = relationship("Indicator")

    def __str__(self) -> str:
        return f"{self.source} {self.period:%Y-%m}: {number(self.value, None)}"


class Interface(Audited, Versioned, db.Model):
    """What flows from one process to another (often of another programme) and the SLA that governs it."""

    __tablename__ = "interfaces"
    __record_page__ = "processes.edit_interface"
    __audit_label__ = _l("Interface")

    id: Mapped[int] = mapped_column(primary_key=True)
    from_process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True,
                                                 info=label(_l("From process")))
    to_process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True,
                                               info=label(_l("To process")))
    flow: Mapped[str] = mapped_column(String(300), info=label(_l("What flows")))
    #: The interface problem identified (A2), if any.
    problem: Mapped[str | None] = mapped_column(Text, info=label(_l("Problem identified")))
    #: The service-level agreement (ANS): the commitment in words …
    agreement: Mapped[str | None] = mapped_column(Text, info=label(_l("Agreement (SLA)")))
    #: … and the measurable level the linked indicator must reach.
    agreed_level: Mapped[float | None] = mapped_column(Float, info=label(_l("Agreed level")))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True,
                                                     info=label(_l("Indicator")))
    from_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Owner (from)")))
    to_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Owner (to)")))
    review_date: Mapped[date | None] = mapped_column(Date, info=label(_l("Review date")))
    #: Months between reviews: recording a review moves ``review_date`` on by this much.
    review_interval_months: Mapped[int | None] = mapped_column(Integer, info=label(_l("Review every (months)")))

    from_process = relationship("Process", foreign_keys=[from_process_id])
    to_process = relationship("Process", foreign_keys=[to_process_id])
    indicator = relationship("Indicator")
    from_owner = relationship("User", foreign_keys=[from_owner_id])
    to_owner = relationship("User", foreign_keys=[to_owner_id])

    def __str__(self) -> str:
        return f"{self.flow[:80]}"


class Revision(Audited, db.Model):
    """A numbered revision of a process sheet: who changed it, when, why, and the sheet as it then was."""

    __tablename__ = "process_revisions"
    __audit_label__ = _l("Process revision")
    __table_args__ = (UniqueConstraint("process_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))
    number: Mapped[int] = mapped_column(Integer, info=label(_l("Revision")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Author")))
    reason: Mapped[str] = mapped_column(Text, info=label(_l("Reason for the change")))
    #: The improvement that caused the change (C3).
    improvement_id: Mapped[int | None] = mapped_column(ForeignKey("improvements.id"), index=True,
                                                      info=label(_l("Improvement")))
    #: The sheet's fields after this revision, to show what changed between two revisions.
    snapshot: Mapped[dict] = mapped_column(db.JSON, default=dict, info=label(_l("Sheet as saved")))
    #: Document control (``processes.document_control``): a revision is a draft until submitted for approval,
    #: and published once approved, from its effective date on.
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Submitted on")))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Submitted by")))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Approved on")))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Approved by")))
    effective_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Effective from")))

    process = relationship("Process")
    author = relationship("User", foreign_keys=[author_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    def __str__(self) -> str:
        return f"{self.process.code if self.process else ''} rev. {self.number}"


class ServiceMoment(Audited, Versioned, db.Model):
    """A moment of contact a client passes through in a programme (the service cycle, seed 001, Dimensión 3):
    welcome, enrolment, a first purchase, a claim… in the order the client meets them, with the processes that
    serve it and the indicators that measure its quality."""

    __tablename__ = "service_moments"
    __record_page__ = "processes.edit_moment"
    __audit_parent__ = "programme_id"
    __audit_label__ = _l("Moment of the service cycle")

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True, info=label(_l("Programme")))
    #: Order in the cycle; renumbered 1, 2, 3… when moments move or go.
    position: Mapped[int] = mapped_column(Integer, info=label(_l("Order")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Moment of contact")))
    description: Mapped[str | None] = mapped_column(Text, info=label(_l("What the client experiences")))

    programme = relationship("Programme")
    process_links = relationship("ServiceMomentProcess", back_populates="moment", cascade="all, delete-orphan",
                                 order_by="ServiceMomentProcess.id")
    indicator_links = relationship("ServiceMomentIndicator", back_populates="moment", cascade="all, delete-orphan",
                                   order_by="ServiceMomentIndicator.id")
    processes = relationship("Process", secondary="service_moment_processes", order_by="Process.code",
                             viewonly=True)
    indicators = relationship("Indicator", secondary="service_moment_indicators", order_by="Indicator.code",
                              viewonly=True)

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ServiceMomentProcess(Audited, db.Model):
    """A process that serves a moment of contact."""

    __tablename__ = "service_moment_processes"
    __audit_name__ = _l("%(process_id)s in %(moment_id)s")
    __audit_parent__ = "moment_id"
    __audit_label__ = _l("Process of a moment of contact")
    __table_args__ = (UniqueConstraint("moment_id", "process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("service_moments.id"), index=True,
                                           info=label(_l("Moment of contact")))
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), index=True, info=label(_l("Process")))

    moment = relationship("ServiceMoment", back_populates="process_links")
    process = relationship("Process")


class ServiceMomentIndicator(Audited, db.Model):
    """An indicator that measures the quality of a moment of contact."""

    __tablename__ = "service_moment_indicators"
    __audit_name__ = _l("%(indicator_id)s in %(moment_id)s")
    __audit_parent__ = "moment_id"
    __audit_label__ = _l("Quality indicator of a moment of contact")
    __table_args__ = (UniqueConstraint("moment_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moment_id: Mapped[int] = mapped_column(ForeignKey("service_moments.id"), index=True,
                                           info=label(_l("Moment of contact")))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True, info=label(_l("Indicator")))

    moment = relationship("ServiceMoment", back_populates="indicator_links")
    indicator = relationship("Indicator")
