from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.enforcement import inbox as inbox_service
from app.platform import NotFound, ServiceError
from app.platform import audit as audit_service
from app.platform import auth as auth_service
from app.platform.regions import region_tree
from app.reference.enterprise import DOMAIN_LABELS
from app.reference.roles import Role
from app.supervision import dashboard as dashboard_service
from app.supervision import monitoring
from app.web.auth.access import access, user
from app.web.htmx import redirect_to, render_fragment_or_page

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


DASHBOARD_ROLES = (Role.SUPERVISOR, Role.AGENCY_HEAD, Role.UNIT_HEAD, Role.ADMIN)
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", dashboard_service.as_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        dashboard_service.as_xlsx,
    ),
}


@bp.route("/dashboard")
@access(*DASHBOARD_ROLES)
def dashboard() -> ResponseReturnValue:
    board = dashboard_service.build(user(), request.args)
    return render_fragment_or_page(
        "supervision/dashboard.html",
        "supervision/_dashboard_body.html",
        board=board,
        stages=inbox_service.filter_choices(user()).stages,
        domains=[(d.value, label) for d, label in DOMAIN_LABELS.items()],
        region_names=region_tree().names,
    )


@bp.route("/dashboard/<key>.<fmt>")
@access(*DASHBOARD_ROLES)
def dashboard_export(key: str, fmt: str) -> ResponseReturnValue:
    board = dashboard_service.build(user(), request.args)
    if fmt not in EXPORTS or key not in {t.key for t in board.tables}:
        raise NotFound("没有这个导出。")
    mimetype, render = EXPORTS[fmt]
    body = render(board.table(key))
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=tijian-{key}.{fmt}"},
    )


@bp.route("/heatmap")
@access(*DASHBOARD_ROLES)
def heatmap() -> ResponseReturnValue:
    processes = dashboard_service.heat_processes()
    process_id = request.args.get("process") or processes[0][0]
    cells = dashboard_service.heatmap(user(), process_id, request.args)
    return render_template(
        "supervision/heatmap.html",
        processes=processes,
        process_id=process_id,
        cells=cells,
        args=request.args,
    )


@bp.route("/heatmap/<process_id>.bpmn")
@access(*DASHBOARD_ROLES)
def heatmap_diagram(process_id: str) -> ResponseReturnValue:
    return Response(dashboard_service.heat_diagram(process_id), mimetype="application/xml")


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
@access()
def tokens() -> ResponseReturnValue:
    return _tokens_page()


def _tokens_page(new: str | None = None, error: ServiceError | None = None) -> ResponseReturnValue:
    """Everyone's own tokens; an admin also those of the integration accounts of their region."""
    page = render_template(
        "supervision/tokens.html",
        own=auth_service.own_tokens(user()),
        integration=auth_service.integration_tokens(user()),
        accounts=auth_service.integration_accounts(user()),
        new=new,
        error=str(error) if error else None,
        form=request.form if error else {},
    )
    return (page, error.status) if error else page


@bp.route("/tokens/mine", methods=["POST"])
@access()
def create_own_token() -> ResponseReturnValue:
    try:
        token = auth_service.create_own_token(user(), request.form.get("name", ""))
    except ServiceError as exc:
        return _tokens_page(error=exc)
    return _tokens_page(new=token)


@bp.route("/tokens", methods=["POST"])
@access(Role.ADMIN)
def issue_token() -> ResponseReturnValue:
    form = request.form
    try:
        token = auth_service.issue_token(
            form.get("username", ""), form.get("name", ""), form.get("reason", ""), user()
        )
    except ServiceError as exc:
        return _tokens_page(error=exc)
    return _tokens_page(new=token)


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@access()
def revoke_token(token_id: int) -> ResponseReturnValue:
    auth_service.revoke_token(token_id, user())
    return redirect_to(url_for("supervision.tokens"))
