"""Clients: the census ranked by contribution, new and lost clients, segments (B2)."""

from flask import Blueprint

bp = Blueprint("loyalty", __name__)

from loyalty import views  # noqa: E402,F401  (registers the routes on bp)
