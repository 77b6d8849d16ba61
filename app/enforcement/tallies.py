"""The dashboard's running counts (dashboard_tally), kept in the transaction that changes a case.

What a case counts towards is one pure function of its facts row (`of_fact`), its stage while it
is open (`of_open`) and each stage visit it finished (`of_visit`). A change applies the
difference between what the case counted before and after, so the counts cannot drift from the
rows they summarise; `rebuild` recomputes everything from those rows (the migration that
created the table, `tijian rebuild-tallies`, the bulk generator) and a test checks that the
two ways agree.

Periods: "opened" per day (the weekly trend), every other dated figure per month (the
dashboard's period is a range of months), open cases without a period (`SNAPSHOT`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Executable, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, load_only, scoped_session

from app.clock import CHINA_TZ
from app.extensions import db, execute_plain
from app.models import Case, CaseFact, DashboardTally, StageVisit, table_of

ALL = "*"  # the unit_code / domain of the rows that count every unit / domain
SNAPSHOT = dt.date(1970, 1, 1)  # the period of figures that are "now", not dated
UNSTATED = "未注明"  # the violation type of a fine whose type was never recorded
DATED = ("decision", "level", "served", "published", "fine", "archived", "repair", "stage_time")

Item = tuple[str, dt.date, str, int]  # measure, period, key, value


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _yes(flag: bool | None) -> str:
    return "1" if flag else "0"


TALLIED_COLUMNS = (  # what of_fact reads
    "case_id",
    "unit_code",
    "domain",
    "opened_on",
    "decision",
    "decided_on",
    "level",
    "served_together",
    "published_on",
    "published_in_time",
    "fine",
    "violation_type",
    "archived_on",
    "visited_on",
    "repaired_on",
    "repair_applied_on",
)


def of_fact(fact: CaseFact) -> Counter[Item]:
    items: Counter[Item] = Counter({("opened", fact.opened_on, "", 0): 1})
    if fact.decision and fact.decided_on:
        month = month_of(fact.decided_on)
        items["decision", month, fact.decision, 0] += 1
        if fact.level:
            items["level", month, fact.level, 0] += 1
        if fact.served_together is not None:
            items["served", month, _yes(fact.served_together), 0] += 1
        if fact.published_on is not None:
            items["published", month, _yes(fact.published_in_time), 0] += 1
        if fact.fine is not None:
            fen = int(fact.fine * 100)
            items["fine", month, fact.violation_type or UNSTATED, fen] += 1
    if fact.archived_on and fact.decision:
        visited = _yes(fact.visited_on is not None)
        items["archived", month_of(fact.archived_on), visited, 0] += 1
    if fact.repaired_on and fact.repair_applied_on:
        days = (fact.repaired_on - fact.repair_applied_on).days
        items["repair", month_of(fact.repaired_on), "", days] += 1
    return items


def of_open(stage: str | None) -> Counter[Item]:
    return Counter({("open", SNAPSHOT, stage or "", 0): 1})


def duration_bucket(days: float) -> int:
    """A stage's duration in tenths of a day: exact to 0.1 day below 10 days, to the day below
    100, to ten days above (so a month of one stage is at most ~200 rows, and the median and
    90th percentile read from them keep two significant digits)."""
    tenths = round(round(days, 1) * 10)
    if tenths < 100:
        return tenths
    if tenths < 1000:
        return round(tenths, -1)
    return round(tenths, -2)


def of_visit(stage: str, entered_at: dt.datetime, left_at: dt.datetime) -> Item:
    days = (left_at - entered_at).total_seconds() / 86400
    left_on = left_at.astimezone(CHINA_TZ).date()
    return ("stage_time", month_of(left_on), stage, duration_bucket(days))


def change(fact: CaseFact, before: Counter[Item], after: Counter[Item]) -> None:
    """Count `after` instead of `before` for the case whose facts row is `fact`."""
    delta = Counter(after)
    delta.subtract(before)
    _add(fact.unit_code, fact.domain, delta)


def _add(unit_code: str, domain: str, delta: Counter[Item]) -> None:
    rows: Counter[tuple[str, str, str, dt.date, str, int]] = Counter()
    for item, n in delta.items():
        if n:
            for unit in (unit_code, ALL):
                for area in (domain, ALL):
                    rows[(unit, area, *item)] += n
    pending = db.session.info.get(_BATCH)
    if pending is not None:
        pending.update(rows)
    elif rows:
        # one order for every writer: two transactions never wait on each other's rows crosswise
        _upsert(sorted(rows.items()))


_BATCH = "tally_batch"


@contextmanager
def batched() -> Iterator[None]:
    """Changes made within are summed and written once when it ends (a worker round)."""
    rows: Counter[tuple[str, str, str, dt.date, str, int]] = Counter()
    db.session.info[_BATCH] = rows
    try:
        yield
    finally:
        del db.session.info[_BATCH]
    changed = sorted((key, n) for key, n in rows.items() if n)
    if changed:
        _upsert(changed)


_COLUMNS = ("unit_code", "domain", "measure", "period", "key", "value")


def _upsert(rows: Iterable[tuple[tuple[str, str, str, dt.date, str, int], int]]) -> None:
    statement = _upsert_statement(db.session.get_bind().dialect.name)
    execute_plain(statement, [dict(zip(_COLUMNS, key, strict=True), count=n) for key, n in rows])


@cache  # every opened case and stage change runs it: built once per dialect
def _upsert_statement(dialect: str) -> Executable:
    tally = table_of(DashboardTally)
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(tally)
    return statement.on_conflict_do_update(
        index_elements=list(_COLUMNS), set_={"count": tally.c.count + statement.excluded.count}
    )


def rebuild(session: Session | scoped_session[Session] | None = None, batch: int = 20_000) -> int:
    """Recount every tally from the facts, the open cases and the finished stage visits, in the
    transaction of `session` (the app's by default). Returns the number of rows written."""
    run = session or db.session
    rows = [dict(zip(_COLUMNS, key, strict=True), count=n) for key, n in _count(run, batch, 0)]
    run.execute(delete(DashboardTally))
    for start in range(0, len(rows), batch):
        run.execute(insert(DashboardTally), rows[start : start + batch])
    return len(rows)


def add_cases(first_case_id: int, batch: int = 20_000) -> None:
    """Count the cases from `first_case_id` on into the tallies, adding to what is there: for
    cases written in bulk rather than through the services (the benchmark's generator). Unlike
    a rebuild it leaves the other cases' rows alone, as new cases in production do."""
    counted = _count(db.session, batch, first_case_id)
    for start in range(0, len(counted), batch):
        _upsert(counted[start : start + batch])


def _count(
    run: Session | scoped_session[Any], batch: int, first_case_id: int
) -> list[tuple[tuple[str, str, str, dt.date, str, int], int]]:
    """What the cases from `first_case_id` on count towards, in upsert order."""
    totals: dict[tuple[str, str], Counter[Item]] = {}

    def count(unit: str, domain: str, items: Iterable[Item]) -> None:
        for key in ((unit, domain), (unit, ALL), (ALL, domain), (ALL, ALL)):
            totals.setdefault(key, Counter()).update(items)

    # only the columns the tallies read: migration 0016 runs this against the schema of its day
    counted = load_only(*(getattr(CaseFact, name) for name in TALLIED_COLUMNS))
    cases = (
        select(CaseFact, Case.status, Case.stage)
        .join(Case, Case.id == CaseFact.case_id)
        .where(CaseFact.case_id >= first_case_id)
        .options(counted)
    )
    for fact, status, stage in run.execute(cases.execution_options(yield_per=batch)):
        items = of_fact(fact)
        if status == "OPEN":
            items.update(of_open(stage))
        count(fact.unit_code, fact.domain, items)
    visits = select(
        CaseFact.unit_code,
        CaseFact.domain,
        StageVisit.stage,
        StageVisit.entered_at,
        StageVisit.left_at,
    ).join(CaseFact, CaseFact.case_id == StageVisit.case_id)
    finished = visits.where(StageVisit.left_at.is_not(None), StageVisit.case_id >= first_case_id)
    for unit, domain, stage, entered, left in run.execute(
        finished.execution_options(yield_per=batch)
    ):
        if left is not None:  # the query's condition; this tells the type checker
            count(unit, domain, [of_visit(stage, entered, left)])
    return sorted(
        ((unit, domain, *item), n)
        for (unit, domain), items in totals.items()
        for item, n in items.items()
        if n
    )
