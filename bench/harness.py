"""What every benchmark in bench/ shares, so that figures are measured the same, fair way (issue 17).

API (stable: other scripts depend on it — add to it, do not change it):

``scratch_database(label="bench")``
    Context manager yielding a SQLAlchemy URI for a throw-away database: a SQLite file in a temporary
    directory by default; with ``DATABASE_URL`` set, a fresh database on that PostgreSQL server, dropped
    (``WITH (FORCE)``) on exit. ``BENCH_DB_PREFIX`` in the environment, when set, starts the database's name (so
    that runs sharing a server can tell their databases apart).
``backend_name(uri)``
    ``"sqlite"`` or ``"postgresql"``.
``bench_app(uri, **overrides)``
    The app on that database with the settings a benchmark wants (English, no CSRF, insecure cookies, tasks
    run in place).
``signed_in_client(app, user_id=1)``
    A test client of the app, signed in as that user (the benchmark's own, made first).
``interleave(figure, baseline, repeat=5, warmup=1)`` → ``Pair``
    Runs ``figure()`` and ``baseline()`` alternately, the order swapped every repetition (F B, B F, F B…),
    ``repeat`` times each (at least 5) after ``warmup`` unmeasured runs of each, so that both see the same
    machine. A callable returning ``None`` is timed by the wall clock around it; one returning a number says
    its own seconds; one returning a dict with ``"seconds"`` says them too and the dict is kept (e.g. a
    child process's peak memory) in ``Pair.figure_results`` / ``Pair.baseline_results``.
``Pair``
    ``figure`` and ``baseline`` (seconds per repetition), ``load_before`` / ``load_after``
    (``os.getloadavg()``), ``ratio`` (median over median), ``min_ratio`` (min over min).
``report(name, pair, *, max_ratio=None, max_seconds=None)`` → bool
    Prints the pair in the one format every benchmark uses — figure and baseline min and median, ratio,
    target, pass or MISSED, the load before and after — and returns whether the target is met
    (``max_seconds`` bounds the figure's median; both may be given).
``report_value(name, value, unit, *, maximum)`` → bool
    One measured quantity against its bound (e.g. peak memory in MB), same format.
``peak_memory_mb()``
    The calling process's own peak resident memory, ``VmHWM`` from ``/proc/self/status`` in MB. Call it in
    the child that did the work: unlike ``ru_maxrss`` of a child, it does not inherit the parent's peak.
``resident_memory_mb()``
    The calling process's resident memory now (``VmRSS``), in MB: with ``peak_memory_mb`` between the stages
    of a child's work, which stage holds the peak.
``run_child(module, *args)`` → dict
    Runs ``python -m module args…`` in a fresh process (same environment) and returns the JSON object its
    last line of output prints; raises with the child's stderr if it fails.
``print_load(when)``
    Prints the load average and core count on one line.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
MIN_REPEAT = 5


@contextmanager
def scratch_database(label: str = "bench"):
    """A throw-away database: SQLite by default, PostgreSQL at ``DATABASE_URL`` when it is set."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        with tempfile.TemporaryDirectory(prefix=f"{label}-") as directory:
            yield f"sqlite:///{Path(directory) / f'{label}.sqlite3'}"
        return
    server = sa.make_url(url.replace("postgres://", "postgresql://", 1).replace(
        "postgresql://", "postgresql+psycopg://", 1))
    server = server.set(database=server.database or "postgres")
    name = f"{os.environ.get('BENCH_DB_PREFIX', '')}{label}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def backend_name(uri: str) -> str:
    return sa.make_url(uri).get_backend_name()


def bench_app(uri: str, **overrides):
    """The app on ``uri`` as a benchmark drives it: English pages, forms without CSRF tokens, plain HTTP, and
    tasks run where they are called (a benchmark of a worker, ``bench.pack_queue``, overrides it)."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                       "BABEL_DEFAULT_LOCALE": "en", "WTF_CSRF_ENABLED": False,
                       "TASK_QUEUE_IMMEDIATE": True, **overrides})


def signed_in_client(app, user_id: int = 1):
    """A test client of ``app`` signed in as the benchmark's user (the first one it made)."""
    from accounts import sessions
    from core.extensions import db
    from core.models import User

    with app.app_context():
        sign_in = {}
        sessions.fill(sign_in, db.session.get(User, user_id))
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(sign_in)
    return client


