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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from openpyxl import Workbook
from sqlalchemy import func, or_, select

from app.clock import CHINA_TZ, china_today, day_bounds, utcnow
from app.enforcement import tallies
from app.enforcement.decision_support import OUTPUT_LABELS
from app.engine import ParsedBundle
from app.extensions import db
from app.i18n import Msgid, shown
from app.models import (
    Case,
    CaseFact,
    DashboardTally,
    Deadline,
    HumanTask,
    Incident,
    ProcessVersion,
    StageVisit,
    User,
)
from app.platform import Forbidden, InvalidInput, NotFound
from app.platform.parameters import work_calendar
from app.platform.regions import ROOT_REGION, region_tree
from app.platform.workflows import MAIN_PROCESS, engine
from app.reference.decision_contract import LEVELS
from app.reference.enterprise import Domain
from forms.base import N_

DUE_SOON_WD = 3  # "due soon": this many working days left or fewer
LIST_LIMIT = 50
DECISIONS = {"PENALTY": N_("行政处罚"), "NO_PENALTY": N_("不予行政处罚")}
LEVEL_LABELS = {level: OUTPUT_LABELS[level] for level in LEVELS}


@dataclass(frozen=True)
class Filters:
    unit: str | None  # a 盟市 code, or None for the whole scope
    since: dt.date  # the first day of the first month
    until: dt.date  # the last day of the last month
    domain: str | None
    stage: str | None
    units: tuple[str, ...]  # the 盟市 the viewer may see
    everything: bool  # the viewer sees the whole region and no 盟市 is chosen

    def as_args(self) -> dict[str, str]:
        args = {"since": self.since.strftime("%Y-%m"), "until": self.until.strftime("%Y-%m")}
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
    total: int | None = None  # a list cut at LIST_LIMIT rows: how many there are in all


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


