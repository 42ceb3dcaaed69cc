"""Benchmark of the kept ranking (issue 17, must have 1), on SQLite or, with ``DATABASE_URL``, on PostgreSQL:

(a) computing a census version's ranking (``loyalty.kept_ranking.compute``: the INSERT … SELECT of the window
    query and the Pareto curve from the stored rows; the removal of the older versions is queued for a worker)
    against the bare window query run to completion in the database (every column it gives aggregated, nothing
    sent to Python) — target ratio ≤ 1.5; then, without a target, all the work a version costs: the
    computation, its segment counts (counted by their first reader) and the removal, run in turn;
(b) the ranking page's first page and a deep page filtered (class A, new, active) and sorted by name, read from
    the kept ranking and laid out (not a kept page), server time — target ≤ 100 ms each (the health page beside
    them, as a hello baseline);
(c) the segmentation page, read from the kept ranking.

    .venv/bin/python -m bench.ranking [--rows 100000] [--repeat 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ .venv/bin/python -m bench.ranking

Every figure is measured interleaved with its baseline by ``bench.harness``.
"""

import argparse
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench import harness

YEAR = 2024
CHUNK = 50_000
DEEP_FILTERS = "abc=A&tenure=new&status=active&sort=name"


def fill_census(app, rows: int) -> None:
    """``rows`` clients (a tenth lost) with 2024 figures, written in bulk, and one audited census import, the
    census's version, as an import leaves them."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from core.extensions import db
    from core.models import Role, User
    from loyalty.models import CensusImport, Client, ClientYear

    rng = random.Random(17)
    with app.app_context():
        upgrade()
        user = User(email="bench@example.test", name="Bench", role=Role.MEMBER)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        start = date(2000, 1, 1)
        with db.engine.begin() as connection:
            for first in range(1, rows + 1, CHUNK):
                numbers = range(first, min(first + CHUNK, rows + 1))
                clients, figures = [], []
                for number in numbers:
                    joined = start + timedelta(days=rng.randint(0, 9100))
                    left = joined + timedelta(days=rng.randint(1, 300)) if number % 10 == 0 else None
                    clients.append({"id": number, "code": f"C{number:07d}", "name": f"Cliente {rng.random():.8f}",
                                    "typology": ("end_user", "intermediate", "prescriber")[number % 3],
                                    "segment": f"Seg {number % 7}", "region": f"Zona {number % 11}",
                                    "joined_on": joined, "left_on": left, "strategic": number % 50 == 0,
                                    "version": 1})
                    purchases = rng.lognormvariate(7.5, 1.2)
                    figures.append({"client_id": number, "year": YEAR, "potential": purchases * 2,
                                    "purchases": purchases, "margin": purchases * 0.2})
                connection.execute(insert(Client.__table__), clients)
                connection.execute(insert(ClientYear.__table__), figures)
        db.session.add(CensusImport(actor_id=user.id, filename="bench.csv", year=YEAR, rows=rows, added=rows))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()


def computation_pairs(app, repeat: int) -> tuple[harness.Pair, harness.Pair]:
    """Computing a version (each time under a new seal) against the bare window: what a page waits for (the
    removal of the older versions only queued, for a worker), then all the work a version costs (its segment
    counts, counted by their first reader, and the removal, run here)."""
    from sqlalchemy import func, select

    from core.extensions import db
    from loyalty import kept_ranking
    from loyalty.settings import current_settings
    from loyalty.window import ranked

    runs = iter(range(10**6))
    with app.app_context():
        settings = current_settings()
        version = kept_ranking.census_version()
        key = kept_ranking._key(version, YEAR, kept_ranking._rule(settings), "current")
        window = ranked(YEAR, settings, "current")
        bare = select(func.count(), func.sum(window.c.rank), func.sum(window.c.cumulative),
                      func.sum(window.c.cumulative_share), func.count(window.c.abc), func.sum(window.c.total),
                      func.sum(window.c.population), func.sum(window.c.potential), func.sum(window.c.purchases),
                      func.sum(window.c.margin))

    def computation():
        with app.app_context():
            kept_ranking.compute({**key, "census_seal": f"bench-{next(runs)}"})

    def all_of_it():
        with app.app_context():
            seal = f"bench-{next(runs)}"
            kept_ranking.compute({**key, "census_seal": seal})
            kept_ranking.counted(kept_ranking._find(db.session, {**key, "census_seal": seal}))
            kept_ranking.remove_older_rankings.call_local(key["census_seq"], seal)

    def baseline():
        with app.app_context():
            db.session.execute(bare).one()

    waited = harness.interleave(computation, baseline, repeat=repeat)
    whole = harness.interleave(all_of_it, baseline, repeat=repeat)
    with app.app_context():  # leave the real version kept for the pages
        kept_ranking.compute(key)
        kept_ranking.remove_older_rankings.call_local(key["census_seq"], key["census_seal"])
    return waited, whole


def kept_ranking_for_pages() -> None:
    """The census version's ranking computed once, as the first page after an import computes it."""
    from loyalty import kept_ranking
    from loyalty.settings import current_settings

    kept_ranking.kept(YEAR, current_settings(), "current")


