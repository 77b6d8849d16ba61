"""External events (12315/12345 work orders, the party's requests, bank and court replies).

Each event reaches exactly the case it names; a client's event id is remembered with the answer
it got, so a repeated delivery answers the same and has no second effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.calendar import Unit
from app.clock import china_today
from app.enforcement import case_clock, payments, relief
from app.enforcement.cases import (
    apply_run_result,
    awaits_party,
    get_case_for_user,
    lock_instance,
    open_case,
)
from app.enforcement.documents import write_document
from app.enforcement.seizure import STILL_SEIZED, leaves_goods_seized
from app.engine import EngineError, InvalidTaskData, MessageNotExpected
from app.extensions import db
from app.models import (
    Case,
    Document,
    Enterprise,
    ExternalEvent,
    Notification,
    User,
    WorkflowInstance,
)
from app.platform import Conflict, Forbidden, InvalidFields, InvalidInput
from app.platform.audit import record
from app.platform.parameters import run_context, work_calendar
from app.platform.regions import in_scope
from app.platform.workflows import engine
from app.prevention.complaints import import_rows
from app.reference.complaints import COLUMNS
from app.reference.roles import Role
from forms.base import N_
from forms.inspection import RectificationOrderForm

# event type → the BPMN message it delivers to the case's process
MESSAGES = {
    "hearing_request": "hearing_request",
    "statement": "party_statement",
    "waiver": "party_waiver",
    "judicial_reply": "judicial_reply",
    # the party's 信用修复申请 (or its re-application after the notice to complete it), which the
    # credit officer then accepts or not (stage L)
    "repair_application": "repair_application",
}
# events recorded on the case for the officer (the screens take them from there)
NOTICES = {
    "rectification_report": "当事人提交了整改报告",
    "payment_confirmed": "银行确认罚款已缴纳",
}
# events that concern no case: the 12315/12345 work orders for the hotspots
WITHOUT_CASE = ("complaint_received", "work_orders")
MAX_WORK_ORDERS = 5000  # per event
TYPES = sorted({*WITHOUT_CASE, *MESSAGES, *NOTICES})
# what an officer may record on the case page when the party hands it in on paper or in person
PARTY_REQUESTS = {
    "statement": N_("陈述、申辩"),
    "hearing_request": N_("听证申请"),
    "waiver": N_("书面放弃陈述、申辩和听证权利"),
    "repair_application": N_("信用修复申请"),
}

# 责令改正 from filing to the decision (main process m_rect_* on stages D–G)
RECTIFICATION_MESSAGE = "rectification_order"
NOT_NOW = N_(
    "案件当前不能责令改正：立案后至作出处理决定前可以责令改正，同一阶段内一次；"
    "决定后在整改核查中责令改正。"
)
WAIVER_NOT_IN_VERSION = N_(
    "本案按原流程版本办理，不能记录书面放弃：收到陈述申辩、听证申请或者期限届满后进入下一步；"
    "期满前不得作出处罚决定。"
)
Answer = tuple[int, dict[str, Any]]
Outcome = tuple[int, dict[str, Any], int | None]  # status, answer, case id


def receive(client: User, body: Any) -> Answer:
    problem = _invalid(body)
    if problem:
        return 422, _error(422, problem)
    previous = db.session.execute(
        select(ExternalEvent).where(
            ExternalEvent.client_id == client.id, ExternalEvent.event_id == body["event_id"]
        )
    ).scalar_one_or_none()
    if previous is not None:
        return previous.status, {**previous.response, "repeated": True}
    status, answer, case_id = _handle(client, body)
    if status >= 400:
        db.session.rollback()
    db.session.add(
        ExternalEvent(
            client_id=client.id,
            event_id=body["event_id"],
            type=body["type"],
            case_id=case_id,
            payload=body.get("payload") or {},
            status=status,
            response=answer,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same event id arrived twice at the same moment
        db.session.rollback()
        return receive(client, body)
    return status, answer


ERROR_CODES = {403: "forbidden", 404: "not_found", 409: "conflict", 422: "invalid_input"}


def _error(status: int, message: str) -> dict[str, Any]:
    return {"error": ERROR_CODES[status], "message": message, "details": {}}


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "请求体应为 JSON 对象 (JSON object expected)"
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 100:
        return "event_id: 必填，1 至 100 个字符"
    if body.get("type") not in TYPES:
        return f"type: 取值应为 {', '.join(TYPES)} 之一"
    if "payload" in body and not isinstance(body["payload"], dict):
        return "payload: 应为 JSON 对象"
    if body["type"] not in WITHOUT_CASE and not isinstance(body.get("case_no"), str):
        return "case_no: 必填"
    return None


def _handle(client: User, body: dict[str, Any]) -> Outcome:
    payload: dict[str, Any] = body.get("payload") or {}
    kind = body["type"]
    case = None
    if isinstance(body.get("case_no"), str):
        case = db.session.execute(
            select(Case).where(Case.case_no == body["case_no"])
        ).scalar_one_or_none()
        if case is None:
            return 404, _error(404, f"案件 {body['case_no']} 不存在"), None
        if not in_scope(client, case.region_code):
            return 403, _error(403, "无权向其他地区的案件发送事件"), None
    if kind == "complaint_received":
        return _complaint(client, case, payload)
    if kind == "work_orders":
        return _work_orders(client, payload)
    assert case is not None  # noqa: S101 - checked by _invalid
    if kind == "waiver" and not str(payload.get("text") or "").strip():
        reason = "payload.text: 书面放弃须写明当事人的表示 (the party's written words are required)"
        return 422, _error(422, reason), case.id
    if kind in MESSAGES:
        return _message(client, case, MESSAGES[kind], payload)
    _notify_officers(case, f"{NOTICES[kind]}（案件 {case.case_no}）。")
    record(kind, "case", case.id, actor=client, region_code=case.region_code, payload=payload)
    return 202, {"case_no": case.case_no, "recorded": kind}, case.id


def _work_orders(client: User, payload: dict[str, Any]) -> Outcome:
    """12315/12345 work orders for the hotspots, checked row by row like an imported file."""
    if not client.role_names & {Role.CREDIT_OFFICER.value, Role.ADMIN.value}:
        return 403, _error(403, "只有信用监管人员或管理员可以导入工单"), None
    orders = payload.get("work_orders")
    if not isinstance(orders, list) or not 1 <= len(orders) <= MAX_WORK_ORDERS:
        reason = f"payload.work_orders: 应为 1 至 {MAX_WORK_ORDERS} 个工单的列表"
        return 422, _error(422, reason), None
    if not all(isinstance(order, dict) for order in orders):
        return 422, _error(422, "payload.work_orders: 每个工单应为 JSON 对象"), None
    rows = [
        (number, {COLUMNS[key]: value for key, value in order.items() if key in COLUMNS})
        for number, order in enumerate(orders, start=1)
    ]
    report = import_rows(rows, "API", client)
    answer = {
        "import_id": report.import_id,
        "accepted": report.accepted,
        "rejected": [
            {"row": item.row, "order_no": item.order_no, "reasons": list(item.reasons)}
            for item in report.refused
        ],
    }
    return 201, answer, None


def _complaint(
    client: User, case: Case | None, payload: dict[str, Any]
) -> tuple[int, dict[str, Any], int | None]:
    if case is not None:  # joins an existing case
        _notify_officers(case, f"案件 {case.case_no} 收到新的投诉举报工单。")
        record(
            "complaint_received",
            "case",
            case.id,
            actor=client,
            region_code=case.region_code,
            payload=payload,
        )
        return 202, {"case_no": case.case_no, "joined": True}, case.id
    code = payload.get("credit_code")
    enterprise = (
        db.session.execute(
            select(Enterprise).where(Enterprise.credit_code == code)
        ).scalar_one_or_none()
        if isinstance(code, str)
        else None
    )
    if enterprise is None:
        return 404, _error(404, "payload.credit_code: 未登记的经营主体"), None
    summary = str(payload.get("summary") or "投诉举报")[:200]
    try:  # committed together with the event record, so a retry cannot open a second case
        opened, _ = open_case(client, "enforcement_case", enterprise.id, summary, "CLUE")
    except Forbidden as exc:
        return 403, _error(403, str(exc)), None
    answer = {"case_no": opened.case_no, "case_id": opened.id, "stage": opened.stage}
    return 201, answer, opened.id


def _message(
    client: User, case: Case, message: str, payload: dict[str, Any]
) -> tuple[int, dict[str, Any], int | None]:
    instance_id = db.session.execute(
        select(WorkflowInstance.id).where(WorkflowInstance.case_id == case.id)
    ).scalar_one()
    instance = lock_instance(instance_id)
    try:
        result = engine().deliver_message(instance.state, message, payload, run_context())
    except MessageNotExpected:
        return 409, _error(409, f"案件 {case.case_no} 当前不在等待该事件"), case.id
    except (InvalidTaskData, EngineError) as exc:
        return 422, _error(422, str(exc)), case.id
    if leaves_goods_seized(result):
        return 409, _error(409, STILL_SEIZED), case.id
    apply_run_result(case, instance, result)
    case_clock.follow_message(case, message, payload, result, client)
    record(message, "case", case.id, actor=client, region_code=case.region_code, payload=payload)
    return 202, {"case_no": case.case_no, "delivered": message, "stage": case.stage}, case.id


def _notify_officers(case: Case, message: str) -> None:
    db.session.add(
        Notification(
            case_id=case.id,
            role=Role.OFFICER.value,
            region_code=case.region_code,
            kind="EVENT",
            message=message,
        )
    )


def request_extension(case_id: int, reason: str, user: User) -> Case:
    """The officer asks for more time to decide (程序规定第六十四条), in any stage from the
    investigation to the decision: the head approves the first extension, the heads discuss
    any further one (main process m_ext_*); the clock's ledger records the request."""
    case = get_case_for_user(case_id, user)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise InvalidInput(N_("请填写延长办案期限的理由（不超过 2000 字）。"))
    # one request at a time: the checks below read what the previous request wrote
    lock_instance(
        db.session.execute(
            select(WorkflowInstance.id).where(WorkflowInstance.case_id == case.id)
        ).scalar_one()
    )
    case_clock.ensure_extension_requestable(case)
    payload = {"reason": reason, "granted": case_clock.extensions_granted(case)}
    for message in case_clock.EXTENSION_MESSAGES:
        status, answer, _ = _message(user, case, message, payload)
        if status != 409:  # 409: this stage's catch for it has been used
            break
    if status != 202:
        db.session.rollback()
        if status == 409:
            raise Conflict(
                N_(
                    "案件当前阶段不能提请延长办案期限（立案后至作出处理决定前可以提请；"
                    "同一阶段内至多提请两次）。"
                )
            )
        raise InvalidInput(str(answer["message"]))
    db.session.commit()
    return case


