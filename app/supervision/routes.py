from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue

from app.auth.access import access, user
from app.htmx import redirect_to
from app.reference.roles import Role
from app.services import monitoring

from . import bp


@bp.route("/incidents")
@access(Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD)
def incidents() -> ResponseReturnValue:
    return render_template("supervision/incidents.html", rows=monitoring.open_incidents(user()))


@bp.route("/incidents/<int:incident_id>/retry", methods=["POST"])
@access(Role.SUPERVISOR, Role.ADMIN)
def retry(incident_id: int) -> ResponseReturnValue:
    monitoring.retry_incident(incident_id, user())
    return redirect_to(url_for("supervision.incidents"))


@bp.route("/notifications")
@access()
def notifications() -> ResponseReturnValue:
    return render_template(
        "supervision/notifications.html", rows=monitoring.notifications_for(user())
    )