def deep_page(app) -> int:
    """The middle page of the filtered, sorted ranking."""
    from core.extensions import db
    from loyalty import ranking
    from loyalty.settings import current_settings

    with app.app_context():
        query = ranking.ranking_query(YEAR, current_settings(), ranking.RankingFilters(
            abc="A", tenure="new", status="active"), sort="name").limit(1)
        matching = db.session.execute(query).first().matching
    return max(1, matching // app.config["PER_PAGE"] // 2), matching


def page_pair(client, url: str, repeat: int) -> harness.Pair:
    """The page as a person who has not seen it in this data version gets it: laid out, not a kept page."""
    def get(address):
        def action():
            harness.as_a_new_reader(client)
            response = client.get(address)
            if response.status_code != 200:
                raise RuntimeError(f"{address} answered {response.status_code}")
        return action

    return harness.interleave(get(url), get("/healthz"), repeat=repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=harness.MIN_REPEAT)
    parser.add_argument("--pages-only", action="store_true",
                        help="skip (a): compute the ranking once, then measure the pages")
    args = parser.parse_args()
    with harness.scratch_database("ranking") as uri, tempfile.TemporaryDirectory() as directory:
        # A queue that nobody consumes: what a worker would do after a computation is not timed with it.
        app = harness.bench_app(uri, TASK_QUEUE_IMMEDIATE=False,
                                TASK_QUEUE_URL=f"sqlite:///{Path(directory) / 'tasks.sqlite3'}")
        harness.print_load("before filling")
        fill_census(app, args.rows)
        print(f"{harness.backend_name(uri)}: {args.rows} clients with {YEAR} figures")
        harness.print_load("before measuring")
        if args.pages_only:
            with app.app_context():
                kept_ranking_for_pages()
        else:
            waited, whole = computation_pairs(app, args.repeat)
            harness.report("(a) computing the kept ranking (what a page waits for) vs the bare window query",
                           waited, max_ratio=1.5)
            harness.report("(a) all a version costs: the computation, its segment counts and the removal of "
                           "the older versions vs the bare window query", whole)
        client = harness.signed_in_client(app)
        page, matching = deep_page(app)
        for name, url in (("(b) first page of the ranking", "/clients/"),
                          (f"(b) page {page} of {DEEP_FILTERS} ({matching} matching)",
                           f"/clients/?{DEEP_FILTERS}&page={page}"),
                          ("(c) segmentation page", "/clients/segments")):
            harness.report(f"{name} vs /healthz", page_pair(client, url, args.repeat), max_seconds=0.1)


if __name__ == "__main__":
    main()
