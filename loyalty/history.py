"""The census over time (B2 "history of new and lost clients"): per month, quarter or year.

Definitions (Imp-Act practice note 3, "Learning from client exit"), for a period P:

- **clients at start**: joined before P starts and not left before it starts;
- **new**: joined during P; **lost**: left during P (including clients who joined during P);
- **clients at end** = at start + new − lost;
- **exit (churn) rate** = lost ÷ clients at start;
- **retention rate** = clients at start still there at the end ÷ clients at start (it ignores the
  clients who joined and left within P, so it is not always 1 − churn);
- **net growth** = new − lost, and as a rate (at end − at start) ÷ at start;
- **contribution lost**: the latest yearly contribution (up to the year they left) of the clients lost.

SQL counts the joins and exits per period and keeps the running total with a window function; Python
only lays the periods out in order, filling those without events.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import Integer, and_, case, cast, extract, func, literal, select, union_all

from core.extensions import db
from loyalty.models import CensusSettings, Client, ClientYear
from loyalty.ranking import contribution_column

GRANULARITIES = ("month", "quarter", "year")
#: How many years the history shows when the reader does not say.
DEFAULT_YEARS = 5


@dataclass(frozen=True)
class PeriodFigures:
    """The census movements of one period."""

    key: int
    start: date
    at_start: int
    new: int
    lost: int
    lost_from_start: int
    contribution_lost: float

    @property
    def at_end(self) -> int:
        return self.at_start + self.new - self.lost

    @property
    def churn(self) -> float | None:
        return 100 * self.lost / self.at_start if self.at_start else None

    @property
    def retention(self) -> float | None:
        return 100 * (self.at_start - self.lost_from_start) / self.at_start if self.at_start else None

    @property
    def net_growth(self) -> int:
        return self.new - self.lost

    @property
    def growth_rate(self) -> float | None:
        return 100 * (self.at_end - self.at_start) / self.at_start if self.at_start else None


def period_label(figures: PeriodFigures, granularity: str) -> str:
    """How a period is named on the history page, its charts and B2's evidence: 2024, 2024 Q3, Jul 2024."""
    if granularity == "year":
        return str(figures.start.year)
    if granularity == "quarter":
        return _("%(year)d Q%(quarter)d", year=figures.start.year, quarter=figures.key % 10)
    return format_date(figures.start, "MMM yyyy")


def bucket(column, granularity: str):
    """SQL: the period a date falls in, as an integer (2024, 20243 for Q3, 202407 for July)."""
    year = cast(extract("year", column), Integer)
    if granularity == "year":
        return year
    month = cast(extract("month", column), Integer)
    if granularity == "quarter":
        return year * 10 + (month - 1) // 3 + 1
    return year * 100 + month


def period_key(day: date, granularity: str) -> int:
    """The same key as ``bucket``, in Python."""
    if granularity == "year":
        return day.year
    if granularity == "quarter":
        return day.year * 10 + (day.month - 1) // 3 + 1
    return day.year * 100 + day.month


