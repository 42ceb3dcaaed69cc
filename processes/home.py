"""What the process map shows on the home page: the indicators whose latest result is off target, and the next
reviews of the service-level agreements between processes."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.reviews import Due
from processes import document_control
from processes.indicators import Status, latest_results, latest_status
from processes.models import Indicator, Interface, Measurement, Process, ProcessStatus

#: Rows listed in each block (the count says how many there are in all).
LISTED = 6


@dataclass(frozen=True)
class OffTarget:
    """The indicators off target (the first ``LISTED``, with their latest result), how many in all, and how many
    indicators have a target to be off."""

    rows: list[tuple[Indicator, Measurement]]
    total: int
    with_target: int


def off_target(listed: int = LISTED) -> OffTarget:
    """Active indicators of current processes whose latest result misses its target (three statements)."""
    query = (select(Indicator).join(Process).where(Indicator.active, Process.status != ProcessStatus.RETIRED)
             .options(joinedload(Indicator.process), selectinload(Indicator.targets))
             .order_by(Process.code, Indicator.code))
    indicators = list(db.session.scalars(query).unique())
    latest = latest_results(i.id for i in indicators)
    missed = [(i, latest[i.id]) for i in indicators if latest_status(i, latest.get(i.id)) == Status.OFF_TARGET]
    return OffTarget(missed[:listed], len(missed), sum(1 for i in indicators if i.targets))


@dataclass(frozen=True)
class Reviews:
    """The next reviews of service-level agreements (the overdue ones first), and how many have a date."""

    rows: list[Interface]
    scheduled: int


def reviews_due(listed: int = LISTED) -> Reviews:
    """Interfaces between current processes with a review date, the earliest first (two statements)."""
    dated = Interface.review_date.is_not(None)
    query = (select(Interface).where(dated).options(joinedload(Interface.from_process),
                                                    joinedload(Interface.to_process))
             .order_by(Interface.review_date, Interface.id).limit(listed))
    scheduled = db.session.scalar(select(func.count()).select_from(Interface).where(dated))
    return Reviews(list(db.session.scalars(query)), scheduled or 0)


def today() -> date:
    return date.today()


def sheets_and_agreements_due(on: date) -> list[Due]:
    """Current process sheets and agreements past their review date on ``on`` (three statements)."""
    planned = select(Process).where(Process.status != ProcessStatus.RETIRED,
                                    Process.review_interval_months.is_not(None))
    processes = list(db.session.scalars(planned.order_by(Process.code)))
    controls = document_control.controls(processes, on)
    found = [Due("sheet", str(process), controls[process.id].review_due,
                 url_for("processes.process_detail", process_id=process.id, _anchor="review"))
             for process in processes if controls[process.id].review_overdue(on)]
    late = (select(Interface).where(Interface.review_date < on).options(joinedload(Interface.from_process),
                                                                         joinedload(Interface.to_process))
            .order_by(Interface.review_date, Interface.id))
    return found + [Due("agreement", f"{i.from_process.code} → {i.to_process.code} · {i.flow[:60]}", i.review_date,
                        url_for("processes.edit_interface", interface_id=i.id, _anchor="review"))
                    for i in db.session.scalars(late)]
