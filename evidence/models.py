"""Criteria sets and their criteria, manual evidence with file revisions, self-assessments, reviewer verdicts,
pack-building jobs and the dated snapshots of every pack generated."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label
from core.extensions import db
from core.models import stored_enum
from core.timeutil import utcnow


class Assessment(enum.StrEnum):
    """A person's judgement of a criterion: the coordinator's self-assessment or the reviewer's verdict."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"

    @property
    def label(self) -> str:
        return str(ASSESSMENT_LABELS[self])


ASSESSMENT_LABELS = {
    Assessment.MET: _l("Met"),
    Assessment.PARTLY: _l("Partly met"),
    Assessment.NOT_MET: _l("Not met"),
}


def in_language(texts: dict | None, language: str) -> str:
    """The text of a ``{es: ..., en: ...}`` field in ``language`` (or any other it has)."""
    if not texts:
        return ""
    return texts.get(language) or next(iter(texts.values()), "")


class CriteriaSet(Audited, db.Model):
    """A certification checklist (A1–E1, or another standard's), loaded from a data file."""

    __tablename__ = "criteria_sets"
    __audit_label__ = _l("Criteria set")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True, info=label(_l("Code")))
    #: ``{es: ..., en: ...}``
    name: Mapped[dict] = mapped_column(JSON, info=label(_l("Name")))
    description: Mapped[dict | None] = mapped_column(JSON, info=label(_l("Description")))
    #: Shipped with Fideliza (``evidence/criteria/``) rather than added by a coordinator.
    builtin: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Shipped with Fideliza")))
    #: The set the organisation certifies against now; the checklist opens on it.
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("In use")))
    #: The file it came from.
    source: Mapped[str | None] = mapped_column(String(255), info=label(_l("File")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    #: The criteria in force: a criterion a newer version of the file no longer has, or changed while verdicts
    #: or evidence rested on it, is retired (``Criterion.retired_on``), never deleted; it leaves the checklist.
    criteria = relationship("Criterion", order_by="Criterion.position", cascade="all, delete-orphan",
                            primaryjoin="and_(CriteriaSet.id == Criterion.set_id, Criterion.retired_on.is_(None))",
                            overlaps="all_criteria,criteria_set")
    #: Every criterion the set has had, the retired ones included (its reloads compare the file with them).
    all_criteria = relationship("Criterion", order_by="Criterion.position", viewonly=True)

    def __str__(self) -> str:
        return self.code

    def title(self, language: str) -> str:
        return in_language(self.name, language)


evidence_item_criteria = Table(
    "evidence_item_criteria", db.metadata,
    Column("item_id", ForeignKey("evidence_items.id"), primary_key=True),
    Column("criterion_id", ForeignKey("criteria.id"), primary_key=True),
)


class Criterion(Audited, db.Model):
    """One criterion of a set, with its text and suggested areas in each language."""

    __tablename__ = "criteria"
    __record_page__ = "evidence.criterion"
    __audit_label__ = _l("Criterion")
    __table_args__ = (UniqueConstraint("set_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"), index=True, info=label(_l("Criteria set")))
    code: Mapped[str] = mapped_column(String(30), info=label(_l("Code")))
    position: Mapped[int] = mapped_column(Integer, info=label(_l("Order")))
    #: The heading the criterion sits under (``{es: ..., en: ...}``).
    section: Mapped[dict | None] = mapped_column(JSON, info=label(_l("Group")))
    text: Mapped[dict] = mapped_column(JSON, info=label(_l("Text")))
    #: ``{es: [...], en: [...]}``: the suggested areas of the checklist.
    areas: Mapped[dict | None] = mapped_column(JSON, info=label(_l("Suggested areas")))
    #: The key of the automatic evidence that feeds the criterion (``evidence.automatic``).
    evidence_source: Mapped[str | None] = mapped_column(String(30), info=label(_l("Automatic evidence")))
    #: The day a reload of its set's file retired it (``evidence.reload``); None while it is in force.
    retired_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Retired on")))
    #: ``{key: number}``: the thresholds the set states for the rule of its automatic evidence (the others keep
    #: their defaults, ``core.findings.Threshold``).
    thresholds: Mapped[dict | None] = mapped_column(JSON, info=label(_l("Thresholds")))

    criteria_set = relationship("CriteriaSet", overlaps="criteria,all_criteria")

    def __str__(self) -> str:
        return self.code

    def text_in(self, language: str) -> str:
        return in_language(self.text, language)

    def group_in(self, language: str) -> str:
        return in_language(self.section, language)

    def areas_in(self, language: str) -> list[str]:
        areas = self.areas or {}
        return areas.get(language) or next(iter(areas.values()), [])


class EvidenceItem(Audited, db.Model):
    """Manual evidence: a note, a file (with its revisions), or both; linked to criteria and to a record."""

    __tablename__ = "evidence_items"
    __audit_label__ = _l("Evidence")
    __audit_kinds__ = {"record_id": "record_type"}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), info=label(_l("Title")))
    note: Mapped[str | None] = mapped_column(Text, info=label(_l("Note")))
    #: The kind of record the evidence is about (``process``, ``indicator``, ``interface``), see ``evidence.records``.
    record_type: Mapped[str | None] = mapped_column(String(30), info=label(_l("Record type")))
    record_id: Mapped[int | None] = mapped_column(Integer, info=label(_l("Record")))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Added by")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Months between reviews of the item (from ``reviewed_on``, else from when it was added).
    review_interval_months: Mapped[int | None] = mapped_column(Integer, info=label(_l("Review every (months)")))
    reviewed_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Last reviewed on")))
    #: The last day the evidence counts for its criteria (a certificate's expiry); None: it does not expire.
    valid_until: Mapped[date | None] = mapped_column(Date, info=label(_l("Valid until")))

    criteria = relationship("Criterion", secondary=evidence_item_criteria, order_by="Criterion.position")
    created_by = relationship("User")
    revisions = relationship("EvidenceFileRevision", back_populates="item", order_by="EvidenceFileRevision.number",
                             cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.title

    @property
    def current_revision(self) -> "EvidenceFileRevision | None":
        """The version in force: the latest, unless the file was removed (then none; every version stays)."""
        latest = self.revisions[-1] if self.revisions else None
        return latest if latest is not None and latest.superseded_at is None else None


class EvidenceFileRevision(Audited, db.Model):
    """One version of an evidence item's file; a replaced file stays, with its SHA-256."""

    __tablename__ = "evidence_file_revisions"
    __audit_label__ = _l("Evidence file revision")
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True, info=label(_l("Evidence")))
    number: Mapped[int] = mapped_column(Integer, info=label(_l("Revision")))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), info=label(_l("File")))
    sha256: Mapped[str] = mapped_column(String(64), info=label(_l("SHA-256")))
    comment: Mapped[str | None] = mapped_column(Text, info=label(_l("What changed")))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Uploaded by")))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: When a newer version replaced it, or the file was removed: the version stays, marked superseded (the
    #: verdicts given while it was in force judged it).
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Superseded on")))

    item = relationship("EvidenceItem", back_populates="revisions")
    file = relationship("StoredFile")
    uploaded_by = relationship("User")

    def __str__(self) -> str:
        return f"{self.item.title if self.item else ''} rev. {self.number}"


