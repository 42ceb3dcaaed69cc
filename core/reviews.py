"""Periodic reviews and validity: when a record is next due for review, and whether evidence still counts.

Process sheets, service-level agreements, self-assessments and manual evidence items may each be given a review
interval in months. Each package knows which of its dates the interval runs from (a sheet's effective date or
its last review, a self-assessment's date…); the arithmetic and the words are the same for all, so they live
here. Pure functions: no database, tested directly.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import ngettext

from core import signals
from core.findings import evaluation_day

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
    """The day reviews and validity are judged on (one place, so a test can move the clock): today, or the end
    of the period a certification cycle's pack is judged on (``core.findings.judged_on``)."""
    return evaluation_day()


#: The order and words of each kind of record in the summaries ("3 sheets past their review date").
KINDS = ("sheet", "agreement", "self_assessment", "evidence")


def overdue(on: date) -> list[Due]:
    """Every record the registered packages say is past its review date on ``on``, the longest overdue first."""
    found = [due for answer in signals.send(signals.reviews_due, today=on) for due in answer]
    return sorted(found, key=lambda due: (due.due, KINDS.index(due.kind) if due.kind in KINDS else 99, due.label))


def summary(dues: list[Due]) -> list[str]:
    """One sentence per kind of record with any past its review date, in ``KINDS`` order."""
    counts = {kind: sum(1 for due in dues if due.kind == kind) for kind in KINDS}
    words = {
        "sheet": lambda n: ngettext("%(num)d sheet past its review date", "%(num)d sheets past their review date", n),
        "agreement": lambda n: ngettext("%(num)d agreement past its review date",
                                        "%(num)d agreements past their review date", n),
        "self_assessment": lambda n: ngettext("%(num)d self-assessment past its review date",
                                              "%(num)d self-assessments past their review date", n),
        "evidence": lambda n: ngettext("%(num)d evidence item past its review date",
                                       "%(num)d evidence items past their review date", n),
    }
    return [words[kind](counts[kind]) for kind in KINDS if counts[kind]]
