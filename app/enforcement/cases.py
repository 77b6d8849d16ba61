"""Opening cases and reading them within the user's region scope."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flask import g, has_request_context
from sqlalchemy import Select, Update, bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

import forms
from app.clock import CHINA_TZ, china_today
from app.enforcement import facts
from app.enforcement.numbers import registration_number
from app.engine import EngineError, Reading, RunResult, Waiting
from app.extensions import db, execute_plain, load_row
from app.models import (
    AuditEvent,
    Case,
    CaseComment,
    Deadline,
    Enterprise,
    HumanTask,
    ProcessVersion,
    User,
    WorkflowInstance,
    table_of,
    utcnow,
)
from app.platform import Forbidden, InvalidInput, NotFound, scheduling
from app.platform.audit import record
from app.platform.parameters import generation_column, generation_seen, run_context, work_calendar
from app.platform.regions import in_scope, scope_of
from app.platform.workflows import engine
from app.reference.case_data import INITIAL_CASE_DATA
from app.reference.documents import DOCUMENT_TYPES
from forms.base import N_


def start_case(
    user: User, process_id: str, enterprise_id: int, title: str, entry: str = "CLUE"
) -> Case:
    case, _ = open_case(user, process_id, enterprise_id, title, entry)
    db.session.commit()
    return case


def open_case(
    user: User,
    process_id: str,
    enterprise_id: int,
    title: str,
    entry: str = "CLUE",
    known: Mapping[str, Any] | None = None,
) -> tuple[Case, list[ReadyTask] | None]:
    """Open a case in the caller's transaction (start_case commits it; events commit it with
    the event record). `known`: case data already settled by whoever opens it (a 双随机 draw
    names the inspectors), which the screens then pre-fill. Returns the case and, when the
    rows written tell, its READY tasks (None: read them)."""
    found = db.session.execute(_startable_statement(), {"process_id": process_id}).one_or_none()
    if found is None or not engine().bundle(found[0].bundle_hash).processes[process_id].startable:
        raise NotFound(f"流程 {process_id} 不能直接发起或未部署。")
    version, generation = found
    generation_seen(generation)  # read on the way, for the start's run
    enterprise = load_row(Enterprise, enterprise_id)
    if enterprise is None or not in_scope(user, enterprise.region_code):
        raise Forbidden(N_("该经营主体不在您的管辖范围内。"))
    now, year = utcnow(), china_today().year
    case_no = registration_number(entry, enterprise.region_code, year)
    initial = {
        **INITIAL_CASE_DATA,
        "entry": entry,
        "case_no": case_no,
        "title": title,
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "party_type": enterprise.party_type,
        "domain": enterprise.domain,
        "registration_province": enterprise.registration_province,
        **(known or {}),
    }
    try:
        result = engine().start(version.bundle_hash, process_id, initial, run_context())
    except EngineError as exc:
        db.session.rollback()
        raise InvalidInput(f"流程启动失败：{exc}") from exc
    case = Case(  # written once: the stage the start reached is known before the insert
        case_no=case_no,
        title=title,
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        process_version_id=version.id,
        opened_by_id=user.id,
        opened_at=now,
        updated_at=now,
        stage=result.milestone,
        status="CLOSED" if result.completed else "OPEN",
        closed_at=now if result.completed else None,
    )
    instance = WorkflowInstance(
        case=case,
        process_version_id=version.id,
        state=result.state,
        serializer_version=result.serializer_version,
        status="COMPLETED" if result.completed else "RUNNING",
    )
    db.session.add_all([case, instance])
    db.session.flush()
    facts.case_opened(case, enterprise, ended=result.completed)
    ready = _sync_task_rows(case, instance, result)
    scheduling.sync(case, instance, result)
    record(
        "open_case",
        "case",
        case.id,
        actor=user,
        region_code=case.region_code,
        case_no=case.case_no,
        process=process_id,
        bundle=version.bundle_hash,
    )
    return case, ready


@cache
def _startable_statement() -> Select[ProcessVersion, int]:
    """A process's active version and the configuration generation, in one round trip."""
    return select(ProcessVersion, generation_column()).where(
        ProcessVersion.process_id == bindparam("process_id"), ProcessVersion.is_active.is_(True)
    )


