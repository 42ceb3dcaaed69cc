"""The checklist and its people: self-assessments, verdicts and manual evidence (the operations behind forms)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.files import DOCUMENTS, Owner, store_upload
from core.findings import Finding, Line, Status
from evidence.automatic import findings_for, unsourced
from evidence.models import (
    Assessment,
    CriteriaSet,
    Criterion,
    EvidenceFileRevision,
    EvidenceItem,
    SelfAssessment,
    Verdict,
    evidence_item_criteria,
)

#: What may be uploaded as evidence: PDF, images, office documents, CSV and text.
EVIDENCE_KINDS = DOCUMENTS


@dataclass
class ChecklistRow:
    """One criterion of the checklist with everything said about it."""

    criterion: Criterion
    finding: Finding
    self_assessment: SelfAssessment | None
    verdict: Verdict | None
    evidence: list[EvidenceItem]


def latest_by_criterion(model, criterion_ids) -> dict[int, object]:
    """The latest self-assessment or verdict of each criterion, in one query."""
    ids = list(criterion_ids)
    if not ids:
        return {}
    newest = select(func.max(model.id)).where(model.criterion_id.in_(ids)).group_by(model.criterion_id)
    query = select(model).where(model.id.in_(newest)).options(joinedload(model.author if model is SelfAssessment
                                                                         else model.reviewer))
    return {row.criterion_id: row for row in db.session.scalars(query)}


def history(model, criterion: Criterion) -> list:
    """Every self-assessment or verdict of a criterion, newest first (none is ever changed or deleted)."""
    return list(db.session.scalars(select(model).where(model.criterion_id == criterion.id)
                                   .order_by(model.created_at.desc(), model.id.desc())))


def evidence_by_criterion(criterion_ids) -> dict[int, list[EvidenceItem]]:
    """The manual evidence linked to each criterion, with their file revisions, in a fixed number of queries."""
    ids = list(criterion_ids)
    links = db.session.execute(select(evidence_item_criteria.c.criterion_id, evidence_item_criteria.c.item_id)
                               .where(evidence_item_criteria.c.criterion_id.in_(ids))).all() if ids else []
    items = {item.id: item for item in db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.id.in_({item_id for _c, item_id in links}))
        .options(selectinload(EvidenceItem.revisions).joinedload(EvidenceFileRevision.file)))}
    found: dict[int, list[EvidenceItem]] = {i: [] for i in ids}
    for criterion_id, item_id in links:
        found[criterion_id].append(items[item_id])
    for group in found.values():
        group.sort(key=lambda item: item.id)
    return found


def checklist(criteria_set: CriteriaSet, *, detail: bool = False, only: Criterion | None = None) -> list[ChecklistRow]:
    """Every criterion (or only one) with its automatic evidence, self-assessment, verdict and manual evidence."""
    criteria = [only] if only is not None else list(criteria_set.criteria)
    ids = [c.id for c in criteria]
    findings = findings_for(criteria, detail=detail)
    assessments, verdicts = latest_by_criterion(SelfAssessment, ids), latest_by_criterion(Verdict, ids)
    evidence = evidence_by_criterion(ids)
    return [ChecklistRow(c, findings[c.id], assessments.get(c.id), verdicts.get(c.id), evidence[c.id])
            for c in criteria]


def readiness(rows: list[ChecklistRow]) -> dict[Status, int]:
    """How many criteria are met, partly met and missing by their automatic evidence."""
    counts = {status: 0 for status in Status}
    for row in rows:
        counts[row.finding.status] += 1
    return counts


def without_source(rows: list[ChecklistRow]) -> list[Criterion]:
    """The criteria of the checklist that no package registered on this app gives automatic evidence for."""
    return unsourced([row.criterion for row in rows])


def gap_list(rows: list[ChecklistRow]) -> list[tuple[Criterion, Line]]:
    """One list of everything missing, criterion by criterion, each gap linking to where it is fixed."""
    return [(row.criterion, gap) for row in rows for gap in row.finding.gaps]


def record_self_assessment(criterion: Criterion, status: Assessment, comment: str | None, *, actor) -> SelfAssessment:
    """Add the coordinator's current judgement of a criterion; earlier ones stay as its history."""
    assessment = SelfAssessment(criterion=criterion, status=Assessment(status), comment=(comment or "").strip() or None,
                                author=actor)
    db.session.add(assessment)
    db.session.flush()
    return assessment


def record_verdict(criterion: Criterion, status: Assessment, comment: str | None, *, actor) -> Verdict:
    """Add a reviewer's verdict on a criterion, dated; earlier verdicts stay as its history."""
    verdict = Verdict(criterion=criterion, status=Assessment(status), comment=(comment or "").strip() or None,
                      reviewer=actor)
    db.session.add(verdict)
    db.session.flush()
    return verdict


def add_evidence(title: str, *, criteria: list[Criterion], note: str | None = None, upload=None,
                 record: tuple[str | None, int | None] = (None, None), actor) -> EvidenceItem:
    """Add manual evidence (a note, a file or both) linked to criteria and, optionally, to a record."""
    item = EvidenceItem(title=title.strip(), note=(note or "").strip() or None, criteria=list(criteria),
                        record_type=record[0], record_id=record[1], created_by=actor)
    db.session.add(item)
    if upload is not None and upload.filename:
        add_revision(item, upload, actor=actor)
    db.session.flush()
    return item


def add_revision(item: EvidenceItem, upload, *, comment: str | None = None, actor) -> EvidenceFileRevision:
    """Store a new version of the item's file; the earlier ones are kept with their hashes."""
    stored = store_upload(upload, owner=Owner.EVIDENCE_ITEM, accept=EVIDENCE_KINDS, actor=actor)
    revision = EvidenceFileRevision(number=len(item.revisions) + 1, file=stored, sha256=stored.sha256,
                                    comment=(comment or "").strip() or None, uploaded_by=actor)
    item.revisions.append(revision)
    db.session.flush()
    return revision
