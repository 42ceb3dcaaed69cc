"""The E1 dashboard's data: every indicator with its history length, target, latest result and status,
recent trend and latest external comparison — for any number of indicators in a fixed number of queries.

The dashboard page is the evidence package's (``evidence/views/dashboard.py``); E1's automatic evidence
(``processes/evidence.py``) reads the same rows."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core import signals
from core.extensions import db
from processes.agreements import recent_points
from processes.indicators import Status, latest_results, latest_status
from processes.models import Benchmark, Indicator, IndicatorKind, Measurement, Process, ProcessStatus

#: Periods of history E1 asks of an indicator, and the periods a sparkline shows.
HISTORY_NEEDED = 12
SPARKLINE_PERIODS = 12


@dataclass
class IndicatorRow:
    indicator: Indicator
    periods: int
    has_target: bool
    latest: Measurement | None
    status: Status
    #: The last values, oldest first, for the sparkline.
    trend: list[float]
    benchmark: Benchmark | None
    smart: bool
    #: The period of each value of ``trend``, so that a trend printed in the pack carries its dates.
    trend_periods: list = field(default_factory=list)


def smart_indicator_ids() -> set[int]:
    """Indicators that measure SMART improvements (shown first), as the registered packages say."""
    return set().union(*signals.send(signals.smart_indicators))


def _period_counts(ids) -> dict[int, int]:
    query = (select(Measurement.indicator_id, func.count()).where(Measurement.indicator_id.in_(ids))
             .group_by(Measurement.indicator_id))
    return dict(db.session.execute(query).all())


def _latest_benchmarks(ids) -> dict[int, Benchmark]:
    latest = (select(Benchmark.indicator_id, func.max(Benchmark.period).label("period"))
              .where(Benchmark.indicator_id.in_(ids)).group_by(Benchmark.indicator_id).subquery())
    query = (select(Benchmark).join(latest, (Benchmark.indicator_id == latest.c.indicator_id)
                                    & (Benchmark.period == latest.c.period)).order_by(Benchmark.source))
    found = {}
    for benchmark in db.session.scalars(query):
        found.setdefault(benchmark.indicator_id, benchmark)
    return found


def indicator_rows(programme_id: int | None = None, process_id: int | None = None) -> list[IndicatorRow]:
    """The active indicators of current processes (optionally of one programme or process), SMART ones first,
    then by process and code."""
    query = (select(Indicator).join(Process).where(Indicator.active, Process.status != ProcessStatus.RETIRED)
             .options(joinedload(Indicator.process).joinedload(Process.programme), selectinload(Indicator.targets))
             .order_by(Process.code, Indicator.code))
    if programme_id:
        query = query.where(Process.programme_id == programme_id)
    if process_id:
        query = query.where(Indicator.process_id == process_id)
    indicators = list(db.session.scalars(query).unique())
    ids = [i.id for i in indicators]
    if not ids:
        return []
    counts, latest = _period_counts(ids), latest_results(ids)
    trends, benchmarks, smart = recent_points(ids, SPARKLINE_PERIODS), _latest_benchmarks(ids), smart_indicator_ids()
    oldest_first = {i: list(reversed(points)) for i, points in trends.items()}
    rows = [IndicatorRow(i, counts.get(i.id, 0), bool(i.targets), latest.get(i.id), latest_status(i, latest.get(i.id)),
                         [v for _p, v in oldest_first.get(i.id, [])], benchmarks.get(i.id), i.id in smart,
                         [p for p, _v in oldest_first.get(i.id, [])])
            for i in indicators]
    rows.sort(key=lambda row: not row.smart)  # stable: SMART first, the rest keep their order
    return rows


def grouped(rows: list[IndicatorRow]) -> list[tuple[IndicatorKind, list[IndicatorRow]]]:
    """Perception measures, then performance indicators (E1 asks for both)."""
    return [(kind, [r for r in rows if r.indicator.kind == kind])
            for kind in (IndicatorKind.PERCEPTION, IndicatorKind.PERFORMANCE)]
