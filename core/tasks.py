"""Background work on a task queue: Huey, created from the app's configuration.

Where the queue lives (``TASK_QUEUE_URL``):

- unset: a ``SqliteHuey`` in ``instance/tasks.sqlite3`` (``make run`` needs no other service);
- ``redis://…`` (or ``rediss://``, ``unix://``): a ``RedisHuey`` (production, several servers);
- ``sqlite:////absolute/path.sqlite3``: a ``SqliteHuey`` in that file;
- ``TASK_QUEUE_IMMEDIATE = True`` (the tests): Huey's immediate mode in memory, each task run as it is
  enqueued, in a fresh context (it does not see the request that enqueued it), its errors in ``result.get()``.

The API, for every package (a package declares its tasks at import time, without the app)::

    from core import tasks

    @tasks.task(retries=1)                        # Huey's task settings: retries, retry_delay, priority…
    def build_pack(job_id: int, *, actor_id: int | None = None) -> None:
        ...                                       # inside an app context: current_app, db.session, url_for

    build_pack(job_id, actor_id=user.id)          # enqueue on the current app's queue; a huey Result
    build_pack.schedule(args=(job_id,), delay=60) # Huey's ``schedule`` (eta, delay, retries, priority…)
    build_pack.enqueue(args=(job_id,), retries=0) # now, with other retries or priority
    build_pack.call_local(job_id)                 # run now, here, without the queue

    @tasks.task(context=True)                     # Huey passes the running Task as ``task=``:
    def send_wave(wave_id, *, task=None): ...     # ``task.retries`` is how many retries are left

    @tasks.periodic_task(tasks.crontab(minute="*/5"))
    def sweep() -> None: ...                      # run by the consumer's scheduler (UTC crontab)

    with tasks.acting_as_user(actor_id): ...      # the audit trail names that user (None: the system)
    tasks.current_task()                          # the Huey Task running in this thread, or None

    tasks.init_app(app)                           # in ``create_app``
    tasks.queue(app)        # the app's Huey instance, every declared task bound to it
    tasks.status(app)       # QueueStatus(reachable, pending, oldest_pending_seconds, …)
    tasks.consumer(app, workers=2)                # a Huey Consumer (``flask worker`` runs one)
    with tasks.consumer_thread(app, workers=1): ... # a consumer in this process's threads (tests, bench)

Rules of the house for tasks:

- **Arguments are ids and plain values**, never records or the user object: a task runs later, in another
  process, and loads what it needs. The acting user is passed as ``actor_id``. Huey takes the keywords
  ``eta``, ``delay``, ``id``, ``retries``, ``retry_delay``, ``retry_backoff``, ``priority``, ``expires`` and
  ``timeout`` of a call for itself: a task's own arguments have other names.
- **The task owns its transactions**: it commits what it has done as it goes (a failure keeps what was
  written), and the caller commits *before* enqueueing (in immediate mode the task runs at once, in its own
  app context and database session, and must see the caller's rows).
- **A task runs in an app context pushed by a Huey ``pre_execute`` hook** (popped by ``post_execute``), never in
  a fake request. ``url_for(..., _external=True)`` builds links on ``BASE_URL`` when it is set; else on the
  address of the request that enqueued the task (recorded with the message), else ``http://localhost/``.
- **Retries**: Huey retries a task that raised, ``retries`` times. A worker that dies (killed, out of memory)
  takes its task with it: Huey does not know. A task whose loss matters keeps its state in a row with a
  heartbeat and a periodic task re-enqueues it (see ``evidence.pack_jobs``).
- **Bounded concurrency**: at most ``workers`` tasks run at once per consumer (``flask worker --workers``).

Tasks are declared once per process (module level) and bound to each app's Huey instance when the app first
asks for its queue, so tests may build many apps. The consumer imports every package through ``create_app``,
so each task module must be imported by its package at app creation (its ``hooks.py`` or views do).
"""

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import Context, ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, Task

from core.audit import acting_as, acting_as_system
from core.extensions import db
from core.models import User

