"""Helpers shared by the evidence tests."""

from io import BytesIO

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
