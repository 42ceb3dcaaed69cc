"""Periodic reviews and validity: when a record is next due for review, and whether evidence still counts.

Process sheets, service-level agreements, self-assessments and manual evidence items may each be given a review
interval in months. Each package knows which of its dates the interval runs from (a sheet's effective date or
its last review, a self-assessment's date…); the arithmetic and the words are the same for all, so they live
here. Pure functions: no database, tested directly.
"""

import calendar
from dataclasses import dataclass
from datetime import date

#: The longest interval a form accepts (ten years): beyond that a "periodic" review is not periodic.
MAX_INTERVAL_MONTHS = 120


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on; the 31st lands on the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(last: date | None, interval_months: int | None) -> date | None:
    """When a record reviewed (or made effective) on ``last`` is due again; None without an interval or a start."""
    if last is None or not interval_months:
        return None
    return add_months(last, interval_months)


def is_overdue(due: date | None, today: date) -> bool:
    """Past its review date: the due day itself is still in time."""
    return due is not None and due < today


def is_expired(valid_until: date | None, today: date) -> bool:
    """Evidence valid until a day counts on that day and stops counting the day after."""
    return valid_until is not None and valid_until < today


@dataclass(frozen=True)
class Due:
    """A record past its review date, for the lists that flag them (home page, checklist)."""

    #: What kind of record: ``sheet``, ``agreement``, ``self_assessment``, ``evidence``.
    kind: str
    label: str
    due: date
    url: str


def today() -> date:
    """The day reviews and validity are judged on (one place, so a test can move the clock)."""
    return date.today()
