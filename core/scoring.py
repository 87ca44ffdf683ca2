"""Scoring rules of SPEC §4.1–§4.4 as pure functions. The public names are stable (SPEC §4.8).

Where a rule takes reference data (category thresholds, potential bands, the 9-box numbering, the
SKP mapping, the validity period) and the caller passes none, it reads the shipped ``data/*.json``;
the values are never copied here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction

from core.refdata import read

TB = None  # "tidak teramati": a rating with no level


def shipped_thresholds(purpose: str) -> list[tuple[str, float]]:
    """``[(code, min_jpm), ...]`` of a purpose from ``data/categories.json``."""
    table = [(c["code"], float(c["min_jpm"])) for c in read("categories") if c["purpose"] == purpose]
    if not table:
        raise ValueError(f"unknown purpose {purpose!r}")
    return table


def shipped_not_recommended() -> frozenset[str]:
    """The category codes marked ``recommended: 0`` in ``data/categories.json``."""
    return frozenset(c["code"] for c in read("categories") if not c["recommended"])


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

    ``thresholds``: ``[(code, min_jpm), ...]`` or ``{code: min_jpm}``; default ``data/categories.json``.
    JPM is compared at the two decimals it is shown with, so the category never contradicts the figure.
    """
    table = thresholds if thresholds is not None else shipped_thresholds(purpose)
    if isinstance(table, Mapping):
        table = list(table.items())
    shown = round(jpm_value, 2)
    for code, minimum in sorted(table, key=lambda item: item[1], reverse=True):
        if shown >= minimum:
            return code
    return sorted(table, key=lambda item: item[1])[0][0]


# Seleksi terbuka: stages, final score, ranking, the three best names (SPEC §4.5) -------------

TIEBREAK_DEFAULT = ("jpm", "below_standard", "golongan", "service")
# Direction of each tie-break key: +1 higher is better, -1 lower is better.
TIEBREAK_DIRECTION = {"jpm": 1, "below_standard": -1, "golongan": 1, "service": 1}


def check_weights(weights: Mapping[str, float]) -> None:
    """Stage weights must be positive and sum to exactly 100."""
    if not weights:
        raise ValueError("no stages")
    if any(w <= 0 for w in weights.values()):
        raise ValueError("every weight must be positive")
    if abs(sum(weights.values()) - 100) > 1e-9:
        raise ValueError(f"weights sum to {sum(weights.values())}, not 100")


