"""What the head may approve and the 行政处罚决定 may say, checked on the server whatever the screen
or the API sent. Neither may be heavier than the 行政处罚告知书 the party was told and could answer
— no sanction it did not name, no fine above the one it named (《行政处罚法》第四十四条、第四十五条
第二款) — and the decision says no more than the head approved (第五十七条). A fine stays within the
legal range of the violation unless the penalty is reduced below it (减轻处罚, 第三十二条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.clock import CHINA_TZ
from app.extensions import db
from app.i18n import cn_day, cn_money
from app.models import HumanTask
from app.platform import InvalidFields, InvalidInput
from forms.choices import SANCTIONS

HEAD_APPROVAL_FORM = "notice.head_approval"
PENALTY_DECISION_FORM = "decision.penalty"
SANCTION_LABELS = dict(SANCTIONS)


def check_head_approval(known: dict[str, Any], approval: dict[str, Any]) -> None:
    """The head's approval after the notice: within what the notice said."""
    if not approval.get("head_approved"):
        return  # sent back: nothing is approved
    sanctions, fine = _notified(known)
    _refuse(
        known,
        approval.get("approved_sanctions"),
        approval.get("approved_fine"),
        (sanctions, fine, "告知书载明的", "第四十四条、第四十五条"),
        ("approved_sanctions", "approved_fine"),
    )


def check_penalty_decision(known: dict[str, Any], decided: dict[str, Any]) -> None:
    """The decision: after the party's window, within what the head approved (recorded since
    the approval step exists; a case that reached its decision before only has the notice to
    go by)."""
    _check_window_closed(known, decided)
    approved_fine = known.get("approved_fine")
    if known.get("head_approved") and approved_fine is not None:
        ceiling = (
            known.get("approved_sanctions") or [],
            approved_fine,
            "负责人批准的",
            "第五十七条",
        )
    else:
        sanctions, fine = _notified(known)
        ceiling = (sanctions, fine, "告知书载明的", "第四十四条、第四十五条")
    _refuse(known, decided.get("sanctions"), decided.get("fine"), ceiling, ("sanctions", "fine"))


def check_decision_date(case_id: int, decided: dict[str, Any]) -> None:
    """A decision is dated no earlier than the step before it (the head's approval, the
    notice, the filing): whatever the screen or the API sends, it cannot be backdated before
    the procedure it concludes (《行政处罚法》第五十七条、第六十二条)."""
    decided_on = decided.get("decided_on")
    last = db.session.execute(
        select(func.max(HumanTask.completed_at)).where(
            HumanTask.case_id == case_id, HumanTask.state == "COMPLETED"
        )
    ).scalar_one()
    if not decided_on or last is None:
        return
    last_day = (last if last.tzinfo else last.replace(tzinfo=dt.UTC)).astimezone(CHINA_TZ).date()
    if str(decided_on)[:10] < last_day.isoformat():
        raise InvalidFields(
            {
                "decided_on": f"决定日期不能早于本案上一步骤的办理日期（{cn_day(last_day)}）："
                "决定应在审核、告知、批准之后作出（《行政处罚法》第五十七条、第六十二条）。"
            }
        )


def _check_window_closed(known: dict[str, Any], decided: dict[str, Any]) -> None:
    """No decision dated inside the statement/hearing window unless the party waived in writing
    (第四十四条、第四十五条、第六十三条): the diagram waits for the window; this holds whatever
    date the screen or the API sends."""
    # the later of the statement and hearing-request periods (cases before STATEMENT_WAIVE_WD
    # was read have only the hearing request's)
    window_end = known.get("party_window_due") or known.get("hearing_request_due")
    decided_on = decided.get("decided_on")
    if known.get("rights_waived") == "WRITTEN" or not window_end or not decided_on:
        return
    if str(decided_on) <= str(window_end):  # ISO dates order as text
        raise InvalidFields(
            {
                "decided_on": f"陈述申辩、听证申请期至{cn_day(str(window_end))}届满，"
                "当事人未书面放弃的，期满前不得作出决定（《行政处罚法》第四十四条、第六十三条）。"
            }
        )


def _notified(known: dict[str, Any]) -> tuple[list[str], Any]:
    """The notice recorded `notified_sanctions` and `notified_fine`; a case notified before the
    sanctions were recorded still holds the proposal the notice was made from in `sanctions`."""
    fine = known.get("notified_fine")
    sanctions = known.get("notified_sanctions", known.get("sanctions"))
    if fine is None or not sanctions:
        raise InvalidInput(
            "本案没有已送达的行政处罚告知书，不能批准或者作出行政处罚决定（《行政处罚法》第四十四条）。"
        )
    return list(sanctions), fine


def _refuse(
    known: dict[str, Any],
    sanctions: Any,
    fine: Any,
    ceiling: tuple[list[str], Any, str, str],
    fields: tuple[str, str],
) -> None:
    allowed, highest, source, articles = ceiling
    chosen = set(sanctions or [])
    refused: dict[str, str] = {}
    added = [code for code, _ in SANCTIONS if code in chosen - set(allowed)]
    if added:
        names = "、".join(str(SANCTION_LABELS[code]) for code in added)
        refused[fields[0]] = f"{source}处罚种类之外不得增加：{names}（《行政处罚法》{articles}）。"
    if "FINE" not in chosen and Decimal(str(fine or 0)) != 0:
        refused[fields[1]] = "未决定罚款处罚的，罚款数额应为零（处罚种类与数额须一致）。"
    elif "FINE" in chosen and known.get("court_fined"):
        refused[fields[1]] = "人民法院已判处罚金，不再给予罚款（《行政处罚法》第三十五条第二款）。"
    elif "FINE" in chosen:
        amount = Decimal(str(fine or 0))
        low, high = known.get("fine_min"), known.get("fine_max")
        if amount > Decimal(str(highest)):
            refused[fields[1]] = (
                f"罚款不得高于{source}{cn_money(Decimal(str(highest)))}（《行政处罚法》{articles}）。"
            )
        elif high is not None and amount > Decimal(str(high)):
            refused[fields[1]] = f"罚款不得高于法定幅度上限{cn_money(Decimal(str(high)))}。"
        elif low is not None and amount < Decimal(str(low)) and known.get("level") != "REDUCE":
            refused[fields[1]] = (
                f"罚款低于法定幅度下限{cn_money(Decimal(str(low)))}，"
                "只有依法减轻处罚的才可以（《行政处罚法》第三十二条）。"
            )
    if refused:
        raise InvalidFields(refused)
