"""An exit interview sets exit reasons from named answers, so it can never be anonymous: not when created, not by
editing its details, not by adding an exit-reason question to an anonymous survey; and an anonymous wave's answers
never reach the census (no review page, no review, nothing in B2)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from loyalty import evidence as loyalty_evidence
from loyalty.models import Client, Typology
from loyalty.reasons import ensure_default_reasons
from surveys import engine, exits, invitations
from surveys.engine import SurveyRuleError
from surveys.models import Audience, ExitReview, ItemKind, ItemRole, Survey, SurveyItem, Wave
from tests.exit_fixtures import exit_interview, reason

NAMED_ONLY = "An exit interview cannot be anonymous"


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def test_an_anonymous_exit_interview_is_refused(app, request_ctx):
    with pytest.raises(SurveyRuleError, match=NAMED_ONLY):
        engine.create_survey(title=None, audience=Audience.CLIENTS, language="en", template="exit_interview",
                             anonymous=True)


def test_the_new_survey_page_refuses_it_with_the_reason(app, client_as):
    with app.app_context():
        ensure_default_reasons()
        db.session.commit()
    page = client_as("coordinator").post("/surveys/new", data={"template": "exit_interview", "language": "en",
                                                               "audience": "clients", "anonymous": "y", "title": ""})
    assert page.status_code == 200 and NAMED_ONLY in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Survey.id))) == 0
    created = client_as("coordinator").post("/surveys/new", data={"template": "exit_interview", "language": "en",
                                                                  "audience": "clients", "title": ""})
    assert created.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Survey.anonymous)).all() == [False]


def test_an_exit_interview_cannot_become_anonymous(app, request_ctx):
    survey = db.session.get(Survey, exit_interview([])["survey_id"])
    with pytest.raises(SurveyRuleError, match=NAMED_ONLY):
        engine.update_details(survey, {"title": survey.title, "description": None, "anonymous": True})


def test_an_anonymous_survey_cannot_ask_the_exit_reason(app, request_ctx):
    survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="en",
                                  template="client_satisfaction", anonymous=True)
    with pytest.raises(SurveyRuleError, match=NAMED_ONLY):
        engine.save_item(survey, None, {"kind": ItemKind.CHOICE, "role": ItemRole.EXIT_REASON, "text": "Why?",
                                        "required": True, "choices": ["No use", "Poor service"]})


def _anonymous_exit_answer() -> tuple[Wave, str, Client]:
    """An anonymous survey whose exit-reason item was slipped in by hand, answered through a lost client's link."""
    ensure_default_reasons()
    survey = engine.create_survey(title="Anonymous", audience=Audience.CLIENTS, language="en",
                                  template="client_satisfaction", anonymous=True)
    item = SurveyItem(position=99, key="exit-reason", kind=ItemKind.CHOICE, role=ItemRole.EXIT_REASON, text="Why?",
                      choices=[reason("no_use").label, reason("competitor").label])
    survey.items.append(item)
    wave = engine.create_wave(survey, name="Anonymous exits", opens_on=date.today(), closes_on=None,
                              public_link=False)
    wave.open()
    client = Client(code="GONE", name="Gone", typology=Typology.END_USER, joined_on=date(2019, 1, 1),
                    left_on=date.today() - timedelta(days=10))
    db.session.add(client)
    db.session.flush()
    invitations.invite(wave, [{"name": client.name, "client_id": client.id}])
    return wave, engine.submit_response(wave, {item.id: (1.0, None)}, invitation=wave.invitations[0]), client


def test_an_anonymous_wave_answering_an_exit_reason_never_reaches_the_census(app, request_ctx):
    """Its responses name nobody: no answer to review, no review possible, and B2 counts no interview."""
    wave, key, client = _anonymous_exit_answer()
    assert exits.exit_answers(wave_id=wave.id) == []
    with pytest.raises(SurveyRuleError, match="anonymous survey's answers name nobody"):
        exits.review_answer(wave, key, apply=True, note=None, actor=None)
    with pytest.raises(SurveyRuleError, match="anonymous survey's answers name nobody"):
        exits.review_agreed(wave, actor=None)
    assert loyalty_evidence.b2_facts().interviews is None
    assert client.exit_reason is None and db.session.scalar(select(func.count(ExitReview.id))) == 0


def test_an_anonymous_wave_has_no_exit_review_pages(app, client_as):
    coordinator = client_as("coordinator")
    with app.app_context():
        wave, key, _client = _anonymous_exit_answer()
        wave_id = wave.id
        db.session.commit()
    assert coordinator.get(f"/surveys/waves/{wave_id}/exit-reasons").status_code == 404
    assert coordinator.post(f"/surveys/waves/{wave_id}/exit-reasons/{key}", data={}).status_code == 404
    assert coordinator.post(f"/surveys/waves/{wave_id}/exit-reasons/agreed", data={}).status_code == 404
    assert "Exit reasons to review" not in coordinator.get(f"/surveys/waves/{wave_id}").get_data(as_text=True)
