"""What the evidence views share: the set in use and the reader's language."""

from flask import abort
from flask_babel import get_locale

from core.extensions import db
from evidence.criteria_sets import current_set
from evidence.models import CriteriaSet, Criterion


def language() -> str:
    """The reader's language, for texts that carry both (criteria)."""
    return str(get_locale() or "es").split("_")[0]


def chosen_set(set_id: int | None = None) -> CriteriaSet:
    """The set asked for, else the one in use."""
    criteria_set = db.session.get(CriteriaSet, set_id) if set_id else current_set()
    if criteria_set is None:
        abort(404)
    return criteria_set


def criterion_or_404(criterion_id: int) -> Criterion:
    return db.get_or_404(Criterion, criterion_id)
