"""The demo gallery is planned at past dates counted back from the last finished working day:
whenever it is seeded (at night, in the morning, at a weekend, in a holiday week), no story may
open or step ahead of the moment of seeding. Planned without the engine, so every hour of
several weeks is tried; the real seed at a Monday evening is in tests/integration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from app.calendar import WorkCalendar
from app.clock import CHINA_TZ
from app.demo.gallery import (
    GALLERY,
    OFFICE_CLOSES,
    AfterTimer,
    Plan,
    Story,
    gallery_today,
    plan,
)


def china(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


# The package's calendar ends with 2026; 2027's arrangement is entered by the administrator
# (`tijian set-holiday`). This one is of the kind the State Council publishes for 春节 2027
# (正月初一 is Saturday 6 February): nine days off with two make-up Saturdays/Sundays.
SPRING_FESTIVAL_2027 = {
    **{dt.date(2027, 2, d): False for d in range(5, 14)},
    dt.date(2027, 1, 31): True,
    dt.date(2027, 2, 20): True,
    dt.date(2027, 1, 1): False,
}


def hours(first: dt.datetime, days: int) -> Iterator[dt.datetime]:
    for hour in range(days * 24):
        yield first + dt.timedelta(hours=hour)


SEASONS = {
    # two ordinary weeks, Monday to Sunday, this one's Monday evening included
    "two weeks": list(hours(china(2026, 11, 30), 14)),
    # 国庆 2026: 1–7 October off, make-up working days Sunday 20 September and Saturday 10 October
    "国庆 2026": list(hours(china(2026, 9, 26), 17)),
    "春节 2027": list(hours(china(2027, 1, 30), 24)),
}


@pytest.mark.parametrize("season", SEASONS)
def test_every_story_is_planned_in_the_past_at_every_hour(season: str) -> None:
    calendar = WorkCalendar(SPRING_FESTIVAL_2027)
    for now in SEASONS[season]:
        today = gallery_today(calendar, now)
        for story in GALLERY:
            planned = plan(story, calendar, now)
            _check(story, planned, calendar, now, today)


def _check(
    story: Story, planned: Plan, calendar: WorkCalendar, now: dt.datetime, today: dt.date
) -> None:
    where = f"{story.title} planned at {now.isoformat()}"
    assert calendar.is_working_day(planned.opened_on), where
    assert planned.last_moment <= now, where
    # as long ago as the story says, or earlier by the weekends and holidays crossed on the way
    intended = today - dt.timedelta(days=story.days_ago)
    latest = calendar.next_working_day(intended)
    assert intended - dt.timedelta(days=21) <= planned.opened_on <= latest, where
    played = [s.step.task for s in planned.steps]
    until = [s.task for s in story.steps].index(story.until) if story.until else len(story.steps)
    assert played == [s.task for s in story.steps[:until]], where  # the stage it is meant to reach
    previous = dt.datetime.combine(planned.opened_on, dt.time(9), CHINA_TZ)
    days: dict[str, dt.date] = {}
    for step in planned.steps:
        assert calendar.is_working_day(step.day), where
        assert previous < step.moment <= now, where
        assert step.moment.time() < OFFICE_CLOSES, where
        gap = step.step.gap
        if isinstance(gap, AfterTimer):  # on or after the day the timer fires
            assert step.day >= gap.day_after(days[gap.anchor], calendar), where
        days[step.step.task] = step.day
        previous = step.moment


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
        (china(2027, 2, 10, 12, 0), dt.date(2027, 2, 4)),  # inside 春节 (administrator's table)
    ],
)
def test_the_gallery_counts_back_from_a_finished_working_day(
    moment: dt.datetime, expected: dt.date
) -> None:
    calendar = WorkCalendar(SPRING_FESTIVAL_2027)
    day = gallery_today(calendar, moment)
    assert day == expected
    assert calendar.is_working_day(day)
    assert dt.datetime.combine(day, OFFICE_CLOSES, CHINA_TZ) <= moment


def test_a_timer_step_waits_for_its_timer() -> None:
    calendar = WorkCalendar()
    # 10 working days from Friday 25 September 2026 cross 国庆 (1–7 October off, Saturday 10
    # October a make-up day): due 15 October, fired at its end, so the step comes on the 16th
    rectify = AfterTimer("i_order", working_days=10, at_end_of_day=True)
    assert rectify.day_after(dt.date(2026, 9, 25), calendar) == dt.date(2026, 10, 16)
    repair = AfterTimer("g_publish", months=6)  # 31 August + 6 months: the last day of February
    assert repair.day_after(dt.date(2026, 8, 31), calendar) == dt.date(2027, 2, 28)
