"""The supervisors' dashboard: every figure from indexed tables the services keep up to date
(enforcement_case, case_fact, stage_visit, deadline, human_task, incident), never from a workflow.

Each figure is a Table (title, columns, rows) so the page can draw it, list it and export it
from one source. Filters: 盟市 (within the viewer's scope), period, domain, stage.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from openpyxl import Workbook
from sqlalchemy import Select, func, select

from app.clock import CHINA_TZ, china_today, day_bounds, utcnow
from app.engine import ParsedBundle
from app.extensions import db
from app.i18n import Msgid, shown
from app.models import (
    Case,
    CaseFact,
    Deadline,
    HumanTask,
    Incident,
    ProcessVersion,
    StageVisit,
    User,
)
from app.reference.decision_contract import LEVELS
from app.reference.enterprise import Domain
from forms.base import N_

from . import Forbidden, InvalidInput, NotFound
from .decision_support import OUTPUT_LABELS
from .parameters import work_calendar
from .regions import ROOT_REGION, region_tree
from .workflows import engine

MAIN_PROCESS = "enforcement_case"  # the heatmap's diagram: the enforcement loop and its stages
DUE_SOON_WD = 3  # "due soon": this many working days left or fewer
LIST_LIMIT = 50
DECISIONS = {"PENALTY": N_("行政处罚"), "NO_PENALTY": N_("不予行政处罚")}
LEVEL_LABELS = {level: OUTPUT_LABELS[level] for level in LEVELS}


@dataclass(frozen=True)
class Filters:
    unit: str | None  # a 盟市 code, or None for the whole scope
    since: dt.date
    until: dt.date
    domain: str | None
    stage: str | None
    units: tuple[str, ...]  # the 盟市 the viewer may see

    def as_args(self) -> dict[str, str]:
        args = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        for name in ("unit", "domain", "stage"):
            value = getattr(self, name)
            if value:
                args[name] = value
        return args


@dataclass(frozen=True)
class Table:
    key: str  # names the export: /supervision/dashboard/<key>.csv
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    chart: str | None = None  # "bar": column 0 labels, column 1 values
    note: str = ""


@dataclass(frozen=True)
class Rate:
    label: str
    done: int
    total: int
    target: float | None = None  # the policy's promise (1.0 = 100 %)

    @property
    def share(self) -> float | None:
        return self.done / self.total if self.total else None


@dataclass
class Dashboard:
    filters: Filters
    rates: list[Rate] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    open_incidents: int = 0

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def parse_filters(user: User, args: Mapping[str, str]) -> Filters:
    tree = region_tree()
    if user.region_code == ROOT_REGION:
        units: tuple[str, ...] = tree.units
    else:
        units = (tree.unit_of(user.region_code),)
    today = china_today()
    try:
        since = dt.date.fromisoformat(args["since"]) if args.get("since") else None
        until = dt.date.fromisoformat(args["until"]) if args.get("until") else today
    except ValueError:
        raise InvalidInput(N_("日期应为 YYYY-MM-DD。")) from None
    since = since or until - dt.timedelta(days=364)
    if since > until:
        raise InvalidInput(N_("开始日期不能晚于结束日期。"))
    unit = args.get("unit") or (units[0] if len(units) == 1 else None)
    if unit and unit not in units:
        raise Forbidden(N_("无权查看其他地区的数据。"))
    domain = args.get("domain") or None
    if domain and domain not in Domain.__members__:
        raise InvalidInput(N_("没有这个监管领域。"))
    return Filters(unit, since, until, domain, args.get("stage") or None, units)


def build(user: User, args: Mapping[str, str]) -> Dashboard:
    filters = parse_filters(user, args)
    board = Dashboard(filters)
    names = region_tree().names
    facts = _facts(filters)
    open_cases = (
        select(Case.stage, CaseFact.unit_code, func.count())
        .join(CaseFact, CaseFact.case_id == Case.id)
        .where(Case.status == "OPEN", *_where(filters))
        .group_by(Case.stage, CaseFact.unit_code)
    )
    per_stage: dict[str, int] = defaultdict(int)
    per_unit: dict[str, int] = defaultdict(int)
    for stage, unit, count in db.session.execute(open_cases):
        per_stage[stage or ""] += count
        per_unit[unit] += count
    board.tables.append(
        Table(
            "stages",
            N_("在办案件（按阶段）"),
            (N_("阶段"), N_("案件数")),
            sorted(per_stage.items()),
            chart="bar",
        )
    )
    board.tables.append(
        Table(
            "units",
            N_("在办案件（按盟市）"),
            (N_("盟市"), N_("案件数")),
            [(names.get(u, u), n) for u, n in sorted(per_unit.items())],
            chart="bar",
        )
    )
    board.tables.append(_weekly(filters))
    decided = facts.where(CaseFact.decided_on.between(filters.since, filters.until))
    board.rates.extend(_rates(filters, decided))
    board.tables.append(
        Table(
            "rates",
            N_("政策承诺兑现情况"),
            (N_("指标"), N_("达成"), N_("应达成"), N_("百分比")),
            [
                (
                    Msgid(r.label),
                    r.done,
                    r.total,
                    None if r.share is None else round(r.share * 100, 1),
                )
                for r in board.rates
            ],
        )
    )
    board.tables.append(
        _mix("decisions", N_("处罚与不予处罚"), CaseFact.decision, DECISIONS, decided)
    )
    board.tables.append(_mix("levels", N_("裁量阶次"), CaseFact.level, LEVEL_LABELS, decided))
    board.tables.append(_fines(decided))
    board.tables.append(_stage_times(filters))
    board.tables.append(_repair_times(facts, filters))
    overdue, soon = _deadlines(filters)
    board.tables.extend([overdue, soon])
    board.open_incidents = db.session.execute(
        select(func.count(Incident.id))
        .join(CaseFact, CaseFact.case_id == Incident.case_id)
        .where(Incident.resolved_at.is_(None), *_where(filters, with_stage=False))
    ).scalar_one()
    return board


def _where(filters: Filters, with_stage: bool = True) -> list[Any]:
    conditions: list[Any] = [
        CaseFact.unit_code.in_([filters.unit] if filters.unit else filters.units)
    ]
    if filters.domain:
        conditions.append(CaseFact.domain == filters.domain)
    if with_stage and filters.stage:
        conditions.append(CaseFact.case_id.in_(select(Case.id).where(Case.stage == filters.stage)))
    return conditions


def _facts(filters: Filters) -> Select[Any]:
    return select(CaseFact).where(*_where(filters))


def _weekly(filters: Filters) -> Table:
    days = db.session.execute(
        select(CaseFact.opened_on, func.count())
        .where(*_where(filters), CaseFact.opened_on.between(filters.since, filters.until))
        .group_by(CaseFact.opened_on)
    ).all()
    weeks: dict[dt.date, int] = defaultdict(int)
    for day, count in days:
        weeks[day - dt.timedelta(days=day.weekday())] += count
    return Table(
        "weekly",
        N_("每周新增案件"),
        (N_("周（自周一）"), N_("新增案件")),
        [(week.isoformat(), weeks[week]) for week in sorted(weeks)],
        chart="bar",
    )


def _count(query: Select[Any], *conditions: Any) -> int:
    return db.session.execute(
        select(func.count()).select_from(query.where(*conditions).subquery())
    ).scalar_one()


def _rates(filters: Filters, decided: Select[Any]) -> list[Rate]:
    archived = _facts(filters).where(
        CaseFact.archived_on.between(filters.since, filters.until),
        CaseFact.decision.is_not(None),
    )
    served = decided.where(CaseFact.served_together.is_not(None))
    published = decided.where(CaseFact.published_on.is_not(None))
    return [
        Rate(
            N_("回访率（已结案的处罚、不予处罚案件）"),
            _count(archived, CaseFact.visited_on.is_not(None)),
            _count(archived),
            1.0,
        ),
        Rate(
            N_("两书同达率（处罚决定书与信用修复告知书同时送达）"),
            _count(served, CaseFact.served_together.is_(True)),
            _count(served),
            1.0,
        ),
        Rate(
            N_("按时公示率（决定后20个工作日内）"),
            _count(published, CaseFact.published_in_time.is_(True)),
            _count(published),
            1.0,
        ),
    ]


def _mix(key: str, title: str, column: Any, labels: Mapping[str, str], query: Select[Any]) -> Table:
    chosen = query.where(column.is_not(None)).subquery().c[column.key]
    counted = db.session.execute(select(chosen, func.count()).group_by(chosen)).all()
    rows = [
        (Msgid(labels[value]) if value in labels else value, count)
        for value, count in sorted(counted)
    ]
    return Table(key, title, (N_("类别"), N_("案件数")), rows, chart="bar")


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.5 = median)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _fines(decided: Select[Any]) -> Table:
    rows = db.session.execute(
        select(CaseFact.violation_type, CaseFact.fine, Case.case_no)
        .join(Case, Case.id == CaseFact.case_id)
        .where(
            CaseFact.case_id.in_(select(decided.subquery().c.case_id)),
            CaseFact.fine.is_not(None),
        )
    ).all()
    by_type: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    for violation, fine, case_no in rows:
        if fine is not None:
            by_type[violation or "未注明"].append((fine, case_no))
    table = []
    for violation, entries in sorted(by_type.items()):
        fines = [float(f) for f, _ in entries]
        q1, q3 = percentile(fines, 0.25) or 0.0, percentile(fines, 0.75) or 0.0
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        outliers = [n for f, n in entries if not low <= float(f) <= high]
        table.append(
            (
                violation,
                len(fines),
                percentile(fines, 0.5),
                min(fines),
                max(fines),
                "、".join(sorted(outliers)),
            )
        )
    return Table(
        "fines",
        N_("罚款分布（按违法行为类型，类案同罚）"),
        (N_("违法行为类型"), N_("案件数"), N_("中位数"), N_("最低"), N_("最高"), N_("离群案件")),
        table,
        note=N_("离群：低于下四分位数或高于上四分位数 1.5 倍四分位距以外。"),
    )


def _stage_times(filters: Filters) -> Table:
    start, end = day_bounds(filters.since, filters.until)
    visits = db.session.execute(
        select(StageVisit.stage, StageVisit.entered_at, StageVisit.left_at)
        .join(CaseFact, CaseFact.case_id == StageVisit.case_id)
        .where(StageVisit.left_at >= start, StageVisit.left_at < end, *_where(filters, False))
    ).all()
    days: dict[str, list[float]] = defaultdict(list)
    for stage, entered, left in visits:
        if left is not None:
            days[stage].append((left - entered).total_seconds() / 86400)
    rows = [
        (stage, len(d), _round(percentile(d, 0.5)), _round(percentile(d, 0.9)))
        for stage, d in sorted(days.items())
    ]
    return Table(
        "stage_times",
        N_("各阶段用时（天）"),
        (N_("阶段"), N_("完成次数"), N_("中位数"), N_("90分位")),
        rows,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _repair_times(facts: Select[Any], filters: Filters) -> Table:
    repaired = facts.where(CaseFact.repaired_on.between(filters.since, filters.until)).subquery()
    pairs = db.session.execute(select(repaired.c.repair_applied_on, repaired.c.repaired_on)).all()
    days = [float((done - applied).days) for applied, done in pairs if applied and done]
    return Table(
        "repair",
        N_("信用修复办理用时（天）"),
        (N_("修复完成"), N_("中位数"), N_("90分位")),
        [(len(days), percentile(days, 0.5), percentile(days, 0.9))] if days else [],
    )


def _deadlines(filters: Filters) -> tuple[Table, Table]:
    """Every running statutory clock, with who answers for it: the diagrams' timers and the
    due dates of waiting tasks."""
    now = utcnow()
    horizon = now + dt.timedelta(days=DUE_SOON_WD * 2 + 10)  # a cheap bound; the calendar decides
    names = region_tree().names
    timers = db.session.execute(
        select(Case.id, Case.case_no, Deadline.name, Deadline.due_at, CaseFact.unit_code)
        .join(Case, Case.id == Deadline.case_id)
        .join(CaseFact, CaseFact.case_id == Case.id)
        .where(Deadline.due_at < horizon, *_where(filters))
    ).all()
    tasks = db.session.execute(
        select(
            Case.id,
            Case.case_no,
            HumanTask.name,
            HumanTask.due_at,
            CaseFact.unit_code,
            User.display_name,
        )
        .join(Case, Case.id == HumanTask.case_id)
        .join(CaseFact, CaseFact.case_id == Case.id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(HumanTask.state == "READY", HumanTask.due_at < horizon, *_where(filters))
    ).all()
    officers = _case_officers({row[0] for row in timers})
    clocks: list[tuple[str, str, dt.datetime, str, str | None]] = [
        (case_no, name, due_at, unit, officers.get(case_id))
        for case_id, case_no, name, due_at, unit in timers
    ] + [
        (case_no, name, due_at, unit, officer)
        for _, case_no, name, due_at, unit, officer in tasks
        if due_at is not None
    ]
    calendar, today = work_calendar(), china_today()
    overdue, soon = [], []
    for case_no, name, due_at, unit, officer in clocks:
        last_day = (due_at.astimezone(CHINA_TZ) - dt.timedelta(seconds=1)).date()
        left = calendar.working_days_left(today, last_day)
        row = (
            case_no,
            name,
            last_day.isoformat(),
            left,
            names.get(unit, unit),
            officer or N_("未认领"),
        )
        if due_at <= now:
            overdue.append(row)
        elif left <= DUE_SOON_WD:
            soon.append(row)
    columns = (
        N_("案件编号"),
        N_("期限"),
        N_("最后一日"),
        N_("剩余工作日"),
        N_("盟市"),
        N_("承办人"),
    )
    return (
        Table("overdue", N_("已逾期"), columns, sorted(overdue, key=lambda r: r[2])[:LIST_LIMIT]),
        Table("due_soon", N_("即将到期"), columns, sorted(soon, key=lambda r: r[2])[:LIST_LIMIT]),
    )


def _case_officers(case_ids: set[int]) -> dict[int, str]:
    """The officer who holds a case's waiting task, for the timers' rows."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(HumanTask.case_id, User.display_name)
        .join(User, User.id == HumanTask.assignee_id)
        .where(HumanTask.case_id.in_(case_ids), HumanTask.state == "READY")
    ).all()
    return dict(rows)


