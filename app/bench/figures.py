"""One benchmark figure: a median (and p95 where there are samples) against the issue's target."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str  # "ms", "/s", "MB", "KB", "×"
    median: float
    p95: float | None = None  # None: one measurement, not a distribution
    target_median: float | None = None
    target_p95: float | None = None
    at_least: bool = False  # the targets are floors (throughput), not ceilings

    @property
    def ok(self) -> bool | None:
        """Whether every target is met; None when the figure has none (reported only)."""
        checks = [(self.median, self.target_median), (self.p95, self.target_p95)]
        met = [
            (value >= target if self.at_least else value <= target)
            for value, target in checks
            if target is not None and value is not None
        ]
        return all(met) if met else None


def timed(
    name: str,
    samples_ms: Sequence[float],
    target_median: float | None = None,
    target_p95: float | None = None,
) -> Figure:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Figure(name, "ms", statistics.median(ordered), p95, target_median, target_p95)