def lock_instance(instance_id: int) -> WorkflowInstance:
    """The workflow instance, read afresh and row-locked until the commit. Every writer of an
    instance (task completion, timer, message) takes this lock before reading the state, so two
    steps on one case — parallel branches, a timer firing while an officer submits — run one
    after the other, each on the state the other left, instead of one failing the version check.
    Taken after the task or job row and before the job row, in that order everywhere."""
    row = db.session.execute(_lock_statement(), {"key": instance_id}).one_or_none()
    if row is None:  # pragma: no cover - foreign keys
        raise NotFound(N_("案件不存在。"))
    instance, generation = row
    generation_seen(generation)
    return instance


@cache
def _lock_statement() -> Select[WorkflowInstance, int]:
    """The instance, read afresh and locked, and the configuration generation in the same round
    trip: the engine run that follows needs both."""
    return (
        select(WorkflowInstance, generation_column())
        .where(WorkflowInstance.id == bindparam("key"))
        .with_for_update(of=WorkflowInstance)
        .execution_options(populate_existing=True)
    )


def apply_run_result(
    case: Case, instance: WorkflowInstance, result: RunResult
) -> list[ReadyTask] | None:
    """Mirror an engine run into the instance, the case row and the READY task rows. Returns
    the case's READY tasks when the rows written say it all (None: read them)."""
    _store_state(instance, result)
    _mirror_case(case, result)
    ready = _sync_task_rows(case, instance, result)
    scheduling.sync(case, instance, result)
    return ready


def _store_state(instance: WorkflowInstance, result: RunResult) -> None:
    """Write the instance's new state at once, checking its version (optimistic lock, as the
    mapper does)."""
    values: dict[str, Any] = {
        "state": result.state,
        "serializer_version": result.serializer_version,
        "updated_at": utcnow(),
        "version": instance.version + 1,
    }
    if result.completed:
        values["status"] = "COMPLETED"
    if not _write_row(instance, values, {"expected_version": instance.version}):
        raise StaleDataError(f"workflow instance {instance.id} was changed meanwhile")


def _write_row(
    row: Case | WorkflowInstance, values: dict[str, Any], version: dict[str, int] | None = None
) -> bool:
    """UPDATE the object's row with `values` now, as a plain statement (the unit of work costs
    more than the write), and keep them on the object as stored; with `version`, only if the
    row is still at that version. False if no row matched."""
    statement = _update_by_id(type(row), version is not None)
    written = execute_plain(statement, {"row_id": row.id, **values, **(version or {})})
    if written.rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(row, name, value)
    return True


@cache
def _update_by_id(model: type[Case] | type[WorkflowInstance], versioned: bool) -> Update:
    """An UPDATE of one row; its SET takes the columns the parameters name."""
    rows = table_of(model)
    statement = update(rows).where(rows.c.id == bindparam("row_id"))
    if versioned:
        statement = statement.where(rows.c.version == bindparam("expected_version"))
    return statement


def _mirror_case(case: Case, result: RunResult) -> None:
    now = utcnow()
    values: dict[str, Any] = {"updated_at": now}
    if (result.milestone and result.milestone != case.stage) or result.completed:
        facts.stage_changed(case, result.milestone or case.stage, ended=result.completed)
    if result.milestone:
        values["stage"] = result.milestone
    if result.completed:
        values.update(status="CLOSED", closed_at=now)
    _write_row(case, values)


@dataclass(frozen=True)
class ReadyTask:
    """A READY task as a step leaves it: what the screens go on to and the API lists."""

    id: int
    case_id: int
    name: str
    bpmn_id: str
    form_key: str | None
    lane: str | None
    state: str
    assignee_id: int | None
    created_at: datetime


