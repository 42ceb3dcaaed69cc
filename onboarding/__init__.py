"""The first-run setup of a real organisation: its name and logo, the programme under certification, the
process-management standard, the first processes and the census, each step skippable and resumable."""

from flask import Blueprint

bp = Blueprint("onboarding", __name__)

from onboarding import views  # noqa: E402,F401  (registers the routes on bp)
