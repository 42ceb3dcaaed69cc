"""Benchmark of the client census (issues 4 and 17), each figure interleaved with a baseline doing the same work:

(a) importing an N-row Spanish census CSV through the app's import code (read, map, check every row, write the
    clients and their yearly figures, commit — with the ANALYZE the commit runs on PostgreSQL) into an empty
    census, against ``pandas.read_csv`` plus one ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) of the same
    rows into the same two indexed tables, ``clients`` and ``client_years`` — target ≤ 3× at 100 000 and
    1 000 000 rows; each run in its own fresh process;
(b) the peak memory of each import process, its own ``VmHWM`` — target ≤ 1 GB (≤ 500 MB at 100 000 rows);
(c) the census page ``GET /clients/`` (server time, in process) against the bare SQL of what it shows: the window
    ranking's first page and the Pareto aggregate over the whole population — target ≤ 100 ms (issue 17).
    The bare SQL is written here by hand, so it measures the same whether the page ranks per request or reads a
    stored ranking.

    .venv/bin/python -m bench.census [--rows 100000] [--repeat 5] [--page-repeat 15]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ .venv/bin/python -m bench.census   # on PostgreSQL

Every repetition starts from an empty census (emptied before the clock starts).
"""

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import harness

HEADER = "Código;Razón social;Tipología;Segmento;Zona;Fecha alta;Potencial;Compras;Margen"
TYPOLOGIES = {"Usuario final": "end_user", "Cliente intermedio": "intermediate", "Prescriptor": "prescriber"}
YEAR = 2024


def spanish(number: float) -> str:
    """1234.5 → "1.234,50", as Spanish Excel writes it."""
    return f"{number:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def write_census(path: Path, rows: int) -> None:
    rng = random.Random(4)
    start = date(2000, 1, 1)
    names = tuple(TYPOLOGIES)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for number in range(1, rows + 1):
            purchases = rng.lognormvariate(7.5, 1.2)
            joined = start + timedelta(days=rng.randint(0, 9000))
            out.write(f"C{number:07d};Cliente {number} SL;{rng.choice(names)};Seg {number % 7};Zona {number % 11};"
                      f"{joined:%d/%m/%Y};{spanish(purchases * 2)};{spanish(purchases)};{spanish(purchases * 0.2)}\n")


def make_app(uri: str, rows: int):
    return harness.bench_app(uri, IMPORT_MAX_ROWS=max(rows, 100_000))


def prepare(uri: str) -> None:
    from flask_migrate import upgrade

    from core.extensions import db
    from core.models import Role, User

    with make_app(uri, 0).app_context():
        upgrade()
        user = User(email="bench@example.test", name="Bench", role=Role.MEMBER)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()


def empty_census(uri: str) -> None:
    """No clients and no figures, as before a first import (not timed)."""
    import sqlalchemy as sa

    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("TRUNCATE client_years, clients CASCADE")
        else:
            connection.exec_driver_sql("DELETE FROM client_years")
            connection.exec_driver_sql("DELETE FROM clients")
    engine.dispose()


def child_import(uri: str, csv_path: Path, rows: int) -> dict:
    """In a fresh process: import the file as the check-and-confirm view does."""
    from sqlalchemy.orm import configure_mappers

    from core.extensions import db
    from core.imports.bulk import analysed
    from core.imports.frames import read_frame
    from core.imports.result import parse_kept
    from loyalty import census_import
    from loyalty.models import CensusImport

    empty_census(uri)
    app = make_app(uri, rows)
    data = csv_path.read_bytes()
    stages, memory = {}, {}
    with app.test_request_context():
        configure_mappers()  # a running worker has done this at its first request (loading the user does it)
        started = lap = time.perf_counter()

        def stage(name: str) -> None:
            nonlocal lap
            now = time.perf_counter()
            stages[name], lap = now - lap, now
            memory[name] = harness.peak_memory_mb()

        record = CensusImport(actor_id=1, filename=csv_path.name, year=YEAR, full_census=False, mapping={})
        db.session.add(record)
        db.session.flush()
        table = read_frame(data, csv_path.name)
        stage("read")
        # As the confirming POST does: the parse from the memo (the check page's GET left it there), a copy.
        result = parse_kept(data, table, census_import.spec(), census_import.SPEC.guess_mapping(table.headers))
        plan = census_import.check_result(result, year=YEAR, full_census=False)
        assert plan.result.ok, plan.result.errors[:3]
        stage("check")
        with analysed(db.session.connection()):  # as the wizard's confirmation does
            census_import.apply(plan, record, replace_figures=False)
        counts = {"added": record.added, "figures": record.figures_added}
        stage("write")
        db.session.commit()
        stage("commit")
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": harness.peak_memory_mb(), "stages": stages, "peak_after": memory,
            **counts}