_task_rows = table_of(HumanTask)
_NEW_TASKS = insert(_task_rows).returning(_task_rows.c.id, sort_by_parameter_order=True)


def _sync_task_rows(
    case: Case, instance: WorkflowInstance, result: RunResult
) -> list[ReadyTask] | None:
    """Write the READY rows the run left. Returns them when no row was kept from before (the
    usual step: the new rows are all there is), else None."""
    ready = {t.guid: t for t in result.ready_tasks}
    # the answer is the new rows alone when the run's rows are known and none was kept
    answer = result.ready_before is not None and not result.ready_before & ready.keys()
    due = _task_dues(result.waiting)
    if result.ready_before is None:  # the rows are not known from the run: read them
        open_rows = db.session.execute(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.state == "READY"
            )
        ).scalars()
        for row in open_rows:
            if row.task_guid not in ready:
                row.state = "CANCELLED"
            else:
                row.due_at = due.get(row.bpmn_id)
            ready.pop(row.task_guid, None)
    else:
        # The READY rows are the tasks ready before the run (less one completed meanwhile,
        # which its own update already took out of READY): write only the difference.
        rows = _task_rows
        of_instance = (rows.c.instance_id == instance.id, rows.c.state == "READY")
        gone = result.ready_before - ready.keys()
        if gone:
            db.session.execute(
                update(rows)
                .where(*of_instance, rows.c.task_guid.in_(gone))
                .values(state="CANCELLED")
            )
        due_before = _task_dues(result.waiting_before or ())
        for guid in result.ready_before & ready.keys():
            # only a row whose deadline moved: another step may hold a row of this instance (a
            # parallel branch being completed), and writing it unchanged would wait on its lock
            element = ready[guid].bpmn_id
            if due.get(element) != due_before.get(element):
                db.session.execute(
                    update(rows)
                    .where(*of_instance, rows.c.task_guid == guid)
                    .values(due_at=due.get(element))
                )
        for guid in result.ready_before:
            ready.pop(guid, None)
    if not ready:
        return [] if answer else None
    now = utcnow()
    new_rows = [
        {
            "case_id": case.id,
            "instance_id": instance.id,
            "task_guid": task.guid,
            "process_id": task.process_id,
            "bpmn_id": task.bpmn_id,
            "name": task.name,
            "form_key": task.form_key,
            "lane": task.lane,
            "region_code": case.region_code,
            "documentation": task.documentation,
            "instructions": task.instructions,
            "due_at": due.get(task.bpmn_id),
            "created_at": now,
        }
        for task in ready.values()
    ]
    ids = execute_plain(_NEW_TASKS, new_rows).scalars().all()
    if not answer:
        return None
    return [
        ReadyTask(
            row_id, case.id, task.name, task.bpmn_id, task.form_key, task.lane, "READY", None, now
        )
        for row_id, task in zip(ids, ready.values(), strict=True)
    ]


def _task_dues(waiting: tuple[Waiting, ...]) -> dict[str, datetime]:
    """Per task element, the earliest deadline sitting on it."""
    due: dict[str, datetime] = {}
    for event in waiting:
        if event.attached_to and event.due is not None:
            earlier = due.get(event.attached_to)
            due[event.attached_to] = min(earlier, event.due) if earlier else event.due
    return due


def case_data(case: Case) -> dict[str, Any]:
    """The case's data as the engine holds it now (a copy: the caller may change it)."""
    instance = db.session.execute(
        select(WorkflowInstance).where(WorkflowInstance.case_id == case.id)
    ).scalar_one()
    return copy.deepcopy(_reading(instance).data)


def _reading(instance: WorkflowInstance) -> Reading:
    """The instance's data and element states, loaded once per request however many parts of
    the page ask (the version changes with every write, so a stale reading cannot be served)."""
    if not has_request_context():
        return engine().read(instance.state)
    readings: dict[tuple[int, int], Reading] = g.setdefault("engine_readings", {})
    key = (instance.id, instance.version)
    if key not in readings:
        readings[key] = engine().read(instance.state)
    return readings[key]


