"""Gap-free numbering. The increment takes the row's write lock, so concurrent transactions
queue behind each other and a rolled-back transaction gives its number back."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db, execute_plain
from app.models import NumberSequence, table_of

_counters = table_of(NumberSequence)
_CURRENT = select(_counters.c.value).where(_counters.c.name == bindparam("counter"))
_ADVANCE = (
    update(_counters)
    .where(_counters.c.name == bindparam("counter"))
    .values(value=_counters.c.value + bindparam("count"))
    .returning(_counters.c.value)
)


def next_number(name: str, count: int = 1) -> int:
    """The next number of the sequence (with `count`, the last of the next `count`)."""
    advance = {"counter": name, "count": count}
    value = execute_plain(_ADVANCE, advance).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(_counters).values(name=name, value=count))
        return count
    except IntegrityError:  # another transaction created the counter first
        return int(execute_plain(_ADVANCE, advance).scalar_one())


def current_number(name: str) -> int:
    """The last number the sequence gave out (0 before the first)."""
    return int(execute_plain(_CURRENT, {"counter": name}).scalar_one_or_none() or 0)


def number_column(name: str) -> ScalarSelect[int]:
    """The sequence's last number as a column of another statement (NULL before the first)."""
    return select(_counters.c.value).where(_counters.c.name == name).scalar_subquery()
