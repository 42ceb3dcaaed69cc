"""What is linked to criteria: their latest self-assessments and verdicts, and their manual evidence.

Read once while a page gathers them (``core.shared_reads``): the checklist's rows and its list of records past their
review date read the same ones."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.shared_reads import shared
from evidence.models import EvidenceFileRevision, EvidenceItem, SelfAssessment, evidence_item_criteria


def latest_by_criterion(model, criterion_ids) -> dict[int, object]:
    """The latest self-assessment or verdict of each criterion, in one query."""
    return _latest_by_criterion(model, tuple(criterion_ids))


@shared
def _latest_by_criterion(model, ids: tuple[int, ...]) -> dict[int, object]:
    if not ids:
        return {}
    newest = select(func.max(model.id)).where(model.criterion_id.in_(ids)).group_by(model.criterion_id)
    query = select(model).where(model.id.in_(newest)).options(joinedload(model.author if model is SelfAssessment
                                                                         else model.reviewer))
    return {row.criterion_id: row for row in db.session.scalars(query)}


def evidence_by_criterion(criterion_ids) -> dict[int, list[EvidenceItem]]:
    """The manual evidence linked to each criterion (by id), with their file revisions, in a fixed number of
    queries."""
    return _evidence_by_criterion(tuple(criterion_ids))


@shared
def _evidence_by_criterion(ids: tuple[int, ...]) -> dict[int, list[EvidenceItem]]:
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
