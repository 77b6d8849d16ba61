"""The application's clock: every timestamp, engine run and "not after today" check reads it.

Real time, except inside `travel_to`, which replays a case history at its own dates (the demo
seed builds cases opened months ago that way). A context variable, so concurrent requests never
see another's setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")

_moment: ContextVar[datetime | None] = ContextVar("tijian_clock", default=None)


def utcnow() -> datetime:
    return _moment.get() or datetime.now(UTC)


def china_today() -> date:
    """Today's date in China, whatever the server's time zone."""
    return utcnow().astimezone(CHINA_TZ).date()


@contextmanager
def travel_to(moment: datetime) -> Iterator[None]:
    if moment.tzinfo is None:
        raise ValueError("travel_to needs an aware datetime")
    token = _moment.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _moment.reset(token)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments that enclose the whole China days first..last (last included). The first
    representable day's midnight is before year 1 in UTC and the last day has no day after it,
    so those two stand for "no bound" (typed by users as 0001-01-01 or 9999-12-31)."""
    first = max(first, date.min + timedelta(days=1))
    end = (
        datetime.combine(last + timedelta(days=1), time(0), CHINA_TZ)
        if last < date.max
        else datetime.max.replace(tzinfo=CHINA_TZ)
    )
    return datetime.combine(first, time(0), CHINA_TZ), end
