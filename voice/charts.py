"""Charts of the voice of the client: pure functions from data to ``alt.Chart`` (rendered by ``core.charts``)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _

from core.charts import PALETTE

#: The pooled "Other" line: the palette's grey, quieter than the categories named.
OTHER_GREY = PALETTE[-1]


def monthly_frame(rows: list[dict]) -> pd.DataFrame:
    """The monthly figures with each ``YYYYMM`` key as the first day of its month."""
    frame = pd.DataFrame(rows, columns=["month", "category", "received", "answered", "response_days"])
    frame["month"] = pd.to_datetime(frame["month"].astype(str) + "01", format="%Y%m%d")
    return frame


#: Categories drawn as their own line in the response-time chart; the rest are pooled as "Other".
TOP_CATEGORIES = 3


def top_categories(rows: list[dict], keep: int = TOP_CATEGORIES, other: str | None = None) -> list[dict]:
    """The monthly rows with the ``keep`` categories that received most kept apart and the rest pooled per month
    as ``other`` ("Other"): received and answered added up, the mean response time weighted by the answered."""
    totals: dict = {}
    for row in rows:
        totals[row["category"]] = totals.get(row["category"], 0) + (row["received"] or 0)
    kept = set(sorted(totals, key=lambda name: (-totals[name], str(name)))[:keep])
    if len(totals) <= keep + 1:  # pooling one category would only rename it
        return list(rows)
    other = other or _("Other")
    found = [row for row in rows if row["category"] in kept]
    pooled: dict = {}
    for row in rows:
        if row["category"] in kept:
            continue
        month = pooled.setdefault(row["month"], {"received": 0, "answered": 0, "days": 0.0})
        month["received"] += row["received"] or 0
        if row["response_days"] is not None and row["answered"]:
            month["answered"] += row["answered"]
            month["days"] += row["response_days"] * row["answered"]
    for key, month in sorted(pooled.items()):
        found.append({"month": key, "category": other, "received": month["received"], "answered": month["answered"],
                      "response_days": month["days"] / month["answered"] if month["answered"] else None})
    return found


def _x():
    return alt.X("yearmonth(month):T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-40))


def _color():
    return alt.Color("category:N", title=_("Category"), scale=alt.Scale(range=PALETTE),
                     legend=alt.Legend(orient="bottom", columns=3))


def monthly_counts_chart(rows: list[dict]) -> alt.Chart:
    """Enquiries, complaints, claims and incidents received per month, stacked by category."""
    return alt.Chart(monthly_frame(rows)).mark_bar().encode(
        x=_x(), y=alt.Y("sum(received):Q", title=_("Received")), color=_color(),
        tooltip=[alt.Tooltip("yearmonth(month):T", title=_("Month"), format="%B %Y"),
                 alt.Tooltip("category:N", title=_("Category")),
                 alt.Tooltip("sum(received):Q", title=_("Received"))],
    ).properties(height=240)


def response_trend_chart(rows: list[dict]) -> alt.Chart:
    """Mean response time per month, one line for each of the categories that received most and one for the
    others pooled (``top_categories``): five lines stay apart where seven or more cross."""
    frame = monthly_frame(top_categories(rows)).dropna(subset=["response_days"])
    order = list(dict.fromkeys(frame.groupby("category", sort=False)["received"].sum()
                               .sort_values(ascending=False).index))
    other = _("Other")
    named = [name for name in order if name != other]
    order, colours = named + ([other] if other in order else []), PALETTE[:len(named)] + [OTHER_GREY]
    return alt.Chart(frame).mark_line(point=True).encode(
        x=_x(), y=alt.Y("response_days:Q", title=_("Mean response time (days)")),
        color=alt.Color("category:N", title=_("Category"), sort=order,
                        scale=alt.Scale(domain=order, range=colours[:len(order)]),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=0)),
        tooltip=[alt.Tooltip("yearmonth(month):T", title=_("Month"), format="%B %Y"),
                 alt.Tooltip("category:N", title=_("Category")),
                 alt.Tooltip("response_days:Q", title=_("Days"), format=".1f"),
                 alt.Tooltip("answered:Q", title=_("Answered"))],
    ).properties(height=240)


def response_trend_panels(rows: list[dict]) -> alt.FacetChart:
    """The pack's mean response time per month: one small panel per category on a shared scale, so that seven
    categories stay apart in print where seven crossing lines would not; dated axes and a title of its own."""
    frame = monthly_frame(rows).dropna(subset=["response_days"])
    line = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=14), color=PALETTE[0]).encode(
        x=alt.X("yearmonth(month):T", title=_("Month"),
                axis=alt.Axis(format="%b %y", labelAngle=0, tickCount={"interval": "month", "step": 6})),
        y=alt.Y("response_days:Q", title=_("Days"), scale=alt.Scale(zero=True)))
    return (line.properties(width=165, height=95)
            .facet(facet=alt.Facet("category:N", title=None, header=alt.Header(labelFontSize=11, labelLimit=0,
                                                                                labelFontWeight=600)),
                   columns=3)
            .properties(title=alt.Title(_("Mean response time per month and category (24 months)"),
                                        subtitle=_("Days from receipt to answer; one panel per category"))))


def cost_benefit_chart(years: list) -> alt.Chart:
    """The cost of listening and the benefit estimated for it, year by year."""
    names = {"cost": _("Cost of listening"), "benefit": _("Estimated benefit")}
    frame = pd.DataFrame([{"year": str(y.year), "measure": names["cost"], "value": y.cost} for y in years]
                         + [{"year": str(y.year), "measure": names["benefit"], "value": y.benefit}
                            for y in years if y.benefit is not None], columns=["year", "measure", "value"])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:N", title=None), xOffset="measure:N", y=alt.Y("value:Q", title=_("Euros")),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=list(names.values()), range=PALETTE[:2]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("year:N", title=_("Year")), alt.Tooltip("measure:N", title=_("Measure")),
                 alt.Tooltip("value:Q", title=_("Euros"), format=",.0f")],
    ).properties(height=240)
