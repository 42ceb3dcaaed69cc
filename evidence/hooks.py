"""What the evidence package gives the others through ``core.signals``: the home page's certification readiness
and latest verdicts, manual evidence to the global search, and the thresholds the criteria set in use states, so
that a page applying a criterion's rule outside the checklist (the C1 counter, the transition preview, the
interfaces page, the process map) uses the same numbers as the criterion page — read only: the set is never
created or changed here. (It asks for the criteria's evidence; nobody asks it for any.)"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import reviews as core_reviews
from core import signals
from core.access import may
from core.digest import Section
from core.findings import Status
from core.home import Panel
from core.search import DETAIL, Provider
from evidence import home, reviews
from evidence.automatic import key_of
from evidence.criteria_sets import current_set
from evidence.models import EvidenceItem, evidence_item_criteria


@signals.home_panels.connect
def _home_panels(sender, user=None, **kwargs):
    """Where the certification stands (linking to the gap list) and the reviewers' latest verdicts."""
    if not may("evidence.checklist"):
        return []
    readiness, verdicts = home.readiness(), home.recent_verdicts()
    overdue = core_reviews.overdue(core_reviews.today())
    return [Panel("readiness", 10, "evidence/_home_readiness.html", {"readiness": readiness},
                  empty=not readiness.started),
            Panel("reviews-overdue", 15, "evidence/_home_reviews_due.html",
                  {"overdue": overdue, "summary": core_reviews.summary(overdue)}, empty=not overdue),
            Panel("verdicts", 40, "evidence/_home_verdicts.html", {"verdicts": verdicts}, empty=not verdicts)]


def _first_criterion():
    """An evidence item's first criterion: the page that lists it (a hit's address)."""
    return (select(func.min(evidence_item_criteria.c.criterion_id))
            .where(evidence_item_criteria.c.item_id == EvidenceItem.id).scalar_subquery())


@signals.search_providers.connect
def _search_providers(sender, **kwargs):
    """Manual evidence by title and note, opening the page of its first criterion (items linked to none are not
    listed: no page shows them)."""
    return [Provider("evidence", _l("Evidence"), "evidence.criterion", EvidenceItem,
                     (EvidenceItem.title, EvidenceItem.note), EvidenceItem.title, home.evidence_url,
                     detail=func.substr(EvidenceItem.note, 1, DETAIL), where=lambda: _first_criterion().is_not(None),
                     id_column=_first_criterion(), order=80)]



@signals.stored_thresholds.connect
def _stored_thresholds(sender, **kwargs):
    """``{evidence key: thresholds}`` of the criteria of the set in use that state any (the first criterion of a
    key, in the set's order, when two share it)."""
    chosen = current_set()
    found: dict = {}
    for criterion in chosen.criteria if chosen is not None else ():
        if criterion.thresholds:
            found.setdefault(key_of(criterion), dict(criterion.thresholds))
    return found


@signals.digest_sections.connect
def _digest_sections(sender, previous=None, **kwargs):
    """The criteria met, partly met and missing, and those whose automatic evidence changed since last week."""
    statuses = home.criterion_statuses()
    if not statuses:
        return []
    before = (previous or {}).get("readiness") or {}
    counts = {status: sum(1 for s in statuses.values() if s == status) for status in Status}
    lines = [_("Met: %(met)d; partly met: %(partly)d; missing: %(missing)d.", met=counts[Status.MET],
               partly=counts[Status.PARTLY], missing=counts[Status.MISSING])]
    changed = [(code, Status(before[code]), status) for code, status in statuses.items()
               if code in before and before[code] != status]
    lines += [f"- {code}: {old.label} → {new.label}" for code, old, new in changed]
    if before and not changed:
        lines.append(_("No criterion changed since last week."))
    return [Section("readiness", 10, _("Certification readiness"), lines,
                    state={code: status.value for code, status in statuses.items()})]
@signals.reviews_due.connect
def _reviews_due(sender, today=None, **kwargs):
    """The self-assessments and evidence items of the set in use past their review date."""
    chosen = current_set()
    return reviews.assessments_and_items_due(chosen.criteria, today) if chosen is not None else []