def _month(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise InvalidInput(N_("月份应为 YYYY-MM。")) from None


def parse_filters(user: User, args: Mapping[str, str]) -> Filters:
    """The period is whole months (the bureau reports by month, quarter and year): by default
    the last twelve, this one included."""
    tree = region_tree()
    root = user.region_code == ROOT_REGION
    units: tuple[str, ...] = tree.units if root else (tree.unit_of(user.region_code),)
    this_month = tallies.month_of(china_today())
    last = _month(args.get("until"), this_month)
    back = last.year * 12 + last.month - 12  # eleven months before `last`, counted from 0
    first = _month(args.get("since"), dt.date(back // 12, back % 12 + 1, 1))
    if first > last:
        raise InvalidInput(N_("开始月份不能晚于结束月份。"))
    unit = args.get("unit") or (units[0] if len(units) == 1 else None)
    if unit and unit not in units:
        raise Forbidden(N_("无权查看其他地区的数据。"))
    domain = args.get("domain") or None
    if domain and domain not in Domain.__members__:
        raise InvalidInput(N_("没有这个监管领域。"))
    next_month = (last + dt.timedelta(days=31)).replace(day=1)
    until = next_month - dt.timedelta(days=1)
    stage = args.get("stage") or None
    return Filters(unit, first, until, domain, stage, units, root and unit is None)


def build(user: User, args: Mapping[str, str]) -> Dashboard:
    """Open cases, the stage filter and the clocks are about cases as they stand now; the dated
    figures (trend, outcomes, promises, fines, durations) count what happened in the period, to
    whichever stage the case has moved since, so the stage filter leaves them alone."""
    filters = parse_filters(user, args)
    board = Dashboard(filters)
    board.tables.extend(_open_cases(filters))
    dated = _dated(filters)
    board.tables.append(_weekly(filters))
    board.rates.extend(_rates(dated))
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
    board.tables.append(_mix("decisions", N_("处罚与不予处罚"), dated["decision"], DECISIONS))
    board.tables.append(_mix("levels", N_("裁量阶次"), dated["level"], LEVEL_LABELS))
    board.tables.append(_fines(filters, dated["fine"]))
    board.tables.append(_stage_times(dated["stage_time"]))
    board.tables.append(_repair_times(dated["repair"]))
    overdue, soon = _deadlines(filters)
    board.tables.extend([overdue, soon])
    board.open_incidents = db.session.execute(
        select(func.count(Incident.id))
        .join(CaseFact, CaseFact.case_id == Incident.case_id)
        .where(Incident.resolved_at.is_(None), *_where(filters, with_stage=False))
    ).scalar_one()
    return board


def _where(filters: Filters, with_stage: bool = True) -> list[Any]:
    """Conditions on case_fact (and the case's stage) for the figures read from the case rows."""
    conditions: list[Any] = []
    if not filters.everything:
        conditions.append(CaseFact.unit_code.in_([filters.unit] if filters.unit else filters.units))
    if filters.domain:
        conditions.append(CaseFact.domain == filters.domain)
    if with_stage and filters.stage:
        conditions.append(CaseFact.case_id.in_(select(Case.id).where(Case.stage == filters.stage)))
    return conditions


def _tally(filters: Filters) -> list[Any]:
    """The tally rows of the filters' 盟市 and domain ("*": all of them)."""
    return [
        DashboardTally.unit_code == (filters.unit or tallies.ALL),
        DashboardTally.domain == (filters.domain or tallies.ALL),
    ]


def _open_cases(filters: Filters) -> list[Table]:
    names = region_tree().names
    query = select(DashboardTally.key, DashboardTally.unit_code, DashboardTally.count).where(
        DashboardTally.measure == "open",
        DashboardTally.domain == (filters.domain or tallies.ALL),
        DashboardTally.count > 0,
    )
    if filters.everything:  # every unit, the bureau's own cases included
        query = query.where(DashboardTally.unit_code != tallies.ALL)
    else:
        query = query.where(
            DashboardTally.unit_code.in_([filters.unit] if filters.unit else filters.units)
        )
    if filters.stage:
        query = query.where(DashboardTally.key == filters.stage)
    per_stage: dict[str, int] = defaultdict(int)
    per_unit: dict[str, int] = defaultdict(int)
    for stage, unit, count in db.session.execute(query):
        per_stage[stage] += count
        per_unit[unit] += count
    return [
        Table(
            "stages",
            N_("在办案件（按阶段）"),
            (N_("阶段"), N_("案件数")),
            sorted(per_stage.items()),
            chart="bar",
        ),
        Table(
            "units",
            N_("在办案件（按盟市）"),
            (N_("盟市"), N_("案件数")),
            [(names.get(u, u), n) for u, n in sorted(per_unit.items())],
            chart="bar",
        ),
    ]


Histogram = dict[tuple[str, int], int]  # (key, value) → cases


def _dated(filters: Filters) -> dict[str, Histogram]:
    """Every dated figure of the period but the trend, summed over its months: one index range
    per measure."""
    rows = db.session.execute(
        select(
            DashboardTally.measure,
            DashboardTally.key,
            DashboardTally.value,
            func.sum(DashboardTally.count),
        )
        .where(
            *_tally(filters),
            DashboardTally.measure.in_(tallies.DATED),
            DashboardTally.period.between(filters.since, filters.until),
        )
        .group_by(DashboardTally.measure, DashboardTally.key, DashboardTally.value)
    )
    dated: dict[str, Histogram] = {measure: {} for measure in tallies.DATED}
    for measure, key, value, count in rows:
        if count:
            dated[measure][key, value] = int(count)
    return dated


def _weekly(filters: Filters) -> Table:
    days = db.session.execute(
        select(DashboardTally.period, DashboardTally.count).where(
            *_tally(filters),
            DashboardTally.measure == "opened",
            DashboardTally.period.between(filters.since, filters.until),
        )
    )
    weeks: dict[dt.date, int] = defaultdict(int)
    for day, count in days:
        weeks[day - dt.timedelta(days=day.weekday())] += count
    return Table(
        "weekly",
        N_("每周新增案件"),
        (N_("周（自周一）"), N_("新增案件")),
        [(week.isoformat(), weeks[week]) for week in sorted(weeks) if weeks[week]],
        chart="bar",
    )


def _yes_no(histogram: Histogram) -> tuple[int, int]:
    """(cases with "1", all cases) of a yes/no measure."""
    return histogram.get(("1", 0), 0), sum(histogram.values())


def _rates(dated: dict[str, Histogram]) -> list[Rate]:
    return [
        Rate(N_("回访率（已结案的处罚、不予处罚案件）"), *_yes_no(dated["archived"]), 1.0),
        Rate(
            N_("两书同达率（处罚决定书与信用修复告知书同时送达）"),
            *_yes_no(dated["served"]),
            1.0,
        ),
        Rate(N_("按时公示率（决定后20个工作日内）"), *_yes_no(dated["published"]), 1.0),
    ]


def _mix(key: str, title: str, histogram: Histogram, labels: Mapping[str, str]) -> Table:
    rows = [
        (Msgid(labels[value]) if value in labels else value, count)
        for (value, _), count in sorted(histogram.items())
    ]
    return Table(key, title, (N_("类别"), N_("案件数")), rows, chart="bar")


def counted_percentile(counts: Mapping[int, int], share: float) -> int | None:
    """The nearest-rank percentile of values given as {value: how many times}."""
    total = sum(counts.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")  # pragma: no cover


def _by_key(histogram: Histogram) -> dict[str, dict[int, int]]:
    grouped: dict[str, dict[int, int]] = defaultdict(dict)
    for (key, value), count in histogram.items():
        grouped[key][value] = count
    return grouped


OUTLIER_EXAMPLES = 10


def _fines(filters: Filters, histogram: Histogram) -> Table:
    table = []
    for violation, counts in sorted(_by_key(histogram).items()):
        q1, q3 = counted_percentile(counts, 0.25) or 0, counted_percentile(counts, 0.75) or 0
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        outlying = sum(n for fen, n in counts.items() if not low <= fen <= high)
        table.append(
            (
                violation,
                sum(counts.values()),
                _yuan(counted_percentile(counts, 0.5)),
                _yuan(min(counts)),
                _yuan(max(counts)),
                outlying,
                "、".join(_outliers(filters, violation, low / 100, high / 100)) if outlying else "",
            )
        )
    return Table(
        "fines",
        N_("罚款分布（按违法行为类型，类案同罚）"),
        (
            N_("违法行为类型"),
            N_("案件数"),
            N_("中位数"),
            N_("最低"),
            N_("最高"),
            N_("离群案件数"),
            N_("离群案件（举例）"),
        ),
        table,
        note=N_("离群：低于下四分位数或高于上四分位数 1.5 倍四分位距以外。"),
    )


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _outliers(filters: Filters, violation: str, low: float, high: float) -> list[str]:
    """Case numbers of the outlying fines, the highest and lowest first."""
    stated = (
        or_(CaseFact.violation_type.is_(None), CaseFact.violation_type == "")
        if violation == tallies.UNSTATED
        else CaseFact.violation_type == violation
    )
    found = db.session.execute(
        select(Case.case_no)
        .join(CaseFact, CaseFact.case_id == Case.id)
        .where(
            stated,
            CaseFact.decided_on.between(filters.since, filters.until),
            (CaseFact.fine < low) | (CaseFact.fine > high),
            *_where(filters, with_stage=False),
        )
        .order_by(CaseFact.fine.desc())
        .limit(OUTLIER_EXAMPLES)
    ).scalars()
    return sorted(found)


def _stage_times(histogram: Histogram) -> Table:
    rows = []
    for stage, counts in sorted(_by_key(histogram).items()):
        median, p90 = counted_percentile(counts, 0.5), counted_percentile(counts, 0.9)
        rows.append((stage, sum(counts.values()), _days(median), _days(p90)))
    return Table(
        "stage_times",
        N_("各阶段用时（天）"),
        (N_("阶段"), N_("完成次数"), N_("中位数"), N_("90分位")),
        rows,
        note=N_("10 天以内精确到 0.1 天，100 天以内精确到 1 天，更长的精确到 10 天。"),
    )


def _days(tenths: int | None) -> float | None:
    return None if tenths is None else tenths / 10


def _repair_times(histogram: Histogram) -> Table:
    counts = {days: n for (_, days), n in histogram.items()}
    return Table(
        "repair",
        N_("信用修复办理用时（天）"),
        (N_("修复完成"), N_("中位数"), N_("90分位")),
        [(sum(counts.values()), counted_percentile(counts, 0.5), counted_percentile(counts, 0.9))]
        if counts
        else [],
    )


def _deadlines(filters: Filters) -> tuple[Table, Table]:
    """Every running statutory clock, with who answers for it: the diagrams' timers and the
    due dates of waiting tasks. Each list shows the earliest LIST_LIMIT and counts them all."""
    now = utcnow()
    calendar, today = work_calendar(), china_today()
    last_soon = today  # the last day that still leaves at most DUE_SOON_WD working days
    while calendar.working_days_left(today, last_soon + dt.timedelta(days=1)) <= DUE_SOON_WD:
        last_soon += dt.timedelta(days=1)
    overdue = _clocks(filters, None, now)
    soon = _clocks(filters, now, day_bounds(last_soon, last_soon)[1])
    names = region_tree().names
    columns = (
        N_("案件编号"),
        N_("期限"),
        N_("最后一日"),
        N_("剩余工作日"),
        N_("盟市"),
        N_("承办人"),
    )
    tables = []
    for key, title, (total, clocks) in (
        ("overdue", N_("已逾期"), overdue),
        ("due_soon", N_("即将到期"), soon),
    ):
        rows = []
        for case_no, name, due_at, unit, officer in clocks:
            last_day = (due_at.astimezone(CHINA_TZ) - dt.timedelta(seconds=1)).date()
            left = calendar.working_days_left(today, last_day)
            rows.append(
                (
                    case_no,
                    name,
                    last_day.isoformat(),
                    left,
                    names.get(unit, unit),
                    officer or N_("未认领"),
                )
            )
        tables.append(Table(key, title, columns, rows, total=total))
    return tables[0], tables[1]


Clock = tuple[str, str, dt.datetime, str, str | None]  # case no, name, due, unit, officer


def _clocks(
    filters: Filters, after: dt.datetime | None, until: dt.datetime
) -> tuple[int, list[Clock]]:
    """How many clocks run out in (after, until], and the earliest LIST_LIMIT of them."""
    timer_window = [Deadline.due_at <= until]
    task_window = [HumanTask.waiting(), HumanTask.due_at <= until]
    if after is not None:
        timer_window.append(Deadline.due_at > after)
        task_window.append(HumanTask.due_at > after)
    conditions = _where(filters)
    timers = (
        select(Case.id, Case.case_no, Deadline.name, Deadline.due_at, CaseFact.unit_code)
        .join(Case, Case.id == Deadline.case_id)
        .join(CaseFact, CaseFact.case_id == Case.id)
        .where(*timer_window, *conditions)
    )
    tasks = (
        select(
            Case.case_no, HumanTask.name, HumanTask.due_at, CaseFact.unit_code, User.display_name
        )
        .join(Case, Case.id == HumanTask.case_id)
        .join(CaseFact, CaseFact.case_id == Case.id)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(*task_window, *conditions)
    )
    total = 0
    for key, window in ((Deadline.case_id, timer_window), (HumanTask.case_id, task_window)):
        counted = select(func.count()).select_from(key.table).where(*window)
        if conditions:  # the whole region needs no join to learn where a case belongs
            counted = counted.join(CaseFact, CaseFact.case_id == key).where(*conditions)
        total += db.session.execute(counted).scalar_one()
    first_timers = db.session.execute(timers.order_by(Deadline.due_at).limit(LIST_LIMIT)).all()
    officers = _case_officers({row[0] for row in first_timers})
    clocks: list[Clock] = [
        (case_no, name, due_at, unit, officers.get(case_id))
        for case_id, case_no, name, due_at, unit in first_timers
    ]
    for case_no, name, due_at, unit, officer in db.session.execute(
        tasks.order_by(HumanTask.due_at).limit(LIST_LIMIT)
    ):
        if due_at is not None:  # the window's condition; this tells the type checker
            clocks.append((case_no, name, due_at, unit, officer))
    return total, sorted(clocks, key=lambda clock: clock[2])[:LIST_LIMIT]


def _case_officers(case_ids: set[int]) -> dict[int, str]:
    """The officer who holds a case's waiting task, for the timers' rows. Names are looked up
    apart: joined, the planner may walk every task of each user instead of the cases' few."""
    if not case_ids:
        return {}
    holders = {
        case_id: user_id
        for case_id, user_id, state in db.session.execute(
            select(HumanTask.case_id, HumanTask.assignee_id, HumanTask.state).where(
                HumanTask.case_id.in_(case_ids)
            )
        )
        if user_id is not None and state == "READY"
    }
    names = dict(
        db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(set(holders.values())))
        ).all()
    )
    return {case_id: names[user_id] for case_id, user_id in holders.items()}


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
            .where(HumanTask.waiting(), HumanTask.bpmn_id.in_(list(elements)))
            .group_by(HumanTask.bpmn_id)
        )
        if not filters.everything:
            # the province's view needs no unit: joined for all, PostgreSQL merged the waiting
            # tasks with every case's facts row (150 ms at 1M cases) instead of looking them up
            query = query.join(CaseFact, CaseFact.case_id == HumanTask.case_id).where(
                CaseFact.unit_code.in_(units)
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
