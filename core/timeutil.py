"""One clock for the whole app, so tests and audit rows agree on what "now" is."""

from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    """The current moment as a naive UTC datetime (how every timestamp column stores it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utc_start_of(day: date, zone) -> datetime:
    """The naive UTC moment at which ``day`` begins in ``zone`` (a pytz or zoneinfo time zone)."""
    midnight = datetime.combine(day, time.min)
    local = zone.localize(midnight) if hasattr(zone, "localize") else midnight.replace(tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)
