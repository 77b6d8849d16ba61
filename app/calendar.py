"""Statutory deadlines on the Chinese working-day calendar (DOMAIN.md G1–G5, DECISIONS.md).

- A period starts the day after `start` (G4).
- Working days skip weekends and public holidays and count the official make-up workdays (调休).
- Calendar-day and month periods that end on a rest day roll forward to the next working day.
- Years come from the `chinese-calendar` package (2004–2026 in the pinned release) or from the
  administrator's holiday table; a year neither knows falls back to weekends only, and the answer
  says so (`calendar_source`) instead of failing.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_data

PACKAGE_YEARS = range(
    min(chinese_calendar_data.holidays).year, max(chinese_calendar_data.holidays).year + 1
)


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


class Source(StrEnum):
    PACKAGE = "chinese-calendar"
    HOLIDAY_TABLE = "holiday-table"
    WEEKENDS_ONLY = "weekends-only"


@dataclass(frozen=True)
class Deadline:
    start: dt.date
    due: dt.date
    unit: Unit
    rolled: bool
    calendar_source: Source

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "unit": self.unit.value,
            "rolled": self.rolled,
            "calendar_source": self.calendar_source.value,
        }


# How sure each source is, worst first: a deadline reports the least certain source it used.
_SOURCE_ORDER = (Source.WEEKENDS_ONLY, Source.HOLIDAY_TABLE, Source.PACKAGE)


class WorkCalendar:
    def __init__(self, table: Mapping[dt.date, bool] | None = None):
        """`table` maps a day to whether it is a working day (the administrator's holiday table).
        A year with any entry in the table is taken from the table alone."""
        self._table = dict(table or {})
        self._table_years = {day.year for day in self._table}
        self._known: dict[dt.date, bool] = {}  # a page of deadlines asks about the same days

    def is_working_day(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._look_up(day)
        return known

    def source_for(self, year: int) -> Source:
        if year in self._table_years:
            return Source.HOLIDAY_TABLE
        if year in PACKAGE_YEARS:
            return Source.PACKAGE
        return Source.WEEKENDS_ONLY

    def _look_up(self, day: dt.date) -> bool:
        source = self.source_for(day.year)
        if source is Source.HOLIDAY_TABLE:
            return self._table.get(day, day.weekday() < 5)
        if source is Source.PACKAGE:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def working_days_left(self, today: dt.date, due: dt.date) -> int:
        """Working days from tomorrow through `due` (0: due today; negative: overdue by so many)."""
        step = 1 if due >= today else -1
        day, count = today, 0
        while day != due:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                count += step
        return count

    def deadline(self, start: dt.date, amount: int, unit: Unit | str) -> Deadline:
        unit = Unit(unit)
        if amount < 0:
            raise ValueError("amount must not be negative")
        if unit is Unit.WORKING_DAYS:
            due = start
            remaining = amount
            while remaining:
                due += dt.timedelta(days=1)
                if self.is_working_day(due):
                    remaining -= 1
            nominal = due
        else:
            nominal = (
                start + dt.timedelta(days=amount)
                if unit is Unit.CALENDAR_DAYS
                else add_months(start, amount)
            )
            due = self.next_working_day(nominal) if amount else nominal
        years = range(start.year, due.year + 1)
        source = min((self.source_for(y) for y in years), key=_SOURCE_ORDER.index)
        return Deadline(start, due, unit, due != nominal, source)


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day `months` later; the month's last day when there is none."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, month_calendar.monthrange(year, month)[1]))
