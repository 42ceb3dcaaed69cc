"""SMART improvement groups, their before/after results and staff participation (C1, C2, C3, D1)."""

from flask import Blueprint

bp = Blueprint("improvements", __name__)


# The tables (for Alembic and the ORM), then the routes on bp.
from improvements import models, views  # noqa: E402,F401