def order_rectification(case_id: int, body: Any, user: User) -> tuple[Case, Document]:
    """责令改正 after filing, before the decision (《行政处罚法》第二十八条第一款; DOMAIN.md C6):
    the officer serves the 责令改正通知书 with its period (0 working days: 立即改正); the case
    keeps it for the rectification check (stage I checks against it, not a second order)."""
    case = get_case_for_user(case_id, user)
    if Role.OFFICER.value not in user.role_names:
        raise Forbidden(N_("只有执法人员可以责令改正。"))
    form = RectificationOrderForm.from_json(body if isinstance(body, dict) else {}, china_today())
    if not form.validate():
        raise InvalidFields({name: "；".join(errors) for name, errors in form.errors.items()})
    order = form.to_task_data()
    served_on = dt.date.fromisoformat(order["order_served_on"])
    due = work_calendar().deadline(served_on, order["rectify_days"], Unit.WORKING_DAYS).due
    order["rectify_due"] = due.isoformat()
    status, answer, _ = _message(user, case, RECTIFICATION_MESSAGE, order)
    if status != 202:
        db.session.rollback()
        if status == 409:
            raise Conflict(NOT_NOW)
        raise InvalidInput(str(answer["message"]))
    document = write_document(case, "RECTIFY_ORDER", user, given=order)
    db.session.commit()
    return case, document


