"""Answering through links: a personal link once, the public link, closed and unknown links, bad answers."""

from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from surveys.models import Answer, Invitation, Response
from tests.surveys_fixtures import CLIENT_ANSWER, form_for

INVITEES = [{"name": "Ane Goñi", "email": "ane@example.org", "typology": "End user", "segment": "Preferential"}]


def token_of(app, wave_id, name="Ane Goñi"):
    with app.app_context():
        return db.session.scalar(select(Invitation.token).where(Invitation.wave_id == wave_id,
                                                                 Invitation.name == name))


def test_a_client_answers_once_through_their_link(app, client, make_survey, make_wave):
    wave = make_wave(make_survey(anonymous=False), invitees=INVITEES)
    token = token_of(app, wave)
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "Client satisfaction survey" in page.get_data(as_text=True)
    sent = client.post(f"/s/{token}", data=form_for(app, wave, CLIENT_ANSWER))
    assert sent.status_code == 302 and "/s/thanks" in sent.headers["Location"]
    assert "Thank you for your answers" in client.get(sent.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert (response.typology, response.segment) == ("End user", "Preferential")
        assert response.invitation_id is not None and response.submitted_on is not None  # a named survey
        assert db.session.scalar(select(func.count()).select_from(Answer)) == len(CLIENT_ANSWER)
    again = client.post(f"/s/{token}", data=form_for(app, wave, CLIENT_ANSWER))
    assert again.status_code == 200 and "You have already answered this survey" in again.get_data(as_text=True)
    assert "already answered" in client.get(f"/s/{token}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_an_out_of_range_or_missing_answer_is_refused_naming_the_item(app, client, make_survey, make_wave):
    wave = make_wave(make_survey(), invitees=INVITEES)
    token = token_of(app, wave)
    body = form_for(app, wave, {**CLIENT_ANSWER, "recommend": 11, "overall": "4.5"})
    del body[next(k for k, v in body.items() if v == "3")]  # one required attribute left unanswered
    page = client.post(f"/s/{token}", data=body)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "“Recommendation”: the answer must be a whole number from 0 to 10." in text
    assert "“Overall satisfaction”: the answer must be a whole number from 1 to 5." in text
    assert "an answer is needed" in text
    assert 'value="9"' in text or "Very kind staff" in text  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.scalar(select(Invitation.used)) is False


def test_unknown_link_and_closed_wave_get_a_clear_page(app, client, make_survey, make_wave):
    unknown = client.get("/s/not-a-real-token")
    assert unknown.status_code == 404 and "This survey link is not valid" in unknown.get_data(as_text=True)
    assert client.post("/s/not-a-real-token", data={}).status_code == 404
    assert client.get("/s/w/not-a-real-token").status_code == 404
    survey = make_survey()
    closed = make_wave(survey, status="closed", invitees=INVITEES)
    page = client.get(f"/s/{token_of(app, closed)}")
    assert page.status_code == 410 and "This survey is not taking answers" in page.get_data(as_text=True)
    draft = make_wave(survey, name="Draft", status="draft", invitees=INVITEES)
    assert client.get(f"/s/{token_of(app, draft)}").status_code == 410
    future = make_wave(survey, name="Later", opens_on=date(2999, 1, 1), invitees=INVITEES)
    assert client.post(f"/s/{token_of(app, future)}", data=form_for(app, future, CLIENT_ANSWER)).status_code == 410


def test_the_open_public_link_takes_answers_once_per_browser(app, client, make_survey, make_wave):
    wave = make_wave(make_survey(), public_link=True)
    with app.app_context():
        from surveys.models import Wave

        public = db.session.get(Wave, wave).public_token
    assert client.post(f"/s/w/{public}", data=form_for(app, wave, CLIENT_ANSWER)).status_code == 302
    assert "already answered" in client.get(f"/s/w/{public}").get_data(as_text=True)
    other_browser = app.test_client()
    assert other_browser.post(f"/s/w/{public}", data=form_for(app, wave, CLIENT_ANSWER)).status_code == 302
    with app.app_context():
        sources = db.session.scalars(select(Response.source)).all()
        assert [str(s) for s in sources] == ["public", "public"]


def test_the_answering_page_speaks_the_survey_language(app, client, make_survey, make_wave):
    wave = make_wave(make_survey(language="es"), invitees=INVITEES)
    text = client.get(f"/s/{token_of(app, wave)}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Encuesta de satisfacción de clientes" in text and "¿Qué satisfacción le produce" in text
    assert '<html lang="es">' in text


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "SURVEY_RATE_LIMIT": "2 per minute"}])
def test_the_public_pages_are_rate_limited(client):
    assert client.get("/s/unknown-1").status_code == 404
    assert client.get("/s/unknown-2").status_code == 404
    assert client.get("/s/unknown-3").status_code == 429
