"""Views of the improvements blueprint, one module per subject."""

from flask import render_template

from core.access import TEAM_DATA, allow
from improvements import bp


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The improvement groups and their SMART improvements."""
    return render_template("improvements/index.html")