__all__ = ["task", "periodic_task", "crontab", "init_app", "queue", "status", "consumer", "current_task",
           "acting_as_user", "consumer_thread", "QueueStatus", "DeclaredTask"]

#: Where the app keeps its Huey instance.
EXTENSION_KEY = "fideliza.tasks"
#: The keyword under which a message carries what the queue itself needs (enqueue time, base URL); the task
#: function never sees it.
META = "_fideliza"
DEFAULT_BASE_URL = "http://localhost/"
#: How many of the next tasks to be dequeued ``status`` reads to find the oldest.
OLDEST_SAMPLE = 100

log = logging.getLogger(__name__)

#: Every task declared in this process, by name.
_declared: dict[str, "DeclaredTask"] = {}
#: The task running in this context (a consumer's worker thread, or the caller in immediate mode).
_running: ContextVar[Task | None] = ContextVar("fideliza_task", default=None)
_creating = threading.RLock()


class DeclaredTask:
    """A task declared by a package; enqueueing runs on the current app's queue."""

    def __init__(self, func: Callable, *, periodic=None, context: bool = False, name: str | None = None,
                 **settings):
        self.func = func
        #: Huey's name for it (``module.name``), in every message.
        self.name = f"{func.__module__}.{name or func.__name__}"
        self.short_name = name or func.__name__
        self.periodic = periodic
        self.context = context
        self.settings = settings
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__
        self.__wrapped__ = func

    def bound(self, app: Flask | None = None):
        """This task's Huey ``TaskWrapper`` on the app's queue."""
        return _bindings(app or current_app._get_current_object())[self.name]

    def __call__(self, *args, **kwargs):
        """Enqueue the task; in immediate mode it has run when this returns. A huey ``Result`` (or None)."""
        wrapper = self.bound()
        return wrapper.huey.enqueue(wrapper.s(*args, **_with_meta(kwargs)))

    def enqueue(self, args=(), kwargs=None, *, retries: int | None = None, priority: int | None = None):
        """Enqueue now with other ``retries`` (e.g. 0 for a retry decided elsewhere) or ``priority``."""
        wrapper = self.bound()
        message = wrapper.s(*args, **_with_meta(kwargs or {}))
        if retries is not None:
            message.retries = retries
        if priority is not None:
            message.priority = priority
        return wrapper.huey.enqueue(message)

    def schedule(self, args=(), kwargs=None, **options):
        """Enqueue for later, with Huey's ``schedule`` options (``eta`` or ``delay``, ``retries``,
        ``priority``, ``expires``…)."""
        return self.bound().schedule(args=tuple(args), kwargs=_with_meta(kwargs or {}), **options)

    def call_local(self, *args, **kwargs):
        """Run the function here and now, in the caller's context (no queue, no retries)."""
        return self.func(*args, **kwargs)


def task(*, context: bool = False, name: str | None = None, **settings) -> Callable[[Callable], DeclaredTask]:
    """Declare a task (Huey's ``@huey.task`` settings: ``retries``, ``retry_delay``, ``retry_backoff``,
    ``priority``, ``expires``, ``timeout``). Its name is ``module.function`` (``module.name`` when given)."""
    def declare(func):
        return _declare(DeclaredTask(func, context=context, name=name, **settings))
    return declare


def periodic_task(validate_datetime: Callable, *, context: bool = False, name: str | None = None,
                  **settings) -> Callable[[Callable], DeclaredTask]:
    """Declare a task the consumer's scheduler runs when ``validate_datetime(now)`` is true (``crontab``)."""
    def declare(func):
        return _declare(DeclaredTask(func, periodic=validate_datetime, context=context, name=name, **settings))
    return declare


def _declare(declared: DeclaredTask) -> DeclaredTask:
    if declared.name in _declared and _declared[declared.name].func is not declared.func:
        raise ValueError(f"two tasks are declared as {declared.name!r}")
    _declared[declared.name] = declared
    return declared


def _with_meta(kwargs: dict) -> dict:
    meta = {"enqueued_at": time.time()}
    if has_request_context():
        meta["base_url"] = request.url_root
    return {**kwargs, META: meta}


