"""Keeping the dashboard's tables (case_fact, stage_visit and the tallies over them) in step with
the cases, inside the transaction of the change itself: opening a case, a stage change, a
completed task screen."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, update

from app.clock import china_today, utcnow
from app.enforcement import tallies
from app.extensions import db, execute_plain, load_row, transaction_memo
from app.models import Case, CaseFact, Enterprise, StageVisit, table_of
from app.platform.regions import region_tree

Data = Mapping[str, Any]


def case_opened(case: Case, enterprise: Enterprise, ended: bool) -> None:
    """A new case, in the stage its start reached (`ended`: the start ran it to its end)."""
    fact = CaseFact(
        case_id=case.id,
        unit_code=region_tree().unit_of(case.region_code),
        domain=enterprise.domain,
        opened_on=china_today(),
    )
    db.session.add(fact)
    tallies.change(fact, Counter(), tallies.of_fact(fact) + _open_in(case.stage, ended))
    if case.stage and not ended:
        db.session.add(
            StageVisit(
                case_id=case.id, unit_code=fact.unit_code, stage=case.stage, entered_at=utcnow()
            )
        )


def stage_changed(case: Case, stage: str | None, ended: bool) -> None:
    """Close the stage the case leaves; open the one it enters (none when the case has ended:
    its last milestone names the outcome, not a stage)."""
    now = utcnow()
    fact = _fact_of(case)
    before, after = tallies.of_open(case.stage), _open_in(stage, ended)
    for visit in execute_plain(_LEAVE_STAGE, {"of_case": case.id, "now": now}):
        after[tallies.of_visit(visit.stage, visit.entered_at, now)] += 1
    tallies.change(fact, before, after)
    if stage and not ended:
        db.session.add(
            StageVisit(case_id=case.id, unit_code=fact.unit_code, stage=stage, entered_at=now)
        )


_visits = table_of(StageVisit)
# the case's open visit closed and read back in one statement
_LEAVE_STAGE = (
    update(_visits)
    .where(_visits.c.case_id == bindparam("of_case"), _visits.c.left_at.is_(None))
    .values(left_at=bindparam("now"))
    .returning(_visits.c.stage, _visits.c.entered_at)
)


def _open_in(stage: str | None, ended: bool) -> Counter[tallies.Item]:
    """What an open case counts for on the dashboard (an ended one: nothing)."""
    return Counter() if ended else tallies.of_open(stage)


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _decided(kind: str) -> Callable[[CaseFact, Data, Data], None]:
    def record(fact: CaseFact, submitted: Data, data: Data) -> None:
        fact.decision, fact.decided_on = kind, _day(submitted.get("decided_on"))
        fine = submitted.get("fine")
        fact.fine = Decimal(str(fine)) if kind == "PENALTY" and fine is not None else None
        fact.level = data.get("level") or fact.level

    return record


def _published(fact: CaseFact, submitted: Data, data: Data) -> None:
    """In time: by the publicity deadline of the case (20 working days after the decision); for
    a party registered in another province, pushed within 10 working days of the decision and
    published there within 10 working days of the receipt (publish_due is then the receiving
    province's; 公示规定第九条、第十条)."""
    fact.published_on = _day(submitted.get("published_on"))
    due = _day(data.get("publish_due"))
    in_time = bool(fact.published_on and due and fact.published_on <= due)
    if data.get("publish_cross"):
        pushed, push_due = _day(data.get("pushed_on")), _day(data.get("push_due"))
        in_time = in_time and bool(pushed and push_due and pushed <= push_due)
    fact.published_in_time = in_time


def _inspected(fact: CaseFact, submitted: Data) -> None:
    """An inspection's date and result (the risk list counts inspections that found problems)."""
    fact.inspected_on = _day(submitted.get("inspection_date"))
    fact.inspection_result = submitted.get("result") or None


def _set(attribute: str, name: str | None = None) -> Callable[[CaseFact, Data, Data], None]:
    """A fact taken from the screen's field `name` (a date if the attribute is one); without a
    name, the day the screen was completed."""

    def record(fact: CaseFact, submitted: Data, data: Data) -> None:
        if name is None:
            setattr(fact, attribute, china_today())
        elif attribute.endswith("_on"):
            setattr(fact, attribute, _day(submitted.get(name)))
        else:
            setattr(fact, attribute, submitted.get(name) or getattr(fact, attribute))

    return record


# formKey → how its completion changes the case's facts
ON_COMPLETION: dict[str, Callable[[CaseFact, Data, Data], None]] = {
    "inspection.record": lambda fact, submitted, _: _inspected(fact, submitted),
    "review.report": _set("violation_type", "violation_type"),
    "decision.penalty": _decided("PENALTY"),
    "summary.decision": _decided("PENALTY"),
    "decision.no_penalty": _decided("NO_PENALTY"),
    "decision.serve_two": lambda fact, submitted, _: setattr(
        fact, "served_together", bool(submitted.get("repair_notice_served"))
    ),
    "decision.publish": _published,
    "decision.publish_remote": _published,
    "closure.archive": _set("archived_on"),
    "closure.library": _set("violation_type", "violation_type"),
    "visit.record": _set("visited_on", "visited_on"),
    "credit.application": _set("repair_applied_on", "applied_on"),  # older diagram versions
    # the day the party's application (or its re-application after the notice to complete the
    # materials) arrived, as the diagram recorded it
    "credit.accept": lambda fact, _, data: setattr(
        fact, "repair_applied_on", _day(data.get("repair_applied_on"))
    ),
    "credit.stop_publicity": _set("repaired_on", "stopped_on"),
}


def task_completed(case: Case, form_key: str | None, submitted: Data, data: Data) -> None:
    """`submitted`: what the screen sent; `data`: the case's data after the engine ran."""
    change = ON_COMPLETION.get(form_key or "")
    if change is None:
        return
    fact = _fact_of(case)
    before = tallies.of_fact(fact)
    change(fact, submitted, data)
    tallies.change(fact, before, tallies.of_fact(fact))


def decision_overturned(case: Case, result: str, fine: Decimal | None) -> None:
    """A 复议 or 诉讼 changed, revoked or confirmed illegal the decision: the dashboard's fines
    count the changed fine instead of the first, and no fine for a decision revoked or confirmed
    illegal (app/enforcement/relief.py)."""
    fact = _fact_of(case)
    before = tallies.of_fact(fact)
    fact.fine = fine if result == "CHANGED" else None
    tallies.change(fact, before, tallies.of_fact(fact))


# The identity map holds rows weakly: a facts row read for a step's stage change and not
# changed by it would be read again for the step's screen. Kept here for the transaction only.
_KEPT = "case_facts"


def _fact_of(case: Case) -> CaseFact:
    kept: dict[int, CaseFact] = transaction_memo(_KEPT)
    fact = kept.get(case.id) or load_row(CaseFact, case.id)
    if fact is None:  # pragma: no cover - every case has one (migration 0013 added the old ones)
        raise LookupError(f"case {case.id} has no facts row")
    kept[case.id] = fact
    return fact
