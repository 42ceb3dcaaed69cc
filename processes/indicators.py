"""Indicators over time: targets by period, the status of a result, and recording measurements."""

import enum
from bisect import bisect_right
from datetime import date

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from core.extensions import db
from core.imports.cells import InvalidCell, number_converter
from core.listing import text_matches
from core.models import User
from processes.computed import ensure_typed
from processes.models import Benchmark, Direction, Indicator, Measurement, Process, Target
from processes.periods import period_label, period_start


class Status(enum.StrEnum):
    """Where a result stands against its target."""

    ON_TARGET = "on_target"
    ALERT = "alert"
    OFF_TARGET = "off_target"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.ON_TARGET: _l("On target"),
    Status.ALERT: _l("Alert"),
    Status.OFF_TARGET: _l("Off target"),
    Status.NO_TARGET: _l("No target"),
    Status.NO_DATA: _l("No data"),
}


def target_for(targets: list[Target], period: date) -> float | None:
    """The target holding for ``period``: the latest one whose ``valid_from`` is not after it.

    ``targets`` must be sorted by ``valid_from`` (as ``Indicator.targets`` is).
    """
    position = bisect_right([t.valid_from for t in targets], period)
    return targets[position - 1].value if position else None


def reaches(value: float, level: float, direction: Direction) -> bool:
    """Whether ``value`` is at ``level`` or beyond it in the good direction."""
    return value >= level if direction == Direction.HIGHER else value <= level


def status_of(value: float | None, target: float | None, alert_threshold: float | None,
              direction: Direction) -> Status:
    """On target when the value reaches the target; alert when it misses it but still reaches the alert
    threshold; off target otherwise. Without an alert threshold a miss is off target."""
    if value is None:
        return Status.NO_DATA
    if target is None:
        return Status.NO_TARGET
    if reaches(value, target, direction):
        return Status.ON_TARGET
    if alert_threshold is not None and reaches(value, alert_threshold, direction):
        return Status.ALERT
    return Status.OFF_TARGET


class MeasurementExists(Exception):
    """A period already has a value; the user must choose to replace it or keep it."""

    def __init__(self, measurement: Measurement):
        super().__init__(f"{measurement.indicator_id} already has {measurement.period}")
        self.measurement = measurement


def measurements_by_period(indicator: Indicator) -> dict[date, Measurement]:
    query = select(Measurement).where(Measurement.indicator_id == indicator.id)
    return {m.period: m for m in db.session.scalars(query)}


def record_measurements(indicator: Indicator, values: dict[date, tuple[float, str | None]], *, actor,
                        replace: bool = False) -> tuple[int, int]:
    """Store values by period; all or nothing. Raise ``MeasurementExists`` for the first period that
    already has a different value unless ``replace``. Returns (added, replaced). An indicator the app computes
    takes no typed value (``processes.computed.ComputedIndicator``)."""
    ensure_typed(indicator)
    existing = measurements_by_period(indicator)
    added = replaced = 0
    for raw_period, (value, comment) in sorted(values.items()):
        period = period_start(raw_period, indicator.frequency)
        current = existing.get(period)
        if current is None:
            db.session.add(Measurement(indicator_id=indicator.id, period=period, value=value, comment=comment,
                                       entered_by=actor))
            added += 1
        elif current.value != value or (comment and comment != current.comment):
            if not replace:
                raise MeasurementExists(current)
            current.value, current.comment, current.entered_by = value, comment or current.comment, actor
            replaced += 1
    db.session.flush()
    return added, replaced


def set_target(indicator: Indicator, valid_from: date, value: float) -> Target:
    """Set the target from a period on (replacing one that starts the same period)."""
    start = period_start(valid_from, indicator.frequency)
    target = next((t for t in indicator.targets if t.valid_from == start), None)
    if target is None:
        target = Target(valid_from=start, value=value)
        indicator.targets.append(target)
    else:
        target.value = value
    db.session.flush()
    return target


