"""Gap-free numbering. The increment takes the row's write lock, so concurrent transactions
queue behind each other and a rolled-back transaction gives its number back."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import NumberSequence, table_of


def next_number(name: str) -> int:
    counters = table_of(NumberSequence)
    statement = (
        update(counters)
        .where(counters.c.name == name)
        .values(value=counters.c.value + 1)
        .returning(counters.c.value)
    )
    value = db.session.execute(statement).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(counters).values(name=name, value=1))
        return 1
    except IntegrityError:  # another transaction created the counter first
        return int(db.session.execute(statement).scalar_one())