def add_comment(case_id: int, body: str, user: User) -> CaseComment:
    case = get_case_for_user(case_id, user)
    comment = CaseComment(
        case_id=case.id, author_id=user.id, author_name=user.display_name, body=body.strip()
    )
    db.session.add(comment)
    record("add_comment", "case", case.id, actor=user, region_code=case.region_code)
    db.session.commit()
    return comment


def case_comments(case: Case) -> list[CaseComment]:
    return list(
        db.session.execute(
            select(CaseComment).where(CaseComment.case_id == case.id).order_by(CaseComment.id)
        ).scalars()
    )


def get_case_for_user(case_id: int, user: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("案件不存在。"))
    if not in_scope(user, case.region_code):
        raise Forbidden(N_("无权查看其他地区的案件。"))
    return case


def case_tasks(case: Case) -> list[HumanTask]:
    return list(
        db.session.execute(
            select(HumanTask).where(HumanTask.case_id == case.id).order_by(HumanTask.id)
        ).scalars()
    )


# After this task the party has 5 working days to state its case or ask for a hearing (stage F).
PARTY_WINDOW_OPENS = "f_serve_notice"


def awaits_party(case: Case) -> bool:
    """Whether the case waits for the party's statement or hearing request: the notice was the
    last thing done and nothing is to do (task rows, so the page needs no workflow to tell)."""
    rows = db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.state)
        .where(HumanTask.case_id == case.id, HumanTask.state.in_(("READY", "COMPLETED")))
        .order_by(HumanTask.state.desc(), HumanTask.completed_at.desc())
        .limit(1)
    ).first()
    return rows is not None and tuple(rows) == (PARTY_WINDOW_OPENS, "COMPLETED")


@dataclass(frozen=True)
class Change:
    """One value an action set, as its screen labels it (the page translates and formats)."""

    label: str
    kind: str  # yes_no | date | money | choice (value: list of choice labels) | text
    value: Any


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditEvent
    actor: str  # the person's name (the audit row keeps the login)
    changes: tuple[Change, ...]


def case_timeline(case: Case) -> list[TimelineEntry]:
    events = (
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id))
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names: dict[int, str] = {
        user_id: name
        for user_id, name in db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(ids))
        )
    }
    return [
        TimelineEntry(e, names.get(e.actor_id or 0, e.actor_name or ""), _changes(e.detail))
        for e in events
    ]


def _changes(detail: dict[str, Any]) -> tuple[Change, ...]:
    if isinstance(detail.get("doc_no"), str):
        kind = DOCUMENT_TYPES.get(str(detail.get("doc_type")))
        return (
            Change(N_("文书"), "text", kind.title if kind else detail.get("doc_type")),
            Change(N_("文号"), "text", detail["doc_no"]),
        )
    data, key = detail.get("data"), detail.get("form_key")
    if isinstance(data, dict) and key in forms.registered_form_keys():
        filed = detail.get("filing_no")
        return tuple(
            _change(field, data[field["name"]])
            for field in _screen_fields(key)
            if data.get(field["name"]) not in (None, "", [])
        ) + ((Change(N_("立案号"), "text", filed),) if isinstance(filed, str) else ())
    payload = detail.get("payload")
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        return (Change(N_("内容"), "text", payload["text"]),)
    return ()


@cache
def _screen_fields(form_key: str) -> tuple[dict[str, Any], ...]:
    return tuple(forms.form_class_for(form_key).describe())


def _change(field: dict[str, Any], value: Any) -> Change:
    label, kind = field["label"], field["type"]
    if kind == "accounts":  # stored as the names the case file prints
        return Change(
            label, "text", value if isinstance(value, str) else "、".join(map(str, value))
        )
    if kind == "boolean":
        return Change(label, "yes_no", bool(value))
    if "choices" in field:
        names = {c["value"]: c["label"] for c in field["choices"]}
        values = value if isinstance(value, list) else [value]
        return Change(label, "choice", [names.get(str(v), str(v)) for v in values])
    if kind == "date" and isinstance(value, str):
        with suppress(ValueError):
            return Change(label, "date", date.fromisoformat(value))
    if kind == "number":
        with suppress(ArithmeticError, ValueError):
            return Change(label, "money", Decimal(str(value)))
    return Change(label, "text", str(value))


