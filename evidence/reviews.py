"""Periodic reviews and validity of what the checklist holds: self-assessments and manual evidence items past their
review date, and manual evidence past its validity date, which no longer counts for its criteria.

Expired evidence is kept (evidence history is never deleted) and shown marked; what changes is the criterion's
automatic status: a criterion the data says is met is only partly met while evidence attached to it has expired,
and its finding says which item and since when (``apply_expiry``), until the item is renewed or its date changed.
"""

from dataclasses import replace
from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from core import transitions
from core.extensions import db
from core.findings import Finding, Line, Status
from core.reviews import Due, is_expired, is_overdue, next_review
from evidence.linked import evidence_by_criterion, latest_by_criterion
from evidence.models import EvidenceItem, SelfAssessment, evidence_item_criteria

#: The kind of record of an evidence item in the state-change history (as ``evidence.services``).
ITEM_HISTORY_KIND = "evidence_item"


def item_review_due(item: EvidenceItem) -> date | None:
    """When the item is next due for review: its interval from its last review, else from when it was added."""
    start = item.reviewed_on or (item.created_at.date() if item.created_at else None)
    return next_review(start, item.review_interval_months)


def assessment_review_due(assessment: SelfAssessment) -> date | None:
    return next_review(assessment.created_at.date() if assessment.created_at else None,
                       assessment.review_interval_months)


def expired_by_criterion(criterion_ids, on: date) -> dict[int, list[EvidenceItem]]:
    """The evidence items past their validity date on ``on`` linked to each criterion (one statement)."""
    ids = list(criterion_ids)
    if not ids:
        return {}
    query = (select(evidence_item_criteria.c.criterion_id, EvidenceItem)
             .join(EvidenceItem, EvidenceItem.id == evidence_item_criteria.c.item_id)
             .where(evidence_item_criteria.c.criterion_id.in_(ids), EvidenceItem.valid_until < on)
             .order_by(EvidenceItem.valid_until, EvidenceItem.id))
    found: dict[int, list[EvidenceItem]] = {}
    for criterion_id, item in db.session.execute(query):
        found.setdefault(criterion_id, []).append(item)
    return found


def apply_expiry(finding: Finding, expired: list[EvidenceItem], url: str | None = None) -> Finding:
    """The finding as the criterion stands with ``expired`` evidence: met becomes partly met, and a gap names each
    item and the last day it counted. A new finding: sources share theirs between criteria."""
    if not expired:
        return finding
    gaps = [Line(_("Evidence “%(title)s” was valid until %(date)s: it no longer counts; renew it or attach a "
                   "current one.", title=item.title, date=format_date(item.valid_until, "short")), url)
            for item in expired]
    status = Status.PARTLY if finding.status == Status.MET else finding.status
    return replace(finding, status=status, gaps=[*finding.gaps, *gaps])


def save_item_review(item: EvidenceItem, *, interval_months: int | None, valid_until: date | None,
                     reviewed_on: date | None, actor) -> None:
    """Set an item's review interval and validity date and, when given, the day it was reviewed; a changed
    validity is kept in the item's history (it decides whether the evidence counts)."""
    item.review_interval_months = interval_months or None
    if valid_until != item.valid_until:
        transitions.record_transition(ITEM_HISTORY_KIND, item.id, field="valid_until", from_value=item.valid_until,
                                      to_value=valid_until, actor=actor)
        item.valid_until = valid_until
    if reviewed_on is not None:
        item.reviewed_on = reviewed_on
    db.session.flush()


def assessments_and_items_due(criteria, on: date) -> list[Due]:
    """The criteria's latest self-assessments and their evidence items past their review date (the checklist's
    own reads of them, ``evidence.linked``, where a page gathers both)."""
    criteria = list(criteria)
    ids = [c.id for c in criteria]
    if not ids:
        return []
    codes = {c.id: c.code for c in criteria}
    assessments = [a for a in latest_by_criterion(SelfAssessment, ids).values()
                   if a.review_interval_months is not None]
    found = [Due("self_assessment", codes[a.criterion_id], assessment_review_due(a),
                 url_for("evidence.criterion", criterion_id=a.criterion_id, _anchor="assessments"))
             for a in sorted(assessments, key=lambda a: a.id) if is_overdue(assessment_review_due(a), on)]
    first_criterion: dict[int, int] = {}
    items: dict[int, EvidenceItem] = {}
    for criterion_id, linked in evidence_by_criterion(ids).items():
        for item in linked:
            if item.review_interval_months is not None:
                items[item.id] = item
                first_criterion[item.id] = min(criterion_id, first_criterion.get(item.id, criterion_id))
    return found + [Due("evidence", item.title, item_review_due(item),
                        url_for("evidence.criterion", criterion_id=first_criterion[item.id],
                                _anchor=f"evidence-{item.id}"))
                    for item in sorted(items.values(), key=lambda item: item.id)
                    if is_overdue(item_review_due(item), on)]


def item_flags(item: EvidenceItem, on: date) -> dict:
    """What the item's page marks: expired, past its review date, and the dates."""
    due = item_review_due(item)
    return {"expired": is_expired(item.valid_until, on), "overdue": is_overdue(due, on), "due": due}
