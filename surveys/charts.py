"""Charts of survey results: pure functions from data to ``alt.Chart`` (rendered by ``core.charts``)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _


def trend_chart(points: list[dict]) -> alt.LayerChart | None:
    """NPS (−100 to 100) and CSAT / intention to keep buying / D1 favourable % (0–100) per wave."""
    names = {"nps": _("NPS"), "csat": _("CSAT %"), "repurchase": _("Intention to keep buying %"),
             "participation": _("Favourable % (participation)")}
    rows = [{"wave": p["wave"].name, "opens_on": p["wave"].opens_on, "measure": names[key], "value": p[key]}
            for p in points for key in names if p[key] is not None]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["opens_on"] = pd.to_datetime(frame["opens_on"])
    order = list(dict.fromkeys(frame.sort_values("opens_on")["wave"]))
    base = alt.Chart(frame).encode(
        x=alt.X("wave:N", title=_("Wave"), sort=order, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=_("Value"), scale=alt.Scale(domain=[-100, 100] if (frame["value"] < 0).any()
                                                             else [0, 100])),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("wave:N", title=_("Wave")), alt.Tooltip("measure:N", title=_("Measure")),
                 alt.Tooltip("value:Q", title=_("Value"), format=",.1f")])
    return alt.layer(base.mark_line(point=True), base.mark_text(dy=-10).encode(text=alt.Text("value:Q", format=".0f"))
                     ).properties(height=260)


def matrix_chart(frame: pd.DataFrame) -> alt.LayerChart | None:
    """Importance (correlation with the outcomes) against satisfaction (favourable %) per attribute,
    with the quadrant lines at the attributes' means."""
    frame = frame.dropna(subset=["importance", "favourable"])
    if frame.empty:
        return None
    data = frame[["attribute", "importance", "favourable", "n"]].copy()
    x = alt.X("favourable:Q", title=_("Satisfaction (favourable %)"), scale=alt.Scale(zero=False, padding=20))
    y = alt.Y("importance:Q", title=_("Importance (correlation with intention and recommendation)"),
              scale=alt.Scale(zero=False, padding=20))
    points = alt.Chart(data).mark_point(size=90, filled=True).encode(
        x=x, y=y, tooltip=[alt.Tooltip("attribute:N", title=_("Attribute")),
                           alt.Tooltip("favourable:Q", title=_("Favourable %"), format=",.1f"),
                           alt.Tooltip("importance:Q", title=_("Importance"), format=",.2f"),
                           alt.Tooltip("n:Q", title="n")])
    labels = alt.Chart(data).mark_text(align="left", dx=8, fontSize=11).encode(x=x, y=y, text="attribute:N")
    rules = pd.DataFrame({"favourable": [data["favourable"].mean()], "importance": [data["importance"].mean()]})
    vertical = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#adb5bd").encode(x="favourable:Q")
    horizontal = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#adb5bd").encode(y="importance:Q")
    return alt.layer(vertical, horizontal, points, labels).properties(height=320)
