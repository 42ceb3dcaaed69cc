"""Measurements pushed through the API: the rules of the grid and the import, row by row, and all or nothing.

Each row is checked as an imported one is (``processes.measurement_import``): the indicator exists, the caller may
record it (``services.may_record_measurements``), the app does not compute it, the period is of its frequency and
not twice in the batch; then ``indicators.record_measurements`` stores them, as the grid does. One refused row
refuses the batch, and the answer names every refused row.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import api
from core.extensions import db
from processes.computed import refusal
from processes.indicators import record_measurements
from processes.models import Indicator, Measurement
from processes.periods import PeriodError, parse_period, period_label
from processes.services import may_record_measurements


def row_error(row: int, field: str, message: str) -> dict:
    return {"location": "json", "field": f"items.{row}.{field}", "row": row, "message": str(message)}


def _indicators(items: list[dict]) -> dict[str, Indicator]:
    codes = {item["indicator"].strip().upper() for item in items}
    query = (select(Indicator).where(func.upper(Indicator.code).in_(codes))
             .options(joinedload(Indicator.process)))
    return {indicator.code.upper(): indicator for indicator in db.session.scalars(query)}


def _checked(row: int, item: dict, indicators: dict, actor, errors: list):
    """(indicator, period) of a row, or None with its error added."""
    code = item["indicator"].strip().upper()
    indicator = indicators.get(code)
    if indicator is None:
        errors.append(row_error(row, "indicator", _("There is no indicator %(code)s.", code=code)))
    elif not may_record_measurements(actor, indicator):
        errors.append(row_error(row, "indicator", _("You may not record measurements of %(code)s.", code=code)))
    elif indicator.computed_source:
        errors.append(row_error(row, "indicator", refusal(indicator)))
    else:
        try:
            return indicator, parse_period(item["period"], indicator.frequency)
        except PeriodError as error:
            errors.append(row_error(row, "period", str(error)))
    return None


def plan(items: list[dict], *, actor) -> dict[tuple, tuple]:
    """``{(indicator id, period): (row, indicator, value, comment)}`` for a batch, or a 422 naming every refused row."""
    indicators, errors, planned = _indicators(items), [], {}
    for row, item in enumerate(items):
        found = _checked(row, item, indicators, actor, errors)
        if found is None:
            continue
        indicator, period = found
        if (indicator.id, period) in planned:
            errors.append(row_error(row, "period", _("%(code)s %(period)s is also in row %(row)d.", code=indicator.code,
                                    period=period_label(period, indicator.frequency),
                                    row=planned[(indicator.id, period)][0])))
            continue
        planned[(indicator.id, period)] = (row, indicator, item["value"], item.get("comment") or None)
    if errors:
        api.refuse(422, _("Nothing was recorded: correct the rows named and send the batch again."), errors=errors)
    return planned


def _conflicts(planned: dict) -> list[dict]:
    """The rows whose period already has another value."""
    ids = {indicator.id for _row, indicator, _value, _comment in planned.values()}
    periods = {period for _id, period in planned}
    query = select(Measurement.indicator_id, Measurement.period, Measurement.value).where(
        Measurement.indicator_id.in_(ids), Measurement.period.in_(periods))
    conflicts = []
    for indicator_id, period, value in db.session.execute(query):
        if (indicator_id, period) in planned and planned[(indicator_id, period)][2] != value:
            row, indicator, _value, _comment = planned[(indicator_id, period)]
            conflicts.append(row_error(row, "period", _(
                "%(code)s %(period)s already has the value %(value)s: send replace true to replace it.",
                code=indicator.code, period=period_label(period, indicator.frequency), value=value)))
    return sorted(conflicts, key=lambda error: error["row"])


def push(items: list[dict], *, replace: bool, actor) -> dict[str, int]:
    """Record a batch (the caller commits once): counts of values added, replaced and already so."""
    planned = plan(items, actor=actor)
    if not replace and (conflicts := _conflicts(planned)):
        api.refuse(409, _("Nothing was recorded: some periods already have another value."), errors=conflicts)
    by_indicator: dict[int, tuple] = {}
    for (_id, period), (_row, indicator, value, comment) in planned.items():
        by_indicator.setdefault(indicator.id, (indicator, {}))[1][period] = (value, comment)
    counts = {"added": 0, "replaced": 0}
    for indicator, values in by_indicator.values():
        added, replaced = record_measurements(indicator, values, actor=actor, replace=True)
        counts["added"] += added
        counts["replaced"] += replaced
    return {**counts, "unchanged": len(planned) - counts["added"] - counts["replaced"]}


def etag_of(measurement: Measurement) -> str:
    """A measurement's ETag: its id and version (``core.versioning``), quoted."""
    return f'"measurement-{measurement.id}-v{measurement.version}"'


def change(measurement: Measurement, data: dict, *, if_match, actor) -> Measurement:
    """Change one measurement's value or comment as the grid does, refusing a stale ``If-Match`` (412)."""
    indicator = measurement.indicator
    if not may_record_measurements(actor, indicator):
        api.refuse(403, _("You may not record measurements of %(code)s.", code=indicator.code))
    if indicator.computed_source:
        api.refuse(422, refusal(indicator))
    # The ETag names the version (``core.versioning``): any other means someone saved it since it was read.
    if if_match and not if_match.contains(etag_of(measurement).strip('"')):
        api.refuse(412, _("The measurement changed since you read it: read it again and apply your change "
                          "to what it is now."))
    comment = data.get("comment")
    record_measurements(indicator, {measurement.period: (data["value"], comment)}, actor=actor, replace=True)
    if "comment" in data and comment is None:
        measurement.comment = None
    db.session.flush()
    return measurement
