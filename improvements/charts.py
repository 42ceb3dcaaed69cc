"""Charts of improvements: pure functions from data to ``alt.Chart`` (rendered by ``core.charts``)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _


def impact_effort_chart(rows) -> alt.Chart:
    """Scored proposals on impact (up) against effort (right): the quick wins sit top left."""
    frame = pd.DataFrame([{"title": str(r.improvement), "impact": r.impact, "effort": r.effort,
                           "score": r.score, "rank": r.rank} for r in rows
                          if r.impact is not None and r.effort is not None],
                         columns=["title", "impact", "effort", "score", "rank"])
    scale = alt.Scale(domain=[0.5, 5.5])
    base = alt.Chart(frame).encode(
        x=alt.X("effort:Q", title=_("Effort"), scale=scale),
        y=alt.Y("impact:Q", title=_("Impact"), scale=scale),
        tooltip=[alt.Tooltip("title:N", title=_("Improvement")), alt.Tooltip("score:Q", title=_("Priority")),
                 alt.Tooltip("impact:Q", title=_("Impact")), alt.Tooltip("effort:Q", title=_("Effort"))])
    points = base.mark_circle(size=160, opacity=0.85)
    labels = base.mark_text(align="left", dx=10, fontSize=11).encode(text="title:N")
    return alt.layer(points, labels).properties(height=320)


def before_after_chart(series: list[tuple], result, unit: str | None) -> alt.Chart:
    """The measure over time (or just before and after), with the target as a dashed rule."""
    rows = [{"period": period, "value": value, "series": _("Result")} for period, value in series]
    if not rows:
        rows = [{"period": period, "value": value, "series": name} for period, value, name in (
            (result.before_period, result.before, _("Before")), (result.after_period, result.after, _("After")))
            if value is not None and period is not None]
    frame = pd.DataFrame(rows, columns=["period", "value", "series"])
    frame["period"] = pd.to_datetime(frame["period"])
    title = _("Value") + (f" ({unit})" if unit else "")
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("period:T", title=_("Period")), y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("period:T", title=_("Period")), alt.Tooltip("value:Q", title=_("Value"), format=",.2f")])
    layers = [line]
    if result.target is not None:
        target = pd.DataFrame([{"target": result.target}])
        layers.append(alt.Chart(target).mark_rule(strokeDash=[6, 4], color="#e0822a").encode(y="target:Q"))
    if result.before is not None:
        baseline = pd.DataFrame([{"before": result.before}])
        layers.append(alt.Chart(baseline).mark_rule(strokeDash=[2, 3], color="#8c8c8c").encode(y="before:Q"))
    return alt.layer(*layers).properties(height=260)
