"""What the improvements package gives the others through ``core.signals``: C1, C2 and C3's automatic evidence
and the indicators its SMART improvements are measured with (the E1 dashboard lists them first);
the home page's tasks due, improvements to the global search, and C1's count as the source of a computed
indicator."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from core import signals
from core.access import may
from core.home import Panel
from core.models import Role
from core.search import DETAIL, Provider, record_url
import improvements.tasks  # noqa: F401  (declares the scheduled reminders on the queue)
from improvements import evidence, indicator_sources
from improvements.models import Improvement
from improvements.queries import due_tasks

#: The home page lists the tasks overdue and those due within this many days.
DUE_WITHIN = 7


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"C1": evidence.improvement_groups_evidence, "C2": evidence.results_evidence,
            "C3": evidence.change_evidence}


@signals.evidence_thresholds.connect
def _evidence_thresholds(sender, **kwargs):
    return {"C1": evidence.C1_THRESHOLDS, "C2": evidence.C2_THRESHOLDS, "C3": evidence.C3_THRESHOLDS}


@signals.smart_indicators.connect
def _smart_indicators(sender, **kwargs):
    return evidence.smart_indicator_ids()


@signals.home_panels.connect
def _home_panels(sender, user=None, **kwargs):
    """The signed-in person's tasks overdue and due this week (a reviewer is given none to do)."""
    if user is None or user.role == Role.REVIEWER or not may("improvements.improvement_detail"):
        return []
    today = date.today()
    tasks = due_tasks(user.id, today, DUE_WITHIN)
    return [Panel("tasks", 20, "improvements/_home_tasks.html",
                  {"overdue": [t for t in tasks if t.due_on < today], "soon": [t for t in tasks if t.due_on >= today],
                   "today": today}, empty=not tasks)]


@signals.search_providers.connect
def _search_providers(sender, **kwargs):
    """Improvements (and opportunities) by title, opportunity and objective."""
    return [Provider("improvement", _l("Improvements"), "improvements.improvement_detail", Improvement,
                     (Improvement.title, Improvement.statement, Improvement.objective), Improvement.title,
                     record_url("improvements.improvement_detail", "improvement_id"),
                     detail=func.substr(Improvement.statement, 1, DETAIL), order=60)]


@signals.indicator_sources.connect
def _indicator_sources(sender, **kwargs):
    return indicator_sources.sources()
