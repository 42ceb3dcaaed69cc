"""Helpers shared by the evidence tests."""

import subprocess
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from demo.evidence import minutes_pdf
from evidence.criteria_sets import ensure_builtin_sets
from evidence.models import CriteriaSet, Criterion


def checklist_ids(app) -> dict[str, int]:
    """The shipped checklist, stored; its criteria ids by code."""
    with app.app_context():
        ensure_builtin_sets()
        db.session.commit()
        criteria_set = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "FID-A1E1"))
        return {c.code: c.id for c in criteria_set.criteria}


def criterion(code: str) -> Criterion:
    return db.session.scalar(select(Criterion).join(CriteriaSet).where(CriteriaSet.code == "FID-A1E1",
                                                                      Criterion.code == code))


def pdf_upload(name="minutes.pdf", version=1, data=None):
    return BytesIO(data if data is not None else minutes_pdf("Minutes", version)), name


def page_texts(data: bytes, *, layout=True) -> list[str]:
    """Each page's text by pdftotext: laid out as printed, or (``layout=False``) each table cell whole."""
    done = subprocess.run(["pdftotext", *(["-layout"] if layout else []), "-", "-"], input=data,
                          capture_output=True, check=True)
    return done.stdout.decode().split("\f")[:-1]


def near_empty_pages(data: bytes, minimum: int = 5) -> tuple[int, list]:
    """(how many pages continue a section, those of them with fewer than ``minimum`` lines of content).

    The cover, the pages a bookmark starts (a section's first page) and landscape figure pages are not
    counted; the running header and footer are two lines of every page."""
    reader = PdfReader(BytesIO(data))
    starts = {reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)}
    landscape = {i for i, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height}
    continued, short = 0, []
    for number, text in enumerate(page_texts(data)):
        if number == 0 or number in starts or number in landscape:
            continue
        continued += 1
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) - 2 < minimum:
            short.append((number + 1, lines))
    return continued, short
