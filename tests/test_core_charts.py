"""The chart plumbing: specs for the browser and SVG for the PDF, in the house theme and the reader's locale."""

import json
import re
import xml.etree.ElementTree as ElementTree

import altair as alt
import pandas as pd
import pytest
from flask import render_template_string

from core.charts import PALETTE, TEAL, chart_locale, chart_spec, chart_svg

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


def scores() -> pd.DataFrame:
    return pd.DataFrame({"month": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"]),
                         "score": [7.25, 8.5, 1234.5, 9.75]})


def line_chart() -> alt.Chart:
    return alt.Chart(scores()).mark_line(point=True).encode(
        x=alt.X("month:T", timeUnit="yearmonth", title="Month"),
        y=alt.Y("score:Q", title="Score", axis=alt.Axis(format=",.2f")))


def bar_chart() -> alt.Chart:
    frame = pd.DataFrame({"team": ["Norte", "Sur", "Este"], "opportunities": [4, 7, 2]})
    return alt.Chart(frame).mark_bar().encode(x="team:N", y="opportunities:Q")


def svg_texts(svg: str) -> list[str]:
    return [element.text for element in ElementTree.fromstring(svg).iter(SVG_NAMESPACE + "text")]


def test_the_house_theme_is_registered_and_enabled_with_altair():
    assert "fideliza" in alt.theme.names()
    assert alt.theme.active == "fideliza"


def test_the_spec_carries_its_data_inline_and_no_urls(app):
    with app.test_request_context():
        spec = chart_spec(bar_chart())

    assert "url" not in json.dumps(spec.get("data", {}))
    (rows,) = spec["datasets"].values()
    assert rows == [{"team": "Norte", "opportunities": 4}, {"team": "Sur", "opportunities": 7},
                    {"team": "Este", "opportunities": 2}]
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    json.dumps(spec)  # plain JSON, ready for the template's data block


def test_the_spec_has_the_house_colours_and_font_and_no_background(app):
    with app.test_request_context():
        config = chart_spec(bar_chart())["config"]

    assert config["mark"]["color"] == TEAL == "#0f5e6e"
    assert config["range"]["category"][0] == TEAL and config["range"]["category"] == PALETTE
    assert config["font"].startswith("DejaVu Sans")
    assert config["background"] == "transparent"
    assert config["view"]["stroke"] is None


def test_single_views_fill_their_container_and_compositions_keep_their_widths(app):
    with app.test_request_context():
        single = chart_spec(line_chart())
        sized = chart_spec(line_chart().properties(width=250))
        side_by_side = chart_spec(alt.hconcat(line_chart(), bar_chart()))

    assert single["width"] == "container"
    assert single["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert sized["width"] == 250 and "autosize" not in sized
    assert "width" not in side_by_side


def test_what_a_chart_configures_itself_wins_over_the_house_theme(app):
    with app.test_request_context():
        spec = chart_spec(bar_chart().configure_mark(color="#ff0000"))

    assert spec["config"]["mark"]["color"] == "#ff0000"
    assert spec["config"]["axis"]["gridColor"]  # the rest of the theme stays


@pytest.mark.parametrize(("accept_language", "decimal", "april"), [("es-ES,es;q=0.9", ",", "abril"),
                                                                   ("en-GB,en;q=0.9", ".", "April")])
def test_the_locale_follows_the_readers_language(app, accept_language, decimal, april):
    with app.test_request_context(headers={"Accept-Language": accept_language}):
        locale = chart_spec(line_chart())["config"]["locale"]

    assert locale["number"]["decimal"] == decimal
    assert locale["time"]["months"][3] == april


def test_the_locale_can_be_asked_for_explicitly_and_defaults_outside_an_app():
    assert chart_locale("es_ES")["number"] == {"decimal": ",", "thousands": ".", "grouping": [3],
                                               "currency": ["", "\u00a0€"]}
    assert chart_locale("en")["time"]["shortMonths"][0] == "Jan"
    assert chart_locale("de")["number"]["decimal"] == "."  # a language without charts of its own: English
    assert chart_locale()["number"]["decimal"] == ","  # no app: the installation's usual language, Spanish


def test_the_svg_is_a_real_svg_document_with_the_datas_labels_in_the_house_teal(app):
    with app.app_context():
        svg = chart_svg(bar_chart(), locale="en")

    root = ElementTree.fromstring(svg)
    assert root.tag == SVG_NAMESPACE + "svg"
    assert {"Norte", "Sur", "Este"} <= set(svg_texts(svg))
    bars = [path for path in root.iter(SVG_NAMESPACE + "path") if path.get("fill") == TEAL]
    assert len(bars) == 3
    assert root.get("width") and float(root.get("width")) >= 600  # a fixed width, not "container"


def test_the_svg_in_spanish_has_decimal_commas_and_spanish_month_names(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        spanish = svg_texts(chart_svg(line_chart()))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = svg_texts(chart_svg(line_chart()))

    assert "1.200,00" in spanish and "0,00" in spanish
    assert {"feb 2024", "abr 2024", "may 2024"} <= set(spanish)
    assert "1,200.00" in english and "Apr 2024" in english


def test_the_svg_never_fetches_data_from_the_network():
    remote = alt.Chart("https://example.com/data.csv").mark_bar().encode(x="a:N", y="b:Q")

    with pytest.raises(ValueError, match="not allowed"):
        chart_svg(remote)


def render_chart_macro(spec, description):
    return render_template_string(
        '{% from "_charts.html" import chart, scripts %}{{ chart(spec, "trend", description) }}{{ scripts() }}',
        spec=spec, description=description)


def test_the_chart_macro_gives_an_accessible_figure_with_the_spec_in_a_data_block(app):
    with app.test_request_context():
        spec = chart_spec(bar_chart())
        html = render_chart_macro(spec, "Opportunities per team")

    assert re.search(r'<figure [^>]*id="trend"[^>]*data-chart[^>]*aria-labelledby="trend-caption"', html)
    assert '<figcaption class="figure-caption" id="trend-caption">Opportunities per team</figcaption>' in html
    assert "<noscript>" in html
    data = re.search(r'<script type="application/json" data-chart-spec>(.*?)</script>', html, re.S).group(1)
    assert json.loads(data) == spec
    for script in ("vendor/vega/vega.min.js", "vendor/vega/vega-lite.min.js", "vendor/vega/vega-embed.min.js",
                   "js/charts.js"):
        assert f'<script src="/static/{script}"></script>' in html
    assert '<link rel="stylesheet" href="/static/vendor/vega/vega-embed.css">' in html
    assert "<script>" not in html  # nothing inline for the CSP to refuse


def test_text_in_a_spec_cannot_close_the_data_block(app):
    hostile = pd.DataFrame({"team": ["</script><script>alert(1)</script>"], "opportunities": [1]})
    with app.test_request_context():
        html = render_chart_macro(chart_spec(alt.Chart(hostile).mark_bar().encode(x="team:N", y="opportunities:Q")),
                                  "<b>caption</b>")

    assert html.count("</script>") == 5  # the data block's and the four script tags'
    assert "alert(1)" in html and "<script>alert" not in html
    assert "&lt;b&gt;caption&lt;/b&gt;" in html


def test_base_pages_do_not_load_vega(client_as):
    page = client_as("member").get("/").get_data(as_text=True)

    assert "vega" not in page