def child_baseline(uri: str, csv_path: Path) -> dict:
    """In a fresh process: read_csv, then the same rows into the same two indexed tables with the driver's own
    bulk path (one executemany on SQLite, COPY on PostgreSQL), in one transaction."""
    import pandas as pd
    import sqlalchemy as sa

    empty_census(uri)
    url = sa.make_url(uri)
    started = time.perf_counter()
    frame = pd.read_csv(csv_path, sep=";", decimal=",", thousands=".", dtype={"Código": str})
    frame["Fecha alta"] = pd.to_datetime(frame["Fecha alta"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    frame["Tipología"] = frame["Tipología"].map(TYPOLOGIES)
    now = f"{time.strftime('%Y-%m-%d %H:%M:%S')}.000000"
    clients = [(*row, False, now, 1) for row in frame[["Código", "Razón social", "Tipología", "Segmento", "Zona",
                                                        "Fecha alta"]].itertuples(index=False, name=None)]
    columns = "code, name, typology, segment, region, joined_on, strategic, created_at, version"
    figures = ["client_id", "year", "potential", "purchases", "margin"]
    if url.get_backend_name() == "postgresql":
        import psycopg

        with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as connection:
            with connection.cursor() as cursor:
                with cursor.copy(f"COPY clients ({columns}) FROM STDIN") as copy:
                    for row in clients:
                        copy.write_row(row)
                ids = dict(cursor.execute("SELECT code, id FROM clients").fetchall())
                with cursor.copy(f"COPY client_years ({', '.join(figures)}) FROM STDIN") as copy:
                    for code, *values in frame[["Código", "Potencial", "Compras", "Margen"]].itertuples(
                            index=False, name=None):
                        copy.write_row((ids[code], YEAR, *values))
    else:
        import sqlite3

        connection = sqlite3.connect(url.database)
        with connection:
            connection.executemany(f"INSERT INTO clients ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", clients)
            ids = dict(connection.execute("SELECT code, id FROM clients").fetchall())
            connection.executemany(f"INSERT INTO client_years ({', '.join(figures)}) VALUES (?, ?, ?, ?, ?)", (
                (ids[code], YEAR, *values) for code, *values in frame[["Código", "Potencial", "Compras", "Margen"]]
                .itertuples(index=False, name=None)))
        connection.close()
    return {"seconds": time.perf_counter() - started, "peak_mb": harness.peak_memory_mb()}


#: What the census page shows, as bare SQL: the ranking window (current clients, by revenue, classes at 80 and
#: 95 %), its first page joined to the clients, and the Pareto curve and classes grouped from the same window.
RANKED = """WITH figures AS (
    SELECT c.id AS client_id, coalesce(y.purchases, 0.0) AS contribution FROM clients c
    LEFT JOIN client_years y ON y.client_id = c.id AND y.year = :year WHERE c.left_on IS NULL),
windowed AS (
    SELECT client_id, contribution, row_number() OVER (ORDER BY contribution DESC, client_id) AS rank,
           sum(contribution) OVER (ORDER BY contribution DESC, client_id ROWS UNBOUNDED PRECEDING) AS cumulative,
           sum(contribution) OVER () AS total, count(*) OVER () AS population FROM figures),
ranked AS (
    SELECT *, 100.0 * cumulative / nullif(total, 0) AS share,
           CASE WHEN contribution <= 0 THEN 'C' WHEN 100.0 * (cumulative - contribution) / nullif(total, 0) < 80
                THEN 'A' WHEN 100.0 * (cumulative - contribution) / nullif(total, 0) < 95 THEN 'B' ELSE 'C' END AS abc
    FROM windowed)
"""
PAGE_SQL = RANKED + """SELECT c.*, r.rank, r.contribution, r.share, r.abc, r.population FROM ranked r
JOIN clients c ON c.id = r.client_id ORDER BY r.rank LIMIT 25"""
PARETO_SQL = RANKED + """SELECT rank * 100 / population AS bucket, abc, max(rank), max(share), count(*),
sum(contribution) FROM ranked GROUP BY rank * 100 / population, abc ORDER BY 1"""


def page_pair(uri: str, rows: int, repeat: int) -> harness.Pair:
    from sqlalchemy import text

    from core.extensions import db

    app = make_app(uri, rows)
    client = harness.signed_in_client(app)

    def page():
        harness.as_a_new_reader(client)  # the page laid out from the kept ranking, not a kept page
        response = client.get("/clients/")
        if response.status_code != 200 or "C0" not in response.get_data(as_text=True):
            raise RuntimeError(f"ranking page answered {response.status_code}")

    def bare():
        with app.app_context():
            db.session.execute(text(PAGE_SQL), {"year": YEAR}).all()
            db.session.execute(text(PARETO_SQL), {"year": YEAR}).all()

    return harness.interleave(page, bare, repeat=repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="imports of each kind (at least 5)")
    parser.add_argument("--page-repeat", type=int, default=15)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, uri, csv_path, rows = args.child
        outcome = (child_import(uri, Path(csv_path), int(rows)) if kind == "import"
                   else child_baseline(uri, Path(csv_path)))
        print(json.dumps(outcome))
        return
    harness.print_load("at the start")
    with harness.scratch_database("bench_census") as uri:
        csv_path = Path(tempfile.mkdtemp(prefix="bench-census-")) / "censo.csv"
        write_census(csv_path, args.rows)
        prepare(uri)
        backend = harness.backend_name(uri)
        print(f"{backend}: {args.rows} rows, {csv_path.stat().st_size / 1e6:.1f} MB of CSV")
        imports = harness.interleave(
            lambda: harness.run_child("bench.census", "--child", "import", uri, csv_path, args.rows),
            lambda: harness.run_child("bench.census", "--child", "baseline", uri, csv_path, args.rows),
            repeat=args.repeat, warmup=0)
        last = imports.figure_results[-1]
        print(f"{last['added']} clients and {last['figures']} yearly figures written per import")
        harness.report(f"(a) census import, {args.rows} rows, {backend}: app vs read_csv + "
                       f"{'COPY' if backend == 'postgresql' else 'executemany'} into the same indexed tables",
                       imports, max_ratio=3)
        stages = {name: statistics.median(result["stages"][name] for result in imports.figure_results)
                  for name in last["stages"]}
        print("    app's stages (medians): " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages.items()))
        harness.report_value("(b) peak memory of the import process (VmHWM, worst run)",
                             max(result["peak_mb"] for result in imports.figure_results), "MB",
                             maximum=500 if args.rows <= 100_000 else 1024)
        print("    peak after each stage (worst run): " + ", ".join(
            f"{name} {max(result['peak_after'][name] for result in imports.figure_results):.0f} MB"
            for name in last["peak_after"]))
        print(f"    baseline process: {max(result['peak_mb'] for result in imports.baseline_results):.0f} MB")
        harness.run_child("bench.census", "--child", "import", uri, csv_path, args.rows)  # the app's own state
        pages = page_pair(uri, args.rows, args.page_repeat)
        harness.report(f"(c) GET /clients/ at {args.rows} clients, {backend}: page vs bare SQL ranking + Pareto",
                       pages, max_seconds=0.1)
        csv_path.unlink()
        csv_path.parent.rmdir()
    harness.print_load("at the end")


if __name__ == "__main__":
    main()
