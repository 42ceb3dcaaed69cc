"""Benchmark of the census import's check page at 100 000 rows (issue 13: "the check page of a 100 000-row file
answers in under 3 s on this machine"). Prints, in one run, on a scratch SQLite file (PostgreSQL database with
``DATABASE_URL``), over ≥ 5 interleaved repetitions (``bench.harness``: min, median, the load):

(a) the upload (``POST /clients/import``: the file stored and read, its first parse and check, the redirect),
    the check page the user then waits for (``GET /clients/import/<id>``, through the Flask test client,
    file and parse from the memo, the census checks and the page rendered) and the two together;
(b) the baseline on the same file in the same run: ``pandas.read_csv`` with the Spanish notation;
(c) the ratio of each to the baseline, and the target: the check page under 3 s.

    .venv/bin/python -m bench.check_page [--rows 100000] [--repeat 5] [--census empty|loaded]

Each repetition uploads the same Spanish-format file (``bench.census.write_census``) as a new import, with the
memo emptied first, so that every upload reads and parses the file as a new one would. With ``--census loaded``
the file's clients are imported once before the measurements, so the check compares every row with a client
already in the census (the yearly update) instead of finding them all new.
"""

import argparse
import io
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench import harness
from bench.census import make_app, prepare, write_census

#: The answer the check page must give within (issue 13).
TARGET_SECONDS = 3.0


def upload_and_check(client, data: bytes) -> tuple[float, float, str]:
    """Upload ``data`` as a new census import, then open its check page: (upload s, check page s, its URL)."""
    from core.imports import memo

    memo.forget()  # a new file: nothing of it read or parsed yet
    started = time.perf_counter()
    response = client.post("/clients/import", data={"file": (io.BytesIO(data), "censo.csv"), "year": "2024"},
                           content_type="multipart/form-data")
    uploaded = time.perf_counter()
    if response.status_code != 302:
        raise RuntimeError(f"the upload answered {response.status_code}")
    url = response.headers["Location"]
    page = client.get(url)
    checked = time.perf_counter()
    body = page.get_data(as_text=True)
    if page.status_code != 200 or 'data-testid="import-preview"' not in body:
        raise RuntimeError(f"the check page answered {page.status_code} without the rows to import")
    return uploaded - started, checked - uploaded, url


def baseline(csv_path: Path) -> float:
    """``pandas.read_csv`` of the same file, with its Spanish notation."""
    import pandas as pd

    started = time.perf_counter()
    pd.read_csv(csv_path, sep=";", decimal=",", thousands=".", dtype={"Código": str})
    return time.perf_counter() - started


def load_census(client, data: bytes) -> None:
    """Import the file once, through its check page's confirmation, so the census holds its clients."""
    _upload, _check, url = upload_and_check(client, data)
    page = client.get(url).get_data(as_text=True)
    confirmation = page.split('data-testid="import-plan"', 1)[1]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirmation))
    response = client.post(url, data={**fields, "confirm": "1"})
    if response.status_code != 302 or response.headers["Location"].endswith(url):
        raise RuntimeError(f"loading the census did not import the file ({response.status_code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--census", choices=("empty", "loaded"), default="empty")
    args = parser.parse_args()
    harness.print_load("at the start")
    with harness.scratch_database("bench_check") as uri, tempfile.TemporaryDirectory() as directory:
        csv_path = Path(directory) / "censo.csv"
        write_census(csv_path, args.rows)
        data = csv_path.read_bytes()
        prepare(uri)
        client = harness.signed_in_client(make_app(uri, args.rows))
        if args.census == "loaded":
            load_census(client, data)

        def figure() -> dict:
            upload, check, _url = upload_and_check(client, data)
            return {"seconds": check, "upload": upload}

        pair = harness.interleave(figure, lambda: baseline(csv_path), repeat=args.repeat)
        backend = harness.backend_name(uri)
    print(f"{backend}: {args.rows} rows, {len(data) / 1e6:.1f} MB, census {args.census}")
    harness.report(f"check page (GET) at {args.rows} rows, {backend}: page vs pandas.read_csv of the file", pair,
                   max_seconds=TARGET_SECONDS)
    uploads = [result["upload"] for result in pair.figure_results]
    print(f"    the upload before it (POST): min {min(uploads):.2f} s, median {statistics.median(uploads):.2f} s")
    harness.print_load("at the end")


if __name__ == "__main__":
    main()
