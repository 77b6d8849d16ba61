"""The decision tables and the deadline calculator as a public service (shared/DECISIONS.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.calendar import Unit
from app.engine import DecisionError
from app.extensions import db
from app.models import ProcessVersion
from app.platform import InvalidInput, NotFound
from app.platform.parameters import run_context
from app.platform.row_ids import ascii_number
from app.platform.workflows import MAIN_PROCESS, engine
from app.reference.decision_contract import (
    CASE_CONTEXT,
    CONTRACT,
    INTERNAL,
    InputError,
    prepare_inputs,
)


class DecisionInputError(InvalidInput):
    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.details = {name: reason}


def current_bundle() -> str:
    """The bundle whose tables are in force: that of the active enforcement case process, which
    runs them (a bundle deployed beside it without tables leaves them in force); before one is
    deployed, the most recently deployed active bundle."""
    bundle = db.session.execute(
        select(ProcessVersion.bundle_hash)
        .where(ProcessVersion.is_active.is_(True))
        .order_by(
            (ProcessVersion.process_id == MAIN_PROCESS).desc(),
            ProcessVersion.deployed_at.desc(),
            ProcessVersion.id.desc(),
        )
        .limit(1)
    ).scalar_one_or_none()
    if bundle is None:
        raise NotFound("尚未部署任何流程和决策表。")
    return bundle


def evaluate(
    decision_id: str,
    inputs: Any,
    bundle: str | None = None,
    public_only: bool = True,
    case_values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Evaluate a table of `bundle` (a case's own version), by default of the tables in force.
    The API reaches only the public tables of DECISIONS.md; the app also its internal ones.
    `case_values`: what a case supplies besides the inputs (CASE_CONTEXT, e.g. whose 较低数额
    standard applies); outside callers never can."""
    if decision_id not in CONTRACT and (public_only or decision_id not in INTERNAL):
        raise NotFound(f"没有决策表 {decision_id}")
    if not isinstance(inputs, dict):
        raise DecisionInputError("body", "应为 JSON 对象 (JSON object of inputs expected)")
    context = run_context()
    try:
        prepared = prepare_inputs(decision_id, inputs, context.today())
    except InputError as exc:
        raise DecisionInputError(exc.name, exc.reason) from None
    known = CASE_CONTEXT.get(decision_id, {})
    prepared.update({k: v for k, v in (case_values or {}).items() if k in known})
    bundle = bundle or current_bundle()
    if decision_id not in engine().bundle(bundle).decisions:
        raise NotFound(f"当前版本中没有决策表 {decision_id}")
    try:
        result = engine().evaluate_decision(bundle, decision_id, prepared, context)
    except DecisionError as exc:  # the table itself is faulty for these inputs
        raise InvalidInput(f"决策表未能给出唯一结论：{exc}") from exc
    return {
        "decision": decision_id,
        "outputs": result.outputs,
        "matched_rules": [{"id": r.id, "annotation": r.annotation} for r in result.matched_rules],
        "version": result.version,
    }


def deadline(start: str | None, amount: str | None, unit: str | None) -> dict[str, object]:
    try:
        day = dt.date.fromisoformat(start or "")
    except ValueError:
        raise DecisionInputError("start", "应为 YYYY-MM-DD 日期") from None
    count = ascii_number(amount, 10000)
    if count is None:
        raise DecisionInputError("amount", "应为 0 至 10000 之间的整数")
    if unit not in {u.value for u in Unit}:
        raise DecisionInputError("unit", "取值应为 working_days、calendar_days、months 之一")
    try:
        return run_context().calendar.deadline(day, count, unit).as_dict()
    except (ValueError, OverflowError):  # past the year 9999
        raise DecisionInputError("amount", "期限超出可计算的日期范围") from None
