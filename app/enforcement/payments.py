"""Paying the fine (H 执行): the due payments, the late fee and the window for the court.

The ledger (`fine_instalment`) holds what is due and when: the whole fine 15 calendar days after
service (PAY_FINE_CD, 《行政处罚法》第六十七条), replaced, when the agency head approves, by one
deferred date or by instalments each with its own date and amount (第六十六条; the amounts add up
to what was unpaid). The diagram carries the timers; this module keeps the rows in step with the
steps (`follow_task`) and refuses what the law does not allow before a step runs (`check_task`).

加处罚款 (第七十二条, 第七十三条): for every day after a payment's due date until it is paid
(or today), LATE_FEE_DAILY_PCT % of that payment, except the days a 复议 or 诉讼 ran (from the
day it was applied for through the day of its result); the total never exceeds the fine.

Court enforcement (《行政强制法》第五十三条、第五十四条): not before the 催告书 has been served
COURT_ENFORCE_NOTICE_WD working days, nor before relief has ended (the periods passed unused or
the result given); then within COURT_ENFORCE_APPLY_MONTHS months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from app.calendar import Unit
from app.clock import CHINA_TZ, china_today
from app.enforcement import relief
from app.extensions import db
from app.i18n import cn_money
from app.models import Case, FineInstalment
from app.platform import Conflict, InvalidFields
from app.platform.parameters import values_in_force, work_calendar
from forms.base import N_

SERVE_FORM = "decision.serve_two"
PAYMENT_FORM = "enforcement.payment"
PLAN_FORM = "enforcement.deferral"
AFTER_URGE_FORM = "enforcement.after_urge"
COURT_FORM = "enforcement.court"
CENT = Decimal("0.01")
KIND_LABELS = {
    "ORIGINAL": N_("按决定缴纳"),
    "DEFERRAL": N_("暂缓缴纳"),
    "INSTALMENT": N_("分期缴纳"),
    "CHANGED": N_("按变更后的决定缴纳"),
}


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def schedule(case_id: int) -> list[FineInstalment]:
    """The payments in force (not superseded by a later approval), in order."""
    return list(
        db.session.execute(
            select(FineInstalment)
            .where(FineInstalment.case_id == case_id, FineInstalment.superseded.is_(False))
            .order_by(FineInstalment.seq, FineInstalment.id)
        ).scalars()
    )


def fine_in_force(case_id: int) -> Decimal | None:
    """The fine as decided, or as 复议 or 诉讼 changed it (None: no fine on the ledger)."""
    changed = [r for r in relief.records(case_id) if r.result == "CHANGED"]
    if changed and changed[-1].changed_fine is not None:
        return changed[-1].changed_fine
    return db.session.execute(
        select(FineInstalment.amount)
        .where(FineInstalment.case_id == case_id, FineInstalment.kind == "ORIGINAL")
        .limit(1)
    ).scalar_one_or_none()


def fine_changed(case: Case, fine: Decimal) -> None:
    """复议 or 诉讼 changed the fine: what is still unpaid becomes the changed fine less what
    was paid, due when the first unpaid payment was (a fine paid beyond it is refunded)."""
    rows = schedule(case.id)
    unpaid = [row for row in rows if row.paid_on is None]
    if not unpaid:
        return
    paid = sum((row.amount for row in rows if row.paid_on is not None), Decimal(0))
    for row in unpaid:
        row.superseded = True
    if fine > paid:
        db.session.add(
            FineInstalment(
                case_id=case.id,
                kind="CHANGED",
                seq=max(row.seq for row in rows) + 1,
                due_on=unpaid[0].due_on,
                amount=fine - paid,
            )
        )


def _current(rows: list[FineInstalment]) -> FineInstalment | None:
    return next((row for row in rows if row.paid_on is None), None)


def late_fee(case_id: int, served_on: dt.date, fine: Decimal, on: dt.date) -> Decimal:
    """加处罚款 owed as of `on` (see the module's docstring)."""
    rows = db.session.execute(
        select(FineInstalment).where(FineInstalment.case_id == case_id)
    ).scalars()
    paused = relief.state(case_id, served_on).paused
    percent = Decimal(str(values_in_force(on)["LATE_FEE_DAILY_PCT"]))
    total = Decimal(0)
    for row in rows:
        # a row is overdue until paid; a superseded one only until the approval that replaced it
        if row.paid_on is not None:
            end = min(row.paid_on, on)
        elif row.superseded:
            end = min(_superseded_on(row), on)
        else:
            end = on
        day, days = row.due_on + dt.timedelta(days=1), 0
        while day <= end:
            days += 0 if relief.in_periods(day, paused) else 1
            day += dt.timedelta(days=1)
        total += row.amount * percent / 100 * days
    return min(fine, total).quantize(CENT, ROUND_HALF_UP)


def _superseded_on(row: FineInstalment) -> dt.date:
    """The day the approval that replaced an unpaid row was recorded."""
    later = db.session.execute(
        select(FineInstalment.recorded_at)
        .where(FineInstalment.case_id == row.case_id, FineInstalment.id > row.id)
        .order_by(FineInstalment.id)
        .limit(1)
    ).scalar_one_or_none()
    return (later or row.recorded_at).astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class CourtWindow:
    opens: dt.date | None  # the first day an application may be made (None: relief runs)
    closes: dt.date | None  # the last day


def court_window(case_id: int, served_on: dt.date, urge_served_on: dt.date) -> CourtWindow:
    now = relief.state(case_id, served_on)
    if now.ends_on is None:
        return CourtWindow(None, None)
    values = values_in_force(urge_served_on)
    calendar = work_calendar()
    notice_end = calendar.deadline(
        urge_served_on, int(values["COURT_ENFORCE_NOTICE_WD"]), Unit.WORKING_DAYS
    ).due
    months = int(values_in_force(now.ends_on)["COURT_ENFORCE_APPLY_MONTHS"])
    closes = calendar.deadline(now.ends_on, months, Unit.MONTHS).due
    return CourtWindow(max(notice_end, now.ends_on) + dt.timedelta(days=1), closes)


def check_task(
    case: Case, form_key: str | None, data: dict[str, Any], known: dict[str, Any]
) -> dict[str, Any]:
    """Refuse what the law does not allow before the step runs; returns the data the diagram
    gets (after the 催告: the relief result it may not have heard of)."""
    if form_key == PAYMENT_FORM:
        _check_payment(case, data)
    elif form_key == PLAN_FORM:
        _check_plan(case, data)
    elif form_key == AFTER_URGE_FORM:
        served_on = relief.decision_served_on(case.id)
        concluded = [r for r in relief.records(case.id) if r.result is not None]
        if served_on is not None and concluded and relief.pending(case.id) is None:
            latest = max(concluded, key=lambda r: (r.result_on, r.id))
            data = {**data, "relief_result": relief.concluded_payload(latest)}
    elif form_key == COURT_FORM:
        _check_court(case, data, known)
    return data


def _check_payment(case: Case, data: dict[str, Any]) -> None:
    rows = schedule(case.id)
    if not rows:  # cases decided before the ledger: nothing to check against
        return
    if data.get("payment_status") == "DEFERRAL_REQUESTED" and any(
        row.kind != "ORIGINAL" for row in rows
    ):
        raise Conflict(N_("已经批准过暂缓或分期缴纳，不能再次申请；请按批准的期限缴纳。"))
    current = _current(rows)
    paid = data.get("amount_paid")
    if data.get("payment_status") == "PAID" and current is not None:
        if paid is None or Decimal(str(paid)) < current.amount:
            raise InvalidFields(
                {"amount_paid": f"本期应缴 {cn_money(current.amount)}，缴款金额不足。"}
            )


def _check_plan(case: Case, data: dict[str, Any]) -> None:
    if not data.get("deferral_approved") or data.get("plan_kind") != "INSTALMENTS":
        return
    unpaid = sum((row.amount for row in schedule(case.id) if row.paid_on is None), Decimal(0))
    parts = data.get("instalments") or []
    total = sum((Decimal(str(part["amount"])) for part in parts), Decimal(0))
    if unpaid and total != unpaid:
        raise InvalidFields(
            {"instalments": f"各期金额之和 {cn_money(total)} 应当等于应缴罚款 {cn_money(unpaid)}。"}
        )


def _check_court(case: Case, data: dict[str, Any], known: dict[str, Any]) -> None:
    served_on, urged = relief.decision_served_on(case.id), _day(known.get("urge_served_on"))
    applied = _day(data.get("court_applied_on"))
    if served_on is None or urged is None or applied is None:
        return
    now = relief.state(case.id, served_on)
    if now.overturned in relief.ENDING_ENFORCEMENT:
        raise Conflict(N_("处罚决定已被撤销或确认违法，不得申请强制执行。"))
    if now.running:
        raise Conflict(
            N_("当事人已申请行政复议或提起行政诉讼，结果作出前不得申请人民法院强制执行。")
        )
    window = court_window(case.id, served_on, urged)
    assert window.opens is not None and window.closes is not None  # noqa: S101 - not running
    if not window.opens <= applied <= window.closes:
        raise InvalidFields(
            {
                "court_applied_on": f"申请强制执行的期间为 {window.opens.isoformat()} 至 "
                f"{window.closes.isoformat()}（催告书送达十个工作日后、复议诉讼期限届满或救济"
                "结果作出后三个月内，《行政强制法》第五十三条、第五十四条）。"
            }
        )


def follow_task(
    case: Case, form_key: str | None, data: dict[str, Any], after: Mapping[str, Any]
) -> None:
    """Keep the ledger in step with the completed step (`data`: what was submitted, `after`: the
    case's data after the engine ran)."""
    if form_key == SERVE_FORM:
        _open_schedule(case, data, after)
    elif form_key == PLAN_FORM and data.get("deferral_approved"):
        _approve_plan(case, data)
    elif form_key == PAYMENT_FORM and data.get("payment_status") == "PAID":
        _paid(case, _day(data.get("paid_on")))
    elif form_key == AFTER_URGE_FORM and data.get("paid_after_urge"):
        _paid(case, _day(data.get("paid_on")))


def _open_schedule(case: Case, data: dict[str, Any], after: Mapping[str, Any]) -> None:
    served_on, fine = _day(data.get("served_on")), after.get("fine") or 0
    if served_on is None or not fine or schedule(case.id):
        return
    days = int(values_in_force(served_on)["PAY_FINE_CD"])
    due = work_calendar().deadline(served_on, days, Unit.CALENDAR_DAYS).due
    amount = Decimal(str(fine)).quantize(CENT)
    db.session.add(
        FineInstalment(case_id=case.id, kind="ORIGINAL", seq=1, due_on=due, amount=amount)
    )


def _approve_plan(case: Case, data: dict[str, Any]) -> None:
    rows = schedule(case.id)
    unpaid = [row for row in rows if row.paid_on is None]
    if not unpaid:
        return
    for row in unpaid:
        row.superseded = True
    seq = max(row.seq for row in rows)
    if data.get("plan_kind") == "DEFERRAL":
        due = _day(data.get("deferral_until"))
        assert due is not None  # noqa: S101 - the form requires it
        total = sum((row.amount for row in unpaid), Decimal(0))
        db.session.add(
            FineInstalment(case_id=case.id, kind="DEFERRAL", seq=seq + 1, due_on=due, amount=total)
        )
        return
    for number, part in enumerate(data.get("instalments") or [], start=seq + 1):
        db.session.add(
            FineInstalment(
                case_id=case.id,
                kind="INSTALMENT",
                seq=number,
                due_on=dt.date.fromisoformat(part["due_on"]),
                amount=Decimal(str(part["amount"])).quantize(CENT),
            )
        )


def _paid(case: Case, paid_on: dt.date | None) -> None:
    current = _current(schedule(case.id))
    if current is not None and paid_on is not None:
        current.paid_on = paid_on


def overview(case: Case, data: dict[str, Any]) -> dict[str, Any] | None:
    """What the case page and the API show of the fine: the payments due, the late fee as of
    today and the court window, money as ¥1,234.00. None for a case without a fine ledger."""
    rows = schedule(case.id)
    served_on = relief.decision_served_on(case.id)
    if not rows or served_on is None:
        return None
    fine = fine_in_force(case.id) or Decimal(0)
    today = china_today()
    fee = late_fee(case.id, served_on, fine, today)
    urged = _day(data.get("urge_served_on"))
    window = court_window(case.id, served_on, urged) if urged else None
    now = relief.state(case.id, served_on)
    return {
        "fine": cn_money(fine),
        "late_fee": cn_money(fee),
        "late_fee_on": today.isoformat(),
        "payments": [
            {
                "seq": number,
                "kind": row.kind,
                "kind_label": KIND_LABELS[row.kind],
                "due_on": row.due_on.isoformat(),
                "amount": cn_money(row.amount),
                "paid_on": row.paid_on.isoformat() if row.paid_on else None,
            }
            for number, row in enumerate(rows, start=1)
        ],
        "relief_running": now.running,
        "relief_ends_on": now.ends_on.isoformat() if now.ends_on else None,
        "court_apply_from": window.opens.isoformat() if window and window.opens else None,
        "court_apply_until": window.closes.isoformat() if window and window.closes else None,
    }
