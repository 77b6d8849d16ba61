from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from app.auth.access import api_access, api_user
from app.reference.roles import Role
from app.services import events

from . import bp


@bp.route("/events", methods=["POST"])
@api_access(Role.OFFICER, Role.CREDIT_OFFICER, Role.SUPERVISOR, Role.ADMIN)
def post_event() -> ResponseReturnValue:
    body = request.get_json(silent=True)
    status, answer = events.receive(api_user(), body)
    return answer, status