def case_diagram(case: Case, process_id: str | None = None) -> tuple[str, dict[str, list[str]]]:
    """The BPMN XML of the case's process, or of a process one of its stages calls, and per
    state (READY, WAITING, STARTED, COMPLETED) its element ids: one engine load, for the one
    case on screen."""
    version, instance = _version_and_instance(case)
    bundle = engine().bundle(version.bundle_hash)
    shown_process = process_id or version.process_id
    called = {s.called_process for s in bundle.stages(version.process_id)}
    if shown_process not in {version.process_id, *called}:
        raise NotFound(N_("该案件的流程中没有这个子流程。"))
    xml = bundle.source_of(shown_process)
    states = _reading(instance).element_states.get(shown_process, {})
    shown = ("READY", "WAITING", "STARTED", "COMPLETED")
    return xml, {state: states.get(state, []) for state in shown}


@dataclass(frozen=True)
class StageStep:
    element_id: str
    name: str
    state: str  # COMPLETED | ACTIVE | PENDING
    called_process: str


@dataclass(frozen=True)
class Clock:
    name: str
    due_at: datetime
    last_day: date  # the last whole day of the period (due_at is the midnight after it)
    days_left: int  # working days; negative once overdue


def stage_progress(case: Case) -> list[StageStep]:
    """The process's stages (its call activities) with where the case stands in each."""
    version, instance = _version_and_instance(case)
    stages = engine().bundle(version.bundle_hash).stages(version.process_id)
    if not stages:
        return []
    states = _reading(instance).element_states.get(version.process_id, {})
    active = {i for state in ("READY", "WAITING", "STARTED") for i in states.get(state, [])}
    done = set(states.get("COMPLETED", []))
    return [
        StageStep(
            s.element_id,
            s.name,
            "ACTIVE"
            if s.element_id in active
            else "COMPLETED"
            if s.element_id in done
            else "PENDING",
            s.called_process,
        )
        for s in stages
    ]


def case_clocks(case: Case) -> list[Clock]:
    """Every running statutory clock of the case: the timers it waits on and its tasks' due
    dates, soonest first, with the working days left."""
    calendar = work_calendar()
    today = china_today()
    timers = db.session.execute(
        select(Deadline.name, Deadline.due_at).where(Deadline.case_id == case.id)
    ).all()
    tasks = db.session.execute(
        select(HumanTask.name, HumanTask.due_at).where(
            HumanTask.case_id == case.id,
            HumanTask.state == "READY",
            HumanTask.due_at.is_not(None),
        )
    ).all()
    clocks = []
    for name, due_at in [*timers, *tasks]:
        if due_at is None:  # filtered in the query; this tells the type checker
            continue
        last_day = (due_at.astimezone(CHINA_TZ) - timedelta(seconds=1)).date()
        clocks.append(Clock(name, due_at, last_day, calendar.working_days_left(today, last_day)))
    return sorted(clocks, key=lambda clock: clock.due_at)


def _version_and_instance(case: Case) -> tuple[ProcessVersion, WorkflowInstance]:
    version = db.session.get(ProcessVersion, case.process_version_id)
    instance = db.session.execute(
        select(WorkflowInstance).where(WorkflowInstance.case_id == case.id)
    ).scalar_one_or_none()
    if version is None or instance is None:  # pragma: no cover - foreign keys
        raise NotFound("流程版本不存在。")
    return version, instance


def startable_enterprises(user: User) -> list[Enterprise]:
    query = select(Enterprise).order_by(Enterprise.name).limit(500)
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Enterprise.region_code.in_(scope))
    return list(db.session.execute(query).scalars())
