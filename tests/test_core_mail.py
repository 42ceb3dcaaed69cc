"""E-mail goes out only when SMTP is configured, through Flask-Mailman: over TLS with a login on a real server,
into Mailman's in-memory outbox in tests."""

import smtplib

import pytest

from core.mail import MailError, external_url, mail_configured, message, send_each, send_mail
from tests.mail_backends import FlakyEmailBackend


class RecordingSMTP:
    sessions = []

    def __init__(self, host, port, **options):
        self.host, self.port, self.calls = host, port, []
        RecordingSMTP.sessions.append(self)

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def sendmail(self, from_email, recipients, message, mail_options=()):
        self.calls.append(("sendmail", from_email, tuple(recipients)))

    def quit(self):
        self.calls.append("quit")


def test_without_smtp_nothing_is_sent(app):
    with app.app_context():
        assert not mail_configured()
        assert send_mail("ana@example.test", "Survey", "Your link: …") is False
    assert not getattr(app.extensions["mailman"], "outbox", [])


def test_with_smtp_a_batch_is_one_session_over_tls_with_login(app_factory, database_url, monkeypatch):
    RecordingSMTP.sessions.clear()
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    app = app_factory(database_url, MAIL_SERVER="smtp.example.test", MAIL_PORT=2525, MAIL_USERNAME="fideliza",
                      MAIL_PASSWORD="pw", MAIL_DEFAULT_SENDER="quality@example.test", MAIL_BACKEND="smtp")
    accepted = []
    with app.app_context():
        send_each(((n, message(f"p{n}@example.test", "Encuesta", "Su enlace: https://…")) for n in range(3)),
                  accepted=accepted.append, refused=lambda *_: None)
    (session,) = RecordingSMTP.sessions
    assert (session.host, session.port) == ("smtp.example.test", 2525)
    assert session.calls[:2] == ["starttls", ("login", "fideliza", "pw")] and session.calls[-1] == "quit"
    assert [call[2] for call in session.calls[2:-1]] == [("p0@example.test",), ("p1@example.test",),
                                                         ("p2@example.test",)]
    assert accepted == [0, 1, 2]


@pytest.mark.parametrize("app_overrides", [{"MAIL_SERVER": "smtp.example.test",
                                            "MAIL_BACKEND": "tests.mail_backends.FlakyEmailBackend"}])
def test_one_message_goes_to_the_outbox_and_a_dropped_connection_may_be_tried_again(app):
    FlakyEmailBackend.reset()
    with app.app_context():
        assert send_mail("ana@example.test", "Encuesta", "Su enlace") is True
        FlakyEmailBackend.reset(fail_at=1)
        with pytest.raises(MailError) as failure:
            send_mail("ben@example.test", "Encuesta", "Su enlace")
    assert failure.value.transient
    assert [m.to for m in app.extensions["mailman"].outbox] == [["ana@example.test"]]


def test_links_written_outside_a_request_use_the_address_given_or_server_name(app):
    with app.app_context():
        assert external_url("answer.invitation", base_url="https://q.example.test/fideliza/", token="t") == \
            "https://q.example.test/fideliza/s/t"
        assert external_url("answer.invitation", token="t") == "/s/t"
        app.config["SERVER_NAME"] = "fideliza.example.test"
    with app.app_context():
        assert external_url("answer.invitation", base_url="https://other/", token="t") == \
            "http://fideliza.example.test/s/t"
