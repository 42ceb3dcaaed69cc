"""Benchmark of the ranking page served as production serves it (issue 17): gunicorn with 2 workers on the demo
database — PostgreSQL with ``DATABASE_URL``, else a SQLite file — against a hello Flask app served the same way.

Requests per second on ``/clients/`` (a signed-in member, the kept ranking) and on the hello app's one page, each
measured over the same number of requests sent by the same concurrent clients, interleaved by ``bench.harness``.
Target: the ranking page at ≥ 0.25× the hello app's requests per second (the time ratio ≤ 4).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ .venv/bin/python -m bench.ranking_gunicorn [--repeat 5]
        [--requests 200] [--clients 4] [--url /clients/]

Only loopback addresses are used; every loop is bounded by a request count and a timeout.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

from bench import harness

WORKERS = 2
SECRET = "bench-gunicorn"
#: The demo's member: the ranking is a page of the team's data (core.access.TEAM_DATA).
MEMBER = "member@demo.test"


def hello_app():
    """The baseline: a Flask app answering one short page (``gunicorn 'bench.ranking_gunicorn:hello_app()'``)."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello():
        return "Hello"

    return app


def _environment(uri: str) -> dict:
    return {**os.environ, "DATABASE_URL": uri, "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": "0",
            "TWO_FACTOR_REQUIRED_ROLES": "", "SCHEDULE_ENABLED": "0", "PYTHONPATH": str(harness.ROOT)}


def load_demo(uri: str) -> None:
    """The database as ``make run`` leaves it: migrated, the criteria loaded, the demo organisation in it."""
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["evidence", "load-criteria"], ["demo"]):
        subprocess.run([*flask, *command], env=_environment(uri), cwd=harness.ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(target: str, uri: str):
    """``gunicorn --workers 2`` serving ``target`` on a free loopback port; yields the port, stopped on exit."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
                               f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning", target],
                              env=_environment(uri), cwd=harness.ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {target} did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def member_cookie(uri: str) -> str:
    """A signed session cookie of the demo's member, made by the app with the servers' secret key."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import User

    app = harness.bench_app(uri, SECRET_KEY=SECRET)
    with app.app_context():
        member = db.session.scalar(select(User.id).where(User.email == MEMBER))
    client = harness.signed_in_client(app, member)
    # The session a browser holds once it has opened a page with a form: its CSRF secret is in it (a session
    # without one is never served a kept page, core.cache.cached_page).
    assert client.get("/clients/").status_code == 200
    return f"session={client.get_cookie('session').value}"


def load(port: int, path: str, requests: int, clients: int, cookie: str | None = None, timeout: float = 60):
    """``requests`` GETs of ``path`` sent by ``clients`` threads over kept-alive connections; returns the wall
    seconds (the harness's figure). Any answer but 200 stops the benchmark."""
    counter = iter(range(requests))
    lock, failures = threading.Lock(), []
    headers = {"Cookie": cookie} if cookie else {}

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            while not failures:
                with lock:
                    if next(counter, None) is None:
                        return
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path} answered {response.status}")
        except Exception as error:  # noqa: BLE001 (a failed request fails the measurement, in the main thread)
            failures.append(f"{path}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=harness.MIN_REPEAT)
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--url", default="/clients/")
    args = parser.parse_args()
    with harness.scratch_database("ranking_gunicorn") as uri:
        harness.print_load("before loading the demo")
        load_demo(uri)
        cookie = member_cookie(uri)
        with gunicorn("app:create_app()", uri) as app_port, gunicorn("bench.ranking_gunicorn:hello_app()",
                                                                     uri) as hello_port:
            print(f"{harness.backend_name(uri)}: the demo census under gunicorn ({WORKERS} workers), "
                  f"{args.requests} requests per measurement from {args.clients} concurrent clients")
            # Both workers of each started (the master listens before its workers have loaded the app) and the
            # ranking kept: requests enough to reach each worker, each allowed minutes on a busy machine.
            load(app_port, args.url, 4 * WORKERS, WORKERS, cookie, timeout=600)
            load(hello_port, "/", 4 * WORKERS, WORKERS, timeout=600)
            harness.print_load("before measuring")
            pair = harness.interleave(lambda: load(app_port, args.url, args.requests, args.clients, cookie),
                                      lambda: load(hello_port, "/", args.requests, args.clients),
                                      repeat=args.repeat)
        harness.report(f"GET {args.url} (member) vs the hello app, seconds per {args.requests} requests", pair,
                       max_ratio=4)
        page = [args.requests / seconds for seconds in pair.figure]
        hello = [args.requests / seconds for seconds in pair.baseline]
        ratio = statistics.median(page) / statistics.median(hello)
        print(f"    req/s     page min {min(page):.1f}  median {statistics.median(page):.1f};  "
              f"hello min {min(hello):.1f}  median {statistics.median(hello):.1f};  "
              f"page / hello {ratio:.3f} (medians)   target ≥ 0.25   {'pass' if ratio >= 0.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
