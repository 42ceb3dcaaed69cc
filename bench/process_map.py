"""Benchmark: server time of the indicator page and of the process map, against the bare SQL that reads
the same rows. Prints medians and ratios; targets (issue 3): ratio ≤ 5 for each page, cache-warm (the
pages keep what they compute from the data until it changes, see ``core.cache``; the time to compute
them, cache emptied, is printed beside it).

    .venv/bin/python -m bench.process_map [--repeat 15]

Builds a throw-away SQLite database under a temporary directory: one indicator with 10 years of
monthly measurements and 3 benchmark series, and a programme of 200 processes with 300 interfaces.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from accounts import sessions
from app import create_app
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


def elapsed_ms(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def median_ms(action, repeat: int, before=None) -> float:
    """Median time of ``action``; ``before`` runs untimed ahead of each (to empty the cache)."""
    action()  # warm caches (templates, compiled queries) as a running server has them
    times = []
    for _ in range(repeat):
        if before:
            before()
        times.append(elapsed_ms(action))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
                          "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "BABEL_DEFAULT_LOCALE": "en"})
        with app.app_context():
            upgrade()
            indicator_id, programme_id, user = build(app)
            sign_in = {}
            sessions.fill(sign_in, user)  # signed in as this user, clocks started now
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(sign_in)

        def get(url):
            return lambda: client.get(url).status_code == 200 or (_ for _ in ()).throw(RuntimeError(url))

        def bare(statements):
            def run():
                with app.app_context():
                    for statement, params in statements:
                        db.session.execute(text(statement), params).all()
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

        def empty_cache():
            with app.app_context():
                cache.clear()

        print("Pages are timed three ways: the first request of the page (its templates compiled, the cache filled),")
        print("computed (median, the cache emptied before each request) and cache-warm (median, nothing changed")
        print("since the previous request). The target is judged on the cache-warm ratio.\n")
        print(f"{'page':52} {'first ms':>9} {'computed':>9} {'warm ms':>8} {'bare SQL ms':>12} {'computed/SQL':>13} "
              f"{'warm/SQL':>9}  target (warm)")
        met = {"cache-warm": 0, "computed": 0}
        for name, page, sql in rows:
            first_ms = elapsed_ms(page)
            computed_ms = median_ms(page, args.repeat, before=empty_cache)
            page_ms, sql_ms = median_ms(page, args.repeat), median_ms(sql, args.repeat)
            ratio = page_ms / sql_ms
            met["cache-warm"] += ratio <= 5
            met["computed"] += computed_ms / sql_ms <= 5
            print(f"{name:52} {first_ms:9.1f} {computed_ms:9.1f} {page_ms:8.1f} {sql_ms:12.2f} "
                  f"{computed_ms / sql_ms:13.1f} {ratio:9.1f}  ≤ 5 {'ok' if ratio <= 5 else 'MISSED'}")
        print(f"\nRatio ≤ 5 met for {met['cache-warm']} of {len(rows)} pages cache-warm, "
              f"{met['computed']} of {len(rows)} computed.")


if __name__ == "__main__":
    main()
