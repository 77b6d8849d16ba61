from flask import Blueprint

bp = Blueprint("prevention", __name__, url_prefix="/prevention")

from . import routes  # noqa: E402,F401
