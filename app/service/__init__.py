from flask import Blueprint

bp = Blueprint("service", __name__, url_prefix="/service")

from . import routes  # noqa: E402,F401
