"""Scoring rules of SPEC §4.1–§4.4 as pure functions. The public names are stable (SPEC §4.8)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction

TB = None  # "tidak teramati": a rating with no level

DEFAULT_THRESHOLDS = {
    "pengisian": [("MS", 80.0), ("MMS", 68.0), ("KMS", 0.0)],
    "pemetaan": [("O", 90.0), ("CO", 78.0), ("KO", 0.0)],
}


def observed(levels: Iterable[int | None]) -> list[int]:
    """The levels that were observed (``TB``/``None`` dropped)."""
    return [level for level in levels if level is not None]


def round_half_up(value: Fraction | float) -> int:
    """3.5 → 4, 2.5 → 3 (not banker's rounding); exact for fractions."""
    return math.floor(Fraction(value) + Fraction(1, 2))


def competency_score(levels: Iterable[int | None]) -> float | None:
    """SPEC §4.1: an assessor's score for a competency = mean of their exercise ratings, TB excluded."""
    seen = observed(levels)
    return sum(seen) / len(seen) if seen else None


def spread(levels: Iterable[int | None]) -> int | None:
    """SPEC §4.2: max − min of all individual ratings of a cell, TB excluded."""
    seen = observed(levels)
    return max(seen) - min(seen) if seen else None


def sd(levels: Iterable[int | None]) -> float | None:
    """Sample standard deviation (n − 1) of the observed ratings; 0 for a single rating."""
    seen = observed(levels)
    if not seen:
        return None
    if len(seen) < 2:
        return 0.0
    mean = sum(seen) / len(seen)
    return math.sqrt(sum((x - mean) ** 2 for x in seen) / (len(seen) - 1))


def must_discuss(cell_spread: int | None, threshold: float = 2) -> bool:
    """SPEC §4.2: "harus dibahas" when the spread reaches the threshold (default 2)."""
    return cell_spread is not None and cell_spread >= threshold


def suggested_consensus(levels: Iterable[int | None], method: str = "mean") -> int | None:
    """SPEC §4.3: mean (or median) of all individual ratings, rounded half up to a level."""
    seen = sorted(observed(levels))
    if not seen:
        return None
    if method == "median":
        mid = len(seen) // 2
        centre = Fraction(seen[mid]) if len(seen) % 2 else Fraction(seen[mid - 1] + seen[mid], 2)
        return round_half_up(centre)
    if method != "mean":
        raise ValueError(f"unknown consensus method {method!r}")
    return round_half_up(Fraction(sum(seen), len(seen)))


def jpm(achieved: Mapping[str, int] | Iterable[int], standard: Mapping[str, int] | Iterable[int]) -> float:
    """SPEC §4.4: ``100 × Σ consensus / Σ standard`` over the competencies of the standard.

    With mappings, only the competencies in ``standard`` count, and each must have a level.
    """
    if isinstance(standard, Mapping):
        if not isinstance(achieved, Mapping):
            raise TypeError("achieved must be a mapping when standard is")
        missing = [code for code in standard if achieved.get(code) is None]
        if missing:
            raise ValueError(f"no consensus level for {', '.join(missing)}")
        total, required = sum(achieved[c] for c in standard), sum(standard.values())
    else:
        achieved, standard = list(achieved), list(standard)
        if len(achieved) != len(standard):
            raise ValueError("achieved and standard differ in length")
        total, required = sum(achieved), sum(standard)
    if required <= 0:
        raise ValueError("the standard sums to zero")
    return 100.0 * total / required


def gaps(achieved: Mapping[str, int], standard: Mapping[str, int]) -> dict[str, int]:
    """SPEC §4.4: consensus − standard per competency (negative = below standard)."""
    return {code: achieved[code] - level for code, level in standard.items()}


def category(jpm_value: float, purpose: str, thresholds=None) -> str:
    """SPEC §4.4: the category code (MS/MMS/KMS or O/CO/KO) for a JPM and an event purpose.

    ``thresholds``: ``[(code, min_jpm), ...]`` or ``{code: min_jpm}``; default from the SPEC table.
    JPM is compared at the two decimals it is shown with, so the category never contradicts the figure.
    """
    table = thresholds if thresholds is not None else DEFAULT_THRESHOLDS[purpose]
    if isinstance(table, Mapping):
        table = list(table.items())
    shown = round(jpm_value, 2)
    for code, minimum in sorted(table, key=lambda item: item[1], reverse=True):
        if shown >= minimum:
            return code
    return sorted(table, key=lambda item: item[1])[0][0]
