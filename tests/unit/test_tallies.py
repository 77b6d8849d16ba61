"""The dashboard's histograms: what is read from counted values equals what the raw values give."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from app.enforcement.tallies import duration_bucket
from app.engine import unpack
from app.engine.serializer import pack
from app.supervision.dashboard import counted_percentile


def nearest_rank(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@given(st.lists(st.integers(-1000, 10**9), min_size=1), st.sampled_from([0.25, 0.5, 0.75, 0.9]))
def test_a_percentile_of_counts_is_the_percentile_of_the_values(
    values: list[int], share: float
) -> None:
    assert counted_percentile(Counter(values), share) == nearest_rank(values, share)


def test_no_values_have_no_percentile() -> None:
    assert counted_percentile({}, 0.5) is None


@given(st.floats(0, 5000), st.floats(0, 5000))
def test_duration_buckets_keep_the_order_of_durations(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert duration_bucket(low) <= duration_bucket(high)


@given(st.floats(0, 5000))
def test_duration_buckets_keep_two_significant_digits(days: float) -> None:
    tenths = duration_bucket(days)
    assert abs(tenths / 10 - days) <= max(0.05, days * 0.05) + 1e-9


def test_short_stages_are_exact_to_a_tenth_of_a_day() -> None:
    assert [duration_bucket(d) for d in (0.0, 0.04, 0.06, 3.14, 9.94)] == [0, 0, 1, 31, 99]
    assert [duration_bucket(d) for d in (12.4, 12.6, 345.0, 1234.0)] == [120, 130, 3400, 12300]


def test_a_finished_state_is_packed_and_a_running_one_is_not() -> None:
    state = '{"data": {"fine": 5000}, "tasks": {}}' * 50
    assert pack(state, finished=False) is state
    packed = pack(state, finished=True)
    assert packed.startswith("z:") and len(packed) < len(state) / 4
    assert unpack(packed) == state and unpack(state) == state
