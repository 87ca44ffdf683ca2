"""Rater-quality statistics of SPEC §4.7. Public names are stable (SPEC §4.8)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def rwg(ratings: Iterable[float], options: int = 5) -> float:
    """Within-group agreement ``1 − s² / σ²_EU`` with σ²_EU = (A² − 1) / 12, truncated to [0, 1].

    ``s²`` is the sample variance (n − 1); a single rating, or identical ratings, agree fully.
    """
    values = [float(x) for x in ratings if x is not None and not (isinstance(x, float) and math.isnan(x))]
    if not values:
        raise ValueError("no ratings")
    if options < 2:
        raise ValueError("a scale needs at least two options")
    if len(values) < 2:
        return 1.0
    mean = sum(values) / len(values)
    variance = sum((x - mean) ** 2 for x in values) / (len(values) - 1)
    expected = (options ** 2 - 1) / 12
    return min(1.0, max(0.0, 1 - variance / expected))
