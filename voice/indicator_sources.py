"""The register of complaints' figures as the sources of computed indicators (``core.signals.indicator_sources``):
the complaints and claims received per period, and the mean response time (days) of the records received in the
period that have been answered, as the register's summary computes it (``voice.complaints.response_days``)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, cast, func, select

from core.extensions import db
from core.indicator_sources import GRANULARITY, IndicatorSource
from loyalty.history import bucket, period_start
from voice.complaints import response_days
from voice.models import Complaint, ContactKind

TABLES = ("complaints",)
#: The kinds of record counted as complaints (an enquiry or an incident is not one).
COMPLAINT_KINDS = (ContactKind.COMPLAINT, ContactKind.CLAIM)


def _per_period(frequency: str, since: date, until: date) -> list[tuple[date, int, float | None]]:
    """(period, complaints and claims received, mean response days) per period with records: one GROUP BY."""
    granularity = GRANULARITY[frequency]
    period = bucket(Complaint.received_on, granularity).label("period")
    counted = func.coalesce(func.sum(case((Complaint.kind.in_(COMPLAINT_KINDS), 1), else_=0)), 0)
    query = (select(period, counted, func.avg(cast(response_days(), Float)))
             .where(Complaint.received_on >= since, Complaint.received_on <= until).group_by(period).order_by(period))
    return [(period_start(int(key), granularity), int(count), mean) for key, count, mean in db.session.execute(query)]


def complaints(frequency: str, parameter: int | None, since: date, until: date) -> dict[date, float]:
    return {period: count for period, count, _mean in _per_period(frequency, since, until)}


def response_time(frequency: str, parameter: int | None, since: date, until: date) -> dict[date, float]:
    return {period: mean for period, _count, mean in _per_period(frequency, since, until) if mean is not None}


def sources() -> dict[str, IndicatorSource]:
    """The figures the register of complaints offers, by key."""
    return {
        "voice.complaints": IndicatorSource(label=_l("Complaints and claims received"), unit=_l("complaints"),
                                            direction="lower", values=complaints, tables=TABLES,
                                            endpoint="voice.complaints"),
        "voice.response_time": IndicatorSource(label=_l("Mean response time of the register of complaints"),
                                               unit=_l("days"), direction="lower", values=response_time,
                                               tables=TABLES, endpoint="voice.complaints"),
    }