def record_party_request(case_id: int, kind: str, summary: str, user: User) -> Case:
    """The party's statement, hearing request or written waiver, received by the officer
    (《行政处罚法》第四十五条、第六十四条): delivered to the case like the same event from
    another system."""
    case = get_case_for_user(case_id, user)
    if kind not in PARTY_REQUESTS:
        raise InvalidInput(N_("请选择当事人意见的类型。"))
    summary = summary.strip()
    if not summary or len(summary) > 2000:
        raise InvalidInput(N_("请填写当事人意见的内容（不超过 2000 字）。"))
    status, answer, _ = _message(
        user, case, MESSAGES[kind], {"text": summary, "received_by": user.display_name}
    )
    if status != 202:
        db.session.rollback()
        if status == 409 and kind == "waiver" and awaits_party(case):
            # diagrams before the window was a loop (bundles up to 3e7a2a5) know no waiver
            raise Conflict(WAIVER_NOT_IN_VERSION)
        if status == 409 and kind == "repair_application":
            raise Conflict(N_("案件当前不在等待当事人的信用修复申请。"))
        if status == 409:
            raise Conflict(N_("案件当前不在等待当事人陈述申辩或听证申请。"))
        raise InvalidInput(str(answer["message"]))
    db.session.commit()
    return case


