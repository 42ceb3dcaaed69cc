"""Views of the processes blueprint."""

from flask import render_template

from core.access import TEAM_DATA, allow
from processes import bp


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The process map of the loyalty programme."""
    return render_template("processes/index.html")
