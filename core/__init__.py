"""What every Fideliza capability shares: extensions, accounts, access policy, audit, files, UI."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from core import transitions, views  # noqa: E402,F401  (the state-change history's model; the routes on bp)
