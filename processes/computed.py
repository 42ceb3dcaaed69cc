"""Indicators computed from the app's own figures: their sources, and the measurements the app writes for them.

An indicator whose ``computed_source`` names a figure of ``core.signals.indicator_sources`` (the survey
engine's NPS of a survey, the census's exit rate…) is never typed: its measurements are ``Measurement`` rows
marked ``computed``, written by the system (``core.audit.acting_as_system``), so the E1 dashboard, the charts,
the pack and the exports read them as any other. They are refreshed

- inside the transaction of every commit that wrote one of a source's tables (``_refresh_before_commit``): the
  tables written are noted as the session flushes and as it runs DML statements (the bulk inserts of imports
  and of the demo), and the indicators computed from those sources are recomputed before the commit, so a
  figure and its indicator never disagree, not even for a moment;
- when an indicator's source is chosen or changed (``processes.services.save_indicator``);
- by ``flask processes refresh-indicators``, which recomputes them all (a period that has just ended gets its
  value without waiting for the next write).

A refresh replaces the values of the periods the source gives, removes the computed values of periods it no
longer gives (their data was removed) and keeps the values people typed for periods the source has no data for
(the history from before the indicator was computed).
"""

from datetime import date
from itertools import chain

from flask import has_app_context, url_for
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core import signals
from core.audit import acting_as_system
from core.extensions import db
from core.indicator_sources import IndicatorSource
from core.rules import RuleError
from core.timeutil import utcnow
from processes.models import Frequency, Indicator, Measurement
from processes.periods import next_period, period_start

#: How many calendar years back a computed indicator is measured (this one included), as the census history shows.
HISTORY_YEARS = 5
#: ``session.info`` key of the tables written in the transaction under way.
_WRITTEN = "computed_sources_written"


class ComputedIndicator(RuleError):
    """Someone tried to type or import a value of an indicator the app computes."""

    def __init__(self, indicator: Indicator):
        super().__init__(refusal(indicator))
        self.indicator = indicator


def refusal(indicator: Indicator) -> str:
    """Why a value of a computed indicator cannot be typed, in words."""
    source = source_of(indicator)
    return _("%(code)s is computed from %(source)s: the app writes its measurements from that data, so they "
             "cannot be typed or imported. Correct the data at its source instead.", code=indicator.code,
             source=source.label if source else indicator.computed_source)


def sources() -> dict[str, IndicatorSource]:
    """Every figure the registered packages offer as an indicator's source, by key."""
    return signals.merged(signals.indicator_sources)


def source_of(indicator: Indicator) -> IndicatorSource | None:
    """The source the indicator is computed from, or None (typed by hand, or a source no package answers)."""
    return sources().get(indicator.computed_source) if indicator.computed_source else None


def source_url(indicator: Indicator, source: IndicatorSource) -> str:
    """The page the indicator's figures are read on."""
    return url_for(source.endpoint, **source.url_args(indicator.source_parameter))


def ensure_typed(indicator: Indicator) -> None:
    """Refuse a typed value for an indicator the app computes."""
    if indicator.computed_source:
        raise ComputedIndicator(indicator)


def computed_values(indicator: Indicator, source: IndicatorSource, today: date | None = None) -> dict[date, float]:
    """The indicator's value per period of the last ``HISTORY_YEARS`` as its source computes it today; a rate only
    for periods that ended."""
    today, frequency = today or date.today(), Frequency(indicator.frequency)
    since = date(today.year - HISTORY_YEARS + 1, 1, 1)
    values = source.values(frequency.value, indicator.source_parameter, since, today)
    found = {period_start(period, frequency): float(value) for period, value in values.items() if value is not None}
    if source.whole_periods:
        found = {period: value for period, value in found.items() if next_period(period, frequency) <= today}
    return found


def refresh(indicators, *, today: date | None = None) -> int:
    """Write the computed measurements of ``indicators`` from their sources, as the system; flushes. Returns the
    number of measurements added, changed or removed. Two queries besides each source's own."""
    known = sources()
    indicators = [i for i in indicators if i.computed_source in known]
    if not indicators:
        return 0
    existing: dict[int, dict[date, Measurement]] = {i.id: {} for i in indicators}
    for measurement in db.session.scalars(select(Measurement).where(
            Measurement.indicator_id.in_(list(existing)))):
        existing[measurement.indicator_id][measurement.period] = measurement
    changed = 0
    with acting_as_system():
        for indicator in indicators:
            values = computed_values(indicator, known[indicator.computed_source], today)
            changed += _write(indicator, values, existing[indicator.id])
    return changed


def _write(indicator: Indicator, values: dict[date, float], existing: dict[date, Measurement]) -> int:
    changed = 0
    for period, value in values.items():
        current = existing.get(period)
        if current is None:
            db.session.add(Measurement(indicator_id=indicator.id, period=period, value=value, computed=True))
        elif current.computed and current.value == value:
            continue
        else:  # a new figure, or a typed value the source now gives
            current.value, current.computed, current.entered_by_id, current.comment = value, True, None, None
            current.entered_at = utcnow()
        changed += 1
    for period, current in existing.items():
        if current.computed and period not in values:
            db.session.delete(current)
            changed += 1
    return changed


def refresh_all(*, today: date | None = None) -> int:
    """Recompute every computed indicator (``flask processes refresh-indicators``, the demo)."""
    query = select(Indicator).where(Indicator.computed_source.is_not(None)).order_by(Indicator.code)
    return refresh(list(db.session.scalars(query)), today=today)


def refresh_for_tables(tables: set[str]) -> int:
    """Recompute the indicators whose source reads one of ``tables``."""
    keys = [key for key, source in sources().items() if tables.intersection(source.tables)]
    if not keys:
        return 0
    query = select(Indicator).where(Indicator.computed_source.in_(keys))
    return refresh(list(db.session.scalars(query)))


# --- noting what a transaction wrote, and refreshing before it commits -------------------------------------

def _written(session) -> set:
    return session.info.setdefault(_WRITTEN, set())


@event.listens_for(Session, "after_flush")
def _note_flushed_tables(session, flush_context):
    tables = _written(session)
    for obj in chain(session.new, session.dirty, session.deleted):
        name = getattr(obj, "__tablename__", None)
        if name:
            tables.add(name)


@event.listens_for(Session, "do_orm_execute")
def _note_statement_tables(state):
    """The bulk writes (an import's, the demo's) go as statements, not through the flush."""
    if state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(state.statement, "table", None), "name", None)
        if name:
            _written(state.session).add(name)


# ``insert=True``: before ``core.audit_chain`` seals the transaction's audit entries, so the refresh's are sealed too.
@event.listens_for(Session, "before_commit", insert=True)
def _refresh_before_commit(session):
    """Recompute the indicators computed from what this transaction wrote, inside it."""
    if session.in_nested_transaction() or not has_app_context() or not db.session.registry.has() \
            or db.session() is not session:
        return
    session.flush()
    tables = session.info.pop(_WRITTEN, None)
    if tables:
        refresh_for_tables(tables)
        session.flush()
        session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_written(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_WRITTEN, None)
