"""E-mailing a wave's links in a batch on the task queue (immediate mode): one connection per batch, each
``sent_at`` kept as its message is accepted, a server failure in the middle keeping what was sent, refused
addresses reported per invitation."""

import pytest
from sqlalchemy import select

from core import tasks
from core.extensions import db
from surveys import sending
from surveys.models import Audience, BatchStatus, Invitation, InvitationBatch, Wave
from tests.mail_backends import FlakyEmailBackend

pytestmark = pytest.mark.parametrize("app_overrides", [{
    "MAIL_SERVER": "smtp.example.test", "MAIL_BACKEND": "tests.mail_backends.FlakyEmailBackend"}])

PEOPLE = [{"name": f"Person {n}", "email": f"person{n}@example.test"} for n in range(8)]


@pytest.fixture
def wave(make_survey, make_wave):
    FlakyEmailBackend.reset()
    return make_wave(make_survey("staff_participation", audience=Audience.STAFF, anonymous=False), invitees=PEOPLE)


def outbox(app):
    return app.extensions["mailman"].__dict__.setdefault("outbox", [])


def sent_at(app, wave):
    with app.app_context():
        return dict(db.session.execute(select(Invitation.email, Invitation.sent_at)
                                       .where(Invitation.wave_id == wave)).all())


def send(client, wave):
    return client.post(f"/surveys/waves/{wave}/invitations/send", follow_redirects=True).get_data(as_text=True)


def test_a_batch_goes_over_one_connection_and_keeps_each_sent_at(app, client_as, wave):
    page = send(client_as("coordinator"), wave)
    assert "8 e-mails are being sent" in page and "Links e-mailed on" in page and "8 sent." in page
    assert FlakyEmailBackend.connections == 1
    assert sorted(m.to[0] for m in outbox(app)) == sorted(p["email"] for p in PEOPLE)
    assert all(sent_at(app, wave).values())
    message = outbox(app)[0]
    assert "http://localhost/s/" in message.body and message.from_email == "fideliza@localhost"


def test_a_server_failing_in_the_middle_keeps_the_sent_and_reports_what_is_left(app, client_as, wave):
    FlakyEmailBackend.reset(fail_at=4)
    coordinator = client_as("coordinator")
    page = send(coordinator, wave)
    # the three accepted before the failure keep their sent_at; the queue will try the rest again
    assert "3 sent, 5 left, error: Connection unexpectedly closed" in page and "The queue tries again at" in page
    assert sum(1 for when in sent_at(app, wave).values() if when) == 3
    spanish = coordinator.get(f"/surveys/waves/{wave}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "3 enviados, 5 pendientes, error: Connection unexpectedly closed" in spanish
    assert "La cola de tareas lo intentará de nuevo el" in spanish
    with app.app_context():
        batch = db.session.scalar(select(InvitationBatch))
        assert batch.status == BatchStatus.RETRYING and batch.next_try_at is not None
        first_sent = {e: w for e, w in sent_at(app, wave).items() if w}
        # the queue's next try (run here by hand) takes only the five not sent
        sending.run_batch(batch.id)
        assert db.session.get(InvitationBatch, batch.id).status == BatchStatus.DONE
    assert len(outbox(app)) == 8 and len({m.to[0] for m in outbox(app)}) == 8
    assert all(sent_at(app, wave).values())
    assert {e: w for e, w in sent_at(app, wave).items() if e in first_sent} == first_sent


def test_the_queue_tries_again_with_longer_waits_and_the_last_failure_keeps_what_was_sent(app, client_as, wave):
    """The queue's own retries (Huey runs each scheduled try here): the server stays down after message 3."""
    FlakyEmailBackend.reset(down_from=4)
    send(client_as("coordinator"), wave)
    huey, waits = tasks.queue(app), []
    while huey.scheduled():
        (retry,) = huey.scheduled()
        waits.append(retry.retry_delay)
        huey.storage.flush_schedule()
        huey.execute(retry, timestamp=retry.eta)
    # five tries after 1, 2, 4, 8 and 16 minutes: each holds the wait after it, twice the one before
    assert waits == [120, 240, 480, 960, 1920]
    with app.app_context():
        batch = db.session.scalar(select(InvitationBatch))
        assert (batch.status, batch.sent, batch.left) == (BatchStatus.FAILED, 3, 5)
    page = client_as("coordinator").get(f"/surveys/waves/{wave}").get_data(as_text=True)
    assert "3 sent, 5 left, error: Connection unexpectedly closed" in page
    assert "Sending again takes up the links not sent yet." in page


def test_the_last_failure_leaves_the_batch_failed_and_asking_again_takes_it_up(app, client_as, wave):
    FlakyEmailBackend.reset(fail_at=3)
    with app.app_context():
        batch = sending.start_batch(db.session.get(Wave, wave), actor=None, base_url="https://q.example.test/")
        db.session.commit()
        assert sending.run_batch(batch.id).status == BatchStatus.FAILED  # no retry left
    page = client_as("coordinator").get(f"/surveys/waves/{wave}").get_data(as_text=True)
    assert "2 sent, 6 left, error: Connection unexpectedly closed" in page
    assert "https://q.example.test/s/" in outbox(app)[0].body
    page = send(client_as("coordinator"), wave)  # the server is back: the same batch goes on
    assert "8 sent." in page and len(outbox(app)) == 8
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(InvitationBatch)) == 1


