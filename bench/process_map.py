"""Benchmark: server time of the indicator page and of the process map, against the bare SQL that reads
the same rows, interleaved over ≥ 5 repetitions (``bench.harness``: min, median, ratio, the load). Targets
(issue 3): ratio ≤ 5 for each page, cache-warm (the pages keep what they compute from the data until it
changes, see ``core.cache``); the time to compute them, cache emptied before each request, is printed too.

    .venv/bin/python -m bench.process_map [--repeat 15]

Builds a throw-away database (SQLite, or PostgreSQL with ``DATABASE_URL``): one indicator with 10 years of
monthly measurements and 3 benchmark series, and a programme of 200 processes with 300 interfaces.
"""

import argparse
import random
import time
from datetime import date

from flask_migrate import upgrade
from sqlalchemy import text

from bench import harness
from core.extensions import cache, db
from core.models import Role, User
from processes.models import (
    Benchmark,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Interface,
    Measurement,
    Process,
    ProcessKind,
    Programme,
    Target,
)
from processes.periods import next_period


def build(app) -> tuple[int, int, User]:
    rng = random.Random(1)
    user = User(email="bench@example.test", name="Bench", role=Role.COORDINATOR)
    user.set_password("bench-password")
    programme = Programme(code="FID", name="Loyalty", is_certified=True)
    db.session.add_all([user, programme])
    kinds = [ProcessKind.STRATEGIC] * 20 + [ProcessKind.KEY] * 140 + [ProcessKind.SUPPORT] * 40
    processes = [Process(code=f"P{n:03d}", name=f"Process {n}", kind=kind, programme=programme, owner=user,
                         purpose="p") for n, kind in enumerate(kinds)]
    db.session.add_all(processes)
    indicator = Indicator(process=processes[0], code="BENCH", name="Ten years", frequency=Frequency.MONTHLY,
                          direction=Direction.HIGHER, kind=IndicatorKind.PERFORMANCE, alert_threshold=40)
    indicator.targets = [Target(valid_from=date(2016, 1, 1), value=50), Target(valid_from=date(2021, 1, 1), value=60)]
    db.session.add(indicator)
    period = date(2016, 1, 1)
    for _ in range(120):
        db.session.add(Measurement(indicator=indicator, period=period, value=rng.uniform(30, 80)))
        period = next_period(period, Frequency.MONTHLY)
    for series in ("Sector study", "Regulator", "Peer fund"):
        for year in range(2016, 2026):
            db.session.add(Benchmark(indicator=indicator, source=series, period=date(year, 1, 1),
                                     value=rng.uniform(40, 70)))
    db.session.flush()
    for n in range(300):
        a, b = rng.sample(processes, 2)
        db.session.add(Interface(from_process=a, to_process=b, flow=f"Flow {n}", problem="p" if n % 3 else None,
                                 agreement="a" if n % 2 else None, indicator=indicator if n % 2 else None,
                                 agreed_level=55 if n % 2 else None))
    db.session.commit()
    return indicator.id, programme.id, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    harness.print_load("at the start")
    with harness.scratch_database("bench_map") as uri:
        app = harness.bench_app(uri)
        with app.app_context():
            upgrade()
            indicator_id, programme_id, user = build(app)
            user_id = user.id
        client = harness.signed_in_client(app, user_id)
        backend = harness.backend_name(uri)

        def get(url):
            return lambda: client.get(url).status_code == 200 or (_ for _ in ()).throw(RuntimeError(url))

        def bare(statements):
            def run():
                with app.app_context():
                    for statement, params in statements:
                        db.session.execute(text(statement), params).all()
            return run

        def computed(page):
            """The page with the cache emptied first (not timed): what a change of its data costs the next reader."""
            def run() -> float:
                with app.app_context():
                    cache.clear()
                started = time.perf_counter()
                page()
                return time.perf_counter() - started
            return run

        indicator_sql = bare([
            ("SELECT * FROM indicators WHERE id = :i", {"i": indicator_id}),
            ("SELECT * FROM indicator_targets WHERE indicator_id = :i", {"i": indicator_id}),
            ("SELECT * FROM measurements WHERE indicator_id = :i ORDER BY period", {"i": indicator_id}),
            ("SELECT * FROM benchmarks WHERE indicator_id = :i ORDER BY period", {"i": indicator_id}),
        ])
        map_sql = bare([
            ("SELECT p.*, u.name FROM processes p LEFT JOIN users u ON u.id = p.owner_id "
             "WHERE p.programme_id = :p", {"p": programme_id}),
            ("SELECT * FROM interfaces", {}),
            ("SELECT indicator_id, value FROM measurements ORDER BY period DESC", {}),
        ])
        rows = [
            ("indicator page (120 months, 3 comparison series)", get(f"/processes/indicators/{indicator_id}"),
             indicator_sql),
            ("process map (200 processes, 300 interfaces)", get(f"/processes/?programme={programme_id}"), map_sql),
        ]
        for name, page, sql in rows:
            harness.report(f"{name}, {backend}, cache-warm: page vs bare SQL", harness.interleave(
                page, sql, repeat=args.repeat), max_ratio=5)
            harness.report(f"{name}, {backend}, computed (cache emptied): page vs bare SQL", harness.interleave(
                computed(page), sql, repeat=args.repeat))
    harness.print_load("at the end")


if __name__ == "__main__":
    main()
