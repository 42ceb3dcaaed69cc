"""The voice of the client (B1): requirements, listening activities, complaints and the cost of listening.

Its own blueprint, served under ``/clients`` beside the census (the census's clients are who speaks); the
survey engine lives in ``surveys/``. ``models`` holds the records, ``services`` the rules and the SQL counting,
``costs`` the "is listening worth it?" arithmetic, ``hooks`` what the other packages hear from here.
"""

from flask import Blueprint

bp = Blueprint("voice", __name__)

from voice import views  # noqa: E402,F401  (registers the routes on bp)
