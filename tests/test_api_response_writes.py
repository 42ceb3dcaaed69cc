"""Survey responses pushed for a wave (``surveys.api_writes``): the response import's rules all or nothing with
every refused response named, anonymity (no identity, no time; the running totals equal a rebuild, an anonymous
wave's counted at its release), waves that take no answers, Idempotency-Key, scopes and roles."""

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.imports.retention import ImportRecord
from surveys import releases, totals
from surveys.models import Answer, Response, Wave
from tests.test_api import bearer, token_of  # noqa: F401 - the fixture


def response(recommend=9, overall=4, **attributes) -> dict:
    return {"answers": {"recommend": recommend, "overall": overall, "expectations": "Met my expectations",
                        "comment": "Kind staff"}, **attributes}


@pytest.fixture
def editor(make_user, token_of):  # noqa: F811
    return bearer(token_of(make_user("member")))


def stored(app, wave_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)).where(Response.wave_id == wave_id))


def running_and_rebuilt(wave_id) -> tuple[dict, dict]:
    """The running totals, and the same rebuilt from the answers (rolled back)."""
    running = totals.snapshot([wave_id])
    with db.session.begin_nested() as savepoint:
        totals.rebuild(releases.shown_responses([wave_id]), [wave_id])
        rebuilt = totals.snapshot([wave_id])
        savepoint.rollback()
    return running, rebuilt


def test_responses_to_a_named_wave_keep_their_date_and_the_totals_follow(app, editor, make_survey, make_wave):
    wave_id = make_wave(make_survey(anonymous=False))
    sent = [response(typology="end user", segment="North", submitted_on="2026-02-03"),
            response(recommend="3 - Poco probable", overall=2), response(recommend=10)]
    answer = app.test_client().post(f"/api/v1/waves/{wave_id}/responses", headers=editor, json={"responses": sent})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json() == {"wave": wave_id, "added": 3, "anonymous": False}
    with app.app_context():
        dates = sorted(str(day) for day in db.session.scalars(select(Response.submitted_on)))
        assert dates == ["2026-02-03", "None", "None"]
        assert sorted(db.session.scalars(select(Answer.number).join(Response).where(
            Answer.text.is_(None), Answer.number > 5))) == [9.0, 10.0]
        running, rebuilt = running_and_rebuilt(wave_id)
        assert running == rebuilt and totals.wave_sizes([wave_id]) == {wave_id: 3}
        record = db.session.scalar(select(ImportRecord))
        assert record.target_id == wave_id and record.counts == {"responses": 3, "rows": 3}


def test_an_anonymous_wave_keeps_no_time_or_identity_and_counts_at_its_release(app, editor, make_survey,
                                                                              make_wave):
    wave_id = make_wave(make_survey(anonymous=True))
    client = app.test_client()
    named = client.post(f"/api/v1/waves/{wave_id}/responses", headers=editor, json={"responses": [
        response(email="ana@example.com")]})
    assert named.status_code == 422 and named.get_json()["errors"][0]["field"] == "responses.0.email"
    sent = [response(submitted_on="2026-02-03", typology="end user") for _ in range(5)]
    answer = client.post(f"/api/v1/waves/{wave_id}/responses", headers=editor, json={"responses": sent})
    assert answer.status_code == 201 and answer.get_json()["anonymous"] is True
    with app.app_context():
        rows = db.session.execute(select(Response.submitted_on, Response.invitation_id, Response.network)).all()
        assert len(rows) == 5 and set(rows) == {(None, None, None)}  # no time, no invitation, no network
        assert totals.wave_sizes([wave_id]).get(wave_id, 0) == 0  # not shown before its batch is released
        running, rebuilt = running_and_rebuilt(wave_id)
        assert running == rebuilt
        releases.release_due(db.session.get(Wave, wave_id))
        db.session.commit()
        running, rebuilt = running_and_rebuilt(wave_id)
        assert running == rebuilt and totals.wave_sizes([wave_id]) == {wave_id: 5}


def test_every_refused_response_is_named_and_nothing_is_stored(app, editor, make_survey, make_wave):
    wave_id = make_wave(make_survey(anonymous=False))
    sent = [response(), response(overall=9), {"answers": {}}, response(submitted_on="2019-05-01"),
            {"answers": {"nonsense": 3}}]
    client = app.test_client()
    refused = client.post(f"/api/v1/waves/{wave_id}/responses", headers=editor, json={"responses": sent})
    assert refused.status_code == 422 and refused.get_json()["errors"] == [
        {"location": "json", "field": "responses.4.answers.nonsense", "row": 4, "column": "answers.nonsense",
         "message": "The survey has no question with this key."}]
    refused = client.post(f"/api/v1/waves/{wave_id}/responses", headers=editor, json={"responses": sent[:4]})
    assert refused.status_code == 422
    assert [(e["row"], e["field"], e["column"]) for e in refused.get_json()["errors"]] == [
        (1, "responses.1.answers.overall", "answers.overall"), (2, "responses.2", None),
        (3, "responses.3.submitted_on", "submitted_on")]
    assert stored(app, wave_id) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportRecord.id))) == 0


def test_a_wave_that_takes_no_answers_refuses_them(app, editor, make_survey, make_wave):
    survey = make_survey(anonymous=False)
    client = app.test_client()
    for status in ("draft", "closed"):
        wave_id = make_wave(survey, name=status, status=status)
        refused = client.post(f"/api/v1/waves/{wave_id}/responses", headers=editor, json={"responses": [response()]})
        assert refused.status_code == 409 and stored(app, wave_id) == 0
    assert client.post("/api/v1/waves/987654/responses", headers=editor,
                       json={"responses": [response()]}).status_code == 404


def test_an_idempotency_key_replays_the_first_answer_and_stores_once(app, editor, make_survey, make_wave):
    wave_id = make_wave(make_survey(anonymous=False))
    client = app.test_client()
    headers = {**editor, "Idempotency-Key": "formbricks-batch-7"}
    first = client.post(f"/api/v1/waves/{wave_id}/responses", headers=headers, json={"responses": [response()]})
    again = client.post(f"/api/v1/waves/{wave_id}/responses", headers=headers, json={"responses": [response()]})
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and stored(app, wave_id) == 1
    with app.app_context():
        assert totals.wave_sizes([wave_id]) == {wave_id: 1}


def test_a_read_token_and_a_reviewer_are_refused(app, make_user, token_of, make_survey, make_wave):  # noqa: F811
    wave_id = make_wave(make_survey(anonymous=False))
    client, url = app.test_client(), f"/api/v1/waves/{wave_id}/responses"
    sent = {"responses": [response()]}
    assert client.post(url, headers=bearer(token_of(make_user("admin"), scope="read")), json=sent).status_code == 403
    assert client.post(url, headers=bearer(token_of(make_user("reviewer"))), json=sent).status_code == 403
    assert client.post(url, json=sent).status_code == 401
    assert stored(app, wave_id) == 0
