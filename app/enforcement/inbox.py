"""The officers' inbox: views, filters, search, statutory due dates, claims and reassignment.

Everything is read from task and case rows (indexed); no workflow is loaded to draw a list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, tuple_

from app.clock import CHINA_TZ, china_today
from app.enforcement.duties import INVESTIGATING_FORMS, INVESTIGATING_PREFIX, upper_level_only
from app.enforcement.investigators import INVESTIGATOR
from app.enforcement.tasks import get_task_for_user
from app.extensions import db
from app.models import Case, CaseOfficer, Enterprise, HumanTask, ProcessVersion, User
from app.platform import Conflict, Forbidden, InvalidInput, NotFound
from app.platform.audit import record
from app.platform.parameters import work_calendar
from app.platform.regions import in_scope, region_tree, scope_of
from app.platform.workflows import engine
from app.reference.roles import Role

VIEWS = ("mine", "group", "all")
HEADS = frozenset({Role.UNIT_HEAD.value, Role.AGENCY_HEAD.value})
FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
PAGE_SIZE = 50
DUE_SOON_WD = 3


@dataclass
class InboxPage:
    rows: list[HumanTask]
    counts: dict[str, int]
    next_after: str | None
    days_left: dict[int, int] = field(default_factory=dict)


def _base(user: User, view: str) -> Select[HumanTask]:
    query = select(HumanTask).where(HumanTask.waiting())
    scope = scope_of(user)
    if scope is not None:
        query = query.where(HumanTask.region_code.in_(scope))
    if view == "mine":
        return query.where(HumanTask.assignee_id == user.id)
    if view == "all":
        if not (HEADS & user.role_names):
            raise Forbidden("只有负责人可以查看辖区内的全部任务。")
        return query
    query = query.where(
        HumanTask.lane.in_(user.role_names),
        or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == user.id),
        _not_bound_to_others(user),
    )
    upper = upper_level_only(user)
    return query if upper is None else query.where(upper)


def _not_bound_to_others(user: User) -> ColumnElement[bool]:
    """An investigating task of a case whose investigators were designated shows only to them
    (`duties.ensure_assigned` refuses the others)."""
    team = select(CaseOfficer.id).where(
        CaseOfficer.case_id == HumanTask.case_id, CaseOfficer.duty == INVESTIGATOR
    )
    investigating = or_(
        HumanTask.form_key.in_(INVESTIGATING_FORMS),
        HumanTask.form_key.startswith(INVESTIGATING_PREFIX),
    )
    return or_(
        HumanTask.lane != Role.OFFICER.value,
        ~investigating,
        ~team.exists(),
        team.where(CaseOfficer.user_id == user.id).exists(),
    )


@dataclass(frozen=True)
class FilterChoices:
    """What the inbox filters offer: stages of the active processes, the task names of the
    user's lanes, the regions in the user's scope."""

    stages: list[tuple[str, str]]  # (value, label)
    tasks: list[tuple[str, str]]
    regions: list[tuple[str, str]]


def filter_choices(user: User) -> FilterChoices:
    stages: dict[str, None] = {}
    tasks: dict[str, None] = {}
    versions = db.session.execute(
        select(ProcessVersion.process_id, ProcessVersion.bundle_hash).where(
            ProcessVersion.is_active.is_(True)
        )
    ).all()
    for process_id, bundle_hash in versions:
        bundle = engine().bundle(bundle_hash)
        info = bundle.processes[process_id]
        if info.startable:
            stages.update(dict.fromkeys(s.name for s in bundle.stages(process_id)))
        tasks.update(dict.fromkeys(t.name for t in info.user_tasks if t.lane in user.role_names))
    tree = region_tree()
    scope = scope_of(user)
    regions = [(c, n) for c, n in tree.names.items() if scope is None or c in scope]
    return FilterChoices([(s, s) for s in stages], [(t, t) for t in sorted(tasks)], regions)


def _filtered(query: Select[HumanTask], args: Mapping[str, str]) -> Select[HumanTask]:
    """The filters; the case and the party are joined only when a filter reads them (a count
    over every waiting task of a 盟市 need not visit each one's case)."""
    text = (args.get("q") or "").strip()
    if args.get("stage") or text:
        query = query.join(Case, Case.id == HumanTask.case_id)
    if args.get("stage"):
        query = query.where(Case.stage == args["stage"])
    if args.get("region"):
        query = query.where(HumanTask.region_code.in_(region_tree().descendants(args["region"])))
    if args.get("task"):
        query = query.where(HumanTask.name == args["task"])
    if text:
        like = f"%{text}%"
        query = query.join(Enterprise, Enterprise.id == Case.enterprise_id).where(
            or_(
                Case.case_no.ilike(like),
                Enterprise.name.ilike(like),
                Enterprise.credit_code == text.upper(),
            )
        )
    return query


def page(user: User, args: Mapping[str, str]) -> InboxPage:
    view = args.get("view") or "group"
    if view not in VIEWS:
        raise InvalidInput("未知的视图。")
    due_key = func.coalesce(HumanTask.due_at, literal(FAR_FUTURE))
    query = _filtered(_base(user, view), args).order_by(due_key, HumanTask.id)
    after = args.get("after") or ""
    if after:
        try:
            stamp, last_id = after.rsplit("|", 1)
            cursor = (dt.datetime.fromisoformat(stamp), int(last_id))
        except ValueError:
            raise InvalidInput("分页游标无效。") from None
        query = query.where(
            tuple_(due_key, HumanTask.id) > tuple_(literal(cursor[0]), literal(cursor[1]))
        )
    # The page's ids first, from the index, with the number of tasks matching (the sort has
    # seen them all anyway: with a search, counting them again was as slow as the page); then
    # only those rows, whole.
    ids = (
        query.with_only_columns(HumanTask.id, func.count().over().label("matching"))
        .limit(PAGE_SIZE + 1)
        .subquery()
    )
    found = db.session.execute(
        select(HumanTask, ids.c.matching)
        .join(ids, ids.c.id == HumanTask.id)
        .order_by(due_key, HumanTask.id)
    ).all()
    rows = [task for task, _ in found]
    counts = {}
    if not after:  # after a cursor the window saw only the tasks that follow it
        counts[view] = int(found[0].matching) if found else 0
    following = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        following = f"{(last.due_at or FAR_FUTURE).isoformat()}|{last.id}"
    for name in VIEWS:
        if name in counts or (name == "all" and not (HEADS & user.role_names)):
            continue
        counted = _filtered(_base(user, name), args).with_only_columns(
            func.count(), maintain_column_froms=True
        )
        counts[name] = int(db.session.execute(counted).scalar_one())
    return InboxPage(rows, counts, following, _days_left(rows))


def _days_left(rows: Iterable[HumanTask]) -> dict[int, int]:
    calendar = work_calendar()
    today = china_today()
    left = {}
    for row in rows:
        if row.due_at is not None:
            last_day = (row.due_at.astimezone(CHINA_TZ) - dt.timedelta(seconds=1)).date()
            left[row.id] = calendar.working_days_left(today, last_day)
    return left


def claim(task_id: int, user: User) -> None:
    task = get_task_for_user(task_id, user)
    if task.state != "READY":
        raise Conflict("该任务已被他人处理。")
    if task.assignee_id not in (None, user.id):
        raise Conflict("该任务已被他人认领。")
    task.assignee_id = user.id
    record("claim_task", "case", task.case_id, actor=user, task=task.bpmn_id)
    db.session.commit()


def unclaim(task_id: int, user: User) -> None:
    task = get_task_for_user(task_id, user)
    if task.assignee_id != user.id and not (HEADS & user.role_names):
        raise Forbidden("只能退回自己认领的任务。")
    task.assignee_id = None
    record("unclaim_task", "case", task.case_id, actor=user, task=task.bpmn_id)
    db.session.commit()


def assign(task_ids: Iterable[int], username: str, head: User) -> int:
    """A head hands tasks to someone who holds the task's role within the task's region."""
    if not (HEADS & head.role_names):
        raise Forbidden("只有负责人可以改派任务。")
    target = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if target is None or not target.is_active:
        raise NotFound(f"无此用户: {username}")
    count = 0
    for task_id in task_ids:
        task = db.session.get(HumanTask, task_id)
        if task is None or task.state != "READY" or not in_scope(head, task.region_code):
            raise NotFound(f"任务 {task_id} 不存在或不在辖区内。")
        if task.lane not in target.role_names or not in_scope(target, task.region_code):
            raise InvalidInput(f"{target.display_name} 没有处理「{task.name}」的岗位或辖区。")
        task.assignee_id = target.id
        record(
            "assign_task",
            "case",
            task.case_id,
            actor=head,
            task=task.bpmn_id,
            assignee=target.username,
        )
        count += 1
    db.session.commit()
    return count


def claim_many(task_ids: Iterable[int], user: User) -> int:
    count = 0
    for task_id in task_ids:
        task = get_task_for_user(task_id, user)
        if task.state != "READY" or task.assignee_id not in (None, user.id):
            db.session.rollback()
            raise Conflict(f"任务「{task.name}」已被他人认领或处理，未认领任何任务。")
        task.assignee_id = user.id
        record("claim_task", "case", task.case_id, actor=user, task=task.bpmn_id)
        count += 1
    db.session.commit()
    return count


def set_follow_up(task_id: int, day: dt.date | None, user: User) -> None:
    task = get_task_for_user(task_id, user)
    task.follow_up_on = day
    record(
        "follow_up",
        "case",
        task.case_id,
        actor=user,
        task=task.bpmn_id,
        on=day.isoformat() if day else None,
    )
    db.session.commit()


def due_class(days_left: int | None) -> str:
    if days_left is None:
        return ""
    if days_left < 0:
        return "overdue"
    return "due-soon" if days_left <= DUE_SOON_WD else ""
