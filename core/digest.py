"""The weekly digest to coordinators: what changed in the readiness of the criteria, the improvement tasks overdue
and the indicators off target, in one message each, in their language. Sent by the scheduled job (on
``SCHEDULE_DIGEST_WEEKDAY`` at ``SCHEDULE_DIGEST_HOUR`` of the organisation's day) when SMTP is configured, and by
hand with ``flask digest``.

Core knows none of this itself: each package gives its sections through the ``digest_sections`` signal, and a
section may keep a ``state`` that next week's digest gets back as ``previous`` to say what changed.
"""

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core import mail, schedule, signals, tasks
from core.extensions import db
from core.models import DigestRun, Role, User

log = logging.getLogger(__name__)

#: Tries after a failure of the SMTP server, and the first wait (doubled each time), in seconds.
RETRIES, RETRY_DELAY = 4, 600


@dataclass(frozen=True)
class Section:
    """One part of the digest: a title and its lines (in the reader's language), and what to keep for next week."""

    key: str
    order: int
    title: str
    lines: list[str]
    state: object = None


@dataclass
class Outcome(mail.Outcome):
    """A digest's sending, and the run that keeps what it said."""

    run_id: int | None = None


def sections(previous: dict) -> list[Section]:
    """Every package's sections, in their order."""
    found = [section for given in signals.send(signals.digest_sections, None, previous=previous) for section in given]
    return sorted(found, key=lambda section: section.order)


def digest_text(parts: list[Section]) -> str:
    """The message's body: each section's title underlined, then its lines."""
    blocks = [_("What changed in the loyalty programme this week, and what needs doing:")]
    for part in parts:
        blocks.append("\n".join([part.title, "-" * len(part.title), *part.lines]))
    return "\n\n".join(blocks) + "\n"


def recipients(user_ids=None) -> list[User]:
    """The active coordinators (only ``user_ids``, on a try after a failure)."""
    query = select(User).where(User.role == Role.COORDINATOR, User.active).order_by(User.id)
    if user_ids is not None:
        query = query.where(User.id.in_(list(user_ids)))
    return list(db.session.scalars(query))


def compose(run: DigestRun, readers: list[User]) -> list[tuple[User, "mail.EmailMessage"]]:
    """Each reader's message, the sections read once per language; keeps the sections' state on ``run``."""
    before = db.session.scalar(select(DigestRun).where(DigestRun.id < run.id).order_by(DigestRun.id.desc()).limit(1))
    previous = before.state if before is not None else {}
    texts, state = {}, {}
    for language in {reader.language or current_app.config["BABEL_DEFAULT_LOCALE"] for reader in readers}:
        with force_locale(language):
            parts = sections(previous)
            texts[language] = (_("Fideliza: the week's digest"), digest_text(parts))
        state = {part.key: part.state for part in parts if part.state is not None}
    run.state = state
    return [(reader, mail.message(reader.email, *texts[reader.language or current_app.config["BABEL_DEFAULT_LOCALE"]]))
            for reader in readers]


def send_digest(*, run_id: int | None = None, user_ids=None) -> Outcome:
    """Compose and e-mail the digest over one connection (a try after a failure reuses its run, so it compares
    with the same week before); commits the run before sending."""
    run = db.session.get(DigestRun, run_id) if run_id is not None else None
    if run is None:
        run = DigestRun()
        db.session.add(run)
        db.session.flush()
    readers = recipients(user_ids)
    messages = compose(run, readers)
    db.session.commit()
    sent = mail.send_to_each(((reader.id, message) for reader, message in messages), [r.id for r in readers])
    return Outcome(sent=sent.sent, refused=sent.refused, left=sent.left, error=sent.error, run_id=run.id)


@tasks.periodic_task(tasks.crontab(minute="0"))
def scheduled_digest() -> None:
    """Every hour: on the digest's day and hour, queue the digest (when SMTP is configured)."""
    if mail.mail_configured() and schedule.due("SCHEDULE_DIGEST_HOUR", weekday_setting="SCHEDULE_DIGEST_WEEKDAY"):
        send_weekly_digest()


@tasks.task()
def send_weekly_digest(*, run_id: int | None = None, user_ids: list[int] | None = None, tries_left: int = RETRIES,
                       delay: int = RETRY_DELAY) -> None:
    """Send the digest; when the server fails, the coordinators not reached yet get it later, waiting twice as long
    each time."""
    outcome = send_digest(run_id=run_id, user_ids=user_ids)
    for reason in outcome.refused:
        log.warning("Weekly digest not sent: %s", reason)
    if outcome.error is None or not outcome.left:
        return
    log.warning("Weekly digest: %d sent, %d left, error: %s", len(outcome.sent), len(outcome.left), outcome.error)
    if outcome.error.transient and tries_left:
        send_weekly_digest.schedule(kwargs={"run_id": outcome.run_id, "user_ids": outcome.left,
                                            "tries_left": tries_left - 1, "delay": delay * 2}, delay=delay)
