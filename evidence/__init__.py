"""The certification evidence: criteria sets, automatic and manual evidence, self-assessments, reviewer
verdicts, the E1 dashboard and the evidence PDF pack (E1, and every criterion of the checklist)."""

from flask import Blueprint
from markupsafe import Markup

from core.findings import Line, Sparkline
from evidence.charts import sparkline_svg as draw_sparkline

bp = Blueprint("evidence", __name__)


@bp.app_template_global()
def cell_kind(cell) -> str:
    """How a table cell of a finding is drawn: ``line`` (text with link), ``sparkline`` or ``text``."""
    return "line" if isinstance(cell, Line) else "sparkline" if isinstance(cell, Sparkline) else "text"


@bp.app_template_filter()
def sparkline_svg(cell) -> Markup:
    """A Sparkline cell as inline SVG (numbers and formatted dates only: nothing of the user's text goes into it)."""
    return Markup(draw_sparkline(cell.values, cell.periods))


from evidence import views  # noqa: E402,F401  (registers the routes on bp)