# the relief track's messages: to stage R, and to stage H when it waits for a result
RELIEF_APPLICATION = "relief_application"
RELIEF_RESULT = "relief_result"
RELIEF_CONCLUDED = "relief_concluded"


def _relief_day(body: dict[str, Any], name: str, earliest: dt.date, what: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(str(body.get(name)))
    except ValueError:
        raise InvalidInput(f"{name}: 请填写日期（YYYY-MM-DD）") from None
    if day < earliest:
        raise InvalidInput(f"{name}: 不能早于{what}（{earliest.isoformat()}）")
    if day > china_today():
        raise InvalidInput(f"{name}: 不能晚于今天")
    return day


def _served_on(case: Case) -> dt.date:
    served = relief.decision_served_on(case.id)
    if served is None:
        raise Conflict("处罚决定书送达后，才能记录行政复议或行政诉讼。")
    return served


def _lock_case(case: Case) -> None:
    lock_instance(
        db.session.execute(
            select(WorkflowInstance.id).where(WorkflowInstance.case_id == case.id)
        ).scalar_one()
    )


def record_relief(case_id: int, body: Any, user: User) -> Case:
    """The party applied for 复议 or sued (《行政复议法》第二十条, 《行政诉讼法》第四十六条):
    delivered to the relief track, kept on the relief ledger. One at a time."""
    case = get_case_for_user(case_id, user)
    if not isinstance(body, dict) or body.get("kind") not in relief.KINDS:
        raise InvalidInput("kind: 取值应为 RECONSIDERATION（行政复议）或 LITIGATION（行政诉讼）")
    authority = str(body.get("body") or "").strip()
    if not authority or len(authority) > 200:
        raise InvalidInput("body: 请填写复议机关或人民法院的名称（不超过 200 字）")
    _lock_case(case)  # one relief event at a time: the checks read what the last one wrote
    served_on = _served_on(case)
    applied_on = _relief_day(body, "applied_on", served_on, "处罚决定书送达之日")
    if relief.pending(case.id) is not None:
        raise Conflict("本案已有尚未作出结果的行政复议或行政诉讼，请先记录其结果。")
    payload = {"kind": body["kind"], "applied_on": applied_on.isoformat(), "body": authority}
    status, answer, _ = _message(user, case, RELIEF_APPLICATION, payload)
    if status != 202:
        db.session.rollback()
        if status == 409:
            raise Conflict(
                "案件当前不在等待行政复议或行政诉讼（复议、诉讼期限已届满或救济已终结）。"
            )
        raise InvalidInput(str(answer["message"]))
    relief.add_application(case, body["kind"], applied_on, authority, user)
    db.session.commit()
    return case


def record_relief_result(case_id: int, body: Any, user: User) -> Case:
    """The 复议决定 or the effective judgment: to the relief track, and to enforcement when it
    waits for one (the late fee and the court window read the ledger)."""
    case = get_case_for_user(case_id, user)
    if not isinstance(body, dict) or body.get("result") not in relief.RESULTS:
        raise InvalidInput(
            "result: 取值应为 UPHELD（维持）、CHANGED（变更）、REVOKED（撤销）或 "
            "CONFIRMED_ILLEGAL（确认违法）"
        )
    fine = body.get("fine")
    changed_fine = None
    if body["result"] == "CHANGED":
        if isinstance(fine, bool) or not isinstance(fine, int | float) or not 0 <= fine < 1e11:
            raise InvalidInput("fine: 变更的，请填写变更后的罚款数额（元，不小于 0）")
        changed_fine = Decimal(str(fine)).quantize(Decimal("0.01"))
    _lock_case(case)
    record = relief.pending(case.id)
    if record is None:
        raise Conflict("本案没有尚未作出结果的行政复议或行政诉讼。")
    result_on = _relief_day(body, "result_on", record.applied_on, "申请复议或起诉之日")
    relief.add_result(case, record, body["result"], result_on, changed_fine)
    if changed_fine is not None:
        payments.fine_changed(case, changed_fine)
    payload = relief.concluded_payload(record)
    status, answer, _ = _message(user, case, RELIEF_RESULT, payload)
    if status == 202:
        status, answer, _ = _message(user, case, RELIEF_CONCLUDED, payload)
        status = 202 if status == 409 else status  # enforcement not waiting: it reads the ledger
    if status != 202:
        db.session.rollback()
        if status == 409:
            raise Conflict("案件当前不在等待行政复议或行政诉讼的结果。")
        raise InvalidInput(str(answer["message"]))
    db.session.commit()
    return case
