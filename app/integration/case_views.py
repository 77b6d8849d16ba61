"""The JSON views of cases and tasks for other government systems (same rules as the screens)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import url_for
from sqlalchemy import bindparam, func, select

import forms
from app.clock import china_today
from app.enforcement import documents as document_service
from app.enforcement import enterprises, investigators, payments, relief, violation_types
from app.enforcement import inbox as inbox_service
from app.enforcement.cases import ReadyTask, case_data, case_tasks, get_case_for_user, open_case
from app.enforcement.enterprises import HealthCheck, add_enterprise, health_record
from app.enforcement.rectification import linked_cases
from app.enforcement.tasks import (
    complete_task,
    ensure_can_complete,
    get_task_for_user,
    inbox,
    next_task_for,
    ready_after,
)
from app.extensions import commit_keeping, db
from app.integration import events
from app.models import (
    AuditEvent,
    Case,
    Document,
    Enterprise,
    HumanTask,
    Incident,
    Job,
    ProcessVersion,
    User,
    utcnow,
)
from app.platform import Conflict, Forbidden, InvalidInput
from app.platform.regions import in_scope, region_tree, scope_of
from app.platform.row_ids import MAX_ROW_ID, ascii_number
from app.platform.workflows import startable_versions
from app.reference.provinces import PROVINCES

PAGE_SIZE = 50
WORKER_GRACE = dt.timedelta(minutes=2)  # a due timer older than this means no worker runs


class FieldErrors(InvalidInput):
    def __init__(self, message: str, details: dict[str, Any]):
        super().__init__(message)
        self.details = details


def processes() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.id)
    ).scalars()
    startable = {v.id for v in startable_versions()}
    return [
        {
            "process_id": v.process_id,
            "name": v.name,
            "version": v.bundle_hash,
            "version_id": v.id,
            "active": v.is_active,
            "startable": v.id in startable,
            "deployed_at": v.deployed_at.isoformat(),
        }
        for v in rows
    ]


def _case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "case_no": case.case_no,
        "filing_no": case.filing_no,
        "title": case.title,
        "stage": case.stage,
        "status": case.status,
        "region_code": case.region_code,
        "enterprise": {"name": case.enterprise.name, "credit_code": case.enterprise.credit_code},
        "opened_at": case.opened_at.isoformat(),
        "has_incident": case.has_incident,
        # the 90-day decision clock: RUNNING | PAUSED | SUSPENDED (移送中止) | STOPPED | None
        "decision_clock": case.decision_clock,
        "decision_due": case.decision_due.isoformat() if case.decision_due else None,
    }


def cases(user: User, args: Mapping[str, str]) -> tuple[list[dict[str, Any]], int | None]:
    """One page of cases in the user's scope, oldest first; the cursor is the last id."""
    query = select(Case).order_by(Case.id).limit(PAGE_SIZE + 1)
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Case.region_code.in_(scope))
    if args.get("region"):
        query = query.where(Case.region_code.in_(region_tree().descendants(args["region"])))
    if args.get("stage"):
        query = query.where(Case.stage == args["stage"])
    if args.get("status"):
        query = query.where(Case.status == args["status"])
    if args.get("enterprise"):
        query = query.join(Enterprise).where(Enterprise.credit_code == args["enterprise"])
    after = args.get("after", "")
    if after:
        cursor = ascii_number(after, MAX_ROW_ID)
        if cursor is None:
            raise FieldErrors("after: 应为整数游标", {"after": "应为整数游标"})
        query = query.where(Case.id > cursor)
    rows = list(db.session.execute(query).scalars())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return [_case_summary(c) for c in rows], (rows[-1].id if more else None)


