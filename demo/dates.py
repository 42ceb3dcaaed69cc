"""The calendar the demo's loaders share: they date their records in whole months back from the last complete
month, so that every part of the demo (measurements, complaints, improvements) lines up whatever the day."""

from datetime import date


def last_complete_month(today: date) -> date:
    """The first day of the month before ``today``'s."""
    first_of_month = today.replace(day=1)
    return date(first_of_month.year - (first_of_month.month == 1), (first_of_month.month - 2) % 12 + 1, 1)


def months_before(day: date, months: int) -> date:
    """The first day of the month ``months`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
