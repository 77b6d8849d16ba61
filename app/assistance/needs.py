"""服务企业（实施意见 三(一)）: the 帮扶需求清单 with where each need stands.

Read from the case rows and their task rows (what each screen submitted, which step waits now),
never by loading a workflow: a list of a 盟市's needs stays two queries however long it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Case, HumanTask, ProcessVersion, User
from app.platform.paging import window
from app.platform.regions import region_tree, scope_of
from forms.assistance import NEED_CATEGORIES

ASSISTANCE_PROCESS = "service_assistance"
PAGE = 50

# the task elements of service_assistance.bpmn whose answers the list shows
REGISTER, ASSIGN, FOLLOW_UP = "sa_register", "sa_assign", "sa_follow_up"
ESCALATE, RESOLVE, FEEDBACK = "sa_escalate", "sa_resolve", "sa_feedback"

CATEGORY_LABELS = dict(NEED_CATEGORIES)
STATUSES = ("OPEN", "CLOSED")


@dataclass
class AssistanceNeed:
    case_id: int
    case_no: str
    enterprise: str
    region: str
    closed: bool
    step: str  # the waiting steps, or the outcome once closed
    category: str = ""  # the category's label, translated by the page
    description: str = ""
    raised_on: dt.date | None = None
    department: str = ""
    person: str = ""
    due: dt.date | None = None
    overdue: bool = False
    escalations: int = 0  # times the deadline passed and the head was asked to press
    resolved: bool = False
    satisfied: bool | None = None  # the enterprise's latest verdict; None before it gave one


@dataclass(frozen=True)
class NeedPage:
    needs: list[AssistanceNeed]
    next_before: int | None  # keyset: the case id to continue below


def assistance_needs(user: User, args: Mapping[str, str], today: dt.date) -> NeedPage:
    """The needs in the user's region scope, newest first; `status` OPEN or CLOSED narrows them,
    `before` pages on."""
    versions = select(ProcessVersion.id).where(ProcessVersion.process_id == ASSISTANCE_PROCESS)
    query = (
        select(Case)
        .where(Case.process_version_id.in_(versions))
        .order_by(Case.id.desc())
        .limit(PAGE + 1)
    )
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Case.region_code.in_(scope))
    if args.get("status") in STATUSES:
        query = query.where(Case.status == args["status"])
    before = window(args).before
    if before is not None:
        query = query.where(Case.id < before)
    cases = list(db.session.execute(query).scalars())
    more = len(cases) > PAGE
    cases = cases[:PAGE]
    tasks = _task_rows([case.id for case in cases])
    needs = [
        _need(case, _region_name(case.region_code), tasks.get(case.id, []), today) for case in cases
    ]
    return NeedPage(needs, cases[-1].id if more else None)


def _region_name(code: str) -> str:
    """The 盟市 and, below it, the 旗县区 (呼和浩特市 新城区)."""
    tree = region_tree()
    unit = tree.unit_of(code)
    names = [tree.names.get(c, c) for c in dict.fromkeys((unit, code))]
    return " ".join(names)


@dataclass(frozen=True)
class _TaskRow:
    bpmn_id: str
    name: str
    state: str
    data: Mapping[str, Any]


def _task_rows(case_ids: Sequence[int]) -> dict[int, list[_TaskRow]]:
    """Per case, its waiting and completed task rows in the order they arose (columns only: the
    task entity would join its case again)."""
    found: dict[int, list[_TaskRow]] = {}
    if not case_ids:
        return found
    rows = db.session.execute(
        select(
            HumanTask.case_id,
            HumanTask.bpmn_id,
            HumanTask.name,
            HumanTask.state,
            HumanTask.submitted_data,
        )
        .where(HumanTask.case_id.in_(case_ids), HumanTask.state.in_(("READY", "COMPLETED")))
        .order_by(HumanTask.id)
    )
    for case_id, bpmn_id, name, state, data in rows:
        found.setdefault(case_id, []).append(_TaskRow(bpmn_id, name, state, data or {}))
    return found


def _need(case: Case, region: str, tasks: list[_TaskRow], today: dt.date) -> AssistanceNeed:
    closed = case.status == "CLOSED"
    need = AssistanceNeed(
        case.id, case.case_no, case.enterprise.name, region, closed, case.stage or ""
    )
    waiting: list[str] = []
    for task in tasks:
        if task.bpmn_id == ESCALATE:
            need.escalations += 1
        if task.state == "READY":
            waiting.append(task.bpmn_id)
            continue
        data = task.data
        if task.bpmn_id == REGISTER:
            need.category = CATEGORY_LABELS.get(str(data.get("need_category")), "")
            need.description = str(data.get("need_description") or "")
            need.raised_on = _day(data.get("raised_on"))
        elif task.bpmn_id == ASSIGN:
            need.department = str(data.get("responsible_department") or "")
            need.person = str(data.get("responsible_person") or "")
            need.due = _day(data.get("assist_due"))
        elif task.bpmn_id == ESCALATE:
            need.due = _day(data.get("assist_due")) or need.due
        elif task.bpmn_id == RESOLVE:
            need.resolved, need.satisfied = True, None
        elif task.bpmn_id == FEEDBACK:
            need.satisfied = data.get("satisfied") is True
            # not satisfied while the case goes on: the need is being worked on again
            need.resolved = need.satisfied
    if closed:
        need.resolved = True  # a need closes only after its resolution was assessed
    else:
        need.step = "、".join(t.name for t in tasks if t.state == "READY") or need.step
        # the deadline only runs while the need is being worked on (not once it is solved)
        late = FOLLOW_UP in waiting and need.due is not None and need.due < today
        need.overdue = ESCALATE in waiting or late
    return need


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