def as_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([gettext(c) for c in table.columns])
    writer.writerows([_shown_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = table.key
    sheet.append([gettext(c) for c in table.columns])
    for row in table.rows:
        sheet.append([_shown_cell(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shown_cell(value: Any) -> Any:
    """Numbers stay numbers (a spreadsheet can sum them); labels are translated."""
    return shown(value) if isinstance(value, Msgid | str) or value is None else value


@dataclass(frozen=True)
class HeatCell:
    element_id: str
    name: str
    waiting: int
    average_days: float


def heat_processes() -> list[tuple[str, str]]:
    """The main process and the stages it calls, (process id, name), in the diagram's order."""
    return list(_heat_bundle()[1].items())


def _heat_bundle() -> tuple[ParsedBundle, dict[str, str]]:
    """The bundle in force for the main process, and the processes the heatmap can draw."""
    version = _main_version()
    bundle = engine().bundle(version.bundle_hash)
    shown = {version.process_id: bundle.processes[version.process_id].name}
    shown.update((s.called_process, s.name) for s in bundle.stages(version.process_id))
    return bundle, shown


def heat_diagram(process_id: str) -> str:
    bundle, shown = _heat_bundle()
    if process_id not in shown:
        raise NotFound(N_("没有这个流程。"))
    return bundle.source_of(process_id)


def heatmap(user: User, process_id: str, args: Mapping[str, str]) -> list[HeatCell]:
    """Per element of the diagram: how many cases wait there now and for how long on average.
    The main process counts the open stage visits per stage; a stage process counts the
    waiting task rows per user task."""
    filters = parse_filters(user, args)
    bundle, shown = _heat_bundle()
    units = [filters.unit] if filters.unit else list(filters.units)
    now = utcnow()
    if process_id == MAIN_PROCESS:
        elements = {s.name: (s.element_id, s.name) for s in bundle.stages(process_id)}
        query = (
            select(StageVisit.stage, func.count(), func.avg(_epoch(StageVisit.entered_at)))
            .where(StageVisit.left_at.is_(None), StageVisit.unit_code.in_(units))
            .group_by(StageVisit.stage)
        )
    elif process_id in shown:
        tasks = bundle.processes[process_id].user_tasks
        elements = {t.bpmn_id: (t.bpmn_id, t.name) for t in tasks}
        query = (
            select(HumanTask.bpmn_id, func.count(), func.avg(_epoch(HumanTask.created_at)))
            .join(CaseFact, CaseFact.case_id == HumanTask.case_id)
            .where(
                HumanTask.state == "READY",
                HumanTask.bpmn_id.in_(list(elements)),
                CaseFact.unit_code.in_(units),
            )
            .group_by(HumanTask.bpmn_id)
        )
    else:
        raise NotFound(N_("没有这个流程。"))
    cells = []
    for key, count, since in db.session.execute(query):
        if key in elements and since is not None:
            element_id, name = elements[key]
            days = (now.timestamp() - float(since)) / 86400
            cells.append(HeatCell(element_id, name, count, round(days, 1)))
    return sorted(cells, key=lambda c: -c.waiting)


def _epoch(column: Any) -> Any:
    """Seconds since 1970 of a timestamp column, on either database (for averages)."""
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


def _main_version() -> ProcessVersion:
    version = db.session.execute(
        select(ProcessVersion).where(
            ProcessVersion.process_id == MAIN_PROCESS, ProcessVersion.is_active.is_(True)
        )
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(N_("流程未部署。"))
    return version
