"""The measures, against hand-computed cases: NPS, CSAT, favourable %, means, driver analysis."""

import math

import pytest

from core.extensions import db
from surveys import drivers, results
from surveys.models import ItemKind, Wave


@pytest.fixture
def app_overrides():
    """Responses released one at a time: these tests are about the measures; batches have their own tests
    (tests/test_surveys_anonymous_waves.py)."""
    return {"SURVEY_EXPORT_BATCH": 1}


def test_nps_is_promoters_minus_detractors():
    counts = {10.0: 3, 9.0: 2, 8.0: 2, 7.0: 1, 6.0: 1, 0.0: 1}  # 5 promoters, 3 passives, 2 detractors of 10
    parts = results.nps_parts(counts)
    assert parts == pytest.approx({"promoters": 50.0, "passives": 30.0, "detractors": 20.0, "nps": 30.0, "n": 10})
    assert results.nps({6.0: 4}) == -100.0 and results.nps({9.0: 1, 10.0: 1}) == 100.0
    assert results.nps({}) is None


def test_csat_and_favourable_share():
    likert = {5.0: 2, 4.0: 3, 3.0: 3, 2.0: 1, 1.0: 1}
    assert results.csat(likert) == 50.0
    assert results.favourable(likert, ItemKind.LIKERT) == 50.0
    assert results.mean(likert) == pytest.approx((10 + 12 + 9 + 2 + 1) / 10)
    assert results.favourable({7.0: 1, 6.0: 1, 10.0: 2}, ItemKind.SCALE) == 75.0
    assert results.csat({}) is None and results.mean({}) is None


def test_pearson_from_sums_matches_the_textbook_formula():
    x, y = [1, 2, 3, 4, 5], [1, 3, 2, 5, 4]  # deviations: Σdxdy = 8, Σdx² = 10, Σdy² = 10 → r = 0.8
    sums = (len(x), sum(x), sum(y), sum(v * v for v in x), sum(v * v for v in y),
            sum(a * b for a, b in zip(x, y, strict=True)))
    assert drivers.pearson(*sums) == pytest.approx(0.8)
    assert drivers.pearson(5, 15, 15, 45, 55, 45) is None  # x constant (all 3): undefined
    assert drivers.pearson(2, 3, 3, 5, 5, 5) is None  # two pairs say nothing


def test_driver_analysis_against_a_hand_computed_case(app, make_survey, make_wave, add_answers):
    wave_id = make_wave(make_survey())
    attention, repurchase, recommend = [1, 2, 3, 4, 5], [1, 3, 2, 5, 4], [2, 4, 6, 8, 10]
    speed = [5, 4, 3, 2, 1]
    rows = zip(attention, speed, repurchase, recommend, strict=True)
    add_answers(wave_id, [{"attr-attention": a, "attr-speed": s, "attr-value": 3, "repurchase": r, "recommend": n}
                          for a, s, r, n in rows])
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        counts = results.item_counts([wave_id])[wave_id]
        frame = drivers.driver_analysis(wave, counts).set_index("attribute")
    assert frame.loc["Personal attention", "r_recommend"] == pytest.approx(1.0)
    assert frame.loc["Personal attention", "r_repurchase"] == pytest.approx(0.8)
    assert frame.loc["Personal attention", "importance"] == pytest.approx(0.9)
    assert frame.loc["Speed of response", "importance"] == pytest.approx(-0.9)
    assert frame.loc["Personal attention", "favourable"] == pytest.approx(40.0)  # 4 and 5 of five answers
    assert frame.loc["Personal attention", "n_recommend"] == 5
    assert math.isnan(frame.loc["Value for money", "r_recommend"])  # everybody answered 3
    assert frame["caution"].all()  # five answers: far below SMALL_N
    assert list(frame.index[:2]) == ["Personal attention", "Speed of response"]  # most important first
    assert drivers.quadrant(0.9, 40.0, 0.0, 50.0) == "improve"
    assert drivers.quadrant(0.9, 60.0, 0.0, 50.0) == "keep"
    assert drivers.quadrant(-0.9, 60.0, 0.0, 50.0) == "surplus"


def test_breakdown_hides_groups_smaller_than_the_minimum(app, make_survey, make_wave, add_answers):
    wave_id = make_wave(make_survey())
    add_answers(wave_id, [{"recommend": 10, "overall": 5, "_typology": "End user"}] * 3 +
                [{"recommend": 0, "overall": 1, "_typology": "Prescriber"}] * 2)
    with app.app_context():
        shown, hidden = results.breakdown(db.session.get(Wave, wave_id), "typology")
    assert [(g.name, g.responses, g.headline["nps"]["nps"], g.headline["csat"]) for g in shown] == \
        [("End user", 3, 100.0, 100.0)]
    assert hidden == 1


def test_an_anonymous_wave_shows_results_from_the_minimum(app, make_survey, make_wave, add_answers):
    wave_id = make_wave(make_survey(anonymous=True))
    add_answers(wave_id, [{"recommend": 10}] * (results.MIN_CUT - 1))
    with app.app_context():
        summary = results.wave_results(db.session.get(Wave, wave_id))
        assert summary.hidden and summary.items == [] and set(summary.headline.values()) == {None}
    add_answers(wave_id, [{"recommend": 0}])
    with app.app_context():
        summary = results.wave_results(db.session.get(Wave, wave_id))
        assert not summary.hidden
        assert summary.headline["nps"]["nps"] == pytest.approx(100 * (2 - 1) / 3)


def test_trend_follows_the_survey_across_waves_and_editions(app, make_survey, make_wave, add_answers):
    from surveys import engine
    from surveys.models import ItemRole, Survey

    survey_id = make_survey()
    first = make_wave(survey_id, name="2024")
    add_answers(first, [{"recommend": 10, "overall": 5}, {"recommend": 3, "overall": 2},
                        {"recommend": 8, "overall": 4}])
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        edition, _item = engine.save_item(survey, None, {"text": "Extra?", "kind": "likert", "role": ItemRole.OTHER,
                                                         "tag": "", "required": False})
        db.session.commit()
        new_id = edition.id
    assert new_id != survey_id
    second = make_wave(new_id, name="2025")
    add_answers(second, [{"recommend": 10, "overall": 5}] * 3)
    with app.app_context():
        points = results.trend(db.session.get(Survey, new_id))
    assert [(p["wave"].name, p["responses"], round(p["nps"]), round(p["csat"])) for p in points] == \
        [("2024", 3, 0, 67), ("2025", 3, 100, 100)]
