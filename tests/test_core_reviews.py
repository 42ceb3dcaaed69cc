"""Review dates and validity: the arithmetic every package's periodic reviews share (``core.reviews``)."""

from datetime import date

import pytest

from core.reviews import Due, add_months, is_expired, is_overdue, next_review, summary


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),  # the 31st lands on the last day of a shorter month
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 12, 3), 12, date(2026, 12, 3)),
    (date(2025, 11, 15), 3, date(2026, 2, 15)),  # across the year
    (date(2026, 3, 1), 0, date(2026, 3, 1)),
])
def test_months_are_added_by_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


def test_the_next_review_needs_a_start_and_an_interval():
    assert next_review(date(2025, 6, 1), 6) == date(2025, 12, 1)
    assert next_review(None, 6) is None
    assert next_review(date(2025, 6, 1), None) is None
    assert next_review(date(2025, 6, 1), 0) is None


def test_the_due_day_is_still_in_time_and_a_valid_until_day_still_counts():
    due = date(2026, 12, 3)
    assert not is_overdue(due, date(2026, 12, 3)) and is_overdue(due, date(2026, 12, 4))
    assert not is_overdue(None, date(2026, 12, 4))
    assert not is_expired(due, date(2026, 12, 3)) and is_expired(due, date(2026, 12, 4))
    assert not is_expired(None, date(2030, 1, 1))


def test_the_summary_counts_each_kind_in_one_sentence(app):
    dues = [Due("sheet", "P1", date(2026, 1, 1), "/p/1"), Due("sheet", "P2", date(2026, 2, 1), "/p/2"),
            Due("sheet", "P3", date(2026, 3, 1), "/p/3"), Due("evidence", "Minutes", date(2026, 1, 1), "/e/1")]
    with app.test_request_context():
        assert summary(dues) == ["3 sheets past their review date", "1 evidence item past its review date"]
        assert summary([]) == []