def enterprise_record(
    enterprise_id: int, user: User, query: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The 体检档案 for other systems (e.g. a first-offense check before they decide: the query
    names the violation type and date, see `health_record`)."""
    record = health_record(enterprise_id, user, query)
    lookback = record.lookback
    return {
        "enterprise": _enterprise(record.enterprise),
        "publicity": record.publicity,
        "first_offense_lookback": {
            "years": lookback.years,
            "decisions": len(lookback.found),
            "first_offense": lookback.first_offense,
            "violation_type": lookback.violation_code,
            "violated_on": lookback.until.isoformat(),
            "since": lookback.since.isoformat(),
            "found": [_check(c) for c in lookback.found],
            "untyped": [_check(c) for c in lookback.untyped],
        },
        "checks": [_check(c) for c in record.checks],
        "cases": [_case_summary(c) for c in record.cases],
    }


def _check(check: HealthCheck) -> dict[str, Any]:
    return {
        "on": check.on.isoformat(),
        "kind": check.kind,
        "case_id": check.case_id,
        "case_no": check.case_no,
        "summary": check.summary,
        "violation_type": check.violation_code,
    }


def case_detail(case_id: int, user: User) -> dict[str, Any]:
    case = get_case_for_user(case_id, user)
    timeline = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id))
        .order_by(AuditEvent.id)
    ).scalars()
    deadlines = db.session.execute(select(Job.due_at).where(Job.case_id == case.id)).scalars().all()
    linked = linked_cases(case)
    data = case_data(case)
    return {
        **_case_summary(case),
        # a failed rectification check opens a new case: the two name each other
        "follows_case_no": linked.follows.case_no if linked.follows else None,
        "followed_by_case_nos": [c.case_no for c in linked.followed_by],
        "data": data,
        "enforcement": payments.overview(case, data),
        "relief": relief.overview(case.id),
        "documents": [document_view(d) for d in document_service.documents_of(case)],
        "officers": [
            {
                "duty": o.duty,
                "user_id": o.user_id,
                "name": o.display_name,
                "cert_no": o.cert_no,
            }
            for o in investigators.officers_of(case.id)
        ],
        "tasks": [_task_summary(t) for t in case_tasks(case)],
        "next_timer": deadlines[0].isoformat() if deadlines else None,
        "timeline": [
            {"at": e.occurred_at.isoformat(), "action": e.action, "actor": e.actor_name}
            for e in timeline
        ],
    }


def document_view(document: Document) -> dict[str, Any]:
    """A document as the case resource lists it: its status (live, corrected, revoked), what it
    corrects and what replaced it, and where to download it."""
    return {
        "id": document.id,
        "type": document.doc_type,
        "title": document.title,
        "doc_no": document.doc_no,
        "version": document.version,
        "issued_at": document.issued_at.isoformat(),
        "status": document.status.lower(),
        "corrects_id": document.supersedes_id,
        "superseded_by_id": document.superseded_by_id,
        "change_reason": document.change_reason,
        "changed_at": document.changed_at.isoformat() if document.changed_at else None,
        "download": url_for("api.document", document_id=document.id),
    }


def issue_document(case_id: int, code: str, body: Any, user: User) -> dict[str, Any]:
    """Issue a document, as the case page does. A type already in force is refused (409) unless
    the body asks for a correction or revocation with a reason,
    {"change": {"action": "CORRECT" | "REVOKE", "reason": "…", "confirm": true}}; without
    "confirm": true the answer is 409 with what the change would do."""
    if body is None:
        body = {}
    if not isinstance(body, dict) or not isinstance(body.get("change", {}), dict):
        raise FieldErrors("请求体应为 JSON 对象", {"body": "JSON object expected"})
    asked = body.get("change")
    if asked is None:
        return document_view(document_service.issue(case_id, code, user))
    change = document_service.Change(
        str(asked.get("action") or ""), str(asked.get("reason") or ""), asked.get("confirm") is True
    )
    if not change.confirmed:
        plan = document_service.plan_change(case_id, code, user, change)
        raise ConfirmationNeeded(plan.describe())
    return document_view(document_service.issue(case_id, code, user, change))


class ConfirmationNeeded(Conflict):
    def __init__(self, documents: list[dict[str, Any]]):
        super().__init__(
            '更正或撤销文书须确认：请核对将要处理的文书后，以 "confirm": true 重新提交。'
        )
        self.details = {"confirm_required": True, "documents": documents}


def _task_summary(task: HumanTask | ReadyTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "case_id": task.case_id,
        "name": task.name,
        "bpmn_id": task.bpmn_id,
        "form_key": task.form_key,
        "lane": task.lane,
        "state": task.state,
        "assignee_id": task.assignee_id,
        "created_at": task.created_at.isoformat(),
    }


def tasks(user: User) -> list[dict[str, Any]]:
    return [{**_task_summary(t), "case_no": t.case.case_no} for t in inbox(user)]


def task_detail(task_id: int, user: User) -> dict[str, Any]:
    task = get_task_for_user(task_id, user)
    form_class = forms.form_class_for(task.form_key or "")
    return {
        **_task_summary(task),
        "case_no": task.case.case_no,
        "instructions": task.instructions,
        "documentation": task.documentation,
        "form": {"key": task.form_key, "title": form_class.title, "fields": _fields(task)},
    }


def _fields(task: HumanTask) -> list[dict[str, Any]]:
    """The screen's fields; a choice of accounts offers the accounts the case allows."""
    fields = forms.form_class_for(task.form_key or "").describe()
    for field in fields:
        if field["name"] == violation_types.CODE_FIELD:
            field["choices"] = [
                {"value": entry.code, "label": entry.name} for entry in violation_types.catalogue()
            ]
        if field["type"] == "accounts":
            field["choices"] = [
                {"value": u.id, "label": investigators.label(u)}
                for u in investigators.candidates(task.case)
            ]
    return fields


def claim(task_id: int, user: User) -> dict[str, Any]:
    inbox_service.claim(task_id, user)
    return _task_summary(get_task_for_user(task_id, user))


def complete(task_id: int, body: Any, user: User) -> dict[str, Any]:
    task = get_task_for_user(task_id, user)
    if not isinstance(body, dict):
        raise FieldErrors("请求体应为 JSON 对象", {"body": "JSON object expected"})
    ensure_can_complete(task, user)
    form_class = forms.form_class_for(task.form_key or "")
    unknown = sorted(set(body) - form_class.field_names())
    if unknown:
        raise FieldErrors("存在此表单没有的字段", {name: "unknown field" for name in unknown})
    form = form_class.from_json(body, china_today())
    if not form.validate():
        raise FieldErrors("提交的内容有误", {k: list(v) for k, v in form.errors.items()})
    case = task.case  # held here, its values are kept by the commit: no query after it
    ready = complete_task(task, form.to_task_data(), user)
    next_task = next_task_for(user, ready)
    return {
        "case": _case_summary(case),
        "next_task": _task_summary(next_task) if next_task else None,
        "ready_tasks": [_task_summary(t) for t in ready],
    }


def _enterprise(e: Enterprise) -> dict[str, Any]:
    return {
        "id": e.id,
        "credit_code": e.credit_code,
        "name": e.name,
        "party_type": e.party_type,
        "domain": e.domain,
        "credit_class": e.credit_class,
        "region_code": e.region_code,
        "registration_province": e.registration_province,
        "registration_province_name": PROVINCES[e.registration_province],
        "address": e.address,
        "legal_representative": e.legal_representative,
    }


# what registers an enterprise: the identifying fields (required), then the optional ones
_REQUIRED = ("credit_code", "name", "party_type", "domain", "credit_class", "region_code")
_OPTIONAL = ("registration_province", "address", "legal_representative")


def _added(fields: Mapping[str, Any], user: User) -> Enterprise:
    """An enterprise from the API's JSON, in the caller's transaction (InvalidInput: reasons)."""
    unknown = sorted(set(fields) - {*_REQUIRED, *_OPTIONAL})
    if unknown:
        raise InvalidInput(f"未知字段: {'、'.join(unknown)}")
    optional = {name: fields[name] for name in _OPTIONAL if fields.get(name) is not None}
    if not all(isinstance(value, str) for value in optional.values()):
        raise InvalidInput("registration_province、address、legal_representative 应为文字")
    return add_enterprise(*(str(fields.get(f, "")) for f in _REQUIRED), actor=user, **optional)


def create_enterprise(user: User, body: Any) -> dict[str, Any]:
    """Register an enterprise (经营主体) in the caller's region scope; 422 with the reasons."""
    if not isinstance(body, dict):
        raise FieldErrors("请求体应为 JSON 对象", {"body": "JSON object expected"})
    try:
        enterprise = _added(body, user)
    except InvalidInput as exc:
        raise FieldErrors("提交的内容有误", {"enterprise": str(exc)}) from None
    if not in_scope(user, enterprise.region_code):
        db.session.rollback()
        raise Forbidden("该区域不在您的管辖范围内。")
    commit_keeping(enterprise)
    return {"enterprise": _enterprise(enterprise)}


def update_enterprise(enterprise_id: int, user: User, body: Any) -> dict[str, Any]:
    """Correct the registration details (登记地, 住所, 法定代表人); 422 with the reasons."""
    if not isinstance(body, dict):
        raise FieldErrors("请求体应为 JSON 对象", {"body": "JSON object expected"})
    try:
        enterprise = enterprises.update_enterprise(enterprise_id, user, body)
    except InvalidInput as exc:
        raise FieldErrors("提交的内容有误", {"enterprise": str(exc)}) from None
    return {"enterprise": _enterprise(enterprise)}


_PARTY_BY_CODE = select(Enterprise).where(Enterprise.credit_code == bindparam("code"))


def start_case(user: User, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise FieldErrors("请求体应为 JSON 对象", {"body": "JSON object expected"})
    process_id = body.get("process_id", "enforcement_case")
    inline = body.get("enterprise")
    code = inline.get("credit_code") if isinstance(inline, dict) else body.get("credit_code")
    title, entry = body.get("title"), body.get("entry", "CLUE")
    problems = {}
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        problems["title"] = "必填，1 至 200 个字符"
    if entry not in ("CLUE", "INSPECTION", "WARNING"):
        problems["entry"] = "取值应为 CLUE、INSPECTION、WARNING 之一"
    enterprise = (
        db.session.execute(_PARTY_BY_CODE, {"code": code}).scalar_one_or_none()
        if isinstance(code, str)
        else None
    )
    if enterprise is None and isinstance(inline, dict) and not problems:
        try:  # a new enterprise, registered in the same transaction as the case
            enterprise = _added(inline, user)
        except InvalidInput as exc:
            problems["enterprise"] = str(exc)
    elif enterprise is None:
        problems["credit_code"] = "未登记的经营主体（或在 enterprise 中提供新经营主体）"
    if problems:
        raise FieldErrors("提交的内容有误", problems)
    assert enterprise is not None  # noqa: S101 - checked above
    case, known = open_case(user, process_id, enterprise.id, str(title), str(entry))
    ready = ready_after(case.id, known)
    commit_keeping(case, enterprise)
    return {**_case_summary(case), "ready_tasks": [_task_summary(t) for t in ready]}


def health() -> dict[str, Any]:
    now = utcnow()
    db.session.execute(select(1))
    lagging = db.session.execute(
        select(func.count())
        .select_from(Job)
        .where(Job.failed.is_(False), Job.due_at < now - WORKER_GRACE)
    ).scalar_one()
    incidents = db.session.execute(
        select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None))
    ).scalar_one()
    return {
        "database": "ok",
        "worker": "lagging" if lagging else "ok",
        "overdue_jobs": lagging,
        "open_incidents": incidents,
    }


