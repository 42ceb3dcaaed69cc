"""Benchmark of the client census at 100 000 clients (issue 4). Prints, in one run, on one SQLite file:

(a) importing a 100 000-row Spanish census CSV through the app's import code (read, map, check every
    row, upsert, yearly figures, commit) against the physical baseline: ``pandas.read_csv`` plus one
    ``sqlite3`` ``executemany`` of the same rows in a single transaction — target ratio ≤ 3;
(b) the ranked census page (``GET /clients/``) at 100 000 clients, median and p95 server time, against the
    bare SQL ranking query for the same page — target ratio ≤ 3;
(c) the peak memory of the import process — target under 500 MB.

    .venv/bin/python -m bench.census [--rows 100000] [--repeat 30]

The import runs in a child process, so its peak memory is its own (the whole process, Python and
libraries included: the honest figure for a worker).
"""

import argparse
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADER = "Código;Razón social;Tipología;Segmento;Zona;Fecha alta;Potencial;Compras;Margen"
TYPOLOGIES = ("Usuario final", "Cliente intermedio", "Prescriptor")


def spanish(number: float) -> str:
    """1234.5 → "1.234,50", as Spanish Excel writes it."""
    return f"{number:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def write_census(path: Path, rows: int) -> None:
    rng = random.Random(4)
    start = date(2000, 1, 1)
    lines = [HEADER]
    for number in range(1, rows + 1):
        purchases = rng.lognormvariate(7.5, 1.2)
        joined = start + timedelta(days=rng.randint(0, 9000))
        lines.append(f"C{number:06d};Cliente {number} SL;{rng.choice(TYPOLOGIES)};Seg {number % 7};"
                     f"Zona {number % 11};{joined:%d/%m/%Y};{spanish(purchases * 2)};{spanish(purchases)};"
                     f"{spanish(purchases * 0.2)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_app(database: Path):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench",
                       "SESSION_COOKIE_SECURE": False, "BABEL_DEFAULT_LOCALE": "en", "WTF_CSRF_ENABLED": False})


def prepare(database: Path) -> None:
    from flask_migrate import upgrade

    from core.extensions import db
    from core.models import Role, User

    app = make_app(database)
    with app.app_context():
        upgrade()
        user = User(email="bench@example.test", name="Bench", role=Role.MEMBER)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()


def child_import(database: Path, csv_path: Path) -> None:
    """In a fresh process: import the file as the check-and-confirm view does; print seconds and peak memory."""
    from sqlalchemy.orm import configure_mappers

    from core.extensions import db
    from core.imports.frames import read_frame
    from loyalty import census_import
    from loyalty.models import CensusImport

    app = make_app(database)
    data = csv_path.read_bytes()
    stages = {}

    def stage(name: str, since: float) -> float:
        now = time.perf_counter()
        stages[name] = now - since
        return now

    with app.test_request_context():
        configure_mappers()  # a running worker has done this at its first request (loading the user does it)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        record = CensusImport(actor_id=1, filename=csv_path.name, year=2024, full_census=False, mapping={})
        db.session.add(record)
        db.session.flush()
        table = read_frame(data, csv_path.name)
        lap = stage("read", started)
        mapping = census_import.SPEC.guess_mapping(table.headers)
        plan = census_import.check(table, mapping, year=2024, full_census=False)
        assert plan.result.ok, plan.result.errors[:3]
        lap = stage("map, convert, check", lap)
        census_import.apply(plan, record, replace_figures=False)
        counts = {"added": record.added, "figures": record.figures_added}
        lap = stage("write", lap)
        db.session.commit()
        stage("commit", lap)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "before_mb": before / 1024, "stages": stages,
                      **counts}))


def baseline_import(database: Path, csv_path: Path) -> float:
    """pandas.read_csv plus one sqlite3 executemany of the same rows, in one transaction."""
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(csv_path, sep=";", decimal=",", thousands=".", dtype={"Código": str})
    frame["Fecha alta"] = pd.to_datetime(frame["Fecha alta"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE IF NOT EXISTS bench_baseline (code TEXT, name TEXT, typology TEXT, "
                       "segment TEXT, region TEXT, joined_on TEXT, potential REAL, purchases REAL, margin REAL)")
    with connection:
        connection.executemany("INSERT INTO bench_baseline VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               frame.itertuples(index=False, name=None))
    connection.close()
    return time.perf_counter() - started


def timings(action, repeat: int) -> tuple[float, float]:
    action()  # warm caches (templates, compiled queries) as a running server has them
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def page_timings(database: Path, repeat: int) -> tuple[tuple, tuple]:
    from sqlalchemy import text

    from accounts import sessions
    from core.extensions import db
    from core.models import User
    from loyalty import ranking
    from loyalty.settings import current_settings

    app = make_app(database)
    with app.app_context():
        sign_in = {}
        sessions.fill(sign_in, db.session.get(User, 1))  # signed in as this user, clocks started now
        year = ranking.latest_year()
        query = ranking.ranking_query(year, current_settings(), ranking.RankingFilters()).limit(
            app.config["PER_PAGE"]).offset(0)
        bare_sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(sign_in)

    def page():
        response = client.get("/clients/")
        if response.status_code != 200 or "C0" not in response.get_data(as_text=True):
            raise RuntimeError(f"ranking page answered {response.status_code}")

    def bare():
        with app.app_context():
            db.session.execute(text(bare_sql)).all()

    return timings(page, repeat), timings(bare, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as directory:
        database, csv_path = Path(directory) / "bench.sqlite3", Path(directory) / "censo.csv"
        write_census(csv_path, args.rows)
        size = csv_path.stat().st_size
        prepare(database)
        out = subprocess.run([sys.executable, "-m", "bench.census", "--child", str(database), str(csv_path)],
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr)
        imported = json.loads(out.stdout.strip().splitlines()[-1])
        baseline = baseline_import(database, csv_path)
        (page_median, page_p95), (sql_median, sql_p95) = page_timings(database, args.repeat)
    ratio = imported["seconds"] / baseline
    print(f"{args.rows} rows, {size / 1e6:.1f} MB; "
          f"{imported['added']} clients and {imported['figures']} yearly figures written")
    print(f"(a) import through the app   {imported['seconds']:8.2f} s   "
          f"({', '.join(f'{name} {seconds:.2f}' for name, seconds in imported['stages'].items())})")
    print(f"    read_csv + executemany    {baseline:8.2f} s   ratio {ratio:4.1f}  target ≤ 3 "
          f"{'ok' if ratio <= 3 else 'MISSED'}")
    page_ratio = page_median / sql_median
    print(f"(b) ranked page (25 rows)     median {page_median:7.1f} ms  p95 {page_p95:7.1f} ms")
    print(f"    bare SQL ranking query    median {sql_median:7.1f} ms  p95 {sql_p95:7.1f} ms   "
          f"ratio {page_ratio:4.1f} (p95 {page_p95 / sql_p95:4.1f})  target ≤ 3 "
          f"{'ok' if page_ratio <= 3 else 'MISSED'}")
    print(f"(c) peak memory of the import process {imported['peak_mb']:6.0f} MB "
          f"(of which {imported['peak_mb'] - imported['before_mb']:.0f} MB during the import)  target < 500 MB "
          f"{'ok' if imported['peak_mb'] < 500 else 'MISSED'}")


if __name__ == "__main__":
    main()
