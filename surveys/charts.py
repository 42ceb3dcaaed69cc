"""Charts of survey results: pure functions from data to ``alt.Chart`` (rendered by ``core.charts``)."""

import altair as alt
import pandas as pd
from flask_babel import gettext as _

from core.charts import MUTED, TEAL

#: From the least favourable answer (red) through a neutral grey to the most favourable (the house teal).
DIVERGING = ["#b2182b", "#e08a5e", "#cfcfcf", "#6aa7b5", TEAL]


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


#: The least vertical distance between two labels near each other, as a share of the importance axis's span.
LABEL_GAP = 0.06


def label_positions(data: pd.DataFrame) -> pd.DataFrame:
    """Where each attribute's label goes: beside its point, towards the middle of the chart (``side``: labels of
    the right half read leftwards, so none runs past the edge), and nudged down (``label_y``) away from a label
    above it on the same side and near it across, so no two overlap."""
    data = data.copy()
    x_mid = (data["favourable"].min() + data["favourable"].max()) / 2
    data["side"] = ["left" if x > x_mid else "right" for x in data["favourable"]]
    span = (data["importance"].max() - data["importance"].min()) or 1.0
    x_span = (data["favourable"].max() - data["favourable"].min()) or 1.0
    placed: list[tuple[str, float, float]] = []
    label_y = {}
    for index, row in data.sort_values("importance", ascending=False).iterrows():
        y = row["importance"]
        for side, x, other in placed:
            if side == row["side"] and abs(x - row["favourable"]) < 0.35 * x_span and other - y < LABEL_GAP * span:
                y = other - LABEL_GAP * span
        placed.append((row["side"], row["favourable"], y))
        label_y[index] = y
    data["label_y"] = pd.Series(label_y)
    return data


def matrix_chart(frame: pd.DataFrame) -> alt.LayerChart | None:
    """Importance (correlation with the outcomes) against satisfaction (favourable %) per attribute,
    with the quadrant lines at the attributes' means; labels kept apart and inside (``label_positions``)."""
    frame = frame.dropna(subset=["importance", "favourable"])
    if frame.empty:
        return None
    data = label_positions(frame[["attribute", "importance", "favourable", "n"]])
    scale, title = alt.Scale(zero=False, padding=24), _("Importance (correlation with intention and recommendation)")
    x = alt.X("favourable:Q", title=_("Satisfaction (favourable %)"), scale=scale)
    y = alt.Y("importance:Q", title=title, scale=scale)
    points = alt.Chart(data).mark_point(size=90, filled=True).encode(
        x=x, y=y, tooltip=[alt.Tooltip("attribute:N", title=_("Attribute")),
                           alt.Tooltip("favourable:Q", title=_("Favourable %"), format=",.1f"),
                           alt.Tooltip("importance:Q", title=_("Importance"), format=",.2f"),
                           alt.Tooltip("n:Q", title="n")])
    # ``side`` is where the label sits: to the left of its point the text ends at it (right-aligned).
    labels = [alt.Chart(data).transform_filter(alt.datum.side == side)
              .mark_text(align=align, dx=dx, baseline="middle", fontSize=11)
              .encode(x=x, y=alt.Y("label_y:Q", title=title, scale=scale), text="attribute:N")
              for side, align, dx in (("left", "right", -9), ("right", "left", 9))]
    rules = pd.DataFrame({"favourable": [data["favourable"].mean()], "importance": [data["importance"].mean()]})
    vertical = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#adb5bd").encode(x=x)
    horizontal = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#adb5bd").encode(y=y)
    return alt.layer(vertical, horizontal, points, *labels).properties(height=340)


def distribution_frame(results: list) -> pd.DataFrame:
    """One row per question and possible answer (``results.ItemResult``s): its count, its share and its place
    in the scale, questions in the order given."""
    rows = [{"question": r.item.short, "position": n, "answer": str(label), "rank": rank, "count": count,
             "share": share}
            for n, r in enumerate(results) for rank, (label, count, share) in enumerate(r.distribution)]
    return pd.DataFrame(rows, columns=["question", "position", "answer", "rank", "count", "share"])


def distribution_chart(results: list) -> alt.Chart | None:
    """Each question's answers as one bar of 100 %, stacked from the lowest answer to the highest, for the
    questions of one scale (1–5, 0–10 or one list of choices: a colour means one answer throughout)."""
    frame = distribution_frame([r for r in results if r.distribution])
    if frame.empty:
        return None
    answers = list(dict.fromkeys(frame.sort_values("rank")["answer"]))
    colours = DIVERGING if len(answers) == len(DIVERGING) else None
    scale = alt.Scale(domain=answers, range=colours) if colours else alt.Scale(domain=answers,
                                                                                 scheme="redyellowblue")
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("question:N", title=None, sort=alt.SortField("position"), axis=alt.Axis(labelLimit=260)),
        x=alt.X("share:Q", title=_("Share of answers (%)"), stack="normalize",
                axis=alt.Axis(format="%", labelColor=MUTED)),
        color=alt.Color("answer:N", title=_("Answer"), scale=scale, sort=answers,
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("question:N", title=_("Question")), alt.Tooltip("answer:N", title=_("Answer")),
                 alt.Tooltip("count:Q", title=_("Answers")), alt.Tooltip("share:Q", title="%", format=".1f")],
    ).properties(height=alt.Step(22))


def distribution_charts(results: list) -> list[alt.Chart]:
    """One stacked-bar chart per scale among the questions (1–5, 0–10, each list of choices), in page order."""
    by_scale: dict = {}
    for result in results:
        if result.distribution:
            key = tuple(str(label) for label, _count, _share in result.distribution)
            by_scale.setdefault(key, []).append(result)
    return [chart for group in by_scale.values() if (chart := distribution_chart(group)) is not None]
