"""The improvements package's scheduled job: every day, at ``SCHEDULE_REMINDERS_HOUR`` of the organisation's
day, each owner of improvement tasks overdue or due soon gets a reminder (``flask reminders`` does it by hand)."""

import logging

from flask import current_app

from core import mail, schedule, tasks
from improvements.reminders import reminders, send_reminders

log = logging.getLogger(__name__)

#: Tries after a failure of the SMTP server, and the first wait (doubled each time), in seconds.
RETRIES, RETRY_DELAY = 4, 300


@tasks.periodic_task(tasks.crontab(minute="0"))
def scheduled_reminders() -> None:
    """Every hour: at the reminders' hour, queue the day's reminders (when SMTP is configured)."""
    if schedule.due("SCHEDULE_REMINDERS_HOUR") and mail.mail_configured():
        send_task_reminders(current_app.config["SCHEDULE_REMINDERS_DAYS"])


@tasks.task()
def send_task_reminders(days: int, *, owner_ids: list[int] | None = None, tries_left: int = RETRIES,
                        delay: int = RETRY_DELAY) -> None:
    """Send the reminders (to ``owner_ids`` only, on a try after a failure); when the server fails, the owners not
    reached yet are tried again later, waiting twice as long each time, so nobody gets the same reminder twice."""
    outcome = send_reminders(reminders(schedule.today(), days, owner_ids=owner_ids))
    for reason in outcome.refused:
        log.warning("Task reminder not sent: %s", reason)
    if outcome.error is None or not outcome.left:
        return
    log.warning("Task reminders: %d sent, %d left, error: %s", len(outcome.sent), len(outcome.left), outcome.error)
    if outcome.error.transient and tries_left:
        send_task_reminders.schedule(args=(days,), kwargs={"owner_ids": outcome.left, "tries_left": tries_left - 1,
                                                           "delay": delay * 2}, delay=delay)
