"""The survey engine's client evidence for improvements (C2): the item an improvement targeted, wave over wave."""

from datetime import date

import pytest
from sqlalchemy import event, select

from core.extensions import db
from improvements.models import Improvement, Status
from improvements.sources import source_kinds
from surveys.evidence import survey_evidence
from surveys.models import Audience, SurveyItem
from tests.surveys_fixtures import CLIENT_ANSWER, STAFF_ANSWER


@pytest.fixture
def app_overrides():
    """Responses released one at a time: these tests are about the measures; batches have their own tests
    (tests/test_surveys_anonymous_waves.py)."""
    return {"SURVEY_EXPORT_BATCH": 1}

IMPLEMENTED = date(2025, 1, 15)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _item(app, survey_id, key="attr-attention") -> int:
    with app.app_context():
        return db.session.scalar(select(SurveyItem.id).where(SurveyItem.survey_id == survey_id, SurveyItem.key == key))


def _answers(add_answers, wave, values, key="attr-attention"):
    add_answers(wave, [{**CLIENT_ANSWER, key: value} for value in values])


@pytest.fixture
def linked(app, make_survey, make_wave, make_group, make_improvement):
    """``linked(anonymous=True) -> (survey, improvement)``: an implemented improvement targeting the client
    survey's personal attention item."""
    group = make_group()

    def factory(*, anonymous=True, implemented_on=IMPLEMENTED, status=Status.IMPLEMENTED, **fields):
        survey = make_survey(anonymous=anonymous)
        improvement = make_improvement(group, status=status, smart=True, source_kind="survey_result",
                                       source_id=_item(app, survey), implemented_on=implemented_on, **fields)
        return survey, improvement

    return factory


def _computed(improvement_ids):
    improvements = list(db.session.scalars(select(Improvement).where(Improvement.id.in_(improvement_ids))))
    return survey_evidence(improvements)


def test_the_targeted_item_before_and_after_is_favourable_when_it_rose(app, linked, make_wave, add_answers,
                                                                        request_ctx):
    survey, improvement = linked()
    early = make_wave(survey, name="2023", opens_on=date(2023, 3, 1), status="closed")
    before = make_wave(survey, name="2024", opens_on=date(2024, 3, 1), status="closed")
    after = make_wave(survey, name="2025", opens_on=date(2025, 3, 1))
    _answers(add_answers, early, [1, 1, 1])
    _answers(add_answers, before, [3, 3, 4])
    _answers(add_answers, after, [4, 4, 5])
    [found] = _computed([improvement])[improvement]
    assert (found.kind, found.before_value, found.after_value, found.higher_is_better, found.favourable) == (
        "survey", 3.3, 4.3, True, True)
    assert found.title == "Satisfaction with “Personal attention” (mean answer, 1–5): 2024 → 2025"


def test_a_fall_is_not_favourable_and_small_or_draft_waves_do_not_count(app, linked, make_wave, add_answers,
                                                                         request_ctx):
    survey, improvement = linked(anonymous=False)
    before = make_wave(survey, name="Before", opens_on=date(2024, 3, 1), status="closed")
    after = make_wave(survey, name="After", opens_on=date(2025, 3, 1), status="closed")
    too_small = make_wave(survey, name="Too small", opens_on=date(2025, 6, 1))
    draft = make_wave(survey, name="Draft", opens_on=date(2025, 9, 1), status="draft")
    _answers(add_answers, before, [5, 4, 5])
    _answers(add_answers, after, [3, 4, 3, 4])
    _answers(add_answers, too_small, [5, 5])
    _answers(add_answers, draft, [5, 5, 5])
    [found] = _computed([improvement])[improvement]
    assert (found.before_value, found.after_value, found.favourable) == (4.7, 3.5, False)
    assert found.title.endswith("Before → After")


def test_nothing_without_a_wave_on_each_side(app, linked, make_wave, add_answers, request_ctx):
    survey, only_before = linked()
    _answers(add_answers, make_wave(survey, name="2024", opens_on=date(2024, 3, 1)), [3, 3, 3])
    other, only_after = linked()
    _answers(add_answers, make_wave(other, name="2025", opens_on=date(2025, 3, 1)), [4, 4, 4])
    _survey, not_implemented = linked(implemented_on=None, status=Status.IN_PROGRESS)
    with app.app_context():
        assert _computed([only_before, only_after, not_implemented]) == {}


def test_only_numeric_items_of_client_surveys_are_targets(app, make_survey, make_wave, make_group, make_improvement,
                                                          add_answers, request_ctx):
    staff = make_survey("staff_participation", audience=Audience.STAFF)
    item = _item(app, staff, "opinion-considered")
    improvement = make_improvement(make_group(), status=Status.IMPLEMENTED, source_kind="survey_result",
                                   source_id=item, implemented_on=IMPLEMENTED)
    for name, opens_on in (("Before", date(2024, 3, 1)), ("After", date(2025, 3, 1))):
        add_answers(make_wave(staff, name=name, opens_on=opens_on), [STAFF_ANSWER] * 3)
    assert _computed([improvement]) == {}
    with app.app_context():
        assert source_kinds()["survey_result"].resolve([item]) == {}


def _statements(improvement_ids) -> int:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    improvements = list(db.session.scalars(select(Improvement).where(Improvement.id.in_(improvement_ids))))
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        survey_evidence(improvements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_a_fixed_number_of_queries_whatever_the_number_of_improvements(app, linked, make_wave, add_answers,
                                                                      make_group, make_improvement, request_ctx):
    ids = []
    for n in range(6):
        survey, improvement = linked()
        ids.append(improvement)
        _answers(add_answers, make_wave(survey, name=f"B{n}", opens_on=date(2024, 3, 1)), [3, 3, 3])
        _answers(add_answers, make_wave(survey, name=f"A{n}", opens_on=date(2025, 3, 1)), [4, 4, 4])
    unlinked = make_improvement(make_group(), status=Status.IMPLEMENTED, implemented_on=IMPLEMENTED)
    assert _statements([unlinked]) == 0
    assert len(_computed(ids)) == 6
    assert _statements(ids[:1]) == _statements(ids) == 2


def test_the_improvement_page_shows_it_and_it_counts_as_client_valuation_for_c1(app, linked, make_wave, add_answers,
                                                                               client_as):
    survey, improvement = linked(after_value=92.0)
    _answers(add_answers, make_wave(survey, name="Wave 2024", opens_on=date(2024, 3, 1)), [3, 3, 4])
    client = client_as("reviewer")
    html = client.get(f"/improvements/{improvement}").get_data(as_text=True)
    assert "Satisfaction with" not in html and "It counts towards C1." not in html
    assert f"/surveys/{survey}" in html  # the source links to the survey
    _answers(add_answers, make_wave(survey, name="Wave 2025", opens_on=date(2025, 3, 1)), [4, 4, 5])
    html = client.get(f"/improvements/{improvement}").get_data(as_text=True)
    assert "Satisfaction with “Personal attention” (mean answer, 1–5): Wave 2024 → Wave 2025" in html
    assert "3.3 → 4.3" in html and "It counts towards C1." in html


def test_the_opportunity_form_lists_client_survey_items(app, make_survey, make_group, client_as):
    make_survey()
    make_survey("staff_participation", audience=Audience.STAFF)
    html = client_as("coordinator").get(f"/improvements/groups/{make_group()}/opportunities/new").get_data(as_text=True)
    assert "Personal attention" in html and "opinion-considered" not in html
