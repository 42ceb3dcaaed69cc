"""Benchmark: the demo organisation's full evidence pack built by a worker on the SQLite queue, as ``make run``
does: the time from the request to the finished job, how often the heartbeat was seen while typesetting, and the
process's peak memory (what one worker thread needs per pack being built).

    .venv/bin/python -m bench.pack_queue [--language es]

Builds a throw-away SQLite database and queue with the demo organisation under a temporary directory.
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

import demo
from app import create_app
from core import tasks
from core.extensions import db
from core.models import User
from evidence import pack_jobs, packs
from evidence.criteria_sets import current_set
from evidence.models import JobState, PackJob


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="es", choices=["es", "en"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
                          "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                          "TASK_QUEUE_URL": f"sqlite:///{Path(directory) / 'tasks.sqlite3'}"})
        with app.app_context():
            upgrade()
            demo.load()
            db.session.commit()
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with tasks.consumer_thread(app, workers=1, periodic=False, initial_delay=0.01, max_delay=0.1):
            with app.app_context():
                start = time.perf_counter()
                _snapshot, job, _started = pack_jobs.request_pack(current_set(), packs.SCOPE_ALL, args.language,
                                                                  actor=User.by_email("reviewer@demo.test"))
                pack_jobs.start(job)
                job_id = job.id
            beats, steps = set(), []
            while True:
                with app.app_context():
                    row = db.session.get(PackJob, job_id)
                    if not steps or steps[-1] != row.step:
                        steps.append(row.step)
                    if row.progress == 45:
                        beats.add(row.heartbeat_at)
                    if row.state in (JobState.DONE, JobState.FAILED):
                        break
                time.sleep(0.1)
            elapsed = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"request to finished job on the queue      {elapsed * 1000:8.0f} ms   ({row.state.value})")
        print(f"heartbeats seen while typesetting         {len(beats):8d}   (every {pack_jobs.HEARTBEAT_SECONDS:g} s)")
        print(f"peak memory before / after the pack       {before_kb / 1024:8.0f} / {peak_kb / 1024:.0f} MB")
        print("steps                                     " + " → ".join(steps))


if __name__ == "__main__":
    main()
