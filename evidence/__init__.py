"""The certification evidence: criteria sets, automatic and manual evidence, self-assessments, reviewer
verdicts, the E1 dashboard and the evidence PDF pack (E1, and every criterion of the checklist)."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)

from evidence import views  # noqa: E402,F401  (registers the routes on bp)
