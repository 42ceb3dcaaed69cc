"""Charts drawn by the vendored Vega in a real browser, under the strict Content-Security-Policy.

The session's live app already serves requests, so it cannot take new routes: these tests build their own
app (same database) with a page holding charts, serve it, and sign in through its login form. The ``page``
fixture's console watcher fails a test on any console error, a CSP violation included.
"""

import pandas as pd
import pytest
from flask import render_template_string, request
from playwright.sync_api import expect

from core.access import TEAM_DATA, allow
from tests.browser.support import serve, sign_in
from tests.conftest import make_app

SPANISH = pytest.mark.browser_context_args(locale="es-ES")

PAGE = """{% extends "base.html" %}
{% from "_charts.html" import chart, scripts as chart_scripts %}
{% block content %}
  {% for id, spec, description in charts %}{{ chart(spec, id, description) }}{% endfor %}
{% endblock %}
{% block scripts %}{{ chart_scripts() }}{% endblock %}
"""


def monthly_scores() -> pd.DataFrame:
    return pd.DataFrame({"month": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"]),
                         "score": [7.25, 8.5, 1234.5, 9.75]})


def team_counts() -> pd.DataFrame:
    return pd.DataFrame({"team": ["Norte", "Sur", "Este"], "opportunities": [4, 7, 2]})


def page_charts():
    """A line chart and a bar chart, as a module's charts.py would write them, and a spec Vega refuses."""
    import altair as alt

    from core.charts import chart_spec

    # A filter and zooming compile to Vega expressions: they must run under the CSP (no 'unsafe-eval').
    line = alt.Chart(monthly_scores()).mark_line(point=True).encode(
        x=alt.X("month:T", timeUnit="yearmonth", title="Month"),
        y=alt.Y("score:Q", title="Score", axis=alt.Axis(format=",.2f")),
    ).transform_filter(alt.datum.score > 0).interactive(bind_y=False)
    bar = alt.Chart(team_counts()).mark_bar().encode(
        x=alt.X("team:N", title="Team"), y=alt.Y("opportunities:Q", title="Opportunities"),
        tooltip=["team:N", "opportunities:Q"])
    charts = [("line-chart", chart_spec(line), "Score per month"),
              ("bar-chart", chart_spec(bar), "Opportunities per team")]
    if "readable" in request.args:
        charts += readable_charts()
    if "broken" in request.args:
        charts.append(("broken-chart", {"mark": {"type": "no-such-mark"}}, "A chart Vega refuses"))
    return charts


def readable_charts():
    """The survey results' charts on crowded data: attributes close together, one at the right edge."""
    from types import SimpleNamespace

    from core.charts import chart_spec
    from surveys import charts as survey_charts

    drivers = pd.DataFrame({"attribute": ["Atención personal", "Rapidez de respuesta", "Facilidad de trámites",
                                          "Adecuación de productos", "Claridad de la información",
                                          "Relación calidad-precio"],
                            "importance": [0.677, 0.670, 0.367, 0.347, 0.315, 0.274],
                            "favourable": [70.9, 72.5, 58.1, 57.3, 60.0, 51.2], "n": [375] * 6})
    answers = [SimpleNamespace(item=SimpleNamespace(short=name), distribution=[
        (str(v), c, 100 * c / sum(counts)) for v, c in zip(range(1, 6), counts, strict=True)])
        for name, counts in (("Atención personal", [1, 15, 93, 156, 110]), ("Rapidez", [3, 20, 80, 150, 122]))]
    return [("matrix-chart", chart_spec(survey_charts.matrix_chart(drivers)), "Drivers"),
            ("distribution-chart", chart_spec(survey_charts.distribution_chart(answers)), "Answers")]


@pytest.fixture
def chart_server(database_url, tmp_path):
    """The app with one more page, /test-charts, served on its own port (routes are added before it serves)."""
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)

    @allow(TEAM_DATA)
    def charts_page():
        """A page with charts, for these tests only."""
        return render_template_string(PAGE, charts=page_charts())

    app.add_url_rule("/test-charts", view_func=charts_page)
    with serve(app) as server:
        yield server
    from core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def open_charts(page, server, user, query=""):
    sign_in(page, user.email, user.password, path=server.url + "/login")
    response = page.goto(server.url + "/test-charts" + query)
    assert response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return page


def svg_texts(page, figure_id: str) -> list[str]:
    return page.locator(f"#{figure_id} svg text").all_text_contents()