def _runner(declared: DeclaredTask) -> Callable:
    def run(*args, **kwargs):
        kwargs.pop(META, None)
        return declared.func(*args, **kwargs)
    run.__name__ = declared.func.__name__
    run.__module__ = declared.func.__module__
    run.__doc__ = declared.func.__doc__
    return run


# ----- the app's queue -------------------------------------------------------------------------------------


class _ContextSafe:
    """The app context a task's ``pre_execute`` hook pushed is popped even when the task ended by a
    ``BaseException`` (a worker interrupted mid-task), which skips Huey's ``post_execute`` hooks."""

    def execute(self, task, timestamp=None):
        try:
            return super().execute(task, timestamp)
        finally:
            _pop_task_context(task, None)


class QueueSqliteHuey(_ContextSafe, SqliteHuey):
    pass


class QueueRedisHuey(_ContextSafe, RedisHuey):
    pass


class ImmediateHuey(_ContextSafe, Huey):
    """Huey's immediate mode, each task run as a consumer would: in a fresh context, so a task enqueued from
    a request does not see that request (its user, its ``g``, its URL adapter) and the tests see what production
    does."""

    def execute(self, task, timestamp=None):
        return Context().run(super().execute, task, timestamp)


def create_huey(config: dict, instance_path: str) -> Huey:
    """The Huey instance the configuration asks for (see the module's documentation)."""
    name = config.get("TASK_QUEUE_NAME") or "fideliza"
    if config.get("TASK_QUEUE_IMMEDIATE"):
        return ImmediateHuey(name, immediate=True, utc=True)
    url = config.get("TASK_QUEUE_URL")
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return QueueSqliteHuey(name, filename=str(Path(instance_path) / "tasks.sqlite3"))
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "unix"}:
        return QueueRedisHuey(name, url=url)
    if scheme == "sqlite":
        return QueueSqliteHuey(name, filename=url.removeprefix("sqlite:///"))
    raise ValueError(f"TASK_QUEUE_URL: unsupported queue {url!r} (use redis://… or sqlite:///path)")


def init_app(app: Flask) -> None:
    """Give the app a queue, created on first use (an app that never enqueues, such as a migration, opens no
    queue file)."""
    app.extensions[EXTENSION_KEY] = {"huey": None, "bound": {}}


def _app_huey(app: Flask) -> Huey:
    state = app.extensions[EXTENSION_KEY]
    with _creating:  # two first requests at once must not make two queues
        if state["huey"] is None:
            huey = create_huey(app.config, app.instance_path)
            _install_hooks(app, huey)
            state["huey"] = huey
    return state["huey"]


def _install_hooks(app: Flask, huey: Huey) -> None:
    """The hooks that give each task an app context, and each forked worker its own connections."""

    @huey.pre_execute(name="fideliza-app-context")
    def push_app_context(task_obj: Task) -> None:
        context = app.app_context()
        meta = (task_obj.kwargs or {}).get(META) or {}
        base_url = app.config.get("BASE_URL") or meta.get("base_url") or DEFAULT_BASE_URL
        context.url_adapter = url_adapter(app, base_url)
        context.push()
        task_obj._fideliza_context = context, _running.set(task_obj)

    parent = os.getpid()

    @huey.on_startup(name="fideliza-fresh-connections")
    def fresh_connections() -> None:
        # A worker process forked from the consumer must not share its parent's database connections.
        if os.getpid() != parent:
            with app.app_context():
                db.engine.dispose(close=False)

    @huey.post_execute(name="fideliza-app-context")
    def pop_app_context(task_obj: Task, value, exception) -> None:
        _pop_task_context(task_obj, exception)


def _pop_task_context(task_obj: Task, exception) -> None:
    pushed = task_obj.__dict__.pop("_fideliza_context", None)
    if pushed is not None:
        context, token = pushed
        _running.reset(token)
        context.pop(exception)


