"""The demo's certification cycles: the first certification, closed (its period and visit a year and more ago,
reviewed by the demo's reviewer), and the renewal in preparation over the period since, its visit planned.

Dates follow ``demo.dates``: the first cycle's period is the twelve months that ended a year before the last
complete month; the renewal covers the year after it, up to the end of the last complete month. The first cycle's
pack is built on the task queue (``queue_first_pack``), once everything it lists (its findings) is loaded.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from certification import cycles
from certification.models import Cycle, CycleState
from core.extensions import db
from demo.dates import last_complete_month, months_before
from evidence import pack_jobs
from evidence.models import CriteriaSet

FIRST_NAME = "Certificación inicial"
SCOPE = dict(
    scope_programmes="Programa de fidelización de socios: planes de previsión individuales y de empleo.",
    scope_sites="Oficina central de Bilbao y oficinas de atención de Donostia y Vitoria-Gasteiz.",
    scope_exclusions="Gestión de inversiones (externalizada a la gestora del fondo).",
)


def periods(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The first cycle's period (twelve months, ending a year before the last complete month ends) and the
    renewal's (the twelve months after it, up to the last day of the last complete month)."""
    last = last_complete_month(today)
    renewal_start = months_before(last, 11)
    first_start = months_before(renewal_start, 12)
    renewal_end = months_before(last, -1) - timedelta(days=1)
    return (first_start, renewal_start - timedelta(days=1)), (renewal_start, renewal_end)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0))


def load(users: dict) -> None:
    """The two cycles on the criteria set in use (after the evidence, whose set they use)."""
    today = date.today()
    coordinator, reviewer = users["coordinator@demo.test"], users["reviewer@demo.test"]
    set_id = db.session.scalar(select(CriteriaSet.id).where(CriteriaSet.is_current))
    (first_start, first_end), (renewal_start, renewal_end) = periods(today)
    visit = first_end + timedelta(days=40)
    first = cycles.save_cycle(None, cycles.CycleData(
        name=FIRST_NAME, set_id=set_id, period_start=first_start, period_end=first_end,
        visit_planned_on=visit - timedelta(days=7), visit_held_on=visit, reviewer_ids=(reviewer.id,), **SCOPE),
        actor=coordinator, today=today)
    first.created_at = _moment(first_end - timedelta(days=30))
    cycles.change_state(first, CycleState.UNDER_REVIEW, actor=coordinator, today=visit, at=_moment(visit))
    closed = visit + timedelta(days=45)  # the report made final once the answers to its findings were in
    cycles.change_state(first, CycleState.CLOSED, actor=reviewer, today=closed, at=_moment(closed))
    renewal = cycles.save_cycle(None, cycles.CycleData(
        name=f"Renovación {(today + timedelta(days=45)).year}", set_id=set_id,
        period_start=renewal_start, period_end=renewal_end, visit_planned_on=today + timedelta(days=45),
        reviewer_ids=(reviewer.id,), **SCOPE), actor=coordinator, today=today)
    renewal.created_at = _moment(today - timedelta(days=20))


def first_cycle() -> Cycle | None:
    """The first certification, closed (the findings' demo records its findings and their answers)."""
    return db.session.scalar(select(Cycle).where(Cycle.name == FIRST_NAME))


def renewal_cycle() -> Cycle | None:
    """The renewal in preparation over the period since the first certification."""
    return db.session.scalar(select(Cycle).where(Cycle.state == CycleState.PREPARING)
                             .order_by(Cycle.period_start.desc()).limit(1))


def queue_first_pack() -> None:
    """Ask for the first cycle's pack: a job on the task queue, which the demo's worker builds when ``make run``
    starts it (in the tests' immediate mode it is built at once). Call it last: it commits, and the pack lists the
    cycle's findings as they stand then."""
    cycle = first_cycle()
    if cycle is None:
        return
    _snapshot, job, started = pack_jobs.request_pack(cycle.criteria_set, "all", "es", actor=cycle.created_by,
                                                     cycle_id=cycle.id)
    if started:
        pack_jobs.start(job)
