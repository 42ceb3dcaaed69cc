"""The evidence pack on the task queue (evidence/pack_jobs.py): the job's row reports each stage and a heartbeat
while typesetting; a failure is retried once by Huey; a worker that dies is retried once by the watchdog, then the
job fails saying so; a real consumer builds a pack while the row shows its progress. Small packs (criterion E1)."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import tasks
from core.extensions import db
from core.models import User
from core.timeutil import utcnow
from evidence import pack_jobs, packs
from evidence.criteria_sets import current_set
from evidence.models import JobState, PackJob, PackSnapshot
from tests.evidence_fixtures import checklist_ids


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: the task stops where it is, and nothing after it runs (not
    Huey's error handling, not the task's own ``except Exception``)."""


@pytest.fixture
def reviewer(app, make_user):
    checklist_ids(app)
    return make_user("reviewer", name="Rachel Adams")


def new_job(app, reviewer, scope="E1") -> int:
    with app.app_context():
        _snapshot, job, started = pack_jobs.request_pack(current_set(), scope, "en",
                                                         actor=db.session.get(User, reviewer.id))
        assert started
        return job.id


def job_row(app, job_id) -> PackJob:
    with app.app_context():
        job = db.session.get(PackJob, job_id)
        db.session.expunge(job)
        return job


def age(app, job_id, minutes=10) -> None:
    """Time passes with no heartbeat: the job's worker has died."""
    with app.app_context():
        db.session.get(PackJob, job_id).heartbeat_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


def snapshots(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PackSnapshot))


def test_each_stage_is_written_to_the_row_and_a_second_message_builds_nothing(app, reviewer, monkeypatch):
    reported = []
    real_report = pack_jobs._report
    monkeypatch.setattr(pack_jobs, "_report", lambda job_id, **values: (reported.append(values.get("progress")),
                                                                        real_report(job_id, **values)))
    job_id = new_job(app, reviewer)
    with app.app_context():
        pack_jobs.start(db.session.get(PackJob, job_id))
    assert reported == [5, 35, 45, 85, 100]
    job = job_row(app, job_id)
    assert job.state == JobState.DONE and job.attempts == 1 and job.active_key is None and job.snapshot_id
    with app.app_context():
        pack_jobs.build_pack(job_id, actor_id=reviewer.id).get()  # a duplicate message
    assert job_row(app, job_id).attempts == 1 and snapshots(app) == 1


def test_a_failing_build_is_retried_once_by_the_queue_then_shows_its_error(app, reviewer, monkeypatch):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("no fonts for the cover")

    monkeypatch.setattr(packs, "html_to_pdf", broken)
    job_id = new_job(app, reviewer)
    with app.app_context():
        pack_jobs.start(db.session.get(PackJob, job_id))
    job = job_row(app, job_id)
    assert len(calls) == 2 and job.attempts == 2
    assert job.state == JobState.FAILED and job.error == "no fonts for the cover" and job.active_key is None
    assert snapshots(app) == 0
    monkeypatch.undo()
    assert new_job(app, reviewer) != job_id  # a failed job is not joined: asking again starts afresh


def test_a_worker_killed_mid_pack_is_retried_once_then_the_job_fails_saying_why(app, reviewer, monkeypatch):
    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(packs, "html_to_pdf", killed)
    job_id = new_job(app, reviewer)
    with app.app_context(), pytest.raises(WorkerKilled):
        pack_jobs.start(db.session.get(PackJob, job_id))
    job = job_row(app, job_id)
    assert job.state == JobState.RUNNING and job.attempts == 1 and job.progress == 45  # left as the worker died
    with app.app_context():
        pack_jobs.recover_stalled_packs.call_local()
    assert job_row(app, job_id).state == JobState.RUNNING  # its heartbeat is recent: a live worker is not doubted
    age(app, job_id)
    with app.app_context(), pytest.raises(WorkerKilled):
        pack_jobs.recover_stalled_packs.call_local()  # the retry, killed as well
    job = job_row(app, job_id)
    assert job.state == JobState.RUNNING and job.attempts == 2
    age(app, job_id)
    with app.app_context():
        pack_jobs.recover_stalled_packs.call_local()
    job = job_row(app, job_id)
    assert job.state == JobState.FAILED and job.attempts == 2 and job.active_key is None and job.finished_at
    assert job.error.startswith("The worker building this pack stopped 2 times, so it was not generated.")
    with app.app_context():
        pack_jobs.recover_stalled_packs.call_local()
    assert job_row(app, job_id).state == JobState.FAILED and snapshots(app) == 0


def test_the_watchdog_leaves_a_job_waiting_its_turn_and_requeues_one_whose_message_was_lost(
        database_url, tmp_path, app_factory, reviewer):
    app = app_factory(database_url, TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=f"sqlite:///{tmp_path}/q.sqlite3")
    huey = tasks.queue(app)
    job_id = new_job(app, reviewer)
    with app.app_context():
        pack_jobs.start(db.session.get(PackJob, job_id))
    age(app, job_id)  # a busy queue: other packs before it
    with app.app_context():
        pack_jobs.recover_stalled_packs.call_local()
    assert huey.pending_count() == 1 and job_row(app, job_id).state == JobState.QUEUED
    huey.flush()  # the queue lost its messages (a Redis restarted without persistence)
    with app.app_context():
        pack_jobs.recover_stalled_packs.call_local()
    [message] = huey.pending()
    assert message.args == (job_id,) and message.kwargs["actor_id"] == reviewer.id and message.retries == 0


def test_a_real_consumer_builds_the_pack_while_its_row_shows_progress_and_heartbeats(
        database_url, tmp_path, app_factory, reviewer, monkeypatch):
    app = app_factory(database_url, TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=f"sqlite:///{tmp_path}/q.sqlite3")
    monkeypatch.setattr(pack_jobs, "HEARTBEAT_SECONDS", 0.05)
    typesetting, release = threading.Event(), threading.Event()
    real = packs.html_to_pdf

    def slow_layout(*args, **kwargs):  # WeasyPrint laying out a large pack, with no callback for minutes
        typesetting.set()
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(packs, "html_to_pdf", slow_layout)
    job_id = new_job(app, reviewer)
    with app.app_context():
        pack_jobs.start(db.session.get(PackJob, job_id))
    assert job_row(app, job_id).state == JobState.QUEUED and tasks.status(app).pending == 1
    with tasks.consumer_thread(app, workers=1, periodic=False, initial_delay=0.01, max_delay=0.1):
        assert typesetting.wait(20)
        first = job_row(app, job_id)
        assert (first.state, first.progress, first.step) == (JobState.RUNNING, 45, "Typesetting the pages")
        deadline = time.monotonic() + 10
        while job_row(app, job_id).heartbeat_at <= first.heartbeat_at:  # the timer thread beats meanwhile
            assert time.monotonic() < deadline, "no heartbeat while typesetting"
            time.sleep(0.02)
        assert job_row(app, job_id).progress == 45
        release.set()
        while job_row(app, job_id).state == JobState.RUNNING:
            assert time.monotonic() < deadline + 20
            time.sleep(0.05)
    job = job_row(app, job_id)
    assert (job.state, job.progress, job.step, job.attempts) == (JobState.DONE, 100, "Ready", 1)
    with app.app_context():
        assert db.session.get(PackSnapshot, job.snapshot_id).created_by_id == reviewer.id
    assert tasks.status(app).pending == 0
