from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth.access import access, user
from app.htmx import redirect_to
from app.reference.roles import Role
from app.services import ServiceError, monitoring
from app.services import audit as audit_service
from app.services import auth as auth_service

from . import bp


@bp.route("/incidents")
@access(Role.SUPERVISOR, Role.ADMIN, Role.UNIT_HEAD)
def incidents() -> ResponseReturnValue:
    return render_template("supervision/incidents.html", rows=monitoring.open_incidents(user()))


@bp.route("/incidents/<id:incident_id>/retry", methods=["POST"])
@access(Role.SUPERVISOR, Role.ADMIN)
def retry(incident_id: int) -> ResponseReturnValue:
    monitoring.retry_incident(incident_id, user())
    return redirect_to(url_for("supervision.incidents"))


@bp.route("/audit")
@access(Role.SUPERVISOR, Role.ADMIN)
def audit() -> ResponseReturnValue:
    return render_template(
        "supervision/audit.html",
        page=audit_service.search(user(), request.args),
        args=request.args,
        actions=sorted(audit_service.ACTION_LABELS.items(), key=lambda item: item[0]),
    )


@bp.route("/notifications")
@access()
def notifications() -> ResponseReturnValue:
    return render_template(
        "supervision/notifications.html", rows=monitoring.notifications_for(user())
    )


@bp.route("/tokens")
@access(Role.ADMIN)
def tokens() -> ResponseReturnValue:
    return render_template("supervision/tokens.html", rows=auth_service.list_tokens(), new=None)


@bp.route("/tokens", methods=["POST"])
@access(Role.ADMIN)
def issue_token() -> ResponseReturnValue:
    try:
        token = auth_service.issue_token(
            request.form.get("username", ""), request.form.get("name", ""), user()
        )
    except ServiceError as exc:
        rows = auth_service.list_tokens()
        page = render_template("supervision/tokens.html", rows=rows, new=None, error=str(exc))
        return page, exc.status
    return render_template("supervision/tokens.html", rows=auth_service.list_tokens(), new=token)


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@access(Role.ADMIN)
def revoke_token(token_id: int) -> ResponseReturnValue:
    auth_service.revoke_token(token_id, user())
    return redirect_to(url_for("supervision.tokens"))
