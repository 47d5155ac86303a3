"""Summary figures shared by the reports (the yearly follow-up, round comparisons), so a
median or a 90th percentile means the same everywhere."""

from __future__ import annotations

import math
import statistics


def percentile(values: list[int], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or
    below it. `values` must not be empty."""
    ordered = sorted(values)
    return float(ordered[max(math.ceil(share * len(ordered)) - 1, 0)])


def median_and_p90(values: list[int]) -> tuple[float, float] | None:
    """The median and the 90th percentile, or None without values."""
    if not values:
        return None
    return float(statistics.median(values)), percentile(values, 0.9)
