"""Row ids and small counts as URLs, forms and cookies send them.

`str.isdigit()` is not enough: it is true for "²" and other non-ASCII digits, which `int()`
refuses, and a long run of digits overflows the database's integer. Anything that is not a
plain ASCII number in range is treated as absent, so it is "not found" or a clear refusal, never
a server error.
"""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1  # the primary keys' integer range (SQLite and PostgreSQL)


def ascii_number(text: str | None, maximum: int) -> int | None:
    """`text` as a whole number from 0 to `maximum`, or None."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def row_id(text: str | None) -> int | None:
    """`text` as a row id (1 to MAX_ROW_ID), or None."""
    value = ascii_number(text, MAX_ROW_ID)
    return value if value else None
