"""Mail backends for tests: Mailman's in-memory outbox, with a server that fails in the middle of a batch or
refuses one address."""

import smtplib

from flask_mailman.backends.locmem import EmailBackend


class FlakyEmailBackend(EmailBackend):
    """Accepts messages into the outbox until the ``fail_at``-th of this run (counted across connections), which
    the server answers by dropping the connection (every one from ``down_from`` on); ``refuse`` lists addresses
    it refuses as unknown."""

    fail_at: int | None = None
    #: From this attempt on, the server is down for good.
    down_from: int | None = None
    refuse: frozenset = frozenset()
    connections = 0
    attempts = 0

    def open(self):
        FlakyEmailBackend.connections += 1

    def send_messages(self, messages):
        for message in messages:
            FlakyEmailBackend.attempts += 1
            if FlakyEmailBackend.attempts == self.fail_at or (self.down_from and self.attempts >= self.down_from):
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            (address,) = message.to
            if address in self.refuse:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
        return super().send_messages(messages)

    @classmethod
    def reset(cls, *, fail_at=None, down_from=None, refuse=()):
        cls.fail_at, cls.down_from, cls.refuse = fail_at, down_from, frozenset(refuse)
        cls.connections = cls.attempts = 0