def order_rectification(case_id: int, body: Any, user: User) -> dict[str, Any]:
    """责令改正 from filing to the decision, as on the case page (《行政处罚法》第二十八条)."""
    get_case_for_user(case_id, user)  # another region's case: 403 whatever the body
    case, document = events.order_rectification(case_id, body, user)
    return {
        **_case_summary(case),
        "document": {"id": document.id, "doc_no": document.doc_no, "title": document.title},
    }


def request_extension(case_id: int, body: Any, user: User) -> dict[str, Any]:
    """The officer asks for more time to decide, as on the case page (程序规定第六十四条)."""
    get_case_for_user(case_id, user)  # another region's case: 403 whatever the body
    if not isinstance(body, dict) or not isinstance(body.get("reason"), str):
        raise InvalidInput("reason: 必填，请写明提请延长办案期限的理由 (a reason is required)")
    case = events.request_extension(case_id, body["reason"], user)
    return {**_case_summary(case), "extension_requested": True}


def record_relief(case_id: int, body: Any, user: User) -> dict[str, Any]:
    """The party's 复议 or 诉讼 against the decision (stage R)."""
    get_case_for_user(case_id, user)  # another region's case: 403 whatever the body
    case = events.record_relief(case_id, body, user)
    return {**_case_summary(case), "relief_recorded": True}


def record_relief_result(case_id: int, body: Any, user: User) -> dict[str, Any]:
    """The result of the 复议 or 诉讼 (stage R; stage H hears of it)."""
    get_case_for_user(case_id, user)
    case = events.record_relief_result(case_id, body, user)
    return {**_case_summary(case), "relief_result_recorded": True}
