"""E-mail goes out only when SMTP is configured."""

import smtplib

from core.mail import mail_configured, send_mail


class RecordingSMTP:
    sent = []

    def __init__(self, host, port, timeout):
        self.host, self.port, self.calls = host, port, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        RecordingSMTP.sent.append((self.host, self.port, self.calls, message))


def test_without_smtp_nothing_is_sent(app):
    with app.app_context():
        assert not mail_configured()
        assert send_mail("ana@example.test", "Survey", "Your link: …") is False


def test_with_smtp_the_message_is_sent_over_tls_with_login(app, monkeypatch):
    RecordingSMTP.sent.clear()
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    app.config.update(MAIL_SERVER="smtp.example.test", MAIL_PORT=2525, MAIL_USERNAME="fideliza",
                      MAIL_PASSWORD="pw", MAIL_DEFAULT_SENDER="quality@example.test")
    with app.app_context():
        assert send_mail("ana@example.test", "Encuesta", "Tu enlace: https://…") is True
    ((host, port, calls, message),) = RecordingSMTP.sent
    assert (host, port) == ("smtp.example.test", 2525)
    assert calls == ["starttls", ("login", "fideliza", "pw")]
    assert (message["To"], message["From"], message["Subject"]) == ("ana@example.test", "quality@example.test",
                                                                    "Encuesta")
