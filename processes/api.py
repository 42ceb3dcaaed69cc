"""The process map on the REST API: processes with their people and indicators, indicators with targets,
measurements and external comparisons; measurements pushed one or a batch at a time (``core.api``)."""

from flask import request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import api, idempotency
from core.access import TEAM_DATA, allow
from core.extensions import db
from core.idempotency import committed_write
from processes import measurement_api, services
from processes.api_schemas import (
    BenchmarkSchema,
    IndicatorDetailSchema,
    IndicatorPage,
    IndicatorQuery,
    MeasurementBatchSchema,
    MeasurementPage,
    MeasurementResultSchema,
    MeasurementSchema,
    MeasurementUpdateSchema,
    ProcessPage,
    ProcessQuery,
    ProcessSchema,
)
from processes.indicators import indicator_query, latest_results, latest_status
from processes.models import Benchmark, Indicator, Measurement, Participant, Process

blp = api.Blueprint("api_processes", __name__, url_prefix=f"{api.PREFIX}", description="The process map (A1, E1)")


def _process_options():
    return (joinedload(Process.owner), joinedload(Process.programme),
            selectinload(Process.participants).joinedload(Participant.user), selectinload(Process.indicators))


@blp.get("/processes")
@allow(TEAM_DATA)
@blp.arguments(ProcessQuery, location="query", error_status_code=400)
@blp.response(200, ProcessPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def processes(args):
    """The processes, filtered as on the processes page (current ones unless a status is asked for), by code."""
    etag = api.list_etag("processes")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    query = services.process_query(q=args.get("q"), programme_id=args.get("programme"), kind=args.get("kind"),
                                   status=args.get("status"), owner_id=args.get("owner"))
    return api.paginate(query.options(*_process_options()), args), 200, api.etag_header(etag)


@blp.get("/processes/<int:process_id>")
@allow(TEAM_DATA)
@blp.response(200, ProcessSchema)
def process(process_id: int):
    """One process with its owner, participants and indicators."""
    return db.get_or_404(Process, process_id, options=_process_options())


@blp.get("/indicators")
@allow(TEAM_DATA)
@blp.arguments(IndicatorQuery, location="query", error_status_code=400)
@blp.response(200, IndicatorPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def indicators(args):
    """The indicators, filtered as on the E1 dashboard (programme, process, words of code or name), with their
    targets and latest result, by code."""
    etag = api.list_etag("indicators")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    query = indicator_query(programme_id=args.get("programme"), process_id=args.get("process"), q=args.get("q"),
                            active=args.get("active"))
    query = query.options(selectinload(Indicator.targets))
    return api.paginate(query, args, after=_with_latest), 200, api.etag_header(etag)


def _with_latest(items: list[Indicator]) -> None:
    """Each indicator's latest measurement and its status, in one query for the page."""
    latest = latest_results(i.id for i in items)
    for indicator in items:
        indicator.latest = latest.get(indicator.id)
        indicator.latest_status = latest_status(indicator, indicator.latest)


@blp.get("/indicators/<int:indicator_id>")
@allow(TEAM_DATA)
@blp.response(200, IndicatorDetailSchema)
def indicator(indicator_id: int):
    """One indicator with its targets, external comparisons and latest result."""
    found = db.get_or_404(Indicator, indicator_id, options=[selectinload(Indicator.targets)])
    _with_latest([found])
    found.benchmarks = list(db.session.scalars(select(Benchmark).where(Benchmark.indicator_id == found.id)
                                               .order_by(Benchmark.period, Benchmark.id)))
    return found


@blp.get("/indicators/<int:indicator_id>/measurements")
@allow(TEAM_DATA)
@blp.arguments(api.PageArgs, location="query", error_status_code=400)
@blp.response(200, MeasurementPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def indicator_measurements(args, indicator_id: int):
    """An indicator's measurements, oldest period first."""
    found = db.get_or_404(Indicator, indicator_id)
    etag = api.list_etag("measurements")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    query = (select(Measurement).where(Measurement.indicator_id == found.id)
             .options(joinedload(Measurement.indicator)).order_by(Measurement.period, Measurement.id))
    return api.paginate(query, args), 200, api.etag_header(etag)


@blp.get("/indicators/<int:indicator_id>/benchmarks")
@allow(TEAM_DATA)
@blp.response(200, BenchmarkSchema(many=True))
def indicator_benchmarks(indicator_id: int):
    """An indicator's external comparisons (E1), by period."""
    found = db.get_or_404(Indicator, indicator_id)
    return db.session.scalars(select(Benchmark).where(Benchmark.indicator_id == found.id)
                              .order_by(Benchmark.period, Benchmark.id)).all()


@blp.post("/measurements")
@allow(TEAM_DATA)
@committed_write
@blp.arguments(MeasurementBatchSchema)
@blp.response(200, MeasurementResultSchema)
@blp.doc(parameters=[idempotency.PARAMETER])
def push_measurements(batch):
    """Record a batch of measurements, all or nothing, through the rules of the measurement grid and import: each
    row's indicator must exist, be one the caller may record and not be computed by the app, and its period be of
    the indicator's frequency; a period that already has another value is refused unless ``replace`` is true."""
    return measurement_api.push(batch["items"], replace=batch["replace"], actor=current_user)


@blp.get("/measurements/<int:measurement_id>")
@allow(TEAM_DATA)
@blp.response(200, MeasurementSchema)
def measurement(measurement_id: int):
    """One measurement; its ETag is its version, for ``If-Match`` on a change."""
    found = db.get_or_404(Measurement, measurement_id, options=[joinedload(Measurement.indicator)])
    return found, 200, {"ETag": measurement_api.etag_of(found)}


@blp.put("/measurements/<int:measurement_id>")
@allow(TEAM_DATA)
@committed_write
@blp.arguments(MeasurementUpdateSchema)
@blp.response(200, MeasurementSchema)
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=[{"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                      "description": "The ETag read with the measurement: refused with 412 if it changed since."}])
def change_measurement(data, measurement_id: int):
    """Change a measurement's value or comment (by the caller allowed to record the indicator's measurements)."""
    found = db.get_or_404(Measurement, measurement_id, options=[joinedload(Measurement.indicator)])
    changed = measurement_api.change(found, data, if_match=request.if_match, actor=current_user)
    return changed, 200, {"ETag": measurement_api.etag_of(changed)}
