"""Views of the loyalty blueprint."""

from flask import render_template

from core.access import TEAM_DATA, allow
from loyalty import bp


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The client census and the voice of the client."""
    return render_template("loyalty/index.html")
