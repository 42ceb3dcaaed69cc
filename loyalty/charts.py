"""Charts of the census: pure functions from data to ``alt.Chart`` (rendered by ``core.charts``)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _

from core.charts import PALETTE
from loyalty.models import CensusSettings


def pareto_chart(points: list[dict], settings: CensusSettings) -> alt.LayerChart:
    """Share of the contribution against share of the clients, with the A and B thresholds."""
    frame = pd.DataFrame(points, columns=["clients", "contribution"])
    x = alt.X("clients:Q", title=_("Clients, from the largest contribution (%)"), scale=alt.Scale(domain=[0, 100]))
    y = alt.Y("contribution:Q", title=_("Cumulative contribution (%)"))
    curve = alt.Chart(frame).mark_line(interpolate="linear").encode(
        x=x, y=y, tooltip=[alt.Tooltip("clients:Q", title=_("Clients (%)"), format=".1f"),
                           alt.Tooltip("contribution:Q", title=_("Contribution (%)"), format=".1f")])
    thresholds = pd.DataFrame({"share": [settings.class_a_share, settings.class_b_share],
                               "label": [_("Class A up to %(share)s %%", share=f"{settings.class_a_share:g}"),
                                         _("Class B up to %(share)s %%", share=f"{settings.class_b_share:g}")]})
    rules = alt.Chart(thresholds).mark_rule(strokeDash=[4, 4], color=PALETTE[1]).encode(
        y="share:Q", tooltip=alt.Tooltip("label:N", title=_("Threshold")))
    return alt.layer(curve, rules).properties(height=260)


def history_frame(periods: list, label) -> pd.DataFrame:
    return pd.DataFrame([{"period": label(p), "order": i, "new": p.new, "lost": -p.lost, "churn": p.churn,
                          "retention": p.retention, "at_end": p.at_end} for i, p in enumerate(periods)])


def movements_chart(periods: list, label, *, period_title: str | None = None, title: str | None = None) -> alt.Chart:
    """New clients above the axis, lost ones below, and the clients at the end of each period (the pack names
    the period axis and gives the chart its title; the page has both around it)."""
    frame = history_frame(periods, label)
    long = frame.melt(id_vars=["period", "order"], value_vars=["new", "lost"], var_name="kind", value_name="clients")
    names = {"new": _("New"), "lost": _("Lost")}
    long["kind"] = long["kind"].map(names)
    x = alt.X("period:N", title=period_title, sort=alt.SortField("order"), axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(long).mark_bar().encode(
        x=x, y=alt.Y("clients:Q", title=_("Clients")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=list(names.values()), range=PALETTE[:2]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("period:N", title=_("Period")), alt.Tooltip("kind:N", title=_("Movement")),
                 alt.Tooltip("clients:Q", title=_("Clients"))])
    bars = bars.properties(height=240)
    return bars.properties(title=title) if title else bars


def rates_chart(periods: list, label) -> alt.Chart:
    """Exit (churn) and retention rates per period."""
    frame = history_frame(periods, label)
    names = {"churn": _("Exit rate"), "retention": _("Retention rate")}
    long = frame.melt(id_vars=["period", "order"], value_vars=list(names), var_name="rate", value_name="value")
    long["rate"] = long["rate"].map(names)
    return alt.Chart(long.dropna()).mark_line(point=True).encode(
        x=alt.X("period:N", title=None, sort=alt.SortField("order")),
        y=alt.Y("value:Q", title=_("Rate (%)")),
        color=alt.Color("rate:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("period:N", title=_("Period")), alt.Tooltip("rate:N", title=_("Rate")),
                 alt.Tooltip("value:Q", title=_("Rate (%)"), format=".1f")],
    ).properties(height=220)


def reasons_chart(rows: list[dict]) -> alt.Chart:
    """Clients lost per period, stacked by exit reason."""
    frame = pd.DataFrame(rows, columns=["period", "order", "reason", "clients"])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("period:N", title=None, sort=alt.SortField("order")),
        y=alt.Y("clients:Q", title=_("Clients lost")),
        color=alt.Color("reason:N", title=_("Exit reason"), legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=[alt.Tooltip("period:N", title=_("Period")), alt.Tooltip("reason:N", title=_("Exit reason")),
                 alt.Tooltip("clients:Q", title=_("Clients"))],
    ).properties(height=240)