def test_a_refused_address_is_reported_on_its_invitation_and_the_rest_are_sent(app, client_as, wave):
    FlakyEmailBackend.reset(refuse={"person2@example.test"})
    with app.app_context():
        db.session.scalar(select(Invitation).where(Invitation.email == "person5@example.test")).email = "not an address"
        db.session.commit()
    page = send(client_as("coordinator"), wave)
    assert "6 sent." in page and "2 addresses were refused" in page
    assert "Not sent: person2@example.test: 550 5.1.1 No such user" in page
    assert "Not sent: not an address: " in page
    assert len(outbox(app)) == 6


def test_a_second_sending_waits_for_the_one_under_way(app, client_as, wave):
    with app.app_context():
        sending.start_batch(db.session.get(Wave, wave), actor=None, base_url="http://localhost/")
        db.session.commit()
    page = send(client_as("coordinator"), wave)
    assert "The links are being sent already" in page and outbox(app) == []


def test_without_a_mail_server_nothing_is_queued(app, client_as, wave):
    app.config["MAIL_SERVER"] = None
    assert "No mail server is configured" in send(client_as("coordinator"), wave)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(InvitationBatch)) == 0


def test_the_sending_status_alone_follows_the_batch_until_it_ends(app, client_as, wave):
    """What the wave page asks for again while the queue sends (static/js/sending.js): the status with the address
    to ask again while the batch is under way, and without it, with a link to the list, once it ended."""
    reader = client_as("reviewer")
    assert reader.get(f"/surveys/waves/{wave}/sending").status_code == 204  # never sent
    with app.app_context():
        batch = sending.start_batch(db.session.get(Wave, wave), actor=None, base_url="http://localhost/")
        db.session.commit()
        batch_id = batch.id
    status = reader.get(f"/surveys/waves/{wave}/sending")
    html = status.get_data(as_text=True)
    assert status.status_code == 200 and 'id="sending"' in html and "waiting for the queue" in html
    assert f'data-sending-url="/surveys/waves/{wave}/sending"' in html and 'data-state="queued"' in html
    assert "<html" not in html and "sending-reload" not in html
    with app.app_context():
        sending.run_batch(batch_id)
    html = reader.get(f"/surveys/waves/{wave}/sending").get_data(as_text=True)
    assert "Links e-mailed on" in html and "8 sent." in html and 'data-state="done"' in html
    assert "data-sending-url" not in html and "sending-reload" in html
    # the wave page itself carries no polling address once the batch ended
    assert "data-sending-url" not in reader.get(f"/surveys/waves/{wave}").get_data(as_text=True)
