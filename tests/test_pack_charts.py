"""The charts of the evidence pack as a certifier reads them on paper: a title, named axes with units, dated
time axes, and no text under 7 pt at the size they print (their own size, 1 px = 0.75 pt, or shrunk to the
portrait text column when wider)."""

from datetime import date
from types import SimpleNamespace

import pytest

from core.charts import chart_svg
from evidence.charts import sparkline_svg
from loyalty import charts as loyalty_charts
from processes.trend_grid import trend_multiples
from tests.svg_print import PORTRAIT_WIDTH_PT, smallest_printed_pt, text_sizes, texts
from voice import charts as voice_charts

PORTRAIT = (PORTRAIT_WIDTH_PT, 10_000)
CATEGORIES = ["Online channels", "Product conditions", "Statement errors", "No contact with the adviser",
              "Late answers", "Staff manner", "Paperwork"]


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _monthly():
    return [{"month": 202500 + m if m <= 12 else 202600 + m - 12, "category": category, "received": 3,
             "answered": 3, "response_days": 4.0 + (n + m) % 5} for m in range(1, 25)
            for n, category in enumerate(CATEGORIES)]


def _indicator_rows():
    periods = [date(2025, m, 1) for m in range(1, 13)]
    return [SimpleNamespace(indicator=SimpleNamespace(code=code, unit=unit), trend=[float(v + n) for v in range(12)],
                            trend_periods=periods) for n, (code, unit) in enumerate(
                                [("IND-SAT", "points"), ("IND-NPS", ""), ("IND-TRESP", "days"), ("IND-BAJA", "%"),
                                 ("IND-ALTA", "days")])]


def test_b1_response_times_are_one_dated_panel_per_category(request_ctx):
    chart = voice_charts.response_trend_panels(_monthly())
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Mean response time per month and category (24 months)"
    encoding = spec["spec"]["encoding"]
    assert (encoding["x"]["title"], encoding["x"]["type"], encoding["x"]["axis"]["format"]) == ("Month", "temporal",
                                                                                               "%b %y")
    assert encoding["y"]["title"] == "Days"
    assert spec["facet"]["field"] == "category" and spec["facet"]["header"]["labelLimit"] == 0
    svg = chart_svg(chart)
    assert smallest_printed_pt(svg, PORTRAIT, natural=True) >= 7.0
    drawn = texts(svg)
    assert all(category in drawn for category in CATEGORIES), "no category name is cut"
    assert "Jan 25" in drawn and "Month" in drawn


def test_e1_trends_are_small_multiples_of_dated_sparklines_without_text_to_typeset(request_ctx):
    multiples = trend_multiples(_indicator_rows() + [SimpleNamespace(
        indicator=SimpleNamespace(code="IND-ONE", unit=""), trend=[1.0], trend_periods=[date(2025, 1, 1)])], 12)
    assert multiples.title == "Recent trend of each indicator (last 12 periods)"
    assert "own scale" in multiples.subtitle and "lowest and highest" in multiples.subtitle
    assert [p.label for p in multiples.panels] == ["IND-SAT (points)", "IND-NPS", "IND-TRESP (days)", "IND-BAJA (%)",
                                                   "IND-ALTA (days)"], "one value is no trend"
    first = multiples.panels[0]
    assert (first.first, first.last, first.low, first.high) == ("Jan 25", "Dec 25", "0", "11")
    assert first.line.values[-1] == 11.0 and first.line.periods == ()
    assert "<text" not in sparkline_svg(first.line.values), "the words are the page's, not the drawing's"
    assert trend_multiples(_indicator_rows()[:0], 12) is None


def test_b2_movements_in_the_pack_name_the_year_axis_and_have_a_title(request_ctx):
    years = [SimpleNamespace(start=date(y, 1, 1), new=10 + y % 3, lost=4, churn=5.0, retention=95.0, at_end=100)
             for y in range(2022, 2027)]
    chart = loyalty_charts.movements_chart(years, lambda p: str(p.start.year), period_title="Year",
                                           title="New and lost clients per year")
    spec = chart.to_dict()
    assert spec["title"] == "New and lost clients per year"
    assert spec["encoding"]["x"]["title"] == "Year" and spec["encoding"]["y"]["title"] == "Clients"
    svg = chart_svg(chart)
    assert smallest_printed_pt(svg, PORTRAIT, natural=True) >= 7.0
    assert "2022" in texts(svg) and "2026" in texts(svg)


def test_e1_sparklines_carry_their_first_and_last_dates(request_ctx):
    periods = tuple(date(2025, m, 1) for m in range(1, 13))
    svg = sparkline_svg([3.0, 4.0, 3.5] + [4.0] * 9, periods)
    assert texts(svg) == ["Jan 25", "Dec 25"]
    assert min(text_sizes(svg)) * 0.75 >= 7.0, "printed at its own size in the table cell"
    assert "<text" not in sparkline_svg([3.0, 4.0]), "without periods, no dates"
