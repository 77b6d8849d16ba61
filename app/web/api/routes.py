from __future__ import annotations

from flask import Response, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.enforcement import documents as document_service
from app.integration import case_views as api_service
from app.integration import events
from app.platform import decisions
from app.reference.roles import ENTERPRISE_KEEPERS, Role
from app.web.auth.access import api_access, api_user, public

from . import bp
from .openapi import document as openapi_document

ANY_ROLE: tuple[Role, ...] = tuple(Role)
TASK_ROLES = (
    Role.OFFICER,
    Role.UNIT_HEAD,
    Role.LEGAL_REVIEWER,
    Role.HEARING_OFFICER,
    Role.AGENCY_HEAD,
    Role.CREDIT_OFFICER,
)


@bp.route("/events", methods=["POST"])
@api_access(Role.OFFICER, Role.CREDIT_OFFICER, Role.SUPERVISOR, Role.ADMIN)
def post_event() -> ResponseReturnValue:
    status, answer = events.receive(api_user(), request.get_json(silent=True))
    return answer, status


@bp.route("/decisions/<decision_id>/evaluate", methods=["POST"])
@api_access(*ANY_ROLE)
def evaluate_decision(decision_id: str) -> ResponseReturnValue:
    return decisions.evaluate(decision_id, request.get_json(silent=True))


@bp.route("/calendar/deadline")
@api_access(*ANY_ROLE)
def calendar_deadline() -> ResponseReturnValue:
    args = request.args
    return decisions.deadline(args.get("start"), args.get("amount"), args.get("unit"))


@bp.route("/processes")
@api_access(*ANY_ROLE)
def processes() -> ResponseReturnValue:
    return {"processes": api_service.processes()}


@bp.route("/cases")
@api_access(*ANY_ROLE)
def cases() -> ResponseReturnValue:
    page, cursor = api_service.cases(api_user(), request.args)
    query: dict[str, str] = {**request.args, "after": str(cursor)}
    following = url_for("api.cases", **query) if cursor else None  # type: ignore[arg-type]
    return {"cases": page, "next": following}


@bp.route("/cases", methods=["POST"])
@api_access(Role.OFFICER)
def start_case() -> ResponseReturnValue:
    return api_service.start_case(api_user(), request.get_json(silent=True)), 201


@bp.route("/cases/<id:case_id>")
@api_access(*ANY_ROLE)
def case(case_id: int) -> ResponseReturnValue:
    return api_service.case_detail(case_id, api_user())


@bp.route("/cases/<id:case_id>/extension", methods=["POST"])
@api_access(Role.OFFICER)
def request_extension(case_id: int) -> ResponseReturnValue:
    return api_service.request_extension(case_id, request.get_json(silent=True), api_user()), 202


@bp.route("/cases/<id:case_id>/relief", methods=["POST"])
@api_access(Role.OFFICER)
def record_relief(case_id: int) -> ResponseReturnValue:
    return api_service.record_relief(case_id, request.get_json(silent=True), api_user()), 202


@bp.route("/cases/<id:case_id>/relief/result", methods=["POST"])
@api_access(Role.OFFICER)
def record_relief_result(case_id: int) -> ResponseReturnValue:
    body = request.get_json(silent=True)
    return api_service.record_relief_result(case_id, body, api_user()), 202


@bp.route("/cases/<id:case_id>/rectification-order", methods=["POST"])
@api_access(Role.OFFICER)
def order_rectification(case_id: int) -> ResponseReturnValue:
    return api_service.order_rectification(case_id, request.get_json(silent=True), api_user()), 201


@bp.route("/cases/<id:case_id>/documents/<code>", methods=["POST"])
@api_access(Role.OFFICER)
def issue_document(case_id: int, code: str) -> ResponseReturnValue:
    body = request.get_json(silent=True)
    return api_service.issue_document(case_id, code, body, api_user()), 201


@bp.route("/enterprises/<id:enterprise_id>")
@api_access(*ANY_ROLE)
def enterprise(enterprise_id: int) -> ResponseReturnValue:
    return api_service.enterprise_record(enterprise_id, api_user(), request.args)


@bp.route("/enterprises", methods=["POST"])
@api_access(*ENTERPRISE_KEEPERS)
def create_enterprise() -> ResponseReturnValue:
    return api_service.create_enterprise(api_user(), request.get_json(silent=True)), 201


@bp.route("/enterprises/<id:enterprise_id>", methods=["PATCH"])
@api_access(*ENTERPRISE_KEEPERS)
def update_enterprise(enterprise_id: int) -> ResponseReturnValue:
    return api_service.update_enterprise(enterprise_id, api_user(), request.get_json(silent=True))


@bp.route("/tasks")
@api_access(*TASK_ROLES)
def tasks() -> ResponseReturnValue:
    return {"tasks": api_service.tasks(api_user())}


@bp.route("/tasks/<id:task_id>")
@api_access(*TASK_ROLES)
def task(task_id: int) -> ResponseReturnValue:
    return api_service.task_detail(task_id, api_user())


@bp.route("/tasks/<id:task_id>/claim", methods=["POST"])
@api_access(*TASK_ROLES)
def claim(task_id: int) -> ResponseReturnValue:
    return api_service.claim(task_id, api_user())


@bp.route("/tasks/<id:task_id>/complete", methods=["POST"])
@api_access(*TASK_ROLES)
def complete(task_id: int) -> ResponseReturnValue:
    return api_service.complete(task_id, request.get_json(silent=True), api_user())


@bp.route("/health")
@api_access(*ANY_ROLE)
def health() -> ResponseReturnValue:
    return jsonify(api_service.health())


@bp.route("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.route("/docs")
@public
def docs() -> ResponseReturnValue:
    return render_template("api/docs.html", spec=openapi_document())


@bp.route("/documents/<id:document_id>")
@api_access(*ANY_ROLE)
def document(document_id: int) -> ResponseReturnValue:
    """The issued PDF; `?format=html` for the HTML it was rendered from."""
    issued = document_service.get_document_for_user(document_id, api_user())
    if request.args.get("format") == "html":
        return Response(issued.html, mimetype="text/html")
    return Response(issued.pdf, mimetype="application/pdf")
