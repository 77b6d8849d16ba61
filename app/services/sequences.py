"""Gap-free numbering. The increment takes the row's write lock, so concurrent transactions
queue behind each other and a rolled-back transaction gives its number back."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import NumberSequence, table_of


def next_number(name: str, count: int = 1) -> int:
    """The next number of the sequence (with `count`, the last of the next `count`)."""
    counters = table_of(NumberSequence)
    statement = (
        update(counters)
        .where(counters.c.name == name)
        .values(value=counters.c.value + count)
        .returning(counters.c.value)
    )
    value = db.session.execute(statement).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(counters).values(name=name, value=count))
        return count
    except IntegrityError:  # another transaction created the counter first
        return int(db.session.execute(statement).scalar_one())
