"""The survey engine's work on the task queue: e-mailing a wave's links in a batch, and closing the waves whose
end date has passed (a scheduled job, also ``flask surveys close-waves``)."""

from core import schedule, tasks
from surveys import lifecycle, sending

#: Tries after a failure of the SMTP server: the waits double from the first (1, 2, 4, 8 and 16 minutes).
SEND_RETRIES, SEND_RETRY_DELAY = 5, 60


@tasks.task(retries=SEND_RETRIES, retry_delay=SEND_RETRY_DELAY, retry_backoff=2, context=True)
def send_batch(batch_id: int, *, task=None) -> None:
    """Send what is left of an invitation batch; when the server fails, Huey tries again later, waiting longer
    each time, and the last failure leaves the batch failed with what was sent kept."""
    retry_in = int(task.retry_delay) if task is not None and task.retries else None
    sending.run_batch(batch_id, retry_in=retry_in)


@tasks.periodic_task(tasks.crontab(minute="0"))
def close_past_waves() -> None:
    """Every hour: at the configured hour of the organisation's day, close the open waves whose end date has
    passed (``SCHEDULE_CLOSE_WAVES_HOUR``)."""
    if schedule.due("SCHEDULE_CLOSE_WAVES_HOUR"):
        lifecycle.close_past_waves(schedule.today())
