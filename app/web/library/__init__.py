from flask import Blueprint

# The 执法案例库 (POLICY 三(二)6): the units' search and the public pages of published typical
# cases. No URL prefix: the public pages live under /public like the other public pages.
bp = Blueprint("library", __name__)

from . import routes  # noqa: E402,F401
