"""One clock for the whole app, so tests and audit rows agree on what "now" is."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current moment as a naive UTC datetime (how every timestamp column stores it)."""
    return datetime.now(UTC).replace(tzinfo=None)
