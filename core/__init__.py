"""What every Fideliza capability shares: extensions, accounts, access policy, audit, files, UI."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from core import views  # noqa: E402,F401  (registers the routes on bp)
