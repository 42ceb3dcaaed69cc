"""Benchmark: the results page of a client satisfaction wave at 20 000 and 200 000 responses (issue 17: ≤ 100 ms and
flat in responses, on SQLite and PostgreSQL), interleaved with a baseline: the one GROUP BY over the wave's answers
that the page's item counts alone cost before the running totals (``surveys.totals``).

    .venv/bin/python -m bench.surveys [--responses 20000 200000] [--repeat 5]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ .venv/bin/python -m bench.surveys

Builds a throw-away database (``bench.harness.scratch_database``): the standard client questionnaire, a previous
wave of 2 000 responses (for the trend) and the measured wave, with typologies and segments, grown to each size in
turn through ``engine.insert_responses`` (the import's path, which keeps the totals). Also prints the page's
statement count at each size (it must not change) and the time to rebuild the wave's totals from its answers.
"""

import argparse
import random
import time
from datetime import date

from flask_migrate import upgrade
from sqlalchemy import event, text

from bench import harness
from core.extensions import db
from core.models import Role, User
from surveys import engine, releases, totals
from surveys.models import Audience, ItemKind, Survey, Wave, WaveStatus

TYPOLOGIES = ("End user", "Intermediate client", "Prescriber")
SEGMENTS = ("Preferential", "To take care of", "Irrelevant", "Disorderly")
TARGET_SECONDS = 0.100
CHUNK = 5000


def responses(rng, items, n):
    rows = []
    for _ in range(n):
        latent = rng.gauss(3.6, 0.8)
        values = {}
        for item in items:
            if item.kind == ItemKind.LIKERT:
                values[item.id] = (float(max(1, min(5, round(latent + rng.gauss(0, 0.7))))), None)
            elif item.kind == ItemKind.SCALE:
                values[item.id] = (float(max(0, min(10, round(latent * 2 + rng.gauss(0, 1.5))))), None)
            elif item.kind == ItemKind.CHOICE:
                values[item.id] = (float(rng.choice((0, 1, 1, 2))), None)
            elif rng.random() < 0.15:
                values[item.id] = (None, "A comment about the service")
        rows.append({"values": values, "typology": rng.choice(TYPOLOGIES), "segment": rng.choice(SEGMENTS)})
    return rows


def build() -> tuple[int, User]:
    """The user, the survey, last year's wave of 2 000 responses and this year's empty wave."""
    user = User(email="bench@example.test", name="Bench", role=Role.COORDINATOR)
    user.set_password("bench-password")
    db.session.add(user)
    survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="en",
                                  template="client_satisfaction")
    previous = engine.create_wave(survey, name="Last year", opens_on=date(2024, 4, 1), closes_on=None,
                                  public_link=False)
    previous.status = WaveStatus.CLOSED
    engine.insert_responses(previous, responses(random.Random(4), list(survey.items), 2000))
    releases.release_due(previous)  # as closing it did
    wave = engine.create_wave(survey, name="This year", opens_on=date(2025, 4, 1), closes_on=None, public_link=True)
    wave.status = WaveStatus.OPEN
    db.session.commit()
    return wave.id, user


def grow(wave_id: int, rng, n: int) -> None:
    """Add ``n`` responses to the wave in imports of ``CHUNK``, then release them as the first look would."""
    wave = db.session.get(Wave, wave_id)
    items = list(db.session.get(Survey, wave.survey_id).items)
    for start in range(0, n, CHUNK):
        engine.insert_responses(wave, responses(rng, items, min(CHUNK, n - start)))
        db.session.commit()
    releases.release_due(wave)
    db.session.commit()


def measure(app, client, wave_id: int, size: int, repeat: int) -> bool:
    url = f"/surveys/waves/{wave_id}/results"

    def page():
        if client.get(url).status_code != 200:
            raise RuntimeError(url)

    def baseline():
        with app.app_context():
            db.session.execute(text("SELECT item_id, number, count(*) FROM survey_answers WHERE wave_id = :w "
                                    "AND number IS NOT NULL AND excluded = :no GROUP BY item_id, number"),
                               {"w": wave_id, "no": False}).all()

    with app.app_context():
        engine_ = db.engine
    statements = []

    def count(*args):
        statements.append(args[2])

    pair = harness.interleave(page, baseline, repeat=repeat)
    event.listen(engine_, "before_cursor_execute", count)  # a warm page, as the measured ones
    page()
    event.remove(engine_, "before_cursor_execute", count)
    met = harness.report(f"wave results, {size} responses (baseline: the GROUP BY over its answers the page read "
                         "before)", pair, max_seconds=TARGET_SECONDS)
    print(f"    statements for one results page: {len(statements)}")
    return met


def rebuild_seconds(app, wave_id: int) -> float:
    with app.app_context():
        started = time.perf_counter()
        totals.rebuild(releases.shown_responses([wave_id]), [wave_id])
        db.session.rollback()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--repeat", type=int, default=harness.MIN_REPEAT)
    args = parser.parse_args()
    harness.print_load("before")
    with harness.scratch_database("surveys") as uri:
        app = harness.bench_app(uri)
        print(f"backend: {harness.backend_name(uri)}")
        with app.app_context():
            upgrade()
            wave_id, user = build()
            user_id = user.id
        client = harness.signed_in_client(app, user_id)
        rng, stored, met = random.Random(5), 0, True
        for size in sorted(args.responses):
            started = time.perf_counter()
            with app.app_context():
                grow(wave_id, rng, size - stored)
            print(f"grew the wave to {size} responses in {time.perf_counter() - started:.1f} s "
                  "(imports keeping the running totals)")
            stored = size
            met = measure(app, client, wave_id, size, args.repeat) and met
            print(f"    rebuilding the wave's totals from its answers: {rebuild_seconds(app, wave_id):.2f} s")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    harness.print_load("after")
    print("all targets met" if met else "some target MISSED")


if __name__ == "__main__":
    main()
