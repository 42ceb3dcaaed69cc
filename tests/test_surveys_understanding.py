"""Whether clients understand an improvement (C2): the standard item "I know about the change to …" per implemented
improvement, its answers wave by wave, and C2's rule reading both "value" and "understand" with its thresholds."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from core.findings import Status
from improvements import evidence as improvements_evidence
from improvements.models import Evidence, Improvement
from improvements.models import Status as ImprovementStatus
from surveys import engine, releases, understanding
from surveys.engine import SurveyRuleError
from surveys.models import Audience, ItemRole, ResponseSource, Survey, SurveyItem

DONE_ON = date.today() - timedelta(days=60)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def valued_but_worse(app, make_group, make_improvement):
    """An implemented improvement meeting SMART whose figure got worse, which clients value (favourable evidence)."""
    def factory(title="Fewer steps") -> int:
        improvement_id = make_improvement(make_group(), status=ImprovementStatus.IMPLEMENTED, smart=True, title=title,
                                          after_value=35.0, after_period=DONE_ON, implemented_on=DONE_ON)
        with app.app_context():
            db.session.add(Evidence(improvement_id=improvement_id, kind="survey", title="Focus group",
                                    before_value=3.1, after_value=4.2, favourable=True))
            db.session.commit()
        return improvement_id

    return factory


def _survey(anonymous=False, language="en") -> Survey:
    return engine.create_survey(title=None, audience=Audience.CLIENTS, language=language,
                                template="client_satisfaction", anonymous=anonymous)


def _answer(survey: Survey, key: str, numbers, *, name="Autumn", opens_on=None) -> None:
    wave = engine.create_wave(survey, name=name, opens_on=opens_on or date.today() - timedelta(days=10),
                              closes_on=None, public_link=False)
    wave.open()
    item = next(i for i in survey.items if i.key == key)
    engine.insert_responses(wave, [{"values": {item.id: (float(n), None)}, "source": ResponseSource.LINK}
                                   for n in numbers])
    releases.release_due(wave)
    db.session.flush()


def test_the_standard_item_names_its_improvement_in_each_language(app, request_ctx, valued_but_worse):
    improvement = db.session.get(Improvement, valued_but_worse("Welcome call in 48 hours"))
    spanish, _item = understanding.add_understanding_item(_survey(language="es"), improvement)
    item = spanish.items[-1]
    assert (item.text, item.tag, item.key, item.role) == ("Conozco el cambio en «Welcome call in 48 hours».",
                                                          "Welcome call in 48 hours", f"understand-{improvement.id}",
                                                          ItemRole.UNDERSTANDING)
    english, _item = understanding.add_understanding_item(_survey(), improvement)
    assert english.items[-1].text == "I know about the change to “Welcome call in 48 hours”."


def test_only_implemented_improvements_once_each_in_client_surveys(app, request_ctx, make_group, make_improvement,
                                                                   valued_but_worse):
    done = db.session.get(Improvement, valued_but_worse())
    planned = db.session.get(Improvement, make_improvement(make_group(), status=ImprovementStatus.APPROVED))
    survey = _survey()
    assert understanding.offered_improvements(survey) == [done]
    with pytest.raises(SurveyRuleError, match="has not been implemented yet"):
        understanding.add_understanding_item(survey, planned)
    understanding.add_understanding_item(survey, done)
    assert understanding.offered_improvements(survey) == []
    with pytest.raises(SurveyRuleError, match="already asks"):
        understanding.add_understanding_item(survey, done)
    staff = engine.create_survey(title=None, audience=Audience.STAFF, language="en", template="staff_participation")
    with pytest.raises(SurveyRuleError, match="Only client surveys"):
        understanding.add_understanding_item(staff, done)


def test_a_survey_with_answers_gets_the_item_in_its_next_edition(app, request_ctx, valued_but_worse):
    improvement = db.session.get(Improvement, valued_but_worse())
    survey = _survey()
    _answer(survey, "overall", [4, 5, 4])
    edition, _item = understanding.add_understanding_item(survey, improvement)
    assert edition.id != survey.id and edition.edition == 2
    assert not any(i.role == ItemRole.UNDERSTANDING for i in survey.items)


def test_the_answers_say_how_many_clients_know_about_the_change(app, request_ctx, valued_but_worse):
    improvement = db.session.get(Improvement, valued_but_worse())
    survey, _item = understanding.add_understanding_item(_survey(), improvement)
    _answer(survey, f"understand-{improvement.id}", [5, 4, 4, 2, 5, 3, 4, 1])
    found = understanding.understanding_for([improvement])[improvement.id]
    assert [(u.wave, u.answers, u.agreeing, u.mean) for u in found] == [("Autumn", 8, 5, 3.5)]
    assert found[0].url.startswith("/surveys/waves/")


def test_a_wave_with_too_few_answers_says_nothing(app, request_ctx, valued_but_worse):
    improvement = db.session.get(Improvement, valued_but_worse())
    survey, _item = understanding.add_understanding_item(_survey(), improvement)
    _answer(survey, f"understand-{improvement.id}", [5, 5])
    assert understanding.understanding_for([improvement]) == {}


def test_an_anonymous_wave_counts_only_its_released_answers(app, request_ctx, valued_but_worse):
    improvement = db.session.get(Improvement, valued_but_worse())
    survey, _item = understanding.add_understanding_item(_survey(anonymous=True), improvement)
    key = f"understand-{improvement.id}"
    _answer(survey, key, [5, 5, 5, 4, 4])  # a batch released
    wave, item = survey.waves[0], next(i for i in survey.items if i.key == key)
    engine.insert_responses(wave, [{"values": {item.id: (1.0, None)}, "source": ResponseSource.LINK}] * 2)
    found = understanding.understanding_for([improvement])[improvement.id][0]
    assert (found.answers, found.agreeing) == (5, 5)  # the two waiting for their batch are not read


def test_c2_needs_clients_to_understand_an_improvement_they_value_when_its_result_is_not_evident(
        app, request_ctx, valued_but_worse):
    improvement = db.session.get(Improvement, valued_but_worse())
    finding = improvements_evidence.results_evidence()
    assert finding.status == Status.PARTLY
    assert "no client survey shows that clients understand the change" in finding.gaps[0].text

    survey, _item = understanding.add_understanding_item(_survey(), improvement)
    _answer(survey, f"understand-{improvement.id}", [5, 4, 4, 4, 5, 3, 4, 2])  # 6 of 8 agree: 75 %
    finding = improvements_evidence.results_evidence(detail=True)
    assert finding.status == Status.MET, finding.gaps
    texts = [line.text for line in finding.reasons]
    assert "1 of 1 implemented improvements are understood by clients (“I know about the change to …” in a " \
           "client survey)" in texts
    assert "Fewer steps: 6 of 8 clients (75 %) say they know about the change (Autumn)" in texts
    table = finding.blocks[1]
    assert table.headers[-1] == "Clients know about the change" and table.rows[0][-1] == "75 % of 8 (Autumn)"

    stricter = improvements_evidence.results_evidence(thresholds={"min_understanding_share": 80})
    assert stricter.status == Status.PARTLY
    assert "80 % of them agreeing" in stricter.reasons[0].text
    assert improvements_evidence.results_evidence(thresholds={"min_understanding_answers": 10}).status == \
        Status.PARTLY


def test_the_survey_page_adds_the_item_for_an_implemented_improvement(app, client_as, valued_but_worse):
    improvement_id = valued_but_worse("Written answers")
    with app.app_context():
        survey_id = _survey().id
        db.session.commit()
    coordinator = client_as("coordinator")
    page = coordinator.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert 'data-testid="understanding-form"' in page and "Written answers" in page
    response = coordinator.post(f"/surveys/{survey_id}/items/understanding", data={"improvement": improvement_id})
    assert response.status_code == 302
    with app.app_context():
        keys = db.session.scalars(select(SurveyItem.key).where(SurveyItem.survey_id == survey_id)).all()
        assert keys[-1] == f"understand-{improvement_id}"
    page = coordinator.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert 'data-testid="understanding-form"' not in page  # nothing left to offer
    assert client_as("reviewer").post(f"/surveys/{survey_id}/items/understanding",
                                      data={"improvement": improvement_id}).status_code == 403
