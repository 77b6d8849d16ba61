"""`tijian bench --generate N`: a province's years of cases, loaded at bulk-insert speed.

Running the engine for a million cases would take hours, so the generator clones the demo
gallery: 33 cases the real services replayed step by step (engine state, task rows with what
was submitted, stage visits, facts, timers). Each clone gets its own enterprise, county, case
number and dates — every moment of the template's history moved by the same offset — and keeps
the template's engine state, which refers to task ids that stay unique per instance.

The mix: about 5 % of the cases are still open (recent, at every stage); the closed ones spread
over five years, short histories (risk warnings) far more often than long ones (decided cases),
weighted so that a closed case has `TASKS_PER_CASE` task rows on average. The performance
issue asks for 1M cases with 3M task rows; the demo's shortest closed case already has four, so
a generated province has about five per case: more rows than asked, not fewer. Not cloned:
documents, attachments and the audit trail (its hash chain would have to be
recomputed row by row); the clones' dashboard tallies are counted at the end and added.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Table, func, insert, or_, select, text, update

from app.clock import utcnow
from app.enforcement import tallies
from app.enforcement.numbers import (
    filing_counter,
    format_filing,
    format_registration,
    registration_counter,
)
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    CaseFact,
    Deadline,
    Enterprise,
    HumanTask,
    Job,
    NumberSequence,
    ProcessVersion,
    Region,
    StageVisit,
    WorkflowInstance,
)
from app.reference.enterprise import Domain
from app.reference.provinces import HOME_PROVINCE

OPEN_SHARE = 0.05
RECENT = 30 * 86400  # seconds: "recently closed"
YEARS = 5
TASKS_PER_CASE = 5.0  # closed cases: a few decided cases with long histories among warnings
CASES_PER_ENTERPRISE = 8
BATCH = 5_000  # cases per transaction


@dataclass(frozen=True)
class Template:
    case: dict[str, Any]
    instance: dict[str, Any]
    tasks: list[dict[str, Any]]
    visits: list[dict[str, Any]]
    fact: dict[str, Any]
    deadlines: list[dict[str, Any]]
    jobs: list[dict[str, Any]]

    @property
    def closed(self) -> bool:
        return bool(self.case["status"] == "CLOSED")

    @property
    def span(self) -> dt.timedelta:
        """From the opening to the last thing that happened (for an open case: to now)."""
        closed: dt.datetime | None = self.case["closed_at"]
        updated: dt.datetime = self.case["updated_at"]
        opened: dt.datetime = self.case["opened_at"]
        return max(closed or utcnow(), updated) - opened


@dataclass(frozen=True)
class Generated:
    cases: int
    enterprises: int
    task_rows: int
    seconds: float


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _rows(model: Any, *conditions: Any) -> list[dict[str, Any]]:
    table = _table(model)
    query = select(table).where(*conditions).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def templates(case_ids: Collection[int] = ()) -> list[Template]:
    """The cases to clone, with the rows of their history: those named, or else every case the
    services opened (the demo's: each has its audit entry, which a clone has not) but the
    benchmark's own processes."""
    chosen: ColumnElement[bool]
    if case_ids:
        chosen = Case.id.in_(case_ids)
    else:
        opened_by_services = select(func.cast(AuditEvent.object_id, Integer)).where(
            AuditEvent.action == "open_case"
        )
        bench = select(ProcessVersion.id).where(ProcessVersion.process_id.like("bench%"))
        chosen = Case.id.in_(opened_by_services) & Case.process_version_id.not_in(bench)
    cases = _rows(Case, chosen)
    ids = [case["id"] for case in cases]
    children: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for name, model in (
        ("tasks", HumanTask),
        ("visits", StageVisit),
        ("deadlines", Deadline),
        ("jobs", Job),
    ):
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in _rows(model, model.case_id.in_(ids)):
            grouped[row["case_id"]].append(row)
        children[name] = grouped
    instances = {
        r["case_id"]: r for r in _rows(WorkflowInstance, WorkflowInstance.case_id.in_(ids))
    }
    facts = {r["case_id"]: r for r in _rows(CaseFact, CaseFact.case_id.in_(ids))}
    return [
        Template(
            case=case,
            instance=instances[case["id"]],
            tasks=children["tasks"][case["id"]],
            visits=children["visits"][case["id"]],
            fact=facts[case["id"]],
            deadlines=children["deadlines"][case["id"]],
            jobs=children["jobs"][case["id"]],
        )
        for case in cases
    ]


def _weights(group: Sequence[Template], mean_tasks: float) -> list[float]:
    """exp(-tasks / t), with t found by bisection so that the expected task rows per case are
    `mean_tasks` (or as close as the group allows): short histories are the common ones."""
    sizes = [len(t.tasks) for t in group]
    if len(set(sizes)) < 2:  # nothing to weigh
        return [1.0] * len(group)

    def mean(scale: float) -> float:
        weights = [math.exp(-(n - min(sizes)) / scale) for n in sizes]
        return sum(w * n for w, n in zip(weights, sizes, strict=True)) / sum(weights)

    low, high = 0.01, 1000.0
    for _ in range(60):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if mean(middle) < mean_tasks else (low, middle)
    return [math.exp(-(n - min(sizes)) / low) for n in sizes]


class _Ids:
    """The next free id of each table: the clones get theirs up front, so rows of one case can
    point at each other without a round trip per row."""

    def __init__(self, *models: Any) -> None:
        self._next = {
            m: (db.session.execute(select(func.max(m.id))).scalar_one() or 0) + 1 for m in models
        }

    def next(self, model: Any) -> int:
        return self._next[model]

    def take(self, model: Any) -> int:
        value = self._next[model]
        self._next[model] = value + 1
        return value


def generate(
    count: int,
    seed: int = 1,
    open_share: float = OPEN_SHARE,
    case_ids: Collection[int] = (),
    recent: bool = False,
) -> Generated:
    """Clone the database's cases (or those of `case_ids`) `count` times over (see the module's
    docstring); with `recent`, closed cases closed within the last month, as a day's new rows
    would be written (at the end of every time-ordered index, not spread through it). Commits."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    sources = templates(case_ids)
    if not sources:
        raise RuntimeError("no cases to clone: seed the demo data first")
    closed = [t for t in sources if t.closed]
    running = [t for t in sources if not t.closed]
    weights = {
        True: _weights(closed, TASKS_PER_CASE),
        False: _weights(running, 8.0),  # open cases: at every stage, the early ones more often
    }
    counties = [
        (code, parent or code)
        for code, parent in db.session.execute(
            select(Region.code, Region.parent_code).where(Region.level == "COUNTY")
        )
    ]
    ids = _Ids(Enterprise, Case, WorkflowInstance, HumanTask, StageVisit, Deadline, Job)
    first_case = ids.next(Case)
    numbers = _CaseNumbers()
    _bulk_writes(fast=True)
    now = utcnow()
    enterprises = _Enterprises(rng, ids, counties)
    task_rows = 0
    for first in range(0, count, BATCH):
        batch = _Batch()
        for _ in range(first, min(count, first + BATCH)):
            is_closed = (rng.random() >= open_share or not running) and bool(closed)
            group = closed if is_closed else running
            template = rng.choices(group, weights[is_closed])[0]
            span = template.span
            if is_closed:  # closed by now, opened at any time in the years before
                years = RECENT if recent else YEARS * 365 * 86400
                spread = max(0.0, years - span.total_seconds())
                opened = now - span - dt.timedelta(seconds=rng.uniform(0, spread))
            else:  # as far along as the template's own case, give or take a fortnight
                opened = now - span - dt.timedelta(seconds=rng.uniform(0, 14 * 86400))
            enterprise = enterprises.pick(batch)
            _clone(template, opened, enterprise, ids, numbers, batch)
        task_rows += len(batch.rows[HumanTask])
        batch.write()
        db.session.commit()
    numbers.save()
    tallies.add_cases(first_case)
    _reset_sequences()
    db.session.commit()
    _bulk_writes(fast=False)
    _vacuum_analyze()
    return Generated(count, len(enterprises.made_rows), task_rows, time.perf_counter() - started)


class _Batch:
    def __init__(self) -> None:
        self.rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def write(self) -> None:
        # parents before children, for the foreign keys
        for model in (
            Enterprise,
            Case,
            WorkflowInstance,
            CaseFact,
            HumanTask,
            StageVisit,
            Deadline,
            Job,
        ):
            if self.rows[model]:
                db.session.execute(insert(_table(model)), self.rows[model])


class _Enterprises:
    """New enterprises, made as cases need them: each serves CASES_PER_ENTERPRISE cases on
    average, so an enterprise record shows a history."""

    def __init__(self, rng: random.Random, ids: _Ids, counties: list[tuple[str, str]]) -> None:
        self.rng, self.ids, self.counties = rng, ids, counties
        self.made_rows: list[dict[str, Any]] = []
        self.domains = list(Domain)

    def pick(self, batch: _Batch) -> dict[str, Any]:
        if not self.made_rows or self.rng.random() < 1 / CASES_PER_ENTERPRISE:
            return self._make(batch)
        return self.rng.choice(self.made_rows)

    def _make(self, batch: _Batch) -> dict[str, Any]:
        county, unit = self.rng.choice(self.counties)
        number = self.ids.take(Enterprise)
        domain = self.rng.choice(self.domains)
        row = {
            "id": number,
            "credit_code": f"91{county}MB{number:08d}"[:18],
            "name": f"{_FIRM_WORDS[number % len(_FIRM_WORDS)]}{number}号{_KINDS[domain]}",
            "party_type": "LEGAL_PERSON" if number % 3 else "INDIVIDUAL_BIZ",
            "domain": domain,
            "credit_class": "ABCD"[min(3, int(self.rng.expovariate(1.5)))],
            "region_code": county,
            "registration_province": HOME_PROVINCE,
            "address": None,
            "legal_representative": None,
            "created_at": utcnow(),
            "unit_code": unit,  # not a column: the clone's facts need it
        }
        batch.add(Enterprise, {k: v for k, v in row.items() if k != "unit_code"})
        self.made_rows.append(row)
        return row


_FIRM_WORDS = ("草原", "北疆", "青城", "鹿城", "河套", "阴山", "敕勒", "大漠", "黄河", "松林")
_KINDS = {
    Domain.FOOD: "食品有限公司",
    Domain.DRUG: "大药房有限公司",
    Domain.SPECIAL_EQUIP: "设备安装有限公司",
    Domain.KEY_INDUSTRIAL: "化工有限公司",
    Domain.AD: "广告传媒有限公司",
    Domain.PRICE: "商贸有限公司",
    Domain.REGISTRATION: "商贸有限公司",
    Domain.METROLOGY: "加油站有限公司",
    Domain.ECOM: "网络科技有限公司",
    Domain.PRODUCT_QUALITY: "制品有限公司",
    Domain.OTHER: "服务有限公司",
}


class _CaseNumbers:
    """Registration numbers and 立案号 as the services make them (XS2026-150102-00001,
    呼市监立〔2026〕1号), per kind, county or unit and year, continuing the counters; saved back
    so that new cases go on from there."""

    def __init__(self) -> None:
        self.values = {
            name: value
            for name, value in db.session.execute(
                select(NumberSequence.name, NumberSequence.value).where(
                    or_(NumberSequence.name.like("case:%"), NumberSequence.name.like("filing:%"))
                )
            )
        }
        self.stored = dict(self.values)  # as read: what save() updates rather than inserts

    def _take(self, name: str) -> int:
        self.values[name] = self.values.get(name, 0) + 1
        return self.values[name]

    def registration(self, like: str, county: str, year: int) -> str:
        """A number of the kind of `like` (a template's registration number)."""
        prefix = like[:2]
        number = self._take(registration_counter(prefix, county, year))
        return format_registration(prefix, county, year, number)

    def filing(self, unit: str, year: int) -> str:
        return format_filing(unit, year, self._take(filing_counter(unit, year)))

    def save(self) -> None:
        for name, value in self.values.items():
            if value == self.stored.get(name):
                continue
            if name in self.stored:
                db.session.execute(
                    update(NumberSequence).where(NumberSequence.name == name).values(value=value)
                )
            else:
                db.session.execute(insert(NumberSequence).values(name=name, value=value))


def _clone(
    template: Template,
    opened: dt.datetime,
    enterprise: dict[str, Any],
    ids: _Ids,
    numbers: _CaseNumbers,
    batch: _Batch,
) -> None:
    shift = opened - template.case["opened_at"]
    days = dt.timedelta(days=shift.days)

    def moved(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value + shift
        if isinstance(value, dt.date):
            return value + days
        return value

    def copy(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
        return {k: moved(v) for k, v in row.items()} | changes

    case_id, instance_id = ids.take(Case), ids.take(WorkflowInstance)
    county = enterprise["region_code"]
    batch.add(
        Case,
        copy(
            template.case,
            id=case_id,
            case_no=numbers.registration(template.case["case_no"], county, opened.year),
            filing_no=template.case["filing_no"]
            and numbers.filing(enterprise["unit_code"], opened.year),
            enterprise_id=enterprise["id"],
            region_code=county,
            has_incident=False,
        ),
    )
    batch.add(WorkflowInstance, copy(template.instance, id=instance_id, case_id=case_id))
    batch.add(
        CaseFact,
        copy(
            template.fact,
            case_id=case_id,
            unit_code=enterprise["unit_code"],
            domain=enterprise["domain"],
        ),
    )
    for task in template.tasks:
        ready = task["state"] == "READY"
        batch.add(
            HumanTask,
            copy(
                task,
                id=ids.take(HumanTask),
                case_id=case_id,
                instance_id=instance_id,
                region_code=county,
                assignee_id=None if ready else task["assignee_id"],
                draft=None,
            ),
        )
    for visit in template.visits:
        batch.add(
            StageVisit,
            copy(
                visit, id=ids.take(StageVisit), case_id=case_id, unit_code=enterprise["unit_code"]
            ),
        )
    for deadline in template.deadlines:
        batch.add(
            Deadline,
            copy(deadline, id=ids.take(Deadline), case_id=case_id, instance_id=instance_id),
        )
    for job in template.jobs:
        batch.add(
            Job,
            copy(
                job,
                id=ids.take(Job),
                case_id=case_id,
                instance_id=instance_id,
                lock_owner=None,
                lock_expires_at=None,
            ),
        )


def _bulk_writes(fast: bool) -> None:
    """SQLite: a bulk load that a crash may lose anyway need not wait for the disk per batch;
    afterwards the connection goes back to the app's setting (app/database.py)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text(f"PRAGMA synchronous={'OFF' if fast else 'NORMAL'}"))


def _vacuum_analyze() -> None:
    """PostgreSQL: what autovacuum does for a table that has grown (since version 13 for
    inserts too), done now, as after any bulk load: statistics for the planner, which otherwise
    plans from the empty tables' figures, and the visibility map, without which no query can
    answer from an index alone. SQLite keeps no statistics on purpose (docs/performance.md)."""
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def _reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not advance."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Enterprise, Case, WorkflowInstance, HumanTask, StageVisit, Deadline, Job):
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - names from the models
                f"(SELECT max(id) FROM {table}))"
            )
        )
