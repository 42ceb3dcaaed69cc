"""The checklist and its people: self-assessments, verdicts and manual evidence (the operations behind forms)."""

from dataclasses import dataclass

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import transitions
from core.extensions import db
from core.files import DOCUMENTS, Owner, store_upload
from core.findings import Finding, Line, Status
from core.rules import TransitionRefused
from core.timeutil import utcnow
from evidence.automatic import findings_for, unsourced
from evidence.linked import evidence_by_criterion, latest_by_criterion
from evidence.models import (
    Assessment,
    CriteriaSet,
    Criterion,
    EvidenceFileRevision,
    EvidenceItem,
    SelfAssessment,
    Verdict,
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


def history(model, criterion: Criterion) -> list:
    """Every self-assessment or verdict of a criterion, newest first (none is ever changed or deleted)."""
    return list(db.session.scalars(select(model).where(model.criterion_id == criterion.id)
                                   .order_by(model.created_at.desc(), model.id.desc())))


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


def record_self_assessment(criterion: Criterion, status: Assessment, comment: str | None, *, actor,
                           review_interval_months: int | None = None) -> SelfAssessment:
    """Add the coordinator's current judgement of a criterion, reviewed again after ``review_interval_months`` if
    given; earlier ones stay as its history."""
    assessment = SelfAssessment(criterion=criterion, status=Assessment(status), comment=(comment or "").strip() or None,
                                author=actor, review_interval_months=review_interval_months or None)
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


#: The kind of record of an evidence item in the state-change history (``core.transitions``): its rows say which
#: version of the file was in force before and after (``removed`` when the file was taken away).
ITEM_HISTORY_KIND = "evidence_item"
REMOVED = "removed"


def add_revision(item: EvidenceItem, upload, *, comment: str | None = None, actor) -> EvidenceFileRevision:
    """Store a new version of the item's file; the earlier ones are kept with their hashes, the one it replaces
    marked superseded, and the replacement is kept in the item's history (``comment`` as its reason)."""
    stored = store_upload(upload, owner=Owner.EVIDENCE_ITEM, accept=EVIDENCE_KINDS, actor=actor)
    previous = item.current_revision
    revision = EvidenceFileRevision(number=len(item.revisions) + 1, file=stored, sha256=stored.sha256,
                                    comment=(comment or "").strip() or None, uploaded_by=actor)
    item.revisions.append(revision)
    db.session.flush()
    if previous is not None:
        previous.superseded_at = revision.uploaded_at
    if item.id is not None and (previous is not None or len(item.revisions) > 1):
        transitions.record_transition(ITEM_HISTORY_KIND, item.id, from_value=previous.number if previous else
                                      REMOVED, to_value=revision.number, actor=actor, reason=comment)
    db.session.flush()
    return revision


def remove_file(item: EvidenceItem, *, actor, reason: str | None, confirmed: bool = False) -> None:
    """Take the item's file out of the evidence: its version stays (marked superseded, still downloadable), the
    item keeps its note and links. A move back: refused until confirmed (``transitions.ConfirmationNeeded``), with
    a reason, kept in the item's history."""
    transitions.confirm_or_refuse(lambda: _remove_file(item, actor=actor,
                                                       reason=reason or transitions.PREVIEW_REASON),
                                  confirmed=confirmed, always=True)
    _remove_file(item, actor=actor, reason=reason)


def _remove_file(item: EvidenceItem, *, actor, reason: str | None) -> None:
    current = item.current_revision
    if current is None:
        raise TransitionRefused(_("“%(title)s” has no file in force to remove.", title=item.title))
    transitions.require_reason(reason, _("Say why the file of “%(title)s” is removed.", title=item.title))
    current.superseded_at = utcnow()
    db.session.flush()
    transitions.record_transition(ITEM_HISTORY_KIND, item.id, from_value=current.number, to_value=REMOVED,
                                  actor=actor, reason=reason)


def file_change_consequences(item: EvidenceItem, *, removing: bool) -> list[str]:
    """What replacing (or removing) the item's file changes for the criteria that rely on it, in words: the
    self-assessments and verdicts in force that were recorded while this version was the file they judged, and,
    on removal, how many items with a file each criterion keeps."""
    current = item.current_revision
    if current is None:
        return []
    ids = [c.id for c in item.criteria]
    assessments, verdicts = latest_by_criterion(SelfAssessment, ids), latest_by_criterion(Verdict, ids)
    with_files = evidence_by_criterion(ids)
    found = []
    for criterion in item.criteria:
        for judged, words in ((assessments.get(criterion.id), _("the self-assessment “%(status)s” of %(date)s")),
                              (verdicts.get(criterion.id), _("the reviewer's verdict “%(status)s” of %(date)s"))):
            if judged is not None and judged.created_at >= current.uploaded_at:
                found.append(_("%(criterion)s: %(what)s was recorded on version %(number)d of this file; it will no "
                               "longer rest on the file in force.", criterion=criterion.code, number=current.number,
                               what=words % {"status": judged.status.label,
                                             "date": format_date(judged.created_at, "medium")}))
        if removing:
            count = sum(1 for other in with_files[criterion.id] if other.current_revision is not None)
            found.append(ngettext("%(criterion)s will count %(num)d item of manual evidence with a file (now %(now)d).",
                                  "%(criterion)s will count %(num)d items of manual evidence with a file (now "
                                  "%(now)d).", count - 1, criterion=criterion.code, now=count))
    return found


def item_histories(item_ids) -> dict[int, list]:
    """The file history of each evidence item (``ITEM_HISTORY_KIND``), oldest first, in one query."""
    ids = list(item_ids)
    found: dict[int, list] = {i: [] for i in ids}
    if ids:
        query = (select(transitions.StateChange).options(joinedload(transitions.StateChange.actor))
                 .where(transitions.StateChange.record_kind == ITEM_HISTORY_KIND,
                        transitions.StateChange.record_id.in_(ids))
                 .order_by(transitions.StateChange.at, transitions.StateChange.id))
        for row in db.session.scalars(query):
            found[row.record_id].append(row)
    return found
