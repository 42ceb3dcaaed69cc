"""The survey engine: one engine for client satisfaction (B1) and staff participation (D1) surveys.

Staff run surveys under ``/surveys`` (blueprint ``surveys``); people answer through short public
links under ``/s`` (blueprint ``answer``), without an account.
"""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
answer_bp = Blueprint("answer", __name__)


from surveys import views  # noqa: E402,F401  (registers the routes on bp and answer_bp)
