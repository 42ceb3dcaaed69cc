"""The one way charts leave the server: the house theme, the reader's number and date formats, and two outputs.

Each module writes its charts as pure functions ``DataFrame -> alt.Chart`` (in its own ``charts.py``).
A view passes ``chart_spec(chart)`` to the ``chart`` macro of ``templates/_charts.html``, which the
vendored vega-embed draws in the browser (``static/js/charts.js``); the PDF pack asks ``chart_svg(chart)``
for an SVG drawn on the server by vl-convert, without a browser and without the network.

Both outputs carry the same house theme (registered with Altair as ``"fideliza"`` and enabled when this
module is imported) and the same locale: Spanish readers get decimal commas and Spanish month names,
everyone else British English. The locale travels inside the spec (Vega's ``config.locale``), so the
browser and vl-convert read it from one place and one page may not change another chart's formats.
"""

import altair as alt
import vl_convert
from flask import current_app, has_app_context
from flask_babel import get_locale

#: The app's teal (``--fideliza-teal`` in static/css/app.css): single-series marks and the first category.
TEAL = "#0f5e6e"
#: Categories after the teal: distinct hues of similar weight, readable on white and in grey print.
PALETTE = [TEAL, "#e0822a", "#5b8fa8", "#a23b72", "#6a994e", "#c9a227", "#7a5c99", "#8c8c8c"]
#: DejaVu Sans is on the servers (the SVG is measured and the PDF typeset with it); browsers without it use
#: the system font, as Bootstrap does for the rest of the page.
FONT = "DejaVu Sans, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT, MUTED, RULE, GRID = "#212529", "#495057", "#adb5bd", "#e9ecef"

#: d3-format locales. The organisations are Spanish, so money is in euros in both languages.
NUMBER_LOCALES = {
    "es": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}
#: d3-time-format locales (es-ES and en-GB, as d3 ships them).
TIME_LOCALES = {
    "es": {
        "dateTime": "%A, %e de %B de %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
        "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
        "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
        "months": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                   "octubre", "noviembre", "diciembre"],
        "shortMonths": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
    },
    "en": {
        "dateTime": "%a %e %b %X %Y", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"],
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    },
}
#: Outside any app (a script, a notebook) charts speak the installation's usual language.
DEFAULT_LANGUAGE = "es"

#: Width of server-drawn charts: an A4 page's text column at 96 px per inch, with room for the axes.
SVG_WIDTH = 600
#: Multi-view compositions keep their own widths; only single and layered views stretch to the page.
COMPOSITIONS = ("hconcat", "vconcat", "concat", "facet", "repeat")
#: vl-convert's Vega-Lite matching the schema Altair writes ("v6.4.1" -> "6.4").
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@alt.theme.register("fideliza", enable=True)
def house_theme() -> alt.theme.ThemeConfig:
    """Teal marks, the house font, quiet grey axes and no background: charts look like the rest of the app."""
    axis = {"labelColor": MUTED, "titleColor": TEXT, "domainColor": RULE, "tickColor": RULE, "gridColor": GRID,
            "labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": 600}
    return {
        "config": {
            "background": "transparent",
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 400, "continuousHeight": 260},
            "mark": {"color": TEAL},
            "line": {"strokeWidth": 2},
            "point": {"filled": True, "size": 40},
            "text": {"color": TEXT},
            "range": {"category": PALETTE, "ramp": ["#e3f0f2", TEAL], "heatmap": ["#e3f0f2", TEAL]},
            "axis": axis,
            "legend": {"labelColor": MUTED, "titleColor": TEXT, "labelFontSize": 11, "titleFontSize": 12,
                       "titleFontWeight": 600},
            "header": {"labelColor": TEXT, "titleColor": TEXT},
            "title": {"color": TEXT, "subtitleColor": MUTED, "fontSize": 14, "fontWeight": 600, "anchor": "start"},
        }
    }


def chart_language(locale=None) -> str:
    """``"es"`` or ``"en"``: the given locale, else the reader's (Flask-Babel), else the default."""
    if locale is None and has_app_context():
        locale = get_locale()
    language = str(locale or DEFAULT_LANGUAGE).replace("-", "_").split("_")[0].lower()
    return language if language in NUMBER_LOCALES else "en"


def chart_locale(locale=None) -> dict:
    """Vega's ``config.locale`` for a language: how numbers (decimal comma or point) and dates are written."""
    language = chart_language(locale)
    return {"number": NUMBER_LOCALES[language], "time": TIME_LOCALES[language]}


def chart_spec(chart: alt.TopLevelMixin, *, locale=None) -> dict:
    """The Vega-Lite JSON for the browser: data inline, house theme, the reader's locale, as wide as its box."""
    spec = _themed_spec(chart, locale)
    if _is_single_view(spec):
        spec.setdefault("width", "container")
        if spec["width"] == "container":
            spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return spec


def chart_svg(chart: alt.TopLevelMixin, *, width: int = SVG_WIDTH, locale=None) -> str:
    """The chart as an SVG document drawn on the server (for the PDF pack): same theme, same locale.

    External data is refused (``allowed_base_urls=[]``): charts carry their data, and drawing one must
    never reach the network."""
    spec = _themed_spec(chart, locale)
    if _is_single_view(spec) and spec.get("width", "container") == "container":
        spec["width"] = width
    return vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION, allowed_base_urls=[])


def _themed_spec(chart: alt.TopLevelMixin, locale) -> dict:
    """``chart.to_dict()`` (Altair inlines the data and merges the enabled house theme under the chart's own
    configuration) plus the locale.

    Schema validation costs more than the rest of a page put together (jsonschema over the whole
    Vega-Lite schema), so it runs where mistakes are made — in tests and in debug mode — not for
    every reader in production."""
    spec = chart.to_dict(validate=_validating())
    spec.setdefault("config", {})["locale"] = chart_locale(locale)
    return spec


def _validating() -> bool:
    return not has_app_context() or current_app.debug or current_app.testing


def _is_single_view(spec: dict) -> bool:
    """Whether the chart is one view (plain or layered), whose width may follow its container."""
    if any(key in spec for key in COMPOSITIONS):
        return False
    channels = spec.get("encoding", {})
    return not any(channel in channels for channel in ("row", "column", "facet"))
