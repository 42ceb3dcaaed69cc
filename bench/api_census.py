"""Benchmark of the census pushed through the REST API (issue 20): ``POST /api/v1/census`` with N rows of JSON
against the file import of the same rows (``bench.census``'s import: read, map, check every row, write, commit),
interleaved, each run in its own fresh process into an empty census — target ≤ 1.5× at 100 000 rows.

The API's figure is the server's work for the request, in process through the test client: the bearer token
looked up, the JSON body parsed and checked, the rows read into the import's table, parsed, checked, written and
committed with the answer kept (the request is sent with an ``Idempotency-Key``, as an ERP's retrying client
would). The rows are what an ERP sends: the same clients as the CSV, with ISO dates, the typologies' stored values
and the figures as JSON numbers.

    .venv/bin/python -m bench.api_census [--rows 100000] [--repeat 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ .venv/bin/python -m bench.api_census   # on PostgreSQL
"""

import argparse
import csv
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import census, harness

TYPOLOGIES = census.TYPOLOGIES


def number(text: str) -> float:
    """A Spanish number of the CSV ("1.234,50") as the JSON number an ERP sends."""
    return float(text.replace(".", "").replace(",", "."))


def write_rows(csv_path: Path, json_path: Path) -> None:
    """The census file's rows as the JSON body of ``POST /api/v1/census``."""
    rows = []
    with csv_path.open(encoding="utf-8") as source:
        for record in csv.DictReader(source, delimiter=";"):
            rows.append({"code": record["Código"], "name": record["Razón social"],
                         "typology": TYPOLOGIES[record["Tipología"]], "segment": record["Segmento"],
                         "region": record["Zona"],
                         "joined_on": datetime.strptime(record["Fecha alta"], "%d/%m/%Y").date().isoformat(),
                         "potential": number(record["Potencial"]), "purchases": number(record["Compras"]),
                         "margin": number(record["Margen"])})
    json_path.write_text(json.dumps({"year": census.YEAR, "rows": rows}), encoding="utf-8")


def child_api(uri: str, json_path: Path, rows: int) -> dict:
    """In a fresh process: the census pushed as one API request, as a running worker answers it."""
    from sqlalchemy.orm import configure_mappers

    from accounts import tokens
    from core.extensions import db
    from core.models import User

    census.empty_census(uri)
    app = census.make_app(uri, rows)
    body = json_path.read_bytes()
    with app.app_context():
        _token, secret = tokens.create_token(db.session.get(User, 1), name="ERP", scope="write", days=30)
        db.session.commit()
        configure_mappers()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": f"census-{time.time_ns()}"}
    client.get("/api/v1/census/imports/1/absent", headers=headers)  # a worker's first request is behind it
    started = time.perf_counter()
    response = client.post("/api/v1/census", data=body, content_type="application/json", headers=headers)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"POST /api/v1/census answered {response.status_code}: "
                           f"{response.get_data(as_text=True)[:500]}")
    done = response.get_json()["import"]
    return {"seconds": seconds, "peak_mb": harness.peak_memory_mb(), "added": done["added"],
            "figures": done["figures_added"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each kind (at least 5)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, uri, path, rows = args.child
        outcome = (child_api(uri, Path(path), int(rows)) if kind == "api"
                   else census.child_import(uri, Path(path), int(rows)))
        print(json.dumps(outcome))
        return
    harness.print_load("at the start")
    with harness.scratch_database("bench_apiwrites") as uri:
        directory = Path(tempfile.mkdtemp(prefix="bench-api-census-"))
        csv_path, json_path = directory / "censo.csv", directory / "censo.json"
        census.write_census(csv_path, args.rows)
        write_rows(csv_path, json_path)
        census.prepare(uri)
        backend = harness.backend_name(uri)
        print(f"{backend}: {args.rows} rows, {csv_path.stat().st_size / 1e6:.1f} MB of CSV, "
              f"{json_path.stat().st_size / 1e6:.1f} MB of JSON")
        pair = harness.interleave(
            lambda: harness.run_child("bench.api_census", "--child", "api", uri, json_path, args.rows),
            lambda: harness.run_child("bench.api_census", "--child", "import", uri, csv_path, args.rows),
            repeat=args.repeat, warmup=0)
        last = pair.figure_results[-1]
        print(f"{last['added']} clients and {last['figures']} yearly figures written per request")
        harness.report(f"census upsert, {args.rows} rows, {backend}: POST /api/v1/census (JSON) vs the file import "
                       "of the same rows", pair, max_ratio=1.5)
        print(f"    peak memory (VmHWM, worst run): API {max(r['peak_mb'] for r in pair.figure_results):.0f} MB, "
              f"file import {max(r['peak_mb'] for r in pair.baseline_results):.0f} MB")
        for path in (csv_path, json_path):
            path.unlink()
        directory.rmdir()
    harness.print_load("at the end")


if __name__ == "__main__":
    main()
