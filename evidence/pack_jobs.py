"""The job that builds an evidence pack on the task queue, while the browser polls its row.

The ``PackJob`` row is what users see (state, progress, step, error); the task (``build_pack``) writes it at each
stage and a timer thread touches its heartbeat while WeasyPrint lays out the pages, so a slow pack is never taken
for dead while its worker lives. Huey retries a build that raised once (``retries=1``). A worker that dies
(killed, out of memory) takes its task with it and Huey cannot know: the consumer's watchdog
(``recover_stalled_packs``, every minute) finds the running job whose heartbeat stopped and enqueues it again,
once; the second time the job fails with a message that says so. ``attempts`` counts both kinds of retry, so a
pack is started at most ``MAX_ATTEMPTS`` times. A request never starts a job that another one already has: it
joins it, whatever its heartbeat says. At most as many packs are built at once as the consumers have workers.
"""

import logging
import threading
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core import tasks
from core.extensions import db
from core.timeutil import utcnow
from evidence import packs
from evidence.models import CriteriaSet, JobState, PackJob, PackSnapshot

log = logging.getLogger(__name__)

#: A running job whose heartbeat is older than this has lost its worker.
STALE_AFTER = timedelta(minutes=2)
#: How often a running job touches its heartbeat while it typesets (well inside ``STALE_AFTER``).
HEARTBEAT_SECONDS = 15.0
#: The first attempt and one retry.
MAX_ATTEMPTS = 2
ACTIVE = (JobState.QUEUED, JobState.RUNNING)


def request_pack(criteria_set: CriteriaSet, scope: str, language: str, *, actor,
                 cycle_id: int | None = None) -> tuple[PackSnapshot | None, PackJob | None, bool]:
    """(kept snapshot, None, False) when the data has not changed; else (None, job, started): a new job, or
    the one already queued or building this pack (joined). Commits, so the worker sees the job at once. A pack
    for a certification cycle (``cycle_id``) is kept and joined apart from the pack of the data as it stands."""
    fingerprint, settled = packs.data_version()
    snapshot = packs.kept_snapshot(criteria_set, scope, language, fingerprint, cycle_id=cycle_id) \
        if settled else None
    if snapshot is not None:
        return snapshot, None, False
    key = f"{criteria_set.id}:{scope}:{language}" + (f":cycle-{cycle_id}" if cycle_id is not None else "")
    active = db.session.scalar(select(PackJob).where(PackJob.active_key == key))
    if active is not None:
        return None, active, False
    with force_locale(language):
        waiting = _("Waiting to start")
    job = PackJob(set_id=criteria_set.id, scope=scope, language=language, fingerprint=fingerprint, active_key=key,
                  requested_by_id=actor.id if actor is not None else None, step=waiting, cycle_id=cycle_id)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # another request started the same pack a moment ago: join it
        db.session.rollback()
        return None, db.session.scalar(select(PackJob).where(PackJob.active_key == key)), False
    return None, job, True


def start(job: PackJob) -> None:
    """Put a new job on the queue (the caller has committed it)."""
    build_pack(job.id, actor_id=job.requested_by_id)


@tasks.task(retries=1, context=True)
def build_pack(job_id: int, *, actor_id: int | None = None, task=None) -> None:
    """Build the pack of a queued job, reporting each stage in its row; a failure is retried once, then shown."""
    job = _claim(job_id)
    if job is None:
        return  # done, failed, or already started by another message: nothing to do twice
    try:
        with tasks.acting_as_user(actor_id) as actor, Heartbeat(current_app._get_current_object(), job_id):
            snapshot = packs.build_snapshot(db.session.get(CriteriaSet, job.set_id), job.scope, job.language,
                                            fingerprint=job.fingerprint, actor=actor, cycle_id=job.cycle_id,
                                            progress=lambda percent, step: _report(job_id, progress=percent,
                                                                                   step=step))
            snapshot_id = snapshot.id
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("Evidence pack job %s failed (attempt %s)", job_id, job.attempts)
        _failed(job, str(error), retrying=task is not None and task.retries > 0 and job.attempts < MAX_ATTEMPTS)
        raise
    with force_locale(job.language):  # the steps are in the pack's language, the last one too
        ready = _("Ready")
    _report(job_id, state=JobState.DONE, progress=100, active_key=None, snapshot_id=snapshot_id,
            finished_at=utcnow(), step=ready)


