"""The voice of the client (B1): requirements, listening activities, complaints and the cost of listening.

Its own blueprint, served under ``/clients`` beside the census (the census's clients are who speaks); the
survey engine lives in ``surveys/``. ``models`` holds the records; ``complaints``, ``requirements`` and
``listening`` the rules and the SQL counting of each register; ``costs`` the "is listening worth it?"
arithmetic; ``evidence`` B1's evidence; ``hooks`` what the other packages hear from here.
"""

from flask import Blueprint

bp = Blueprint("voice", __name__)

from voice import views  # noqa: E402,F401  (registers the routes on bp)