def period_start(key: int, granularity: str) -> date:
    if granularity == "year":
        return date(key, 1, 1)
    if granularity == "quarter":
        return date(key // 10, (key % 10 - 1) * 3 + 1, 1)
    return date(key // 100, key % 100, 1)


def next_key(key: int, granularity: str) -> int:
    start = period_start(key, granularity)
    if granularity == "year":
        return key + 1
    months = 3 if granularity == "quarter" else 1
    month = start.month - 1 + months
    return period_key(date(start.year + month // 12, month % 12 + 1, 1), granularity)


def contribution_lost_expression(settings: CensusSettings):
    """SQL, per client: its latest yearly contribution up to the year it left."""
    return (select(func.coalesce(contribution_column(settings.contribution_basis), 0.0))
            .where(ClientYear.client_id == Client.id, ClientYear.year <= extract("year", Client.left_on))
            .order_by(ClientYear.year.desc()).limit(1).correlate(Client).scalar_subquery())


def movements(granularity: str, settings: CensusSettings, until: date) -> list[tuple]:
    """Per period with events up to ``until``: (key, new, lost, lost_from_start, contribution lost,
    clients at end), the last one a running total in SQL."""
    joined, left = bucket(Client.joined_on, granularity), bucket(Client.left_on, granularity)
    zero = literal(0)
    events = union_all(
        select(joined.label("period"), literal(1).label("new"), zero.label("lost"), zero.label("from_start"),
               literal(0.0).label("value")).where(Client.joined_on <= until),
        select(left.label("period"), zero, literal(1), case((joined < left, 1), else_=0),
               func.coalesce(contribution_lost_expression(settings), 0.0))
        .where(and_(Client.left_on.is_not(None), Client.left_on <= until)),
    ).subquery("events")
    grouped = (select(events.c.period, func.sum(events.c.new).label("new"), func.sum(events.c.lost).label("lost"),
                      func.sum(events.c.from_start).label("from_start"), func.sum(events.c.value).label("value"))
               .group_by(events.c.period).subquery("grouped"))
    running = func.sum(grouped.c.new - grouped.c.lost).over(order_by=grouped.c.period)
    query = select(grouped.c.period, grouped.c.new, grouped.c.lost, grouped.c.from_start, grouped.c.value,
                   running.label("at_end")).order_by(grouped.c.period)
    return [tuple(row) for row in db.session.execute(query)]


def span(start_year: int | None, end_year: int | None) -> tuple[date, date]:
    """The days the history page (and the API) shows: from the first day of ``start_year`` (default: five years
    up to the end) to the last of ``end_year`` (default: this year), never past today."""
    today = date.today()
    end_year = end_year or today.year
    start_year = start_year or end_year - DEFAULT_YEARS + 1
    return date(start_year, 1, 1), min(date(end_year, 12, 31), today)


def census_history(granularity: str, settings: CensusSettings, *, start: date | None = None,
                   end: date | None = None) -> list[PeriodFigures]:
    """Every period from ``start`` (default: the first join) to ``end`` (default: today), in order."""
    if granularity not in GRANULARITIES:
        raise ValueError(granularity)
    end = end or date.today()
    rows = movements(granularity, settings, end)
    if not rows:
        return []
    by_key = {row[0]: row for row in rows}
    first_key = period_key(start, granularity) if start else rows[0][0]
    at_end_before = 0
    for key, _new, _lost, _from, _value, at_end in rows:
        if key < first_key:
            at_end_before = at_end
    figures, key, last_key = [], first_key, period_key(end, granularity)
    while key <= last_key:
        _k, new, lost, from_start, value, at_end = by_key.get(key, (key, 0, 0, 0, 0.0, None))
        at_start = at_end_before
        figures.append(PeriodFigures(key, period_start(key, granularity), int(at_start), int(new), int(lost),
                                     int(from_start), float(value or 0.0)))
        at_end_before = at_start + new - lost
        key = next_key(key, granularity)
    return figures


def exit_reasons_over_time(granularity: str, *, start: date | None = None, end: date | None = None) -> list[tuple]:
    """(period key, exit reason id or None, clients lost) for each period and reason with exits."""
    period = bucket(Client.left_on, granularity).label("period")
    query = (select(period, Client.exit_reason_id, func.count())
             .where(Client.left_on.is_not(None)).group_by(period, Client.exit_reason_id).order_by(period))
    if start:
        query = query.where(Client.left_on >= start)
    if end:
        query = query.where(Client.left_on <= end)
    return [tuple(row) for row in db.session.execute(query)]


class ReasonTotal(NamedTuple):
    """The clients lost for one exit reason, and their share (%) of all the exits counted."""

    reason: str
    clients: int
    share: float


def exit_reason_totals(rows: Iterable[tuple], names: Mapping[int, str]) -> list[ReasonTotal]:
    """The totals per exit reason of ``exit_reasons_over_time`` rows, the most frequent first.

    ``names`` gives each reason's label by id; reasons that read the same count as one, and exits
    without a reason as "Not recorded"."""
    totals: dict[str, int] = {}
    for _key, reason_id, count in rows:
        name = names.get(reason_id, _("Not recorded"))
        totals[name] = totals.get(name, 0) + count
    overall = sum(totals.values())
    return sorted((ReasonTotal(name, count, 100 * count / overall) for name, count in totals.items()),
                  key=lambda total: -total.clients)