def _claim(job_id: int) -> PackJob | None:
    """Mark a queued job running (one attempt more), or None when it is not this message's to build."""
    job = db.session.get(PackJob, job_id)
    if job is None:
        return None
    with force_locale(job.language):
        starting = _("Starting")
    claimed = db.session.execute(update(PackJob).where(
        PackJob.id == job_id, PackJob.state == JobState.QUEUED, PackJob.attempts < MAX_ATTEMPTS).values(
        state=JobState.RUNNING, attempts=PackJob.attempts + 1, progress=1, step=starting, heartbeat_at=utcnow()))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    db.session.refresh(job)
    return job


def _report(job_id: int, **values) -> None:
    db.session.execute(update(PackJob).where(PackJob.id == job_id).values(heartbeat_at=utcnow(), **values))
    db.session.commit()


def _failed(job: PackJob, error: str, *, retrying: bool) -> None:
    with force_locale(job.language):
        if retrying:
            _report(job.id, state=JobState.QUEUED, error=error[:1000], step=_("Trying again after an error"))
        else:
            _report(job.id, state=JobState.FAILED, active_key=None, error=error[:1000], finished_at=utcnow())


class Heartbeat:
    """Touch a running job's heartbeat every ``HEARTBEAT_SECONDS`` from a timer thread while the block runs
    (WeasyPrint lays out a large pack for minutes without calling back). It dies with its worker, as it should."""

    def __init__(self, app: Flask, job_id: int, every: float | None = None):
        self.app, self.job_id, self.every = app, job_id, every or HEARTBEAT_SECONDS
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"pack-heartbeat-{job_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopped.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stopped.wait(self.every):
            try:
                with self.app.app_context(), db.engine.begin() as connection:
                    connection.execute(update(PackJob).where(
                        PackJob.id == self.job_id, PackJob.state == JobState.RUNNING).values(heartbeat_at=utcnow()))
            except SQLAlchemyError:  # a database hiccup: the next beat tries again, the job goes on
                log.warning("Heartbeat of evidence pack job %s not written", self.job_id, exc_info=True)


@tasks.periodic_task(tasks.crontab(minute="*"))
def recover_stalled_packs() -> None:
    """The watchdog, every minute in the consumer: a running job whose heartbeat stopped lost its worker and is
    enqueued again once, then failed saying so; a queued job whose message was lost is enqueued again."""
    limit = utcnow() - STALE_AFTER
    stalled = db.session.execute(select(PackJob.id, PackJob.state, PackJob.attempts, PackJob.heartbeat_at,
                                        PackJob.language, PackJob.requested_by_id).where(
        PackJob.state.in_(ACTIVE), PackJob.heartbeat_at < limit)).all()
    waiting = _messages_waiting() if any(row.state == JobState.QUEUED for row in stalled) else set()
    for row in stalled:
        if row.state == JobState.QUEUED and row.id in waiting:
            continue  # behind other packs on a busy queue: its turn will come
        retry = row.state == JobState.QUEUED or row.attempts < MAX_ATTEMPTS
        if _take_over(row, retry=retry) and retry:
            build_pack.enqueue(args=(row.id,), kwargs={"actor_id": row.requested_by_id}, retries=0)


def _take_over(row, *, retry: bool) -> bool:
    """Requeue or fail a stalled job, unless its worker beat again or another watchdog acted first."""
    with force_locale(row.language):
        if retry:
            values = {"state": JobState.QUEUED, "step": _("Trying again: the worker building this pack stopped")}
        else:
            values = {"state": JobState.FAILED, "active_key": None, "finished_at": utcnow(),
                      "error": _("The worker building this pack stopped %(attempts)d times, so it was not "
                                 "generated. Ask the administrator to check the worker (flask worker) and its "
                                 "log, then generate the pack again.", attempts=row.attempts)}
    taken = db.session.execute(update(PackJob).where(
        PackJob.id == row.id, PackJob.state == row.state, PackJob.heartbeat_at == row.heartbeat_at).values(
        heartbeat_at=utcnow(), **values))
    db.session.commit()
    return taken.rowcount == 1


def _messages_waiting() -> set[int]:
    """The jobs whose ``build_pack`` message is waiting on the queue (pending or scheduled)."""
    huey = tasks.queue()
    kind = build_pack.bound().task_class
    return {message.args[0] for message in [*huey.pending(), *huey.scheduled()]
            if isinstance(message, kind) and message.args}
