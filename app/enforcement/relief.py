"""The relief ledger (R 复议与诉讼): the party's 复议 or 诉讼 against the decision, and its result.

Relief runs beside enforcement: 复议、诉讼期间行政处罚不停止执行, but the late fee is not counted
while it runs (《行政处罚法》第七十三条), and the court may be asked to enforce only after the
periods for relief have passed or the relief has ended (《行政强制法》第五十三条). Stage H and
stage R are parallel called processes that do not share data, so the facts live here, one row per
application; the diagrams receive them as messages (relief_application, relief_result to R;
relief_concluded to H) and stage H's checks read the rows.

Periods (DOMAIN.md G3, G4): 复议 60 calendar days (RECONSIDERATION_CD) and 诉讼 6 months
(LITIGATION_MONTHS) from the service of the decision; after a 复议 that upheld it, 15 days from
its service (LITIGATION_AFTER_RECONSIDERATION_CD, 《行政诉讼法》第四十五条). Each rolls off a rest
day to the next working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.calendar import Unit
from app.enforcement import facts
from app.extensions import db
from app.i18n import cn_money
from app.models import Case, HumanTask, ReliefRecord, User
from app.platform.parameters import values_in_force, work_calendar
from forms.base import N_

KINDS = {"RECONSIDERATION": N_("行政复议"), "LITIGATION": N_("行政诉讼")}
RESULTS = {
    "UPHELD": N_("维持"),
    "CHANGED": N_("变更"),
    "REVOKED": N_("撤销"),
    "CONFIRMED_ILLEGAL": N_("确认违法"),
}
# results after which the decision no longer stands as it was (DMN-V1: a HIGH-priority visit
# for a revoked or illegal one; the publicity is withdrawn or corrected)
OVERTURNING = ("CHANGED", "REVOKED", "CONFIRMED_ILLEGAL")
# results after which the decision is not enforced at all
ENDING_ENFORCEMENT = ("REVOKED", "CONFIRMED_ILLEGAL")


SERVICE_FORM = "decision.serve_two"  # 两书同达: the decision's service starts the periods


def decision_served_on(case_id: int) -> dt.date | None:
    """The day the penalty decision was served, from the service step's row (None before)."""
    data = db.session.execute(
        select(HumanTask.submitted_data)
        .where(
            HumanTask.case_id == case_id,
            HumanTask.form_key == SERVICE_FORM,
            HumanTask.state == "COMPLETED",
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    try:
        return dt.date.fromisoformat(str((data or {}).get("served_on"))[:10])
    except ValueError:
        return None


def records(case_id: int) -> list[ReliefRecord]:
    return list(
        db.session.execute(
            select(ReliefRecord)
            .where(ReliefRecord.case_id == case_id)
            .order_by(ReliefRecord.applied_on, ReliefRecord.id)
        ).scalars()
    )


def pending(case_id: int) -> ReliefRecord | None:
    return next((r for r in records(case_id) if r.result is None), None)


def _due(start: dt.date, amount: int, unit: Unit) -> dt.date:
    return work_calendar().deadline(start, amount, unit).due


def statutory_end(served_on: dt.date) -> dt.date:
    """The last day of the periods for relief against a decision served on `served_on`: the
    later of 60 calendar days (复议) and 6 months (诉讼)."""
    values = values_in_force(served_on)
    return max(
        _due(served_on, int(values["RECONSIDERATION_CD"]), Unit.CALENDAR_DAYS),
        _due(served_on, int(values["LITIGATION_MONTHS"]), Unit.MONTHS),
    )


def end_after(record: ReliefRecord) -> dt.date:
    """When relief ends after this record's result: a 复议 that upheld the decision leaves 15
    days to sue; any other result is final on its day."""
    assert record.result_on is not None  # noqa: S101 - only concluded records
    if record.kind == "RECONSIDERATION" and record.result == "UPHELD":
        days = int(values_in_force(record.result_on)["LITIGATION_AFTER_RECONSIDERATION_CD"])
        return _due(record.result_on, days, Unit.CALENDAR_DAYS)
    return record.result_on


@dataclass(frozen=True)
class ReliefState:
    """What enforcement needs to know: is relief running, when did (or will) relief end, and
    did a result overturn the decision."""

    running: bool
    ends_on: dt.date | None  # None while relief runs
    overturned: str | None  # the overturning result, if any
    paused: tuple[tuple[dt.date, dt.date | None], ...]  # periods relief ran (open: still runs)


def state(case_id: int, served_on: dt.date) -> ReliefState:
    rows = records(case_id)
    running = any(r.result is None for r in rows)
    concluded = [r for r in rows if r.result is not None]
    ends_on = None
    if not running:
        ends_on = statutory_end(served_on)
        if concluded:
            ends_on = end_after(max(concluded, key=lambda r: (r.result_on, r.id)))
    overturned = next((r.result for r in reversed(concluded) if r.result in OVERTURNING), None)
    paused = tuple((r.applied_on, r.result_on) for r in rows)
    return ReliefState(running, ends_on, overturned, paused)


def concluded_payload(record: ReliefRecord) -> dict[str, Any]:
    """The message both stages receive about a result (JSON: dates as ISO, money as numbers)."""
    assert record.result_on is not None  # noqa: S101 - only concluded records
    fine = record.changed_fine
    return {
        "kind": record.kind,
        "result": record.result,
        "result_on": record.result_on.isoformat(),
        "relief_end": end_after(record).isoformat(),
        "fine": None if fine is None else float(fine),
    }


def add_application(
    case: Case, kind: str, applied_on: dt.date, body: str, user: User
) -> ReliefRecord:
    record = ReliefRecord(
        case_id=case.id, kind=kind, applied_on=applied_on, body=body, recorded_by_id=user.id
    )
    db.session.add(record)
    db.session.flush()
    return record


def add_result(
    case: Case, record: ReliefRecord, result: str, result_on: dt.date, fine: Decimal | None
) -> None:
    """The result on the ledger, and on the dashboard's facts when it overturns the decision
    (a revoked or illegal decision's fine no longer counts; a changed one counts as changed)."""
    record.result, record.result_on, record.changed_fine = result, result_on, fine
    if result in OVERTURNING:
        facts.decision_overturned(case, result, fine)


def overturned(case_id: int) -> bool:
    """For the return visit (DMN-V1 `overturned`): the decision was changed, revoked or
    confirmed illegal in 复议 or 诉讼."""
    return any(r.result in OVERTURNING for r in records(case_id))


def voided_cases(case_ids: Sequence[int]) -> set[int]:
    """Of these cases, those whose decision was revoked or confirmed illegal (no longer a
    prior penalty for the first-offense lookback)."""
    if not case_ids:
        return set()
    return set(
        db.session.execute(
            select(ReliefRecord.case_id).where(
                ReliefRecord.case_id.in_(list(case_ids)),
                ReliefRecord.result.in_(ENDING_ENFORCEMENT),
            )
        ).scalars()
    )


def in_periods(day: dt.date, paused: Sequence[tuple[dt.date, dt.date | None]]) -> bool:
    """Whether relief ran on `day` (from the day it was applied for through its result)."""
    return any(start <= day and (end is None or day <= end) for start, end in paused)


def change_of(case_id: int) -> dict[str, Any]:
    """What the changed decision (变更后的行政处罚决定书) cites: the 复议 or 诉讼 that
    changed it."""
    changed = [r for r in records(case_id) if r.result == "CHANGED"]
    if not changed:
        return {"relief_kind_label": "", "relief_result_label": "", "relief_result_on": None}
    record = changed[-1]
    return {
        "relief_kind_label": KINDS[record.kind],
        "relief_result_label": RESULTS["CHANGED"],
        "relief_result_on": record.result_on,
    }


def overview(case_id: int) -> list[dict[str, Any]]:
    """The case's 复议 and 诉讼 as the case page and the API show them (words, not codes)."""
    return [
        {
            "kind": r.kind,
            "kind_label": KINDS[r.kind],
            "body": r.body,
            "applied_on": r.applied_on.isoformat(),
            "result": r.result,
            "result_label": RESULTS[r.result] if r.result else None,
            "result_on": r.result_on.isoformat() if r.result_on else None,
            "changed_fine": cn_money(r.changed_fine) if r.changed_fine is not None else None,
        }
        for r in records(case_id)
    ]
