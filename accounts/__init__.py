"""Signing in and out, one's own account, and the administration of users."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from accounts import token_views, two_factor_views, views  # noqa: E402,F401  (register the routes on bp)
