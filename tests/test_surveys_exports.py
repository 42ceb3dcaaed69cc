"""A wave's exports, called directly: each item's results, and one row per response with the anonymity cut."""

from core.extensions import db
from surveys import exports
from surveys.models import Wave
from tests.surveys_fixtures import CLIENT_ANSWER


def _items(wave: Wave) -> dict:
    return {item.key: item.short for item in wave.survey.items}


def test_a_named_wave_exports_who_answered_and_each_answer_as_people_read_it(app, make_survey, make_wave,
                                                                            add_answers):
    wave_id = make_wave(make_survey(anonymous=False))
    add_answers(wave_id, [{**CLIENT_ANSWER, "_typology": "End user", "_segment": "North"}])
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        (row,) = exports.response_rows(wave)
        short = _items(wave)
    assert (row["Name"], row["Typology"], row["Segment or group"]) == ("", "End user", "North")
    assert "Answered on" in row
    assert row[short["recommend"]] == 9.0 and row[short["comment"]] == "Very kind staff"
    assert row[short["expectations"]] == "Met my expectations", "a choice reads as its option"


def test_an_anonymous_wave_exports_released_answers_only_and_nothing_of_who(app, make_survey, make_wave,
                                                                           add_answers):
    wave_id = make_wave(make_survey(anonymous=True))
    add_answers(wave_id, [{**CLIENT_ANSWER, "_typology": "End user"}] * 4)
    with app.app_context():
        assert exports.response_rows(db.session.get(Wave, wave_id)) == [], "four of a batch of five: none shown"
    add_answers(wave_id, [{**CLIENT_ANSWER, "_typology": "End user"}])
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        rows = exports.response_rows(wave)
        assert len(rows) == 5
        assert set(rows[0]) == set(_items(wave).values()), "no name, date, typology or group"


def test_the_item_export_counts_what_the_results_page_shows(app, make_survey, make_wave, add_answers):
    wave_id = make_wave(make_survey(anonymous=False))
    add_answers(wave_id, [{"recommend": 10, "overall": 5}, {"recommend": 0, "overall": 4}])
    with app.app_context():
        rows = {row["Question"]: row for row in exports.item_rows(db.session.get(Wave, wave_id))}
    recommend = next(row for question, row in rows.items() if "recommend" in question)
    assert recommend["n"] == 2 and recommend["Mean"] == 5.0
    assert not any("comment" in question.lower() for question in rows), "comments are not counted"
