from flask import Blueprint

bp = Blueprint("designer", __name__, url_prefix="/designer")

from . import routes  # noqa: E402,F401
