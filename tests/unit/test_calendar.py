"""Deadlines per DECISIONS.md "Deadlines", on known 2025–2026 holiday schedules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calendar import Source, Unit, WorkCalendar, add_months

D = dt.date
CAL = WorkCalendar()


def due(start: dt.date, amount: int, unit: Unit) -> tuple[dt.date, bool, Source]:
    result = CAL.deadline(start, amount, unit)
    return result.due, result.rolled, result.calendar_source


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        (D(2025, 11, 21), 5, D(2025, 11, 28)),  # Friday + 5 WD = next Friday
        (D(2025, 9, 26), 5, D(2025, 10, 10)),  # 9-28 (Sunday) is a make-up workday; 10-1..8 off
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # the day after the Golden Week
        (D(2025, 10, 10), 1, D(2025, 10, 11)),  # Saturday 10-11 is a make-up workday
        (D(2026, 11, 24), 15, D(2026, 12, 15)),
        (D(2026, 11, 24), 0, D(2026, 11, 24)),
    ],
)
def test_working_days(start: dt.date, amount: int, expected: dt.date) -> None:
    assert due(start, amount, Unit.WORKING_DAYS) == (expected, False, Source.PACKAGE)


def test_calendar_days_roll_over_a_holiday_and_say_so() -> None:
    # 90 days after 2025-07-03 is 2025-10-01 (National Day): due on 10-09, rolled.
    assert due(D(2025, 7, 3), 90, Unit.CALENDAR_DAYS) == (D(2025, 10, 9), True, Source.PACKAGE)
    assert due(D(2025, 11, 10), 15, Unit.CALENDAR_DAYS) == (D(2025, 11, 25), False, Source.PACKAGE)


def test_months_use_the_corresponding_day_or_the_month_end() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 12, 15), 3) == D(2026, 3, 15)
    # 2026-03-31 + 6 months = 2026-09-30, a Wednesday: not rolled.
    assert due(D(2026, 3, 31), 6, Unit.MONTHS) == (D(2026, 9, 30), False, Source.PACKAGE)
    # 2026-08-01 + 2 months = 2026-10-01, National Day: rolled to the first workday after.
    result = CAL.deadline(D(2026, 8, 1), 2, Unit.MONTHS)
    assert result.rolled and result.due > D(2026, 10, 1) and CAL.is_working_day(result.due)


def test_unknown_year_falls_back_to_weekends_only() -> None:
    result = CAL.deadline(D(2030, 9, 27), 5, "working_days")  # Friday
    assert (result.due, result.calendar_source) == (D(2030, 10, 4), Source.WEEKENDS_ONLY)
    spanning = CAL.deadline(D(2026, 12, 28), 10, "working_days")
    assert spanning.calendar_source is Source.WEEKENDS_ONLY  # part of it lies in 2027


def test_the_holiday_table_decides_the_years_it_covers() -> None:
    table = {D(2027, 1, 1): False, D(2027, 2, 6): True}  # a holiday and a make-up Saturday
    calendar = WorkCalendar(table)
    assert calendar.source_for(2027) is Source.HOLIDAY_TABLE
    assert not calendar.is_working_day(D(2027, 1, 1))
    assert calendar.is_working_day(D(2027, 2, 6))
    result = calendar.deadline(D(2026, 12, 31), 1, "working_days")
    assert result.due == D(2027, 1, 4)
    assert result.calendar_source is Source.HOLIDAY_TABLE


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.deadline(D(2026, 1, 5), -1, "working_days")
    with pytest.raises(ValueError):
        CAL.deadline(D(2026, 1, 5), 1, "fortnights")


@given(st.dates(D(2004, 1, 1), D(2026, 11, 30)), st.integers(1, 40))
def test_working_day_deadlines_land_on_working_days(start: dt.date, amount: int) -> None:
    result = CAL.deadline(start, amount, Unit.WORKING_DAYS)
    assert CAL.is_working_day(result.due) and result.due > start
    days = [start + dt.timedelta(days=i) for i in range(1, (result.due - start).days + 1)]
    assert sum(CAL.is_working_day(d) for d in days) == amount


@given(st.dates(D(2004, 1, 1), D(2026, 6, 30)), st.integers(1, 120))
def test_calendar_day_deadlines_roll_only_off_rest_days(start: dt.date, amount: int) -> None:
    result = CAL.deadline(start, amount, Unit.CALENDAR_DAYS)
    nominal = start + dt.timedelta(days=amount)
    assert CAL.is_working_day(result.due)
    assert result.rolled == (not CAL.is_working_day(nominal))
    assert all(
        not CAL.is_working_day(nominal + dt.timedelta(days=i))
        for i in range((result.due - nominal).days)
    )
