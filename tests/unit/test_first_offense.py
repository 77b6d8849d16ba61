"""The first-offense rule (首违, DOMAIN.md P9; 国市监法〔2025〕10号): no penalty or first-offense
exemption of the same type within two years before the date of this violation. Pure: the
decisions are given, so every edge is tried without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from app.enforcement.enterprises import HealthCheck, count_back

VIOLATED_ON = dt.date(2026, 6, 15)


def decision(on: dt.date, code: str | None, case_id: int = 1, form_key: str = "") -> HealthCheck:
    kind = form_key or "decision.no_penalty"
    return HealthCheck(on, kind, "免罚", case_id, f"XS{case_id}", "", code)


@pytest.mark.parametrize(
    ("on", "counted"),
    [
        (dt.date(2024, 6, 15), True),  # two years before the violation, to the day
        (dt.date(2024, 6, 14), False),  # one day more than two years
        (dt.date(2026, 6, 15), True),  # the day of the violation itself
        (dt.date(2026, 6, 16), False),  # after the violation: not "before this violation"
    ],
)
def test_two_years_are_counted_back_from_the_violation(on: dt.date, counted: bool) -> None:
    found = count_back([decision(on, "FOOD-EXPIRED")], VIOLATED_ON, 2, "FOOD-EXPIRED")
    assert found.since == dt.date(2024, 6, 15) and found.until == VIOLATED_ON
    assert [c.on for c in found.found] == ([on] if counted else [])
    assert found.first_offense is not counted


def test_not_from_today() -> None:
    """A decision more than two years before today counts for a violation within two years after
    it, and not for a violation of today."""
    old_violation = dt.date(2023, 3, 1)
    record = [decision(dt.date(2021, 9, 1), "FOOD-EXPIRED", 1)]
    assert not count_back(record, old_violation, 2, "FOOD-EXPIRED").first_offense
    assert count_back(record, dt.date(2026, 3, 1), 2, "FOOD-EXPIRED").first_offense


def test_only_the_same_type_counts() -> None:
    record = [
        decision(dt.date(2026, 1, 5), "FOOD-LABEL", 1),
        decision(dt.date(2025, 12, 1), "FOOD-EXPIRED", 2, "decision.penalty"),
    ]
    same = count_back(record, VIOLATED_ON, 2, "FOOD-EXPIRED")
    assert [c.case_id for c in same.found] == [2] and not same.first_offense
    other = count_back(record, VIOLATED_ON, 2, "SE-UNINSPECTED")
    assert other.found == [] and other.first_offense
    # without a type (the enterprise's overall record) every decision counts
    assert len(count_back(record, VIOLATED_ON, 2).found) == 2


def test_decisions_without_a_type_are_listed_not_counted() -> None:
    record = [decision(dt.date(2026, 2, 1), None, 3), decision(dt.date(2020, 1, 1), None, 4)]
    found = count_back(record, VIOLATED_ON, 2, "FOOD-EXPIRED")
    assert found.first_offense and [c.case_id for c in found.untyped] == [3]


def test_other_records_and_the_case_itself_are_left_out() -> None:
    record = [
        decision(dt.date(2026, 3, 1), "FOOD-EXPIRED", 7),  # the case being decided
        decision(dt.date(2026, 3, 1), "FOOD-EXPIRED", 8, "inspection.record"),
    ]
    assert count_back(record, VIOLATED_ON, 2, "FOOD-EXPIRED", exclude_case=7).first_offense


def test_the_lookback_length_is_the_parameter() -> None:
    record = [decision(dt.date(2023, 7, 1), "FOOD-EXPIRED")]
    assert count_back(record, VIOLATED_ON, 2, "FOOD-EXPIRED").first_offense
    assert not count_back(record, VIOLATED_ON, 3, "FOOD-EXPIRED").first_offense
