"""Views of the improvements blueprint, one module per subject, and what the home page asks of them."""

from datetime import date

from flask_login import current_user

from improvements import bp
from improvements.queries import due_tasks
from improvements.views import groups, improvement, overview, results, transitions  # noqa: F401


@bp.app_template_global()
def improvement_tasks_due(days: int = 7) -> list:
    """The signed-in person's open improvement tasks overdue or due within ``days`` (for the home page)."""
    if not current_user.is_authenticated:
        return []
    return due_tasks(current_user.id, date.today(), days)


@bp.app_template_global()
def today_date() -> date:
    return date.today()