class SelfAssessment(Audited, db.Model):
    """The coordinator's judgement of a criterion at a moment; the latest one is in force, all are kept."""

    __tablename__ = "self_assessments"
    __audit_label__ = _l("Self-assessment")

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True, info=label(_l("Criterion")))
    status: Mapped[Assessment] = mapped_column(stored_enum(Assessment), info=label(_l("Assessment")))
    comment: Mapped[str | None] = mapped_column(Text, info=label(_l("Comment")))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Author")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Date")))
    #: Months until the judgement should be made again (from its date); None: no periodic review.
    review_interval_months: Mapped[int | None] = mapped_column(Integer, info=label(_l("Review every (months)")))

    criterion = relationship("Criterion")
    author = relationship("User")

    def __str__(self) -> str:
        # The trail keeps this as the record's name, in no language: the status is one of its fields.
        return self.criterion.code if self.criterion else ""


class Verdict(Audited, db.Model):
    """A reviewer's verdict on a criterion at a date; never edited, a new verdict is added instead."""

    __tablename__ = "verdicts"
    __audit_label__ = _l("Verdict")

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True, info=label(_l("Criterion")))
    status: Mapped[Assessment] = mapped_column(stored_enum(Assessment), info=label(_l("Verdict")))
    comment: Mapped[str | None] = mapped_column(Text, info=label(_l("Comment")))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Reviewer")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Date")))

    criterion = relationship("Criterion")
    reviewer = relationship("User")

    def __str__(self) -> str:
        # The trail keeps this as the record's name, in no language: the status is one of its fields.
        return self.criterion.code if self.criterion else ""


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PackJob(db.Model):
    """The building of an evidence pack, in the database so every app server sees its progress.

    ``active_key`` is unique while the job is queued or runs: a second request for the same pack cannot start
    another job and joins this one instead. The task queue builds it (``evidence.pack_jobs.build_pack``)."""

    __tablename__ = "evidence_pack_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"), index=True)
    #: ``all`` or the code of the single criterion exported.
    scope: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(5))
    #: The data version the pack is built from (see ``evidence.packs.data_version``).
    fingerprint: Mapped[int] = mapped_column(Integer)
    state: Mapped[JobState] = mapped_column(stored_enum(JobState), default=JobState.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str | None] = mapped_column(String(200))
    active_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Touched as the job advances and every few seconds while it typesets: a running job whose heartbeat
    #: stopped (its worker died) is retried once by the queue, then failed (``evidence.pack_jobs``).
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: How many times a worker started building this pack (the first attempt, then at most one retry).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_pack_snapshots.id"))
    #: The certification cycle the pack is built for (its scope, period and findings come through the
    #: ``pack_cycle`` signal from the package that keeps cycles); None: a pack of the data as it stands.
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("certification_cycles.id"), index=True)

    snapshot = relationship("PackSnapshot")
    requested_by = relationship("User")


