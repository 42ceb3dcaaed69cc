"""Charts of the evidence pages: pure functions from data to ``alt.Chart`` (see ``core.charts``), and the
plain SVG sparkline the tables of the pack use (a polyline costs nothing to draw)."""

import altair as alt
import pandas as pd
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import escape

from core.charts import MUTED, TEAL

SPARK_WIDTH, SPARK_HEIGHT, SPARK_DATE_SIZE = 96, 22, 10


def sparkline_chart(values: list[float], periods=()) -> alt.Chart:
    """A small trend line without axes, for the dashboard's table cells; the tooltip names each point's period."""
    frame = pd.DataFrame({"n": range(len(values)), "value": values})
    tooltip = [alt.Tooltip("value:Q", title=_("Value"), format=",.2f")]
    if len(periods) == len(values):
        frame["period"] = pd.to_datetime(list(periods))
        tooltip.insert(0, alt.Tooltip("period:T", title=_("Period"), format="%b %Y"))
    return (alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12))
            .encode(x=alt.X("n:Q", axis=None), y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
                    tooltip=tooltip)
            .properties(width=SPARK_WIDTH, height=SPARK_HEIGHT).configure_view(stroke=None))


def sparkline_svg(values, periods=()) -> str:
    """A trend line as a tiny SVG document (no axes), for tables on the page and in the PDF; with ``periods``
    its first and last dates under the line (``SPARK_DATE_SIZE`` px: 7.5 pt printed at its own size)."""
    values = list(values)
    if len(values) < 2:
        return ""
    dated = len(periods) == len(values)
    height = SPARK_HEIGHT + (SPARK_DATE_SIZE + 3 if dated else 0)
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 4) / (len(values) - 1)
    points = " ".join(f"{2 + n * step:.1f},{SPARK_HEIGHT - 3 - (v - low) / span * (SPARK_HEIGHT - 6):.1f}"
                      for n, v in enumerate(values))
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    dates = ""
    if dated:
        first, last = (escape(format_date(periods[0], "MMM yy")), escape(format_date(periods[-1], "MMM yy")))
        y = height - 2
        dates = (f'<text x="1" y="{y}" font-size="{SPARK_DATE_SIZE}" fill="{MUTED}">{first}</text>'
                 f'<text x="{SPARK_WIDTH - 1}" y="{y}" font-size="{SPARK_DATE_SIZE}" fill="{MUTED}" '
                 f'text-anchor="end">{last}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{SPARK_WIDTH}" '
            f'height="{height}" viewBox="0 0 {SPARK_WIDTH} {height}" role="img" aria-hidden="true" '
            f'font-family="DejaVu Sans, Verdana, sans-serif">'
            f'<polyline fill="none" stroke="{TEAL}" stroke-width="1.5" points="{points}"/>'
            f'<circle cx="{last_x}" cy="{last_y}" r="2" fill="{TEAL}"/>{dates}</svg>')
