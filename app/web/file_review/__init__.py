from flask import Blueprint

bp = Blueprint("file_review", __name__, url_prefix="/review")  # 案卷评查

from . import routes  # noqa: E402,F401
