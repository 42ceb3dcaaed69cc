"""What the voice of the client gives the other packages through ``core.signals``: B1's automatic evidence,
requirements and complaint categories as the source of an opportunity, and complaint counts and response
times before and after an improvement (C2), and its part of the demo.

An improvement names a complaint category through its source: an opportunity whose source is a complaint
category, or a requirement heard in a complaint (the complaint's category).
; and its part of the demo."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core import signals
from core.demo import DemoLoader
from core.extensions import db
from improvements.client_evidence import ComputedEvidence
from improvements.sources import CLIENT_REQUIREMENT, COMPLAINT_CATEGORY, SourceRecords
from loyalty.voice import demo, demo_waves, evidence, services
from loyalty.voice.models import Complaint, ComplaintCategory, Requirement, RequirementStatus

#: Months compared on each side of the day an improvement was implemented.
WINDOW_MONTHS = 12
OPEN_STATUSES = (RequirementStatus.NEW, RequirementStatus.ANALYSED, RequirementStatus.IN_IMPROVEMENT)


def _requirements(ids):
    return {r.id: r for r in db.session.scalars(select(Requirement).where(Requirement.id.in_(list(ids))))}


def _requirement_choices():
    """Requirements still to act on (new, analysed, in improvement), the most important first."""
    query = (select(Requirement).where(Requirement.status.in_(OPEN_STATUSES))
             .order_by(Requirement.importance.desc(), Requirement.identified_on.desc()))
    return [(r.id, str(r)) for r in db.session.scalars(query)]


def _categories(ids):
    query = select(ComplaintCategory).where(ComplaintCategory.id.in_(list(ids)))
    return {c.id: c for c in db.session.scalars(query)}


def _category_choices():
    query = select(ComplaintCategory).where(ComplaintCategory.active).order_by(ComplaintCategory.name)
    return [(c.id, c.name) for c in db.session.scalars(query)]


def _requirement_url(requirement) -> str:
    return url_for("loyalty.requirement_detail", requirement_id=requirement.id)


def _category_url(category) -> str:
    return url_for("loyalty.complaints", category=category.id)


def targeted_categories(improvements) -> dict[int, int]:
    """improvement id → the complaint category it targets, from its source (at most one query)."""
    found = {i.id: i.source_id for i in improvements if i.source_kind == COMPLAINT_CATEGORY and i.source_id}
    by_requirement = {i.id: i.source_id for i in improvements if i.source_kind == CLIENT_REQUIREMENT and i.source_id}
    if by_requirement:
        query = (select(Requirement.id, Complaint.category_id).join(Complaint, Complaint.id == Requirement.complaint_id)
                 .where(Requirement.id.in_(set(by_requirement.values()))))
        categories = dict(db.session.execute(query).all())
        found |= {i: categories[r] for i, r in by_requirement.items() if r in categories}
    return found


def complaint_evidence(improvements) -> dict[int, list[ComputedEvidence]]:
    """Complaints per month and mean response days in the year before and after each implemented improvement
    that targets a complaint category (a fixed number of queries, none when no improvement does)."""
    implemented = [i for i in improvements if i.implemented_on]
    targets = targeted_categories(implemented)
    if not targets:
        return {}
    pivots = {i.id: (targets[i.id], i.implemented_on) for i in implemented if i.id in targets}
    names = {c.id: c.name for c in _categories(set(targets.values())).values()}
    windows = services.before_after(set(targets.values()), pivots, WINDOW_MONTHS)
    return {improvement_id: _evidence(names.get(pivots[improvement_id][0], ""), figures)
            for improvement_id, figures in windows.items()}


def _evidence(category: str, figures: dict) -> list[ComputedEvidence]:
    before, after = figures["before"], figures["after"]
    if not after["months"]:
        return []
    found = [ComputedEvidence("complaints", _("“%(category)s”: received per month, %(months)d months before and "
                                              "%(after)d after", category=category, months=before["months"],
                                              after=after["months"]),
                              before["per_month"], after["per_month"], False,
                              _lower(before["per_month"], after["per_month"]))]
    if before["response_days"] is not None or after["response_days"] is not None:
        found.append(ComputedEvidence("response_time", _("“%(category)s”: mean response time (days)",
                                                         category=category),
                                      before["response_days"], after["response_days"], False,
                                      _lower(before["response_days"], after["response_days"])))
    return found


def _lower(before, after) -> bool:
    return before is not None and after is not None and after < before




@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B1": evidence.voice_of_the_client_evidence}


@signals.opportunity_records.connect
def _opportunity_records(sender, **kwargs):
    return {CLIENT_REQUIREMENT: SourceRecords(_requirements, _requirement_choices, _requirement_url),
            COMPLAINT_CATEGORY: SourceRecords(_categories, _category_choices, _category_url)}


@signals.client_evidence.connect
def _client_evidence(sender, *, improvements, **kwargs):
    return complaint_evidence(improvements)


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"voice": DemoLoader(demo.load, after=("loyalty",)),
            "voice-wave-costs": DemoLoader(demo_waves.load, after=("surveys",))}
