"""Rater-quality statistics of SPEC §4.7. Public names are stable (SPEC §4.8)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np


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


# ICC — Shrout & Fleiss (1979) ----------------------------------------------------------------------

ICC_FORMS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")

# Below this relative size a difference is floating-point noise, not variance.
_NOISE = 1e-12


def _as_matrix(data, what: str) -> np.ndarray:
    """``data`` as a 2-D float array; ``None`` becomes NaN."""
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a rectangular table of numbers") from exc
    if array.ndim != 2:
        raise ValueError(f"{what} must be two-dimensional, got {array.ndim} dimension(s)")
    if np.isinf(array).any():
        raise ValueError(f"{what} contains an infinite value")
    return array


def _complete_matrix(matrix) -> np.ndarray:
    """The candidate × assessor matrix, checked to be complete and at least 2 × 2."""
    x = _as_matrix(matrix, "the ICC matrix")
    if np.isnan(x).any():
        raise ValueError("the ICC matrix has missing ratings (None/NaN); ICC needs every assessor to rate "
                         "every candidate — drop incomplete rows or use krippendorff_alpha")
    if x.shape[0] < 2 or x.shape[1] < 2:
        raise ValueError(f"ICC needs at least 2 candidates (rows) and 2 assessors (columns), got {x.shape}")
    return x


def _mean_squares(x: np.ndarray) -> dict[str, float]:
    """Two-way ANOVA mean squares BMS, WMS, JMS, EMS of Shrout & Fleiss (1979) Table 1."""
    n, k = x.shape
    grand = x.mean()
    ss_total = ((x - grand) ** 2).sum()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    return {
        "BMS": ss_rows / (n - 1),
        "WMS": (ss_total - ss_rows) / (n * (k - 1)),
        "JMS": ss_cols / (k - 1),
        # Clipped because rounding can leave −1e-16 where the residual is exactly zero.
        "EMS": max(ss_error, 0.0) / ((n - 1) * (k - 1)),
    }


def _ratio(numerator: float, denominator: float, scale: float) -> float:
    """``numerator / denominator``, NaN when the denominator is not clearly positive."""
    # The denominators estimate variances; a non-positive estimate makes the ICC undefined, and
    # dividing anyway yields values above 1 that would be read as "excellent".
    if denominator <= _NOISE * scale:
        return math.nan
    return float(numerator / denominator)


def icc(matrix) -> dict[str, float]:
    """All six Shrout & Fleiss (1979) ICCs of a complete matrix: rows candidates, columns assessors.

    A form whose variance estimate in the denominator is not positive is NaN (only ICC(2,k) can be,
    under extreme candidate × assessor interaction). Raises ValueError when the candidates' mean
    scores are all equal, since then there is no between-candidate variance to attribute.
    """
    x = _complete_matrix(matrix)
    n, k = x.shape
    ms = _mean_squares(x)
    bms, wms, jms, ems = ms["BMS"], ms["WMS"], ms["JMS"], ms["EMS"]
    scale = max(bms, wms, jms, ems, 1.0)
    if bms <= _NOISE * scale:
        raise ValueError("ICC is undefined: every candidate has the same mean score (no between-candidate variance)")
    values = (
        _ratio(bms - wms, bms + (k - 1) * wms, scale),
        _ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n, scale),
        _ratio(bms - ems, bms + (k - 1) * ems, scale),
        _ratio(bms - wms, bms, scale),
        _ratio(bms - ems, bms + (jms - ems) / n, scale),
        _ratio(bms - ems, bms, scale),
    )
    return dict(zip(ICC_FORMS, values, strict=True))


# Krippendorff's alpha — coincidence-matrix algorithm (Krippendorff 2011) ------------------------------

ALPHA_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _value_counts(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted values and the units × values table of how many coders gave each value, pairable only."""
    coder_idx, unit_idx = np.nonzero(~np.isnan(data))
    values, value_idx = np.unique(data[coder_idx, unit_idx], return_inverse=True)
    counts = np.zeros((data.shape[1], values.size))
    np.add.at(counts, (unit_idx, value_idx), 1)
    # A unit coded once cannot be paired, so it carries no information about agreement.
    counts = counts[counts.sum(axis=1) >= 2]
    present = counts.sum(axis=0) > 0
    return values[present], counts[:, present]


