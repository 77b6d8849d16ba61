from flask import Blueprint

# Pages anyone may read without logging in (POLICY 三(二)4: the guidance list is made public).
bp = Blueprint("public", __name__, url_prefix="/public")

from . import routes  # noqa: E402,F401
