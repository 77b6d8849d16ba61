"""What a 行政处罚决定 may say, checked on the server whatever the screen or the API sent: no
sanction the 行政处罚告知书 did not name and no fine above the one it named — neither the
party's statement nor anything else may make the decision heavier than what the party was told
and could answer (《行政处罚法》第四十四条、第四十五条第二款) — and the fine within the legal range
of the violation unless the penalty is reduced below it (减轻处罚, 第三十二条)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.i18n import cn_money
from app.platform import InvalidFields, InvalidInput
from forms.choices import SANCTIONS

PENALTY_DECISION_FORM = "decision.penalty"
SANCTION_LABELS = dict(SANCTIONS)


def check_penalty_decision(known: dict[str, Any], decided: dict[str, Any]) -> None:
    """`known`: the case's data as the decision task sees it (the notice recorded
    `notified_sanctions` and `notified_fine`; a case notified before they were recorded still
    holds the proposal the notice was made from in `sanctions`); `decided`: the submission."""
    notified_fine = known.get("notified_fine")
    notified_sanctions = known.get("notified_sanctions", known.get("sanctions"))
    if notified_fine is None or not notified_sanctions:
        raise InvalidInput(
            "本案没有已送达的行政处罚告知书，不能作出行政处罚决定（《行政处罚法》第四十四条）。"
        )
    sanctions = set(decided.get("sanctions") or [])
    refused: dict[str, str] = {}
    added = [code for code, _ in SANCTIONS if code in sanctions - set(notified_sanctions)]
    if added:
        names = "、".join(str(SANCTION_LABELS[code]) for code in added)
        refused["sanctions"] = (
            f"告知书未载明的处罚种类不得在决定中增加：{names}（《行政处罚法》第四十四条、第四十五条）。"
        )
    if "FINE" in sanctions:
        fine = Decimal(str(decided.get("fine") or 0))
        low, high = known.get("fine_min"), known.get("fine_max")
        if fine > Decimal(str(notified_fine)):
            refused["fine"] = (
                f"罚款不得高于告知书载明的{cn_money(Decimal(str(notified_fine)))}"
                "（《行政处罚法》第四十五条第二款）。"
            )
        elif high is not None and fine > Decimal(str(high)):
            refused["fine"] = f"罚款不得高于法定幅度上限{cn_money(Decimal(str(high)))}。"
        elif low is not None and fine < Decimal(str(low)) and known.get("level") != "REDUCE":
            refused["fine"] = (
                f"罚款低于法定幅度下限{cn_money(Decimal(str(low)))}，"
                "只有依法减轻处罚的才可以（《行政处罚法》第三十二条）。"
            )
    if refused:
        raise InvalidFields(refused)
