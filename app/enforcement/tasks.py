"""The inbox and completing user tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.exc import StaleDataError

import forms
from app.clock import china_today
from app.enforcement import (
    case_clock,
    facts,
    investigators,
    payments,
    rectification,
    violation_types,
)
from app.enforcement.cases import ReadyTask, apply_run_result, lock_instance
from app.enforcement.decision_limits import (
    HEAD_APPROVAL_FORM,
    PENALTY_DECISION_FORM,
    check_decision_date,
    check_head_approval,
    check_penalty_decision,
)
from app.enforcement.decision_records import DECISION_KINDS, record_decision
from app.enforcement.decision_support import FINE_FORMS, require_justification
from app.enforcement.duties import (
    ensure_assigned,
    ensure_independent,
    ensure_upper_level,
    upper_level_only,
)
from app.enforcement.enterprises import first_offense_lookback
from app.enforcement.library import LIBRARY_FORM, add_entry
from app.enforcement.seizure import STILL_SEIZED, leaves_goods_seized
from app.engine import EngineError, InvalidTaskData, TaskNotReady
from app.extensions import commit_keeping, db, execute_plain, load_row
from app.models import Case, HumanTask, User, WorkflowInstance, table_of, utcnow
from app.platform import Conflict, Forbidden, InvalidFields, InvalidInput, NotFound
from app.platform.audit import record
from app.platform.parameters import run_context
from app.platform.regions import in_scope, scope_of
from app.platform.workflows import engine
from forms.base import N_

TAKEN_MESSAGE = N_("该任务已被他人处理，请刷新待办列表。")
_rows = table_of(HumanTask)
# Taken only while still READY: of two officers submitting at once, one gets the row.
_CLAIM = (
    update(_rows)
    .where(_rows.c.id == bindparam("task_id"), _rows.c.state == "READY")
    .values(
        state="COMPLETED",
        completed_at=bindparam("at"),
        completed_by_id=bindparam("by"),
        submitted_data=bindparam("data"),
        draft=None,
    )
)


def inbox(user: User, limit: int = 200) -> list[HumanTask]:
    """READY tasks in the user's lanes (= roles) and region scope, oldest first."""
    query = (
        select(HumanTask)
        .where(HumanTask.waiting(), HumanTask.lane.in_(user.role_names))
        .order_by(HumanTask.created_at, HumanTask.id)
        .limit(limit)
    )
    scope = scope_of(user)
    if scope is not None:
        query = query.where(HumanTask.region_code.in_(scope))
    upper = upper_level_only(user)
    if upper is not None:
        query = query.where(upper)
    return list(db.session.execute(query).scalars())


def get_task_for_user(task_id: int, user: User) -> HumanTask:
    task = load_row(HumanTask, task_id)
    if task is None:
        raise NotFound(N_("任务不存在。"))
    if not in_scope(user, task.region_code):
        raise Forbidden(N_("无权处理其他地区的任务。"))
    if task.lane not in user.role_names:
        raise Forbidden(N_("无权处理：该任务不属于您的岗位。"))
    return task


def screen_data(task: HumanTask, names: Collection[str]) -> dict[str, Any]:
    """What the task's screen starts from: the data the task itself sees (so decisions and
    defaults set by the diagram pre-fill the fields), plus what the enterprise's 体检档案 says
    where the screen asks for it and the case has no answer yet."""
    instance = db.session.get(WorkflowInstance, task.instance_id)
    assert instance is not None  # noqa: S101 - foreign key
    data = engine().task_data(instance.state, task.task_guid)
    if "first_offense_2y" in names and "first_offense_2y" not in data:
        case = task.case  # the type and date, once a report has named them
        data["first_offense_2y"] = first_offense_lookback(
            case.enterprise_id,
            case.violated_on or china_today(),
            case.violation_code,
            exclude_case=task.case_id,
        ).first_offense
    return data


# the screens that decide on what the party said after the notice: they show it
PARTY_ANSWER_FORMS = frozenset(
    {"notice.statement_review", "notice.collective", "notice.head_approval", "review.gate"}
)


