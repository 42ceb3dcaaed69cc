"""The open public link answered repeatedly (issue 11, item 6): responses keep a keyed hash of their network
(never the address), a network's answers per wave are capped, and a coordinator excludes a burst, which
stays stored and audited but leaves results and exports."""

import threading
import time

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from surveys import engine, networks
from surveys.models import Answer, Response, Wave
from tests.surveys_fixtures import CLIENT_ANSWER, form_for


def _public(app, wave) -> str:
    with app.app_context():
        return db.session.get(Wave, wave).public_token


def _send(app, wave, address: str, comment="Fine"):
    """One answer from a fresh browser (no cookie) at ``address``."""
    return app.test_client().post(f"/s/w/{_public(app, wave)}", data=form_for(app, wave, {**CLIENT_ANSWER,
                                  "comment": comment}), environ_base={"REMOTE_ADDR": address})


def test_the_network_key_is_a_keyed_hash_of_the_prefix_and_the_wave(app):
    with app.test_request_context():
        first = networks.network_hash(1, "192.0.2.10")
        assert first == networks.network_hash(1, "192.0.2.200")  # same /24
        assert first != networks.network_hash(1, "192.0.3.10")
        assert first != networks.network_hash(2, "192.0.2.10")  # another wave: another key
        assert networks.network_hash(1, "2001:db8:1:2::1") == networks.network_hash(1, "2001:db8:1:ffff::9")  # /48
        assert networks.network_hash(1, "::ffff:192.0.2.7") == first
        assert len(first) == 16 and "192" not in first
        assert networks.network_hash(1, None) is None
    other_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = other_key + "-other"
    with app.test_request_context():
        assert networks.network_hash(1, "192.0.2.10") != first  # without the key it cannot be recomputed


@pytest.mark.parametrize("app_overrides", [{"SURVEY_PUBLIC_MAX_PER_NETWORK": 3}])
def test_a_network_gives_a_wave_at_most_the_configured_answers(app, make_survey, make_wave):
    wave = make_wave(make_survey(anonymous=False), public_link=True)
    assert [_send(app, wave, f"198.51.100.{n}").status_code for n in range(3)] == [302, 302, 302]
    refused = _send(app, wave, "198.51.100.77")
    assert "all the answers it takes from your network" in refused.get_data(as_text=True)
    assert _send(app, wave, "203.0.113.5").status_code == 302  # another network still answers
    with app.app_context():
        rows = db.session.execute(select(Response.source, Response.network)).all()
        assert len(rows) == 4 and all(network and "198.51" not in network for _s, network in rows)


@pytest.mark.parametrize("app_overrides", [{"SURVEY_PUBLIC_MAX_PER_NETWORK": 3}])
def test_answers_from_one_network_at_the_same_moment_never_pass_the_cap(app, make_survey, make_wave, monkeypatch):
    """Ten answers at once from one network, threads against the test database (a file on SQLite, a server on
    PostgreSQL); each waits a little between the count and its insert, where a race would slip in."""
    wave = make_wave(make_survey(anonymous=False), public_link=True)
    url, body = f"/s/w/{_public(app, wave)}", form_for(app, wave, CLIENT_ANSWER)
    submit = engine.submit_response

    def slow_submit(*args, **kwargs):
        time.sleep(0.05)
        return submit(*args, **kwargs)

    monkeypatch.setattr(engine, "submit_response", slow_submit)
    start, answers = threading.Barrier(10), []

    def send(n):
        client = app.test_client()
        start.wait()
        try:
            answer = client.post(url, data=body, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
            full = "all the answers it takes from your network" in answer.get_data(as_text=True)
            answers.append("refused" if full else answer.status_code)
        except Exception as error:  # noqa: BLE001 - the test reports what the request raised
            answers.append(repr(error))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers, key=str) == [302] * 3 + ["refused"] * 7
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_personal_links_keep_no_network(app, make_survey, make_wave):
    wave = make_wave(make_survey(), invitees=[{"name": "Ane"}])
    with app.app_context():
        from surveys.models import Invitation

        token = db.session.scalar(select(Invitation.token))
    app.test_client().post(f"/s/{token}", data=form_for(app, wave, CLIENT_ANSWER))
    with app.app_context():
        assert db.session.scalar(select(Response.network)) is None


def test_a_coordinator_excludes_a_burst_which_stays_stored_and_audited(app, client_as, make_survey, make_wave):
    wave = make_wave(make_survey(anonymous=False), public_link=True)
    for n in range(4):
        _send(app, wave, f"198.51.100.{n}", comment="spam burst")
    for n in range(3):
        _send(app, wave, f"203.0.{n}.9", comment=f"genuine {n}")
    coordinator = client_as("coordinator", name="Carmen Ruiz")
    page = coordinator.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    with app.test_request_context():
        burst = networks.network_hash(wave, "198.51.100.1")
    assert f"<code>{burst[:6]}</code></td><td>4</td>" in page  # one listed network: 4 responses
    url = f"/surveys/waves/{wave}/networks/{burst}/exclude"
    assert client_as("member").post(url, data={"reason": "mine"}).status_code == 403
    assert "This field is required" in coordinator.post(url, data={}, follow_redirects=True).get_data(as_text=True)
    done = coordinator.post(url, data={"reason": "Four answers within a minute from one office"},
                            follow_redirects=True).get_data(as_text=True)
    assert "4 responses excluded" in done
    export = coordinator.get(f"/surveys/waves/{wave}/responses.csv").get_data(as_text=True)
    assert "spam burst" not in export and "genuine 2" in export
    results = coordinator.get(f"/surveys/waves/{wave}/results").get_data(as_text=True)
    assert 'data-testid="response-count">3<' in results and "spam burst" not in results
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Response)) == 7  # nothing deleted
        assert db.session.scalar(select(db.func.count()).select_from(Answer).where(Answer.excluded)) == 4 * len(
            CLIENT_ANSWER)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "survey_exclusions"))
        assert entry.actor.name == "Carmen Ruiz"
        assert entry.changes["reason"][1] == "Four answers within a minute from one office"
    assert "No counted response" in coordinator.post(url, data={"reason": "again"},
                                                     follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("app_overrides", [{"PROXY_FIX_X_FOR": 1}])
def test_behind_a_proxy_the_forwarded_address_is_the_network(app, make_survey, make_wave):
    wave = make_wave(make_survey(anonymous=False), public_link=True)
    app.test_client().post(f"/s/w/{_public(app, wave)}", data=form_for(app, wave, CLIENT_ANSWER),
                           environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"X-Forwarded-For": "192.0.2.44"})
    with app.app_context():
        stored = db.session.scalar(select(Response.network))
    with app.test_request_context():
        assert stored == networks.network_hash(wave, "192.0.2.1") != networks.network_hash(wave, "127.0.0.1")