class PackSnapshot(Audited, db.Model):
    """A generated pack, kept as it was: the PDF, the data version, each criterion's status and a manifest of
    every attached file (name, size, SHA-256). Immutable: an update is refused."""

    __tablename__ = "evidence_pack_snapshots"
    __record_page__ = "evidence.snapshot"
    __audit_label__ = _l("Evidence pack")
    __audit_skip__ = frozenset({"manifest", "statuses"})

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"), index=True, info=label(_l("Criteria set")))
    scope: Mapped[str] = mapped_column(String(30), info=label(_l("Scope")))
    language: Mapped[str] = mapped_column(String(5), info=label(_l("Language")))
    fingerprint: Mapped[int] = mapped_column(Integer, info=label(_l("Data version")))
    #: The moment the data was read ("data as at …").
    data_as_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label(_l("Data as at")))
    #: The audit trail's chain head at "data as at" (``seq:sha256``, ``core.audit_chain``), printed on the cover:
    #: ``flask audit verify --head`` later proves that nothing recorded before it has changed.
    audit_head: Mapped[str | None] = mapped_column(String(80), info=label(_l("Audit trail seal")))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Generated by")))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), info=label(_l("File")))
    page_count: Mapped[int] = mapped_column(Integer, info=label(_l("Pages")))
    #: ``[{name, size, sha256, criteria}]`` of the files attached to the PDF.
    manifest: Mapped[list] = mapped_column(JSON, default=list)
    #: ``{code: {automatic, self_assessment, verdict}}`` when the pack was made, for comparisons.
    statuses: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The certification cycle the pack was generated for, if any (see ``PackJob.cycle_id``).
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("certification_cycles.id"), index=True,
                                                 info=label(_l("Certification cycle")))

    criteria_set = relationship("CriteriaSet")
    created_by = relationship("User")
    file = relationship("StoredFile")

    def __str__(self) -> str:
        # The stamp of the pack's identifier (UTC here), not a date in one language's way: the trail shows it as is.
        return f"{self.scope} {self.language} {self.data_as_at:%Y%m%d-%H%M}"


class SnapshotImmutable(RuntimeError):
    """A pack snapshot is evidence of what was handed over: it is never changed."""


@event.listens_for(PackSnapshot, "before_update")
def _refuse_changes(mapper, connection, target):
    raise SnapshotImmutable(f"evidence pack snapshot {target.id} cannot be changed")
