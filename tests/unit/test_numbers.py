"""The formats of the numbers a case carries (docs/numbers.md); that they are gap-free under
refusal, rollback and concurrency is tests/integration/test_separation_of_duties.py's."""

from __future__ import annotations

import re

from app.enforcement.numbers import (
    REGISTRATION_PREFIXES,
    filing_counter,
    format_filing,
    format_registration,
    registration_counter,
)
from app.reference.documents import DOCUMENT_TYPES, ISSUER_SHORT


def test_each_kind_of_record_has_its_own_prefix_and_counter() -> None:
    assert REGISTRATION_PREFIXES == {"CLUE": "XS", "WARNING": "YJ", "INSPECTION": "JC"}
    numbers = {
        format_registration(prefix, "150102", 2026, 7) for prefix in REGISTRATION_PREFIXES.values()
    }
    assert numbers == {"XS2026-150102-00007", "YJ2026-150102-00007", "JC2026-150102-00007"}
    counters = {registration_counter(p, "150102", 2026) for p in REGISTRATION_PREFIXES.values()}
    assert len(counters) == 3  # a warning does not take a clue's number
    # the numbers before migration 0029 (TJ…) used counters of another name: no collision
    assert all(not c.startswith("case:150102:") for c in counters)
    assert format_registration("XS", "150102", 2026, 123456) == "XS2026-150102-123456"


def test_the_filing_number_is_the_units_per_year() -> None:
    assert format_filing("150100", 2026, 12) == "呼市监立〔2026〕12号"
    assert format_filing("150781", 2027, 1) == "满洲里市监立〔2027〕1号"
    assert format_filing("150000", 2026, 3) == "内市监立〔2026〕3号"
    assert filing_counter("150100", 2026) != filing_counter("150100", 2027)
    assert filing_counter("150100", 2026) != filing_counter("150200", 2026)
    # every unit can file, and 立 is no document type's: a 立案号 is never a 文号
    assert all(
        re.fullmatch(r".+市监立〔\d{4}〕\d+号", format_filing(u, 2026, 1)) for u in ISSUER_SHORT
    )
    assert "立" not in {kind.short for kind in DOCUMENT_TYPES.values()}
