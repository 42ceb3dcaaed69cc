"""Charts of the process map: pure functions from data to ``alt.Chart`` (rendered by ``core.charts``)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _

from processes.models import Indicator


def indicator_frame(history: list[dict], comparisons) -> pd.DataFrame:
    """One row per point to draw: measured values, targets in force, and external comparisons."""
    rows = [{"period": row["period"], "series": _("Result"), "value": row["value"]} for row in history]
    rows += [{"period": row["period"], "series": _("Target"), "value": row["target"]}
             for row in history if row["target"] is not None]
    rows += [{"period": b.period, "series": b.source, "value": b.value} for b in comparisons]
    frame = pd.DataFrame(rows, columns=["period", "series", "value"])
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def indicator_chart(indicator: Indicator, history: list[dict], comparisons) -> alt.LayerChart:
    """The trend of an indicator: its results, the target line, the alert band and comparison points."""
    frame = indicator_frame(history, comparisons)
    unit = f" ({indicator.unit})" if indicator.unit else ""
    x = alt.X("period:T", title=_("Period"))
    y = alt.Y("value:Q", title=_("Value") + unit, scale=alt.Scale(zero=False))
    result_name, target_name = _("Result"), _("Target")
    colour = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("period:T", title=_("Period")), alt.Tooltip("series:N", title=_("Series")),
               alt.Tooltip("value:Q", title=_("Value"), format=",.2f")]
    # The layers draw the frame given to the whole layer chart (Altair converts it once), except the band.
    base = alt.Chart().encode(x=x, y=y, color=colour, tooltip=tooltip)
    layers = []
    targets = frame[frame.series == target_name]
    if indicator.alert_threshold is not None and not targets.empty:
        band = targets.assign(alert=indicator.alert_threshold)
        layers.append(alt.Chart(band).mark_area(opacity=0.12, interpolate="step-after", color="#f0ad4e").encode(
            x=x, y=alt.Y("value:Q"), y2=alt.Y2("alert:Q")))
    layers.append(base.transform_filter(alt.datum.series == target_name)
                  .mark_line(interpolate="step-after", strokeDash=[6, 4]))
    layers.append(base.transform_filter(alt.datum.series == result_name).mark_line(point=True))
    if comparisons:
        layers.append(base.transform_filter((alt.datum.series != result_name) & (alt.datum.series != target_name))
                      .mark_point(shape="diamond", size=90, filled=True))
    return alt.layer(*layers, data=frame, height=280)
