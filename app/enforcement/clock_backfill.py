"""The 90-day clock's ledger for cases filed before it existed (migration 0027), rebuilt from what
their steps recorded: the filing approval, testing sent and received, the police transfer and the
reply, the hearing request and the hearing, the extensions approved in stage D and the decision.
Run once by `tijian rebuild-clocks` after the upgrade; a case that has a ledger is left alone, so
running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from app.clock import CHINA_TZ
from app.enforcement import case_clock
from app.enforcement.cases import case_data
from app.extensions import db
from app.models import AuditEvent, Case, CaseClockEntry, HumanTask
from app.platform.parameters import run_context

ACTOR = "系统补记（依已办理的步骤）"
Entry = tuple[str, str, dt.date, str, int | None]  # kind, cause, day, reason, days


def rebuild_all() -> int:
    """Give every filed case without a ledger one; returns how many got one."""
    filed = select(HumanTask.case_id).where(
        HumanTask.bpmn_id == "c_filing_approval", HumanTask.state == "COMPLETED"
    )
    kept = select(CaseClockEntry.case_id)
    cases = db.session.execute(
        select(Case).where(Case.id.in_(filed), Case.id.not_in(kept)).order_by(Case.id)
    ).scalars()
    rebuilt = sum(1 for case in list(cases) if rebuild(case))
    db.session.commit()
    return rebuilt


def rebuild(case: Case) -> bool:
    entries = sorted(_entries(case), key=lambda entry: entry[2])
    if not entries or entries[0][0] != "START":
        return False  # never filed (the head refused): no clock
    for kind, cause, day, reason, days in entries:
        db.session.add(
            CaseClockEntry(
                case_id=case.id,
                kind=kind,
                cause=cause,
                day=day,
                days=days,
                reason=reason,
                actor_id=None,
                actor_name=ACTOR,
            )
        )
    db.session.flush()
    case_clock.mirror(case)
    return True


def _entries(case: Case) -> Iterator[Entry]:
    parameters = run_context().parameters
    for task in _completed(case.id):
        answer: dict[str, Any] = task.submitted_data or {}
        done = _china_day(task.completed_at)
        if task.bpmn_id == "c_filing_approval" and answer.get("approved"):
            days = int(parameters["CASE_DECISION_CD"])
            yield ("START", "FILING", done, f"立案，自立案之日起{days}日内作出处理决定。", days)
        elif task.bpmn_id == "d_test_sent":
            yield ("PAUSE", "TESTING", _day(answer.get("sent_on"), done), "送检期间不计入。", None)
        elif task.bpmn_id == "d_test_received":
            day = _day(answer.get("received_on"), done)
            yield ("RESUME", "TESTING", day, "收到检验报告，恢复计算。", None)
        elif task.bpmn_id == "d_criminal_transfer":
            day = _day(answer.get("transferred_on"), done)
            yield ("PAUSE", "TRANSFER", day, "移送司法机关，案件中止。", None)
        elif task.bpmn_id == "f_hold_hearing":
            day = _day(answer.get("hearing_date"), done)
            yield ("RESUME", "HEARING", day, "听证结束，恢复计算。", None)
        elif task.bpmn_id == "d_extension_approval" and answer.get("approved"):
            days = int(parameters["CASE_EXT1_CD"])
            yield ("EXTEND", "HEAD", done, f"机关负责人批准延长{days}日。", days)
        elif task.bpmn_id == "d_collective_extension" and answer.get(
            "collective_extension_approved"
        ):
            days = int(answer.get("extension_days") or 0)
            yield ("EXTEND", "COLLECTIVE", done, f"负责人集体讨论决定延长{days}日。", days)
        elif task.form_key in case_clock.DECISION_FORMS:
            day = _day(answer.get("decided_on"), done)
            yield ("STOP", "DECISION", day, "作出处理决定，停止计算。", None)
    hearing_right = bool(case_data(case).get("hearing_right"))
    for action, at in _events(case.id):
        if action == "hearing_request" and not hearing_right:
            continue  # reviewed as a statement: no hearing, nothing left out
        if action == "hearing_request":
            yield ("PAUSE", "HEARING", _china_day(at), "当事人要求听证，听证期间不计入。", None)
        else:
            yield ("RESUME", "TRANSFER", _china_day(at), "收到司法机关处理结果，恢复计算。", None)


def _completed(case_id: int) -> list[HumanTask]:
    return list(
        db.session.execute(
            select(HumanTask)
            .where(HumanTask.case_id == case_id, HumanTask.state == "COMPLETED")
            .order_by(HumanTask.completed_at, HumanTask.id)
        ).scalars()
    )


def _events(case_id: int) -> list[tuple[str, dt.datetime]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.occurred_at)
        .where(
            AuditEvent.object_type == "case",
            AuditEvent.object_id == str(case_id),
            AuditEvent.action.in_(("hearing_request", "judicial_reply")),
        )
        .order_by(AuditEvent.id)
    )
    return [(action, at) for action, at in rows]


def _china_day(moment: dt.datetime | None) -> dt.date:
    assert moment is not None  # noqa: S101 - completed rows have their time
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA_TZ).date()


def _day(value: Any, otherwise: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else otherwise
    except ValueError:
        return otherwise
