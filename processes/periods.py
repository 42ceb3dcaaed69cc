"""Periods of indicators: a month, a quarter or a year, stored as the date of its first day."""

import re
from datetime import date, datetime

from flask_babel import gettext as _

from processes.models import Frequency

_QUARTER = re.compile(r"^(?:(\d{4})\s*[-/ ]?\s*[QT]([1-4])|[QT]([1-4])\s*[-/ ]?\s*(\d{4}))$", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_FULL_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$|^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_NAMES = {
    **{name: n for n, name in enumerate(
        ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"), start=1)},
    **{name: n for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)},
    "set": 9,
}
_NAMED_MONTH = re.compile(r"^([a-zñ]{3})[a-zñ]*\.?[-/ ]+(\d{4})$", re.IGNORECASE)


class PeriodError(ValueError):
    """A text that is not a period of the expected frequency."""


def period_start(day: date, frequency: Frequency) -> date:
    """The first day of the period of ``frequency`` that contains ``day``."""
    if isinstance(day, datetime):
        day = day.date()
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def next_period(start: date, frequency: Frequency) -> date:
    months = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}[frequency]
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def periods_between(first: date, last: date, frequency: Frequency) -> list[date]:
    """Every period from the one containing ``first`` to the one containing ``last``, in order."""
    current, end, found = period_start(first, frequency), period_start(last, frequency), []
    while current <= end:
        found.append(current)
        current = next_period(current, frequency)
    return found


def period_label(start: date, frequency: Frequency) -> str:
    """How people write the period: ``2024-03``, ``2024 Q1`` (``2024 T1`` in Spanish), ``2024``."""
    if frequency == Frequency.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    if frequency == Frequency.QUARTERLY:
        return _("%(year)d Q%(quarter)d", year=start.year, quarter=(start.month - 1) // 3 + 1)
    return str(start.year)


def _month(year: int, month: int, text: str) -> date:
    if not 1 <= month <= 12:
        raise PeriodError(_("“%(text)s” has no month %(month)d.", text=text, month=month))
    return date(year, month, 1)


def _parse_day(text: str) -> date | None:
    match = _FULL_DATE.match(text)
    if not match:
        return None
    day, month, year = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
        match.group(6), match.group(5), match.group(4))
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:
        raise PeriodError(_("“%(text)s” is not a valid date.", text=text)) from error


def parse_period(value, frequency: Frequency) -> date:
    """Read a period as people type it (``2024-03``, ``03/2024``, ``mar 2024``, ``2024-T1``, ``Q1 2024``,
    ``2024``, or any date inside the period: ``31/12/2024``, day first) and return its first day."""
    if isinstance(value, date | datetime):
        return period_start(value, frequency)
    text = str(value or "").strip()
    if not text:
        raise PeriodError(_("The period is empty."))
    if day := _parse_day(text):
        return period_start(day, frequency)
    if match := _QUARTER.match(text):
        year, quarter = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        if frequency == Frequency.MONTHLY:
            raise PeriodError(_("“%(text)s” is a quarter; this indicator needs a month.", text=text))
        return period_start(date(int(year), 3 * (int(quarter) - 1) + 1, 1), frequency)
    if match := _YEAR_MONTH.match(text):
        return period_start(_month(int(match.group(1)), int(match.group(2)), text), frequency)
    if match := _MONTH_YEAR.match(text):
        return period_start(_month(int(match.group(2)), int(match.group(1)), text), frequency)
    if (match := _NAMED_MONTH.match(text)) and match.group(1).lower() in _MONTH_NAMES:
        return period_start(date(int(match.group(2)), _MONTH_NAMES[match.group(1).lower()], 1), frequency)
    if re.fullmatch(r"\d{4}", text):
        if frequency != Frequency.YEARLY:
            raise PeriodError(_("“%(text)s” is a year; this indicator needs a month or a quarter.", text=text))
        return date(int(text), 1, 1)
    raise PeriodError(_("“%(text)s” is not a period (write it like 2024-03, 2024-Q1 or 2024).", text=text))
