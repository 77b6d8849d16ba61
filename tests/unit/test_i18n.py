"""Chinese conventions: amounts in capital numerals (大写) as official documents write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.i18n import rmb_upper


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "零元整"),
        (5000, "伍仟元整"),
        (120000, "壹拾贰万元整"),
        (1005, "壹仟零伍元整"),
        (1010, "壹仟零壹拾元整"),
        (10500, "壹万零伍佰元整"),
        (20000000, "贰仟万元整"),
        (100000005, "壹亿零伍元整"),
        (100010000, "壹亿零壹万元整"),
        (Decimal("12.30"), "壹拾贰元叁角整"),
        ("3.07", "叁元零柒分"),
        (0.05, "伍分"),
        (0.5, "伍角整"),
    ],
)
def test_amounts_in_capital_numerals(amount: Decimal | int | float | str, words: str) -> None:
    assert rmb_upper(amount) == words


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rmb_upper(-1)
