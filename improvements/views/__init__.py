"""Views of the improvements blueprint, one module per subject, and what their templates share."""

from datetime import date

from improvements import bp
from improvements.views import groups, improvement, overview, results, transitions  # noqa: F401


@bp.app_template_global()
def today_date() -> date:
    return date.today()
