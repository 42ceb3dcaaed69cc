"""Benchmark: the results page of a client satisfaction wave of 20 000 responses, against the bare aggregate
query that reads the same answers. Prints medians and the ratio; target (issue 5): the page well under a
second, and its statement count independent of the number of responses (a test asserts that).

    .venv/bin/python -m bench.surveys [--responses 20000] [--repeat 9]

Builds a throw-away SQLite database under a temporary directory: the standard client questionnaire, a
previous wave of 2 000 responses (for the trend) and the measured wave, with typologies and segments.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, text

from accounts import sessions
from app import create_app
from core.extensions import db
from core.models import Role, User
from surveys import engine, releases
from surveys.models import Audience, ItemKind, WaveStatus

TYPOLOGIES = ("End user", "Intermediate client", "Prescriber")
SEGMENTS = ("Preferential", "To take care of", "Irrelevant", "Disorderly")


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


def build(n: int) -> tuple[int, User]:
    rng = random.Random(5)
    user = User(email="bench@example.test", name="Bench", role=Role.COORDINATOR)
    user.set_password("bench-password")
    db.session.add(user)
    survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="en",
                                  template="client_satisfaction")
    items = list(survey.items)
    previous = engine.create_wave(survey, name="Last year", opens_on=date(2024, 4, 1), closes_on=None,
                                  public_link=False)
    previous.status = WaveStatus.CLOSED
    engine.insert_responses(previous, responses(rng, items, 2000))
    releases.release_due(previous)  # as closing it did (the measured wave's first look releases it)
    wave = engine.create_wave(survey, name="This year", opens_on=date(2025, 4, 1), closes_on=None, public_link=True)
    wave.status = WaveStatus.OPEN
    for start in range(0, n, 5000):
        engine.insert_responses(wave, responses(rng, items, min(5000, n - start)))
    db.session.commit()
    return wave.id, user


def median_ms(action, repeat: int) -> float:
    action()  # warm caches (templates, compiled queries) as a running server has them
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
                          "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "BABEL_DEFAULT_LOCALE": "en"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            wave_id, user = build(args.responses)
            print(f"built {args.responses} responses in {time.perf_counter() - started:.1f} s")
            sign_in = {}
            sessions.fill(sign_in, user)  # signed in as this user, clocks started now
            engine_ = db.engine
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(sign_in)
        url = f"/surveys/waves/{wave_id}/results"

        def page():
            if client.get(url).status_code != 200:
                raise RuntimeError(url)

        def bare():
            with app.app_context():
                db.session.execute(text("SELECT item_id, number, count(*) FROM survey_answers WHERE wave_id = :w "
                                        "AND number IS NOT NULL GROUP BY item_id, number"), {"w": wave_id}).all()

        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(engine_, "before_cursor_execute", count)
        page()
        event.remove(engine_, "before_cursor_execute", count)
        page_ms, sql_ms = median_ms(page, args.repeat), median_ms(bare, args.repeat)
        print(f"{'page':52} {'page ms':>9} {'bare SQL ms':>12} {'ratio':>7}  target")
        name = f"wave results ({args.responses} responses, 11 questions)"
        print(f"{name:52} {page_ms:9.1f} {sql_ms:12.2f} {page_ms / sql_ms:7.1f}  "
              f"< 1000 ms {'ok' if page_ms < 1000 else 'MISSED'}")
        print(f"statements for one results page: {len(statements)}")


if __name__ == "__main__":
    main()