def _coincidences(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrix ``o_ck = Σ_u n_uc·n_uk / (m_u − 1)``, without pairing a value with itself."""
    weights = counts / (counts.sum(axis=1) - 1)[:, np.newaxis]
    return weights.T @ counts - np.diag(weights.sum(axis=0))


def _ordinal_distances(n_v: np.ndarray) -> np.ndarray:
    """Squared ordinal distance (Σ_{g=c..k} n_g − (n_c + n_k)/2)²."""
    # That sum equals the gap between the two values' mid-ranks in the pooled pairable values.
    mid_ranks = np.cumsum(n_v) - n_v / 2
    return (mid_ranks[:, np.newaxis] - mid_ranks[np.newaxis, :]) ** 2


def _distances(values: np.ndarray, n_v: np.ndarray, level: str) -> np.ndarray:
    """Squared distance δ² between every pair of values at the level of measurement."""
    if level == "ordinal":
        return _ordinal_distances(n_v)
    c, k = values[:, np.newaxis], values[np.newaxis, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    total = c + k
    return np.divide(c - k, total, out=np.zeros_like(total), where=total != 0) ** 2


def _check_level(data: np.ndarray, level: str) -> None:
    """Reject an unknown level, and negative values at the ratio level."""
    if level not in ALPHA_LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(ALPHA_LEVELS)}")
    if level == "ratio" and (data[~np.isnan(data)] < 0).any():
        raise ValueError("ratio-level alpha needs non-negative values")


def krippendorff_alpha(data, level: str = "ordinal") -> float:
    """Krippendorff's alpha; rows are assessors (coders), columns units, ``None``/NaN missing.

    Units with fewer than two ratings are ignored. Raises ValueError when no unit is pairable or
    all pairable values are equal (alpha is then 0/0, undefined).
    """
    x = _as_matrix(data, "the reliability data")
    _check_level(x, level)
    values, counts = _value_counts(x)
    if counts.shape[0] == 0:
        raise ValueError("no unit was rated by at least two assessors, so alpha cannot be computed")
    if values.size < 2:
        raise ValueError("alpha is undefined: every pairable rating has the same value (no variation)")
    o = _coincidences(counts)
    n_v = o.sum(axis=0)
    expected = (np.outer(n_v, n_v) - np.diag(n_v)) / (n_v.sum() - 1)
    d = _distances(values, n_v, level)
    return float(1 - (o * d).sum() / (expected * d).sum())


# Interpretation --------------------------------------------------------------------------------------

def _checked(value: float) -> float:
    """``value`` as a float, refusing NaN so an undefined statistic never gets a verdict."""
    value = float(value)
    if math.isnan(value):
        raise ValueError("cannot interpret an undefined (NaN) statistic")
    return value


def _band(value: float, bands: tuple[tuple[float, str], ...], below: str) -> str:
    """The name of the first band whose lower bound ``value`` reaches (bands highest first)."""
    value = _checked(value)
    return next((name for bound, name in bands if value >= bound), below)


def koo_li_band(value: float) -> str:
    """Koo & Li (2016) band of an ICC: poor < .50 ≤ moderate < .75 ≤ good < .90 ≤ excellent."""
    return _band(value, ((0.90, "excellent"), (0.75, "good"), (0.50, "moderate")), "poor")


def alpha_verdict(value: float) -> str:
    """Krippendorff's verdict on alpha: unreliable < .667 ≤ tentative < .800 ≤ reliable."""
    return _band(value, ((0.800, "reliable"), (0.667, "tentative")), "unreliable")


def low_agreement(values: Iterable[float], minimum: float) -> int:
    """How many cells have an r_wg below ``minimum`` (the setting ``rwg_agreement_min``, 0,7 as shipped)."""
    return sum(1 for value in values if value < minimum)


# Leniency ----------------------------------------------------------------------------------------------

LENIENCY_FLAG = 0.5


def _missing(value) -> bool:
    """True for ``None`` and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def leniency(scores: Sequence[float | None], consensus: Sequence[float | None]) -> float:
    """Mean of (assessor's competency score − consensus) over the cells where both are given."""
    if len(scores) != len(consensus):
        raise ValueError(f"scores and consensus differ in length ({len(scores)} vs {len(consensus)})")
    differences = [float(s) - float(c) for s, c in zip(scores, consensus, strict=True)
                   if not (_missing(s) or _missing(c))]
    if not differences:
        raise ValueError("no cell has both an assessor score and a consensus")
    # Integer levels sum exactly, so a leniency of exactly .5 is 0.5 and meets the flag.
    return sum(differences) / len(differences)


def is_lenient_flag(value: float) -> bool:
    """True when |leniency| reaches the flag threshold (too lenient or too strict)."""
    return abs(_checked(value)) >= LENIENCY_FLAG
