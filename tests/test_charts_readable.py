"""Charts people can read (issue 16, item 4): survey answers as stacked bars, the response-time chart with the
top categories and "Other", driver labels that neither overlap nor run past the edge."""

from types import SimpleNamespace

import pandas as pd
import pytest

from core.charts import chart_spec
from surveys import charts as survey_charts
from voice import charts as voice_charts


def _result(question, distribution):
    return SimpleNamespace(item=SimpleNamespace(short=question), distribution=distribution)


def _likert(question, counts):
    n = sum(counts)
    return _result(question, [(str(v), c, 100 * c / n) for v, c in zip(range(1, 6), counts, strict=True)])


def test_a_questions_answers_are_one_stacked_bar_from_the_lowest_to_the_highest(ctx):
    results = [_likert("Atención", [1, 15, 93, 156, 110]), _likert("Rapidez", [0, 5, 20, 30, 45])]
    spec = chart_spec(survey_charts.distribution_chart(results))
    assert spec["mark"]["type"] == "bar"
    encoding = spec["encoding"]
    assert encoding["x"]["stack"] == "normalize" and encoding["x"]["field"] == "share"
    assert encoding["order"]["field"] == "rank"
    assert encoding["color"]["scale"]["domain"] == ["1", "2", "3", "4", "5"]
    assert encoding["color"]["scale"]["range"] == survey_charts.DIVERGING
    assert encoding["y"]["sort"] == {"field": "position"}
    [data] = [value for key, value in spec["datasets"].items()]
    first = [row for row in data if row["question"] == "Atención"]
    assert [(row["answer"], row["count"]) for row in first] == [("1", 1), ("2", 15), ("3", 93), ("4", 156),
                                                                 ("5", 110)]
    assert sum(row["share"] for row in first) == pytest.approx(100)


def test_questions_of_different_scales_get_a_chart_each(ctx):
    nps = _result("Recomendaría", [(str(v), 1, 100 / 11) for v in range(11)])
    charts = survey_charts.distribution_charts([_likert("A", [1, 1, 1, 1, 1]), nps, _likert("B", [2, 2, 2, 2, 2]),
                                                _result("Sin escala", [])])
    assert len(charts) == 2
    questions = [sorted({row["question"] for row in chart_spec(c)["datasets"].popitem()[1]}) for c in charts]
    assert questions == [["A", "B"], ["Recomendaría"]]


def _monthly(month, category, received, answered, days):
    return {"month": month, "category": category, "received": received, "answered": answered,
            "response_days": days}


def test_the_categories_that_received_least_are_pooled_as_other_per_month(ctx):
    rows = [_monthly(202401, name, received, 2, 10.0) for name, received in
            (("A", 30), ("B", 20), ("C", 10), ("D", 5), ("E", 3))]
    rows.append(_monthly(202402, "E", 1, 1, 4.0))
    pooled = voice_charts.top_categories(rows, keep=2, other="Other")
    assert {row["category"] for row in pooled} == {"A", "B", "Other"}
    [january, february] = sorted((row for row in pooled if row["category"] == "Other"), key=lambda r: r["month"])
    assert (january["received"], january["answered"]) == (18, 6)
    assert january["response_days"] == pytest.approx(10.0)
    assert (february["received"], february["response_days"]) == (1, pytest.approx(4.0))
    # Weighted by the answered: 2 answered at 10 days and 1 at 4 days are 8 days on average.
    mixed = [*rows[:2], _monthly(202403, "C", 2, 2, 10.0), _monthly(202403, "D", 1, 1, 4.0), rows[4]]
    [march] = [r for r in voice_charts.top_categories(mixed, keep=2, other="Other") if r["month"] == 202403]
    assert march["response_days"] == pytest.approx(8.0)
    # One category past the top is not pooled under another name.
    assert voice_charts.top_categories(rows[:3], keep=2) == rows[:3]


def test_the_response_time_chart_draws_the_top_categories_and_other_with_a_whole_legend(ctx):
    names = ["Retrasos", "Errores", "Trato", "Condiciones", "Trámites", "Canales", "Contacto"]
    rows = [_monthly(202400 + month, name, 10 - n, 5, 5.0 + n) for month in range(1, 7)
            for n, name in enumerate(names)]
    encoding = chart_spec(voice_charts.response_trend_chart(rows))["encoding"]
    domain = encoding["color"]["scale"]["domain"]
    assert domain == [*names[:voice_charts.TOP_CATEGORIES], "Other"]
    assert encoding["color"]["scale"]["range"][-1] == voice_charts.OTHER_GREY
    assert encoding["color"]["legend"]["labelLimit"] == 0  # no truncated names


def test_driver_labels_near_each_other_are_pushed_apart_and_face_the_middle():
    frame = pd.DataFrame({"attribute": ["Atención", "Rapidez", "Trámites", "Precio"],
                          "importance": [0.677, 0.670, 0.37, 0.27], "favourable": [70.9, 72.5, 58.1, 51.2]})
    placed = survey_charts.label_positions(frame).set_index("attribute")
    assert placed.loc["Rapidez", "side"] == "left" and placed.loc["Precio", "side"] == "right"
    gap = survey_charts.LABEL_GAP * (0.677 - 0.27)
    assert placed.loc["Atención", "label_y"] - placed.loc["Rapidez", "label_y"] >= gap - 1e-9
    assert placed.loc["Trámites", "label_y"] == pytest.approx(0.37)  # alone: beside its point
