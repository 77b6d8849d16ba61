from flask import Blueprint

bp = Blueprint("assistance", __name__, url_prefix="/service")  # 服务企业: the URL stays /service

from . import routes  # noqa: E402,F401
