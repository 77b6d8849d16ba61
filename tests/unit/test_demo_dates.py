"""The demo gallery is replayed at past dates counted back from one day: whenever it is seeded
(at night, in the morning, at a weekend, after a holiday), no story may open or step ahead of
the moment of seeding."""

from __future__ import annotations

import datetime as dt

import pytest

from app.calendar import WorkCalendar
from app.clock import CHINA_TZ, travel_to
from app.services.demo_cases import OFFICE_CLOSES, _gallery_today


def china(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (china(2026, 12, 5, 0, 5), dt.date(2026, 12, 4)),  # Saturday just after midnight
        (china(2026, 12, 7, 8, 0), dt.date(2026, 12, 4)),  # Monday before office hours
        (china(2026, 12, 7, 12, 0), dt.date(2026, 12, 4)),  # Monday, office hours
        (china(2026, 12, 7, 18, 0), dt.date(2026, 12, 7)),  # Monday evening: today is over
        (china(2026, 10, 8, 20, 0), dt.date(2026, 10, 8)),  # first working day after 国庆
        (china(2026, 10, 9, 7, 0), dt.date(2026, 10, 8)),
        (china(2026, 10, 5, 12, 0), dt.date(2026, 9, 30)),  # inside the 国庆 holiday
    ],
)
def test_the_gallery_counts_back_from_a_finished_working_day(
    moment: dt.datetime, expected: dt.date
) -> None:
    calendar = WorkCalendar()
    with travel_to(moment):
        day = _gallery_today(calendar)
    assert day == expected
    assert calendar.is_working_day(day)
    assert dt.datetime.combine(day, OFFICE_CLOSES, CHINA_TZ) <= moment