def test_a_line_and_a_bar_chart_are_drawn_as_svg_without_console_errors(page, chart_server, make_live_user,
                                                                        console_errors):
    open_charts(page, chart_server, make_live_user("member"))

    for figure_id in ("line-chart", "bar-chart"):
        figure = page.locator(f"#{figure_id}")
        expect(figure).to_have_attribute("data-chart-state", "drawn")
        expect(figure.locator("svg")).to_be_visible()
    expect(page.locator("#line-chart svg .mark-line path")).to_have_count(1)
    expect(page.locator("#line-chart svg .mark-symbol path")).to_have_count(4)
    expect(page.locator("#bar-chart svg .mark-rect path")).to_have_count(3)
    page.locator("#line-chart svg").hover()
    page.mouse.wheel(0, -300)  # zooming runs the chart's interpreted expressions on the event
    assert {"Norte", "Sur", "Este"} <= set(svg_texts(page, "bar-chart"))
    assert "1,200.00" in svg_texts(page, "line-chart")
    assert any(text.startswith(("Mar", "Apr")) for text in svg_texts(page, "line-chart"))
    # The bars are the house teal, and the chart is as wide as its box (width "container").
    assert page.locator("#bar-chart svg .mark-rect path").first.get_attribute("fill") == "#0f5e6e"
    widths = page.evaluate("""() => [document.querySelector('#bar-chart').clientWidth,
                                     document.querySelector('#bar-chart svg').getBoundingClientRect().width]""")
    assert widths[1] > 0.9 * widths[0]
    # The drawing is labelled for screen readers with the caption's description.
    drawing = page.locator("#bar-chart [data-chart-canvas]")
    expect(drawing).to_have_attribute("role", "graphics-document")
    expect(drawing).to_have_attribute("aria-label", "Opportunities per team")
    expect(page.locator("#bar-chart figcaption")).to_have_text("Opportunities per team")
    assert console_errors == []


def test_a_tooltip_shows_on_hover_within_the_csp(page, chart_server, make_live_user, console_errors):
    open_charts(page, chart_server, make_live_user("member"))
    expect(page.locator("#bar-chart")).to_have_attribute("data-chart-state", "drawn")

    page.locator("#bar-chart svg .mark-rect path").nth(1).hover()

    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Sur")
    assert page.locator("style#vega-tooltip-style, style#vega-embed-style").count() == 0
    assert console_errors == []


@SPANISH
def test_spanish_readers_see_decimal_commas_and_spanish_months(page, chart_server, make_live_user, console_errors):
    open_charts(page, chart_server, make_live_user("member"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#line-chart")).to_have_attribute("data-chart-state", "drawn")

    texts = svg_texts(page, "line-chart")
    assert "1.200,00" in texts and "abr 2024" in texts, texts
    assert console_errors == []


def test_a_chart_vega_refuses_shows_a_readable_error_and_the_others_still_draw(page, chart_server, make_live_user,
                                                                               console_errors):
    open_charts(page, chart_server, make_live_user("member"), query="?broken")

    broken = page.locator("#broken-chart")
    expect(broken).to_have_attribute("data-chart-state", "failed")
    expect(broken.get_by_role("alert")).to_contain_text("The chart could not be drawn.")
    expect(page.locator("#bar-chart")).to_have_attribute("data-chart-state", "drawn")
    assert any("Chart not drawn" in error for error in console_errors), console_errors
    console_errors.clear()  # the error was expected; the watcher must not fail the test for it


def test_pages_without_charts_do_not_load_vega(page, make_live_user):
    user = make_live_user("member")
    sign_in(page, user.email, user.password)
    expect(page.get_by_test_id("home-title")).to_be_visible()
    assert page.evaluate("typeof window.vega") == "undefined"
    assert page.evaluate("typeof window.vegaEmbed") == "undefined"


def test_driver_labels_stay_inside_and_apart_and_answers_stack(page, chart_server, make_live_user, console_errors):
    open_charts(page, chart_server, make_live_user("member"), "?readable")
    for figure_id in ("matrix-chart", "distribution-chart"):
        expect(page.locator(f"#{figure_id}")).to_have_attribute("data-chart-state", "drawn")
    boxes = page.evaluate("""() => {
        const svg = document.querySelector('#matrix-chart svg').getBoundingClientRect();
        const labels = [...document.querySelectorAll('#matrix-chart svg .mark-text.role-mark text')].map(t => {
            const b = t.getBoundingClientRect();
            return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom};
        });
        return {svg: {left: svg.left, right: svg.right, top: svg.top, bottom: svg.bottom}, labels};
    }""")
    labels, frame = boxes["labels"], boxes["svg"]
    assert len(labels) == 6
    for label in labels:  # nothing clipped by the drawing's edges
        assert frame["left"] <= label["left"] and label["right"] <= frame["right"], label
        assert frame["top"] <= label["top"] and label["bottom"] <= frame["bottom"], label
    for n, one in enumerate(labels):  # no two labels overlap
        for other in labels[n + 1:]:
            apart = (one["right"] <= other["left"] or other["right"] <= one["left"]
                     or one["bottom"] <= other["top"] or other["bottom"] <= one["top"])
            assert apart, (one["text"], other["text"])
    # Two questions × five answers, stacked: ten bar segments.
    expect(page.locator("#distribution-chart svg .mark-rect path")).to_have_count(10)
    assert console_errors == []
