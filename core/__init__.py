"""What every Fideliza capability shares: extensions, accounts, access policy, audit, files, UI."""

from flask import Blueprint

bp = Blueprint("core", __name__)

# views registers the routes on bp; transitions holds the state-change history's model; audit_chain seals the
# audit trail at every commit, whoever writes.
from core import audit_chain, transitions, views  # noqa: E402,F401