def url_adapter(app: Flask, base_url: str):
    """A URL adapter as a request to ``base_url`` would have (host, script root, scheme)."""
    parts = urlsplit(base_url)
    return app.url_map.bind(parts.netloc or "localhost", script_name=parts.path.rstrip("/") or "/",
                            url_scheme=parts.scheme or app.config.get("PREFERRED_URL_SCHEME", "http"))


def _bindings(app: Flask) -> dict:
    """The app's Huey wrapper of every task declared so far (binding those declared since the last call)."""
    huey = _app_huey(app)
    bound = app.extensions[EXTENSION_KEY]["bound"]
    if len(bound) == len(_declared):
        return bound
    with _creating:
        for name, declared in list(_declared.items()):
            if name in bound:
                continue
            options = dict(declared.settings, context=declared.context, name=declared.short_name)
            if declared.periodic is not None:
                bound[name] = huey.periodic_task(declared.periodic, **options)(_runner(declared))
            else:
                bound[name] = huey.task(**options)(_runner(declared))
    return bound


def queue(app: Flask | None = None) -> Huey:
    """The app's Huey instance, with every task declared so far bound to it."""
    app = app or current_app._get_current_object()  # the hooks keep the app itself, never the proxy
    _bindings(app)
    return _app_huey(app)


def current_task() -> Task | None:
    """The Huey task running in this thread (its ``id``, ``retries`` left), or None outside a task."""
    return _running.get()


@contextmanager
def acting_as_user(actor_id: int | None):
    """Inside a task, attribute the changes to the user with this id (None, or a deleted user: the system)."""
    user = db.session.get(User, actor_id) if actor_id is not None else None
    with acting_as(user) if user is not None else acting_as_system():
        yield user


# ----- health and the consumer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStatus:
    """What ``/healthz`` says of the queue."""

    reachable: bool
    #: ``immediate``, ``sqlite`` or ``redis``.
    kind: str
    pending: int | None = None
    #: Seconds since the oldest task waiting was enqueued (None: none waiting, or unknown).
    oldest_pending_seconds: float | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        found = {"reachable": self.reachable, "kind": self.kind, "pending": self.pending,
                 "oldest_pending_seconds": self.oldest_pending_seconds}
        if self.error:
            found["error"] = self.error
        return found


def _kind(huey: Huey) -> str:
    if huey.immediate:
        return "immediate"
    return "redis" if isinstance(huey, RedisHuey) else "sqlite"


def status(app: Flask | None = None) -> QueueStatus:
    """Whether the queue answers, how many tasks wait and how long the oldest has waited."""
    huey = queue(app)
    try:
        pending = huey.pending_count()
        # The next ones to be dequeued (priorities aside, the oldest): enough to date the oldest.
        waiting = huey.pending(limit=OLDEST_SAMPLE) if pending else []
    except Exception as error:  # noqa: BLE001 - whatever the storage raises (redis.ConnectionError, sqlite3…)
        log.warning("The task queue cannot be reached: %s", error)
        return QueueStatus(False, _kind(huey), error=type(error).__name__)
    stamps = [((t.kwargs or {}).get(META) or {}).get("enqueued_at") for t in waiting]
    stamps = [s for s in stamps if s is not None]
    oldest = round(time.time() - min(stamps), 1) if stamps else None
    return QueueStatus(True, _kind(huey), pending=pending, oldest_pending_seconds=oldest)


def consumer(app: Flask, *, workers: int = 1, worker_type: str = "thread", periodic: bool = True, **options):
    """A Huey consumer of the app's queue, every declared task bound (``run()`` it, or ``start()``/``stop()``)."""
    return queue(app).create_consumer(workers=workers, worker_type=worker_type, periodic=periodic, **options)


@contextmanager
def consumer_thread(app: Flask, *, workers: int = 1, **options):
    """A consumer running in this process's threads for the block (tests, benchmarks): the caller's signal
    handlers are kept, and the workers finish their task on the way out."""
    running = consumer(app, workers=workers, **options)
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    running.start()
    for sig, handler in kept.items():
        signal.signal(sig, handler)
    try:
        yield running
    finally:
        running.stop(graceful=True)
