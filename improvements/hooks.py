"""What the improvements package gives the others through ``core.signals``: C1, C2 and C3's automatic evidence
and the indicators its SMART improvements are measured with (the E1 dashboard lists them first);
the home page's tasks due, improvements to the global search, and C1's count as the source of a computed
indicator."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

import improvements.tasks  # noqa: F401  (declares the scheduled reminders on the queue)
from core import schedule, signals
from core.access import may
from core.digest import Section
from core.home import Panel
from core.models import Role
from core.search import DETAIL, Provider, record_url
from improvements import evidence, indicator_sources
from improvements.models import Improvement
from improvements.queries import due_tasks, tasks_due_for_everyone

#: The home page lists the tasks overdue and those due within this many days.
DUE_WITHIN = 7
#: Overdue tasks the weekly digest lists (the rest are counted).
DIGEST_LISTED = 20


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


@signals.digest_sections.connect
def _digest_sections(sender, **kwargs):
    """The improvement tasks overdue, oldest first, with their owner."""
    today = schedule.today()
    overdue = [task for task in tasks_due_for_everyone(today, 0) if task.due_on < today]
    lines = [_("- %(task)s (%(improvement)s): %(owner)s, overdue since %(day)s", task=task.title,
               improvement=task.improvement.title, owner=task.owner.name, day=format_date(task.due_on))
             for task in sorted(overdue, key=lambda task: (task.due_on, task.id))[:DIGEST_LISTED]]
    if len(overdue) > DIGEST_LISTED:
        lines.append(_("… and %(n)d more.", n=len(overdue) - DIGEST_LISTED))
    return [Section("overdue_tasks", 20, _("Improvement tasks overdue"), lines or [_("No task is overdue.")])]
