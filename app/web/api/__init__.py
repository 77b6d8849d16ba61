"""The JSON API under /api/v1 (token-authenticated, no CSRF: no cookies are involved)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401
