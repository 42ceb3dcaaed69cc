"""Benchmark: the time to build the full evidence pack of the demo organisation against the time WeasyPrint
alone takes to typeset the same final HTML; prints both, their ratio (target ≤ 1.3) and the page count.

    .venv/bin/python -m bench.evidence_pack [--repeat 3] [--language es]

Builds a throw-away SQLite database with the demo organisation under a temporary directory.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_babel import force_locale
from flask_migrate import upgrade

import demo
from app import create_app
from core.extensions import db
from core.models import User
from core.pdf import ARCHIVAL, html_to_pdf
from evidence import packs
from evidence.criteria_sets import current_set


def timed(action, repeat: int):
    action()  # warm up: templates, fonts, vl-convert's first chart
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", default="es", choices=["es", "en"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
                          "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False, "TASK_QUEUE_IMMEDIATE": True})
        with app.app_context():
            upgrade()
            demo.load()
            db.session.commit()
        with app.test_request_context("/"), force_locale(args.language):
            criteria_set = current_set()
            reviewer = User.by_email("reviewer@demo.test")

            def full_pack():
                content = packs.gather(criteria_set, packs.SCOPE_ALL, args.language, actor=reviewer)
                html = packs.pack_html(content)
                return content, html, html_to_pdf(html, attachments=content.attachments, images=content.images,
                                                   variant=ARCHIVAL)

            full_s, (content, html, rendered) = timed(full_pack, args.repeat)
            typeset_s, _ = timed(lambda: html_to_pdf(html, attachments=content.attachments, images=content.images,
                                                     variant=ARCHIVAL), args.repeat)
        ratio = full_s / typeset_s
        print(f"full pack (gather + charts + HTML + PDF)  {full_s * 1000:8.0f} ms")
        print(f"WeasyPrint alone on the same HTML         {typeset_s * 1000:8.0f} ms")
        verdict = "ok" if ratio <= 1.3 else "MISSED"
        print(f"ratio                                     {ratio:8.2f}   target ≤ 1.3 {verdict}")
        print(f"pages                                     {rendered.pages:8d}")
        print(f"attached files                            {len(content.attachments):8d}")


if __name__ == "__main__":
    main()