def as_a_new_reader(client) -> None:
    """Drop the session's CSRF secret, so that the next page is laid out rather than served kept: a session
    without one is never served a kept page (``core.cache.cached_page``). What every reader's page shares per
    data version (chart specs, filter lists, the kept ranking) stays kept, as on a running server."""
    with client.session_transaction() as session:
        session.pop("csrf_token", None)


@dataclass
class Pair:
    """Seconds per repetition of a figure and of its baseline, measured interleaved."""

    figure: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    figure_results: list = field(default_factory=list)
    baseline_results: list = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def ratio(self) -> float:
        return statistics.median(self.figure) / statistics.median(self.baseline)

    @property
    def min_ratio(self) -> float:
        return min(self.figure) / min(self.baseline)


def _measure(action: Callable) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    wall = time.perf_counter() - started
    if isinstance(result, dict) and "seconds" in result:
        return float(result["seconds"]), result
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        return float(result), result
    return wall, result


def interleave(figure: Callable, baseline: Callable, repeat: int = MIN_REPEAT, warmup: int = 1) -> Pair:
    """Measure both alternately, swapping which goes first each repetition, so load drifts hit both."""
    repeat = max(repeat, MIN_REPEAT)
    for _ in range(warmup):  # caches warm (templates, compiled queries, the page cache) as a running server's
        figure()
        baseline()
    pair = Pair(load_before=os.getloadavg())
    for repetition in range(repeat):
        order = ((figure, pair.figure, pair.figure_results), (baseline, pair.baseline, pair.baseline_results))
        for action, times, results in order if repetition % 2 == 0 else reversed(order):
            seconds, result = _measure(action)
            times.append(seconds)
            results.append(result)
    pair.load_after = os.getloadavg()
    return pair


def _duration(seconds: float) -> str:
    return f"{seconds:8.3f} s " if seconds >= 1 else f"{seconds * 1000:8.1f} ms"


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def _verdict(met: bool) -> str:
    return "pass" if met else "MISSED"


def report(name: str, pair: Pair, *, max_ratio: float | None = None, max_seconds: float | None = None) -> bool:
    """Print figure, baseline, ratio, target and verdict, with the load around the measurement."""
    figure_median = statistics.median(pair.figure)
    met = (max_ratio is None or pair.ratio <= max_ratio) and (max_seconds is None or figure_median <= max_seconds)
    targets = [f"ratio ≤ {max_ratio:g}"] if max_ratio is not None else []
    if max_seconds is not None:
        targets.append(f"figure ≤ {_duration(max_seconds).strip()}")
    print(f"{name}  ({len(pair.figure)} interleaved repetitions; load {_load(pair.load_before)} → "
          f"{_load(pair.load_after)}, {os.cpu_count()} cores)")
    print(f"    figure    min {_duration(min(pair.figure))}  median {_duration(figure_median)}")
    print(f"    baseline  min {_duration(min(pair.baseline))}  median {_duration(statistics.median(pair.baseline))}")
    print(f"    ratio     {pair.ratio:6.2f} (medians; mins {pair.min_ratio:.2f})   "
          f"target {' and '.join(targets) or 'none'}   {_verdict(met) if targets else ''}".rstrip())
    return met


def report_value(name: str, value: float, unit: str, *, maximum: float) -> bool:
    """Print one quantity against its bound, in the same layout as ``report``."""
    met = value <= maximum
    print(f"{name}  {value:10.1f} {unit}   target ≤ {maximum:g} {unit}   {_verdict(met)}")
    return met


def peak_memory_mb() -> float:
    """This process's own high-water mark of resident memory (``VmHWM``), in MB."""
    return _status_mb("VmHWM")


def resident_memory_mb() -> float:
    """This process's resident memory now (``VmRSS``), in MB."""
    return _status_mb("VmRSS")


def _status_mb(name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024  # the kernel reports kB
    raise RuntimeError(f"/proc/self/status has no {name} line (not Linux?)")


def run_child(module: str, *args: str) -> dict:
    """Run ``python -m module args`` afresh and return the JSON object on its last line of output."""
    out = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{module} {' '.join(map(str, args))} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_load(when: str) -> None:
    print(f"load average {when}: {_load(os.getloadavg())} (1, 5, 15 min; {os.cpu_count()} cores)")
