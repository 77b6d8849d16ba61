"""服务企业（实施意见 三(一)）: the 帮扶需求清单 page. The processes themselves (局处长联系企业,
帮扶需求清单, 进园区进企业) run as cases through the ordinary case and task screens."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from app.assistance import needs as enterprise_service
from app.clock import china_today
from app.reference.roles import Role
from app.web.auth.access import access, user

from . import bp

NEED_READERS = (
    Role.UNIT_HEAD,
    Role.AGENCY_HEAD,
    Role.OFFICER,
    Role.CREDIT_OFFICER,
    Role.SUPERVISOR,
    Role.ADMIN,
)


@bp.route("/needs")
@access(*NEED_READERS)
def needs() -> ResponseReturnValue:
    """The assistance needs of the user's region scope, with where each one stands."""
    args = {key: request.args.get(key, "") for key in ("status", "before")}
    return render_template(
        "assistance/needs.html",
        page=enterprise_service.assistance_needs(user(), args, china_today()),
        args=args,
        can_start=Role.OFFICER.value in user().role_names,  # cases are started by officers
    )
