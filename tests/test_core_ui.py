"""Template helpers every page uses."""

import pathlib
import re

import pytest

from core.ui import money, width_class


@pytest.mark.parametrize(("percent", "expected"), [
    (None, "pct-0"), (0, "pct-0"), (-3, "pct-0"),
    (0.4, "pct-5"), (2, "pct-5"), (7.4, "pct-5"), (7.6, "pct-10"), (50, "pct-50"),
    (97, "pct-95"), (99.9, "pct-95"), (100, "pct-100"), (130, "pct-100"),
])
def test_width_class_steps_by_five_full_only_when_complete(percent, expected):
    assert width_class(percent) == expected


def test_every_bar_template_uses_the_filter(app):
    """No template rounds a bar width by hand any more (one rule for every progress bar)."""
    hand_rounded = re.compile(r"pct-\{\{")
    offenders = [str(path) for path in pathlib.Path(app.root_path, "templates").rglob("*.html")
                 if hand_rounded.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize(("language", "value", "expected"), [
    ("es", 437.04, "437,04\xa0€"), ("es", 8450.5, "8.450,50\xa0€"), ("es", 12000, "12.000\xa0€"), ("es", None, "—"),
    ("en", 1234.56, "€1,234.56"), ("en", 1200.0, "€1,200"), ("en", -0.5, "-€0.50"), ("en", 0.004, "€0"),
])
def test_money_shows_cents_only_where_the_amount_has_them(app, language, value, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert money(value) == expected


@pytest.mark.parametrize(("language", "value", "expected"), [
    ("es", 437.04, "437\xa0€"), ("es", 1234567.5, "1.234.568\xa0€"), ("en", 437.5, "€438"), ("en", -0.4, "€0"),
])
def test_totals_are_in_whole_euros(app, language, value, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert money(value, whole=True) == expected


def test_no_template_shows_money_by_hand(app):
    """Amounts go through the money filter: no template glues a euro sign to a number of its own."""
    by_hand = re.compile(r"decimalformat\([^)]*\)\s*~?\s*'?\s*€|\}\}\s*€")
    offenders = [str(path) for path in pathlib.Path(app.root_path, "templates").rglob("*.html")
                 if by_hand.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
