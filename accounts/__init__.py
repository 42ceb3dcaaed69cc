"""Signing in and out, one's own account, and the administration of users."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from accounts import views  # noqa: E402,F401  (registers the routes on bp)