@dataclass(frozen=True)
class PartyAnswers:
    """The party's answers to the 行政处罚告知书 as the window recorded them."""

    window_end: dt.date | None  # the last day of the statement/hearing window
    statements: list[str]
    hearing_requested: bool
    waived: str | None  # WRITTEN, SILENT or None


def party_answers(form_key: str | None, data: dict[str, Any]) -> PartyAnswers | None:
    if form_key not in PARTY_ANSWER_FORMS or "party_statements" not in data:
        return None
    return PartyAnswers(
        window_end=_day(data.get("party_window_due") or data.get("hearing_request_due")),
        statements=[
            str(item.get("text") or "") if isinstance(item, dict) else str(item)
            for item in data.get("party_statements") or []
        ],
        hearing_requested=bool(data.get("hearing_requested")),
        waived=data.get("rights_waived"),
    )


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def save_draft(task: HumanTask, fields: dict[str, list[str]], user: User) -> None:
    """Keep what was typed without validating or completing anything."""
    ensure_can_complete(task, user)
    if len(str(fields)) > 100_000:
        raise InvalidInput(N_("草稿内容过长。"))
    task.draft = fields
    record("save_draft", "case", task.case_id, actor=user, task=task.bpmn_id)
    db.session.commit()


def ensure_can_complete(task: HumanTask, user: User) -> None:
    """Before validating a submission: someone else's claim or completion is a conflict; the
    investigation is the designated investigators' to do, and an investigator of the case may
    not review, hear or approve it."""
    if task.state != "READY":
        raise Conflict(TAKEN_MESSAGE)
    if task.assignee_id not in (None, user.id):
        raise Conflict("该任务已被他人认领，请先由认领人处理或由负责人改派。")
    ensure_assigned(task, user)
    ensure_independent(task, user)
    ensure_upper_level(task, user)


def _check_date_order(task: HumanTask, data: dict[str, Any]) -> None:
    """Dates the screen cannot judge alone: each must not precede the case's earlier one."""
    rules = forms.form_class_for(task.form_key or "").not_before
    if not rules:
        return
    known = screen_data(task, ())
    refused = {
        field: message
        for field, (earlier, message) in rules.items()
        # ISO dates order as text; a missing earlier date leaves nothing to compare
        if isinstance(data.get(field), str)
        and isinstance(known.get(earlier), str)
        and data[field] < known[earlier]
    }
    if refused:
        raise InvalidFields(refused)


def complete_task(task: HumanTask, data: dict[str, Any], user: User) -> list[ReadyTask]:
    """Complete the task and run the engine; returns the case's READY tasks afterwards (the
    screens go on with `next_task_for` them, the API lists them)."""
    try:
        case, known = complete_in_transaction(task, data, user)
        ready = ready_after(case.id, known)
        commit_keeping(case, case.enterprise)
    except StaleDataError:  # the instance lock makes this a safety net only
        db.session.rollback()
        raise Conflict(N_("案件正在被他人同时办理，请刷新后重试。")) from None
    return ready


_READY_OF_CASE = (
    select(*(_rows.c[field.name] for field in fields(ReadyTask)))
    .where(_rows.c.case_id == bindparam("case_id"), _rows.c.state == "READY")
    .order_by(_rows.c.id)
)


def ready_tasks(case_id: int) -> list[ReadyTask]:
    """The case's READY tasks, oldest first, as stored (plain statements change task rows
    behind the session; after every step: read as plain rows, not objects)."""
    rows = execute_plain(_READY_OF_CASE, {"case_id": case_id})
    return [ReadyTask(**row) for row in rows.mappings()]


def ready_after(case_id: int, known: list[ReadyTask] | None) -> list[ReadyTask]:
    """The case's READY tasks after a step: the step's own answer when it has one, else read."""
    return ready_tasks(case_id) if known is None else known


def next_task_for(user: User, ready: list[ReadyTask]) -> ReadyTask | None:
    """The user's next step on the case: the oldest READY task in one of their lanes."""
    return next((task for task in ready if task.lane in user.role_names), None)


