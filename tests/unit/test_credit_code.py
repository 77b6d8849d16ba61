from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.reference.enterprise import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    credit_code_error,
)


@pytest.mark.parametrize("code", ["914403001922038216", "91110000802100433B"])
def test_published_codes_are_valid(code: str) -> None:
    assert credit_code_error(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91440300192203821", "18 位"),
        ("914403001922038217", "校验位"),
        ("91440300192203821I", "大写字母"),
        ("9144030019220382l6", "大写字母"),
    ],
)
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    error = credit_code_error(code)
    assert error is not None and reason in error


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_exactly_one_check_character_fits(first17: str) -> None:
    valid = [c for c in CREDIT_CODE_ALPHABET if credit_code_error(first17 + c) is None]
    assert valid == [credit_code_check_char(first17)]
