"""What the evidence package shows on the home page: where the certification stands and the latest verdicts."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.findings import Status
from evidence.automatic import findings_for
from evidence.criteria_sets import current_set
from evidence.models import CriteriaSet, Verdict

#: Verdicts listed on the home page.
RECENT_VERDICTS = 5


@dataclass(frozen=True)
class Readiness:
    """The criteria of the set in use counted by their automatic evidence, and how many gaps they list."""

    criteria_set: CriteriaSet | None
    counts: dict
    gaps: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def started(self) -> bool:
        """Some criterion has evidence: a new organisation's criteria are all missing."""
        return bool(self.counts.get(Status.MET) or self.counts.get(Status.PARTLY))


def readiness() -> Readiness:
    """Met, partly met and missing criteria of the set in use (each source reads a fixed number of statements)."""
    criteria_set = current_set()
    counts = {status: 0 for status in Status}
    if criteria_set is None:
        return Readiness(None, counts, 0)
    findings = findings_for(list(criteria_set.criteria)).values()
    for finding in findings:
        counts[finding.status] += 1
    return Readiness(criteria_set, counts, sum(len(finding.gaps) for finding in findings))


def recent_verdicts(limit: int = RECENT_VERDICTS) -> list[Verdict]:
    """The reviewers' latest verdicts, newest first, with their criterion and reviewer (one statement)."""
    query = (select(Verdict).options(joinedload(Verdict.criterion), joinedload(Verdict.reviewer))
             .order_by(Verdict.created_at.desc(), Verdict.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def evidence_url(criterion_id: int) -> str:
    """Where a hit on manual evidence opens: the manual evidence of its (first) criterion."""
    return url_for("evidence.criterion", criterion_id=criterion_id, _anchor="manual-evidence")


def criterion_statuses() -> dict[str, Status]:
    """Each criterion of the set in use by code, with the status of its automatic evidence (for the weekly
    digest, which says which changed since last week)."""
    criteria_set = current_set()
    if criteria_set is None:
        return {}
    criteria = list(criteria_set.criteria)
    findings = findings_for(criteria)
    return {criterion.code: findings[criterion.id].status for criterion in criteria}
