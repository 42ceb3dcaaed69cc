"""The process map: programmes, process sheets, indicators, interfaces and SLAs (A1, A2, C3, E1)."""

from flask import Blueprint

bp = Blueprint("processes", __name__)


from processes import views  # noqa: E402,F401  (registers the routes on bp)
