"""SMART improvement groups, their before/after results and staff participation (C1, C2, C3, D1)."""

from datetime import date

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("improvements", __name__)


@bp.app_template_global()
def improvement_tasks_due(days: int = 7) -> list:
    """The signed-in person's open improvement tasks overdue or due within ``days`` (for the home page)."""
    from improvements.queries import due_tasks

    if not current_user.is_authenticated:
        return []
    return due_tasks(current_user.id, date.today(), days)


@bp.app_template_global()
def today_date() -> date:
    return date.today()


# The tables (for Alembic and the ORM), then the routes on bp.
from improvements import models, views  # noqa: E402,F401
