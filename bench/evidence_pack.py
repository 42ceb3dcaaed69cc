"""Benchmark: the evidence pack of a larger organisation against WeasyPrint on the same HTML without figures.

The demo organisation grown to 150 processes and 110 indicators (``bench.pack_data``). Each repetition builds the
whole pack (gather the evidence, draw the figures, compose the HTML, typeset the archival PDF) and, interleaved
with it so that a busier moment of the machine weighs on both, typesets the same HTML with every figure replaced
by an empty drawing of the same size (the same pages, nothing drawn in them). Prints min and median of each, the
machine's load, the ratio and the target (issue 17): the pack within 1.3 × the baseline plus 10 %, i.e. 1.43 ×;
and the largest figure's SVG (at most 150 kB).

    .venv/bin/python -m bench.evidence_pack [--repeat 5] [--language es] [--processes 150] [--indicators 110]

Builds a throw-away SQLite database under a temporary directory.
"""

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from flask_babel import force_locale
from flask_migrate import upgrade

import demo
from app import create_app
from bench.pack_data import grow
from core.extensions import db
from core.models import User
from core.pdf import ARCHIVAL, html_to_pdf
from evidence import packs
from evidence.criteria_sets import current_set

#: Issue 17: the pack within 1.3 × WeasyPrint on the HTML without figures, plus 10 %.
TARGET = 1.3 * 1.1
MAX_FIGURE_BYTES = 150_000
_SVG_TAG = re.compile(rb"<svg\b[^>]*>")


def empty_drawing(svg: bytes) -> bytes:
    """An SVG of the same width, height and viewBox as ``svg`` with nothing in it."""
    tag = _SVG_TAG.search(svg).group(0)
    kept = b" ".join(re.findall(rb'\b(?:width|height|viewBox)="[^"]*"', tag))
    return b'<svg xmlns="http://www.w3.org/2000/svg" ' + kept + b"/>"


def without_figures(images: dict) -> dict:
    return {name: (empty_drawing(body), kind) if kind == "image/svg+xml" else (body, kind)
            for name, (body, kind) in images.items()}


def seconds(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def spread(values: list[float]) -> str:
    return f"min {min(values):6.2f} s   median {statistics.median(values):6.2f} s"


def build(directory: str, processes: int, indicators: int):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
                      "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade()
        demo.load()
        grow(processes, indicators)
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--language", default="es", choices=["es", "en"])
    parser.add_argument("--processes", type=int, default=150)
    parser.add_argument("--indicators", type=int, default=110)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = build(directory, args.processes, args.indicators)
        with app.test_request_context("/"), force_locale(args.language):
            criteria_set, reviewer = current_set(), User.by_email("reviewer@demo.test")

            def full_pack():
                content = packs.gather(criteria_set, packs.SCOPE_ALL, args.language, actor=reviewer)
                html = packs.pack_html(content)
                return content, html, html_to_pdf(html, attachments=content.attachments, images=content.images,
                                                   variant=ARCHIVAL)

            def baseline(content, html):
                return html_to_pdf(html, attachments=content.attachments, images=without_figures(content.images),
                                   variant=ARCHIVAL)

            content, html, rendered = full_pack()  # warm: templates, fonts, vl-convert's first chart
            baseline(content, html)
            fulls, bases, loads = [], [], []
            for _ in range(args.repeat):
                loads.append(os.getloadavg()[0])
                full_s, (content, html, rendered) = seconds(full_pack)
                base_s, bare = seconds(lambda content=content, html=html: baseline(content, html))
                fulls.append(full_s)
                bases.append(base_s)
    figures = [body for body, kind in content.images.values() if kind == "image/svg+xml"]
    ratio = statistics.median(fulls) / statistics.median(bases)
    largest = max(map(len, figures), default=0)
    print(f"{args.processes} processes, {args.indicators} indicators, {args.repeat} interleaved repetitions, "
          f"load (1 min) {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores")
    print(f"full pack (gather + figures + HTML + PDF)   {spread(fulls)}")
    print(f"WeasyPrint, same HTML, figures left empty   {spread(bases)}")
    print(f"ratio of the medians                        {ratio:6.2f}   (of the minimums "
          f"{min(fulls) / min(bases):.2f})   target ≤ {TARGET:.2f} {'ok' if ratio <= TARGET else 'MISSED'}")
    print(f"pages                                       {rendered.pages:6d}   (baseline {bare.pages})")
    print(f"figures (SVG)                               {len(figures):6d}   largest {largest / 1000:.0f} kB, "
          f"all {sum(map(len, figures)) / 1000:.0f} kB   target ≤ {MAX_FIGURE_BYTES // 1000} kB "
          f"{'ok' if largest <= MAX_FIGURE_BYTES else 'MISSED'}")


if __name__ == "__main__":
    main()
