"""The improvements' figure as the source of a computed indicator (``core.signals.indicator_sources``): how many
improvements C1 counts (SMART, measured, valued by the clients: ``improvements.queries.c1_overview``), per period
of their implementation, as the C1 page lists them."""

from datetime import date

from flask_babel import lazy_gettext as _l

from core.indicator_sources import IndicatorSource
from improvements.queries import c1_overview
from processes.models import Frequency
from processes.periods import period_start

#: What C1's count reads: the improvements and their checks, evidence and tasks, and the measurements of their
#: indicators (their results before and after).
TABLES = ("improvements", "improvement_smart_checks", "improvement_evidence", "improvement_tasks",
          "improvement_process_changes", "measurements")


def c1_count(frequency: str, parameter: int | None, since: date, until: date) -> dict[date, float]:
    """``{period: improvements C1 counts that were implemented in it}``, from ``since`` to ``until``."""
    status, _assessments = c1_overview()
    found: dict[date, float] = {}
    for improvement in status.qualifying:
        if improvement.implemented_on and since <= improvement.implemented_on <= until:
            period = period_start(improvement.implemented_on, Frequency(frequency))
            found[period] = found.get(period, 0) + 1
    return found


def sources() -> dict[str, IndicatorSource]:
    """The figure the improvements offer, by key."""
    return {"improvements.c1": IndicatorSource(label=_l("Improvements counted for C1, by implementation"),
                                               unit=_l("improvements"), direction="higher", values=c1_count,
                                               tables=TABLES, endpoint="improvements.c1")}
