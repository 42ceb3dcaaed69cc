"""When the scheduled jobs run: each at an hour of the organisation's day (its time zone), or never.

The queue's scheduler wakes every job at the top of every hour (UTC); the job goes on only when it is its hour
where the organisation is (``due``), so a change of time zone or of summer time needs no new schedule. An hour
set to None switches that job off, ``SCHEDULE_ENABLED = False`` all of them; each can still be run by hand from
its command. The settings (``SCHEDULE_*``) are in ``core.config``; see docs/scheduled-jobs.md.
"""

from datetime import UTC, date, datetime

import pytz
from flask import current_app, g, has_app_context, has_request_context

from core.models import Organisation


def organisation() -> Organisation | None:
    """The organisation: looked up once per request (the page header, the day and the times on it read it)."""
    if not has_request_context():
        return Organisation.current()
    if "organisation" not in g:
        g.organisation = Organisation.current()
    return g.organisation


def time_zone():
    """The organisation's time zone, else the installation's default."""
    found = organisation()
    return pytz.timezone((found.time_zone if found else None)
                         or current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_now(now: datetime | None = None) -> datetime:
    """The moment (now, or ``now`` in UTC, naive or aware) on the organisation's clock."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(time_zone())


def today(now: datetime | None = None) -> date:
    """The organisation's date (a wave ends, a task falls due, on the organisation's day); the machine's outside
    an app (pure functions under test)."""
    if now is None and not has_app_context():
        return date.today()
    return local_now(now).date()


def due(hour_setting: str, *, weekday_setting: str | None = None, now: datetime | None = None) -> bool:
    """Whether a job whose hour is ``hour_setting`` (and day ``weekday_setting``) runs at this hour."""
    config = current_app.config
    hour = config.get(hour_setting)
    if not config.get("SCHEDULE_ENABLED", True) or hour is None:
        return False
    local = local_now(now)
    return local.hour == hour and (weekday_setting is None or local.weekday() == config.get(weekday_setting))
