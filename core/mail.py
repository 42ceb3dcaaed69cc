"""Outgoing e-mail through Flask-Mailman, when SMTP is configured; callers show the link on screen when it is not.

A batch (``send_each``) goes over one connection, one message at a time, so that the caller learns of each
acceptance as it happens and can keep it (an invitation's ``sent_at``) before the next message: a server
that fails at message 200 leaves the 199 accepted ones known. A message refused for its address is reported
for that message and the rest are sent; a failure of the server or the connection ends the batch with a
``MailError`` saying whether trying again later may help.
"""

import smtplib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_mailman import BadHeaderError, EmailMessage

from core.extensions import mail
from core.tasks import url_adapter

Key = TypeVar("Key")


class MailError(Exception):
    """The batch stopped: the server or the connection failed. ``transient``: trying again later may work (the
    server was unreachable, closed the connection or answered 4xx), as opposed to a refused sign-in or sender."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from the configured sender."""
    return EmailMessage(subject=subject, body=body, from_email=current_app.config["MAIL_DEFAULT_SENDER"], to=[to])


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; False (nothing sent) when no SMTP server is configured. Raises ``MailError``
    when the server fails and ``ValueError`` when it refuses the address."""
    if not mail_configured():
        return False
    refusals = []
    send_each([(to, message(to, subject, body))], accepted=lambda _key: None,
              refused=lambda _key, reason: refusals.append(reason))
    if refusals:
        raise ValueError(refusals[0])
    return True


def send_each(messages: Iterable[tuple[Key, EmailMessage]], *, accepted: Callable[[Key], None],
              refused: Callable[[Key, str], None]) -> None:
    """Send ``(key, message)`` pairs over one connection, calling ``accepted(key)`` as soon as the server takes a
    message and ``refused(key, reason)`` for one whose address is invalid or refused. The messages may be a
    generator: each is built only when its turn comes."""
    try:
        with mail.get_connection() as connection:
            for key, email in messages:
                reason = _send_one(connection, email)
                if reason is None:
                    accepted(key)
                else:
                    refused(key, reason)
    except smtplib.SMTPResponseException as error:
        raise MailError(_server_said(error), transient=400 <= error.smtp_code < 500) from error
    except (smtplib.SMTPException, OSError) as error:
        # Unreachable, timed out, disconnected: the server may be back later.
        raise MailError(str(error) or type(error).__name__, transient=True) from error


@dataclass
class Outcome:
    """What a sending to several people did: whom it reached and whom it did not (by their ids), the addresses
    refused (with why), and the error of the server that stopped it, if one did."""

    sent: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    error: "MailError | None" = None


def send_to_each(messages: Iterable[tuple[int, EmailMessage]], ids: list[int]) -> Outcome:
    """``send_each`` of ``(person's id, message)`` pairs, told as an ``Outcome``: a failure of the server leaves
    the ids not yet reached in ``left``, for the next try to take up."""
    outcome = Outcome(left=list(ids))

    def accepted(key):
        outcome.sent.append(key)
        outcome.left.remove(key)

    def refused(key, reason):
        outcome.refused.append(reason)
        outcome.left.remove(key)

    try:
        send_each(messages, accepted=accepted, refused=refused)
    except MailError as error:
        outcome.error = error
    return outcome


def _send_one(connection, email: EmailMessage) -> str | None:
    """None when the server accepted the message, else why its address was refused."""
    (address,) = email.to
    try:
        validate_email(address, check_deliverability=False, test_environment=True)
        connection.send_messages([email])
    except (EmailNotValidError, ValueError, BadHeaderError) as error:
        return f"{address}: {error}"
    except smtplib.SMTPRecipientsRefused as error:
        return "; ".join(f"{who}: {_decoded(code, text)}" for who, (code, text) in error.recipients.items())
    except smtplib.SMTPDataError as error:
        if 500 <= error.smtp_code < 600:  # this message refused for good; the others may pass
            return f"{address}: {_server_said(error)}"
        raise
    return None


def _server_said(error: smtplib.SMTPResponseException) -> str:
    return _decoded(error.smtp_code, error.smtp_error)


def _decoded(code: int, text) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def external_url(endpoint: str, *, base_url: str | None = None, **values) -> str:
    """A full link for a message written outside any request (a task, a command): through ``SERVER_NAME`` when
    it is configured, else on ``BASE_URL`` or ``base_url`` (the address a person reached the site at when they
    asked for the sending), else as the task queue's context builds it, else the bare path."""
    config = current_app.config
    base_url = config.get("BASE_URL") or base_url
    if base_url and not config.get("SERVER_NAME"):
        return url_adapter(current_app, base_url).build(endpoint, values, force_external=True)
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:  # a command's app context, with no SERVER_NAME to build on
        return current_app.url_map.bind("localhost").build(endpoint, values)


@contextmanager
def links_context():
    """An app context in which ``url_for`` builds full links as the task queue's do (on ``SERVER_NAME``, else
    ``BASE_URL``, else http://localhost/): for a command that writes messages, whose own context has no request
    to build on. The packages' sections and findings call ``url_for`` whoever runs them."""
    app = current_app._get_current_object()
    context = app.app_context()
    if not app.config.get("SERVER_NAME"):
        context.url_adapter = url_adapter(app, app.config.get("BASE_URL") or "http://localhost/")
    with context:
        yield
