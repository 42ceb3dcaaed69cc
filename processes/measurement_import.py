"""Importing measurements from CSV/XLSX with the shared import pipeline: the rows' own checks and the plan."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.i18n import in_reader_language
from core.imports import Column, ImportResult, ImportSpec
from core.imports.result import also_in, other_rows
from processes.computed import refusal
from processes.indicators import record_measurements
from processes.models import Frequency, Indicator, Measurement
from processes.periods import PeriodError, parse_period, period_label, period_start
from processes.services import may_record_measurements

SPEC = ImportSpec([
    Column("indicator", _l("Indicator code"), synonyms=("indicador", "código indicador", "codigo", "code",
                                                         "indicator", "indicator code", "cod")),
    Column("period", _l("Period"), synonyms=("periodo", "período", "mes", "fecha", "period", "month", "date",
                                             "trimestre", "quarter", "año", "year")),
    Column("value", _l("Value"), kind="number", synonyms=("valor", "resultado", "value", "result", "dato")),
    Column("comment", _l("Comment"), required=False, max_length=2000,
           synonyms=("comentario", "observaciones", "notas", "comment", "notes", "remarks")),
])


@dataclass
class PlannedValue:
    """One row of the file, checked: what will be stored, and what it would replace."""

    row: int
    indicator: Indicator
    period: date
    value: float
    comment: str | None
    current: float | None

    @property
    def period_label(self) -> str:
        return period_label(self.period, self.indicator.frequency)

    @property
    def changes_a_value(self) -> bool:
        return self.current is not None and self.current != self.value


def plan(result: ImportResult, *, user) -> list[PlannedValue]:
    """Check each parsed row against the indicators (exists, may be recorded by ``user``, period of
    the right frequency, not twice in the file); rejected rows join the report. Two queries in all."""
    column = result.mapping
    codes = {str(row.values["indicator"]).strip().upper() for row in result.rows}
    query = select(Indicator).where(func.upper(Indicator.code).in_(codes))
    indicators = {i.code.upper(): i for i in db.session.scalars(query)}
    found = [(row, *known) for row in result.rows if (known := _known_period(result, row, indicators, user))]
    repeated = other_rows((row.number, (indicator.id, period)) for row, indicator, period in found)
    planned = []
    for row, indicator, period in found:
        if row.number in repeated:
            result.reject(row.number, column["period"], "period", row.values["period"],
                          _("%(code)s %(period)s is also in %(rows)s.", code=indicator.code,
                            period=period_label(period, indicator.frequency), rows=also_in(repeated[row.number])))
            continue
        planned.append(PlannedValue(row.number, indicator, period, row.values["value"], row.values.get("comment"),
                                    current=None))
    _attach_current_values(planned)
    return planned


def _known_period(result: ImportResult, row, indicators: dict, user):
    """(indicator, period) of a row, or None when the row is rejected: an unknown indicator, one ``user`` may
    not record, one the app computes, or a period that is not of the indicator's frequency."""
    column, code = result.mapping, str(row.values["indicator"]).strip().upper()
    indicator = indicators.get(code)
    if indicator is None:
        result.reject(row.number, column["indicator"], "indicator", code,
                      _("There is no indicator %(code)s.", code=code))
        return None
    if not may_record_measurements(user, indicator):
        result.reject(row.number, column["indicator"], "indicator", code,
                      _("You may not record measurements of %(code)s.", code=code))
        return None
    if indicator.computed_source:
        result.reject(row.number, column["indicator"], "indicator", code, refusal(indicator))
        return None
    try:
        return indicator, parse_period(row.cells.get("period", row.values["period"]), indicator.frequency)
    except PeriodError as error:
        result.reject(row.number, column["period"], "period", row.values["period"], str(error))
        return None


def _attach_current_values(planned: list[PlannedValue]) -> None:
    keys = [(p.indicator.id, p.period) for p in planned]
    if not keys:
        return
    current = {}
    for chunk_start in range(0, len(keys), 500):
        chunk = keys[chunk_start:chunk_start + 500]
        query = select(Measurement.indicator_id, Measurement.period, Measurement.value).where(
            tuple_(Measurement.indicator_id, Measurement.period).in_(chunk))
        current.update({(i, p): v for i, p, v in db.session.execute(query)})
    for item in planned:
        item.current = current.get((item.indicator.id, item.period))


def apply(planned: list[PlannedValue], *, actor, replace: bool) -> dict[str, int]:
    """Store the plan (the caller commits once: all or nothing). Existing different values are
    replaced only if ``replace``; otherwise they are kept."""
    counts = {"added": 0, "replaced": 0, "kept": 0, "unchanged": 0}
    by_indicator: dict[int, dict] = {}
    for item in planned:
        if item.current is not None and not item.changes_a_value:
            counts["unchanged"] += 1
        elif item.changes_a_value and not replace:
            counts["kept"] += 1
        else:
            by_indicator.setdefault(item.indicator.id, {"indicator": item.indicator, "values": {}})
            by_indicator[item.indicator.id]["values"][item.period] = (item.value, item.comment)
    for entry in by_indicator.values():
        added, replaced = record_measurements(entry["indicator"], entry["values"], actor=actor, replace=True)
        counts["added"] += added
        counts["replaced"] += replaced
    return counts


def example_rows(user) -> list[dict]:
    """Two periods of an indicator ``user`` may record, as a measurements file would give them (the template)."""
    query = select(Indicator).options(selectinload(Indicator.process)).order_by(Indicator.code)
    indicator = next((i for i in db.session.scalars(query)
                      if not i.computed_source and may_record_measurements(user, i)), None)
    code, frequency = (indicator.code, indicator.frequency) if indicator else ("IND-01", Frequency.MONTHLY)
    latest = period_start(period_start(date.today(), frequency) - timedelta(days=1), frequency)
    earlier = period_start(latest - timedelta(days=1), frequency)
    return [{"indicator": code, "period": period_label(earlier, frequency), "value": 4.1,
             "comment": in_reader_language("Encuesta trimestral", "Quarterly survey")},
            {"indicator": code, "period": period_label(latest, frequency), "value": 4.3}]
