"""The period and keyset-page arguments that list screens share (?since=&until=&before=)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from app.clock import day_bounds
from app.platform import InvalidInput
from app.platform.row_ids import row_id
from forms.base import N_


@dataclass(frozen=True)
class Window:
    start: dt.datetime | None  # from the first moment of `since` (China time)
    end: dt.datetime | None  # to the last moment of `until`
    before: int | None  # keyset: rows below this key


def narrowed(query: Select[Any], args: Mapping[str, str], moment: Any, key: Any) -> Select[Any]:
    """`query` kept to the period (on the `moment` column) and to the rows below the page key."""
    span = window(args)
    if span.start:
        query = query.where(moment >= span.start)
    if span.end:
        query = query.where(moment < span.end)
    if span.before:
        query = query.where(key < span.before)
    return query


def window(args: Mapping[str, str]) -> Window:
    try:
        since = dt.date.fromisoformat(args["since"]) if args.get("since") else None
        until = dt.date.fromisoformat(args["until"]) if args.get("until") else None
        before = row_id(args["before"]) if args.get("before") else None
        if args.get("before") and before is None:  # "²", 25 digits: not a row id
            raise ValueError
    except ValueError:
        raise InvalidInput(N_("日期应为 YYYY-MM-DD，翻页参数应为数字。")) from None
    start = day_bounds(since, since)[0] if since else None
    end = day_bounds(until, until)[1] if until else None
    return Window(start, end, before)
