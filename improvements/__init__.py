"""SMART improvement groups, their before/after results and staff participation (C1, C2, C3, D1)."""

from flask import Blueprint

bp = Blueprint("improvements", __name__)

from improvements import views  # noqa: E402,F401  (registers the routes on bp)
