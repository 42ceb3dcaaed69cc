"""The task queue (core/tasks.py): where it lives, the app context a task runs in, the worker command and the
supervisor that ``make run`` uses."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from flask import has_request_context, url_for
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from core import supervisor, tasks
from core.audit import AuditEntry
from core.extensions import db
from core.models import Organisation
from tests.conftest import sign_in
from tests.test_deployment import REDIS_URL, redis_reachable

SEEN = []


@tasks.task()
def describe_context(label: str) -> dict:
    """What a task sees: no request, the app's URLs, the Huey task it runs as."""
    seen = {"label": label, "request": has_request_context(), "url": url_for("core.healthz", _external=True),
            "task": tasks.current_task() is not None}
    SEEN.append(seen)
    return seen


@tasks.task()
def name_organisation(name: str, *, actor_id: int | None = None) -> None:
    """A task that writes audited data, as the user who asked."""
    with tasks.acting_as_user(actor_id):
        db.session.add(Organisation(name=name))
    db.session.commit()


@tasks.task(retries=1, context=True)
def fail_once(marker: str, *, task=None) -> str:
    SEEN.append((marker, task.retries))
    if task.retries:
        raise RuntimeError("transient")
    return "second time lucky"


@pytest.fixture(autouse=True)
def forget_seen():
    SEEN.clear()


def test_the_queue_is_sqlite_in_instance_by_default_redis_or_a_file_when_configured(tmp_path):
    assert isinstance(tasks.create_huey({}, str(tmp_path / "instance")), SqliteHuey)
    assert (tmp_path / "instance" / "tasks.sqlite3").exists()
    assert isinstance(tasks.create_huey({"TASK_QUEUE_URL": "redis://127.0.0.1:6379/3"}, str(tmp_path)), RedisHuey)
    placed = tasks.create_huey({"TASK_QUEUE_URL": f"sqlite:///{tmp_path}/elsewhere.sqlite3"}, str(tmp_path))
    assert isinstance(placed, SqliteHuey) and (tmp_path / "elsewhere.sqlite3").exists()
    assert tasks.create_huey({"TASK_QUEUE_IMMEDIATE": True}, str(tmp_path)).immediate
    with pytest.raises(ValueError, match="TASK_QUEUE_URL: unsupported queue 'amqp://x'"):
        tasks.create_huey({"TASK_QUEUE_URL": "amqp://x"}, str(tmp_path))


def test_a_task_enqueued_from_a_request_runs_in_its_own_app_context_without_the_request(app, make_user):
    """Immediate mode runs the task as a worker would: no request, its links on the enqueuing request's address."""
    user = make_user("coordinator")
    with app.test_request_context("/somewhere", base_url="https://fideliza.example.org/sub/"):
        result = describe_context("from a request")
    assert result.get() == {"label": "from a request", "request": False, "task": True,
                            "url": "https://fideliza.example.org/sub/healthz"}
    app.config["BASE_URL"] = "https://public.example.org/"
    with app.app_context():
        describe_context("configured")
    assert SEEN[-1]["url"] == "https://public.example.org/healthz"
    client = sign_in(app.test_client(), user)
    assert client.get("/").status_code == 200
    with app.app_context():
        name_organisation("Named by a task", actor_id=user.id).get()  # get(): a failure raises here
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "organisations"))
        assert entry.actor_id == user.id and Organisation.current().name == "Named by a task"


def test_a_task_that_raises_is_retried_as_declared(app):
    with app.app_context():
        result = fail_once("x")
        assert result.get() == "second time lucky"
        assert SEEN == [("x", 1), ("x", 0)]
        assert tasks.current_task() is None


def test_the_status_counts_the_waiting_tasks_on_a_real_queue(database_url, tmp_path, app_factory):
    app = app_factory(database_url, TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=f"sqlite:///{tmp_path}/q.sqlite3")
    with app.app_context():
        assert tasks.status().pending == 0
        describe_context("waits")
        state = tasks.status()
    assert state.reachable and state.kind == "sqlite" and state.pending == 1 and 0 <= state.oldest_pending_seconds < 5
    assert SEEN == []  # nobody consumed it


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
def test_a_consumer_runs_the_tasks_of_a_redis_queue(database_url, app_factory):
    app = app_factory(database_url, TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=REDIS_URL,
                      TASK_QUEUE_NAME=f"test-{uuid.uuid4().hex}")
    try:
        with app.app_context():
            result = describe_context("on redis")
            assert tasks.status().pending == 1
        with tasks.consumer_thread(app, workers=1, periodic=False, initial_delay=0.01):
            assert result.get(blocking=True, timeout=10)["label"] == "on redis"
    finally:
        tasks.queue(app).storage.flush_all()


def test_the_worker_command_refuses_immediate_mode(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "TASK_QUEUE_IMMEDIATE is set" in result.output


SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_the_supervisor_stops_the_others_when_one_command_ends():
    started = time.monotonic()
    code = supervisor.run_together({"quits": [sys.executable, "-c", "raise SystemExit(3)"], "sleeps": SLEEPER},
                                   grace=5)
    assert code == 3 and time.monotonic() - started < 5


def test_ctrl_c_stops_the_supervisor_and_every_command(tmp_path):
    """``make run``: Ctrl-C reaches the supervisor, which stops the web server and the worker."""
    pids = tmp_path / "pids"
    child = ("import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); time.sleep(60)")
    script = (f"import sys; from core import supervisor; sys.exit(supervisor.run_together("
              f"{{'web': [sys.executable, '-c', {child!r}, {str(pids)!r}], "
              f"'worker': [sys.executable, '-c', {child!r}, {str(pids)!r}]}}, grace=5))")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=os.path.dirname(os.path.dirname(__file__)))
    deadline = time.monotonic() + 20
    while not (pids.exists() and len(pids.read_text().split()) == 2):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    for pid in map(int, pids.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
