"""The numbers a case carries (docs/numbers.md): a registration number of its kind from the day
it is registered, and its 立案号 once it is filed. Both come from gap-free counter rows taken in
the transaction that registers or files the case, so a refusal or a rollback gives the number
back."""

from __future__ import annotations

from app.platform import InvalidInput
from app.platform.regions import region_tree
from app.platform.sequences import next_number
from app.reference.documents import ISSUER_SHORT

# entry into the loop → the prefix of its registration number: a clue (线索), a risk warning
# (预警) or an inspection (检查) is not a filed case, and its number says what it is
REGISTRATION_PREFIXES = {"CLUE": "XS", "WARNING": "YJ", "INSPECTION": "JC"}


def registration_counter(prefix: str, region_code: str, year: int) -> str:
    return f"case:{prefix}:{region_code}:{year}"


def format_registration(prefix: str, region_code: str, year: int, number: int) -> str:
    """XS2026-150102-00001: kind, year, the 旗县区 (or unit) of the party, a counter per both."""
    return f"{prefix}{year}-{region_code}-{number:05d}"


def registration_number(entry: str, region_code: str, year: int) -> str:
    """The next registration number of the kind `entry` opens, in the caller's transaction."""
    prefix = REGISTRATION_PREFIXES.get(entry)
    if prefix is None:
        raise InvalidInput(f"未知的案件来源类型：{entry}")
    number = next_number(registration_counter(prefix, region_code, year))
    return format_registration(prefix, region_code, year, number)


def filing_counter(unit: str, year: int) -> str:
    return f"filing:{unit}:{year}"


def format_filing(unit: str, year: int, number: int) -> str:
    """呼市监立〔2026〕12号: the issuing unit's abbreviation, 立, the year and a counter per both,
    written as the unit's 文号 are."""
    return f"{ISSUER_SHORT[unit]}市监立〔{year}〕{number}号"


def filing_number(region_code: str, year: int) -> str:
    """The next 立案号 of the unit that files a case of `region_code`, in the caller's
    transaction: the counter row stays locked until it commits, so concurrent filings of one
    unit queue, and a filing rolled back gives its number back."""
    unit = region_tree().unit_of(region_code)
    return format_filing(unit, year, next_number(filing_counter(unit, year)))