def add_benchmark(indicator: Indicator, source: str, period: date, value: float) -> Benchmark:
    """Record an external comparison for the period containing ``period`` (E1)."""
    benchmark = Benchmark(indicator_id=indicator.id, source=source.strip(), value=value,
                          period=period_start(period, indicator.frequency))
    db.session.add(benchmark)
    db.session.flush()
    return benchmark


def series(indicator: Indicator) -> list[dict]:
    """The indicator's history, oldest first: period, value, target then in force, status, comment and
    who entered it (read as plain rows: a long history need not become ORM objects)."""
    targets = list(indicator.targets)
    query = (select(Measurement.period, Measurement.value, Measurement.comment, User.name.label("entered_by"),
                    Measurement.computed)
             .outerjoin(User, User.id == Measurement.entered_by_id)
             .where(Measurement.indicator_id == indicator.id).order_by(Measurement.period))
    rows = []
    for period, value, comment, entered_by, computed in db.session.execute(query):
        target = target_for(targets, period)
        rows.append({
            "period": period,
            "label": period_label(period, indicator.frequency),
            "value": value,
            "target": target,
            "status": status_of(value, target, indicator.alert_threshold, indicator.direction),
            "comment": comment,
            "entered_by": entered_by,
            "computed": computed,
        })
    return rows


def benchmarks(indicator: Indicator) -> list[Benchmark]:
    query = select(Benchmark).where(Benchmark.indicator_id == indicator.id).order_by(Benchmark.period,
                                                                                     Benchmark.source)
    return list(db.session.scalars(query))


def latest_results(indicator_ids) -> dict[int, Measurement]:
    """The latest measurement of each indicator, in one query (for lists, maps and dashboards)."""
    ids = list(indicator_ids)
    if not ids:
        return {}
    latest = (select(Measurement.indicator_id, func.max(Measurement.period).label("period"))
              .where(Measurement.indicator_id.in_(ids)).group_by(Measurement.indicator_id).subquery())
    query = select(Measurement).join(latest, (Measurement.indicator_id == latest.c.indicator_id) &
                                     (Measurement.period == latest.c.period))
    return {m.indicator_id: m for m in db.session.scalars(query)}


def latest_status(indicator: Indicator, latest: Measurement | None) -> Status:
    if latest is None:
        return Status.NO_DATA
    target = target_for(list(indicator.targets), latest.period)
    return status_of(latest.value, target, indicator.alert_threshold, indicator.direction)


def values_from_grid(form, periods: list[date]) -> tuple[dict, dict]:
    """Read the grid's ``value-<period>``/``comment-<period>`` fields: (values by period, errors by period).

    Empty cells are skipped. Numbers may be typed the Spanish or the English way; where the cells
    themselves do not tell, the reader's language decides.
    """
    texts = {p: (form.get(f"value-{p.isoformat()}") or "").strip() for p in periods}
    convert = number_converter([t for t in texts.values() if t], default=get_decimal_symbol(get_locale()))
    values, errors = {}, {}
    for period, text in texts.items():
        if not text:
            continue
        try:
            values[period] = (convert(text), (form.get(f"comment-{period.isoformat()}") or "").strip() or None)
        except InvalidCell as error:
            errors[period.isoformat()] = str(error)
    return values, errors


def indicator_query(*, programme_id=None, process_id=None, q=None, active=None):
    """The indicators of a programme or process whose code or name, or their process's, holds ``q``, as the E1
    dashboard filters them, by code (a SELECT to paginate, its process loaded with it)."""
    query = select(Indicator).join(Process, Process.id == Indicator.process_id).options(contains_eager(
        Indicator.process))
    if programme_id:
        query = query.where(Process.programme_id == programme_id)
    if process_id:
        query = query.where(Indicator.process_id == process_id)
    if active is not None:
        query = query.where(Indicator.active.is_(active))
    if (matches := text_matches(q, Indicator.code, Indicator.name, Process.code, Process.name)) is not None:
        query = query.where(matches)
    return query.order_by(Indicator.code, Indicator.id)
