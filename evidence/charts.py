"""Charts of the evidence pages: pure functions from data to ``alt.Chart`` (see ``core.charts``), and the
plain SVG sparkline the tables of the pack use (a polyline costs nothing to draw)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _

from core.charts import TEAL

SPARK_WIDTH, SPARK_HEIGHT = 90, 22


def sparkline_chart(values: list[float]) -> alt.Chart:
    """A small trend line without axes, for the dashboard's table cells."""
    frame = pd.DataFrame({"n": range(len(values)), "value": values})
    return (alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12))
            .encode(x=alt.X("n:Q", axis=None), y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
                    tooltip=[alt.Tooltip("value:Q", title=_("Value"), format=",.2f")])
            .properties(width=SPARK_WIDTH, height=SPARK_HEIGHT).configure_view(stroke=None))


def sparkline_svg(values) -> str:
    """A trend line as a tiny SVG document (no axes), for tables on the page and in the PDF."""
    values = list(values)
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 4) / (len(values) - 1)
    points = " ".join(f"{2 + n * step:.1f},{SPARK_HEIGHT - 3 - (v - low) / span * (SPARK_HEIGHT - 6):.1f}"
                      for n, v in enumerate(values))
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{SPARK_WIDTH}" '
            f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" aria-hidden="true">'
            f'<polyline fill="none" stroke="{TEAL}" stroke-width="1.5" points="{points}"/>'
            f'<circle cx="{last_x}" cy="{last_y}" r="2" fill="{TEAL}"/></svg>')
