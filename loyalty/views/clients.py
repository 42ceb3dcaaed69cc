"""Clients: the ranking, one client, creating, editing, marking lost."""

from flask import render_template

from core.access import TEAM_DATA, allow
from loyalty import bp, models  # noqa: F401


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The client census and the voice of the client."""
    return render_template("loyalty/index.html")