# the steps whose checks or records read the case's data before the step
_READS_THE_CASE = frozenset(
    {
        *FINE_FORMS,
        HEAD_APPROVAL_FORM,
        PENALTY_DECISION_FORM,
        investigators.INSPECTION_FORM,
        *DECISION_KINDS,
        payments.COURT_FORM,
    }
)


def complete_in_transaction(
    task: HumanTask, data: dict[str, Any], user: User
) -> tuple[Case, list[ReadyTask] | None]:
    """Complete the task in the caller's transaction (rolled back on refusal); the lane check
    is the caller's (the screens check it on loading the task, a warning batch by its role).
    Returns the case and, when the rows written tell, its READY tasks (None: read them)."""
    ensure_can_complete(task, user)
    known = screen_data(task, ()) if task.form_key in _READS_THE_CASE else {}
    if task.form_key == violation_types.REPORT_FORM:  # the catalogue's basis and range
        data = violation_types.apply_to_report(task.case, data)
    if task.form_key == violation_types.NOT_FILED_FORM:
        data = violation_types.apply_to_not_filed(task.case, data)
    if task.form_key == violation_types.VERIFY_FORM:
        data = violation_types.apply_to_verify(data)
    if task.form_key in FINE_FORMS:
        require_justification({**known, **data}, task.case_id, task.form_key)
    if task.form_key == HEAD_APPROVAL_FORM:
        check_head_approval(known, data)
    if task.form_key == PENALTY_DECISION_FORM:
        check_penalty_decision(known, data)
    if task.form_key in DECISION_KINDS:
        check_decision_date(task.case_id, data)
    case_clock.check_task(task.case, task.form_key, data, task.bpmn_id)
    data = payments.check_task(task.case, task.form_key, data, known)
    if task.form_key == investigators.INSPECTION_FORM:
        data = investigators.lock_drawn_inspectors(task.case_id, known, data)
    team = None
    if task.form_key == investigators.FILING_FORM:  # read only: written once the task is ours
        team = investigators.check_team(task.case, data.get(investigators.FIELD) or [])
        data = {**data, **investigators.team_data(team)}
    _check_date_order(task, data)
    claim = {"task_id": task.id, "at": utcnow(), "by": user.id, "data": data}
    claimed = execute_plain(_CLAIM, claim).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict(TAKEN_MESSAGE)
    instance = lock_instance(task.instance_id)
    case = db.session.get(Case, task.case_id)
    if case is None:  # pragma: no cover - foreign keys
        db.session.rollback()
        raise NotFound(N_("案件不存在。"))
    filed = {} if team is None else {"filing_no": investigators.file_case(case, team)}
    try:
        result = engine().complete_task(instance.state, task.task_guid, data, run_context())
    except TaskNotReady:
        db.session.rollback()
        raise Conflict(TAKEN_MESSAGE) from None
    except (InvalidTaskData, EngineError) as exc:
        db.session.rollback()
        raise InvalidInput(f"提交的数据无法处理：{exc}") from exc
    if leaves_goods_seized(result, task.bpmn_id):
        db.session.rollback()
        raise Conflict(STILL_SEIZED)
    ready = apply_run_result(case, instance, result)
    facts.task_completed(case, task.form_key, data, result.data)
    payments.follow_task(case, task.form_key, data, result.data)
    if task.form_key in (violation_types.REPORT_FORM, violation_types.NOT_FILED_FORM):
        violation_types.record_on_case(case, data)
    case_clock.follow_task(case, task.bpmn_id, task.form_key, data, result, user)
    record_decision(case, task, {**known, **data}, user)
    if rectification.failed(task.form_key, result.data):
        rectification.open_follow_up(case, data, user)
    if task.form_key == LIBRARY_FORM:
        add_entry(case, result.data, data)
    record(
        "complete_task",
        "case",
        case.id,
        actor=user,
        region_code=case.region_code,
        task=task.bpmn_id,
        task_name=task.name,
        form_key=task.form_key,
        data=data,
        **filed,
    )
    return case, ready