def final_score(scores: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    """``Σ weight × stage score / 100`` to two decimals; ``None`` while a stage score is missing."""
    check_weights(weights)
    if any(scores.get(stage) is None for stage in weights):
        return None
    # Exact decimal arithmetic, then half up: 82,045 is 82,05 whatever the binary float says.
    total = sum(Fraction(str(weights[s])) * Fraction(str(scores[s])) for s in weights) / 100
    return math.floor(total * 100 + Fraction(1, 2)) / 100


def sort_key(candidate: Mapping, chain=TIEBREAK_DEFAULT, primary: str = "final") -> tuple:
    """Descending-order key: primary score first, then the tie-break chain (missing values last)."""
    key = [-_or_lowest(candidate.get(primary))]
    for name in chain:
        value = candidate.get(name)
        key.append(-TIEBREAK_DIRECTION[name] * value if value is not None else math.inf)
    return tuple(key)


def _or_lowest(value) -> float:
    return -math.inf if value is None else value


def ranks_people(purpose: str) -> bool:
    """Does an event of this purpose rank its peserta against each other? Only a selection (``pengisian``)
    ranks and names the three best; a ``pemetaan`` never does (SPEC §4.6): its outputs are the profile, the
    category, the box and the recommendation. The one rule the pages, the recap PDF and the XLSX ask."""
    if purpose not in ("pengisian", "pemetaan"):
        raise ValueError(f"unknown purpose {purpose!r}")
    return purpose == "pengisian"


def rank(candidates: list[Mapping], chain=TIEBREAK_DEFAULT, primary: str = "final") -> list[dict]:
    """Order candidates and give ranks; candidates equal on every key share a rank (1, 2, 2, 4)."""
    ordered = sorted(candidates, key=lambda c: sort_key(c, chain, primary))
    ranked, previous = [], None
    for position, candidate in enumerate(ordered, start=1):
        key = sort_key(candidate, chain, primary)
        shared = ranked[-1]["rank"] if key == previous else position
        ranked.append(dict(candidate) | {"rank": shared})
        previous = key
    return ranked


def top_three(ranked: list[Mapping], not_recommended: Iterable[str] | None = None) -> tuple[list[dict], list[str]]:
    """The three best names (ties at rank 3 included) and warnings: fewer than three, not recommended.

    ``not_recommended``: category codes; default those marked so in ``data/categories.json``.
    """
    best = [dict(c) for c in ranked if c["rank"] <= 3]
    warnings = []
    if len(ranked) < 3:
        warnings.append("fewer_than_three")
    blocked = set(shipped_not_recommended() if not_recommended is None else not_recommended)
    for candidate in best:
        candidate["recommended"] = candidate.get("category") not in blocked
    if any(not c["recommended"] for c in best):
        warnings.append("not_recommended")
    return best, warnings


def service_months(tmt_cpns: str, on: str) -> int:
    """Months of service from the TMT CPNS (``YYYY-MM``) to a date (``YYYY-MM-DD``)."""
    start_year, start_month = (int(x) for x in tmt_cpns[:7].split("-"))
    year, month = int(on[:4]), int(on[5:7])
    return (year - start_year) * 12 + (month - start_month)


# Talent map (SPEC §4.6) -------------------------------------------------------------------------

def shipped_scheme() -> dict[tuple[str, str], int]:
    """``(potential, performance) → box`` from ``data/ninebox.json``."""
    return {(b["potential"], b["performance"]): b["box"] for b in read("ninebox")}


def shipped_performance() -> dict[str, str]:
    """SKP predikat code → performance axis from ``data/skp_predikat.json``."""
    return {p["code"]: p["performance"] for p in read("skp_predikat")}


def potential(jpm_value: float, bands: Mapping[str, float] | None = None) -> str:
    """Potential axis from JPM: ≥ 90 tinggi, 78–< 90 menengah, < 78 rendah (bands are a setting)."""
    bands = bands or read("settings")["potential_bands"]
    shown = round(jpm_value, 2)
    return "tinggi" if shown >= bands["tinggi"] else "menengah" if shown >= bands["menengah"] else "rendah"


def performance(predikat: str, mapping: Mapping[str, str] | None = None) -> str:
    """Performance axis from the SKP predikat: Sangat Baik above, Baik as expected, the rest below."""
    return (mapping or shipped_performance())[predikat]


def ninebox(jpm_value: float, predikat: str, bands=None, scheme=None, mapping=None) -> int:
    """The 9-box number of a person (default numbering of SPEC §4.6)."""
    return (scheme or shipped_scheme())[(potential(jpm_value, bands), performance(predikat, mapping))]


def is_valid(assessment_date: str, on: str, years: int | None = None) -> bool:
    """A result is valid for ``years`` from the assessment date (Peraturan BKN 26/2019 ps. 29).

    ``years``: default ``result_validity_years`` of ``data/settings.json``.
    """
    years = read("settings")["result_validity_years"] if years is None else years
    taken = dt.date.fromisoformat(assessment_date[:10])
    try:
        until = taken.replace(year=taken.year + years)
    except ValueError:  # 29 February: the anniversary in a common year is 1 March
        until = dt.date(taken.year + years, 3, 1)
    return taken <= dt.date.fromisoformat(on[:10]) < until


def displayed_jpm(jpm_value: float | None, cap: bool = False) -> float | None:
    """JPM as shown: uncapped by default; with the setting on, at most 100 (SPEC §4.4)."""
    if jpm_value is None or jpm_value != jpm_value:
        return None
    return min(jpm_value, 100.0) if cap else jpm_value
