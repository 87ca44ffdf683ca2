"""Rater quality of an event (SPEC §4.7): ICC per assessor pair, Krippendorff's alpha, r_wg, leniency.

Computed on the independent ratings of candidates open for integration (every assessor has
submitted), so no statistic reveals a rating while rating is still blind.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from sqlite_utils import Database

from core import reliability, settings
from core.db import rows
from core.integration import cell_statistics, event_ratings, open_registrations
from core.results import consensus_frame


def scores(ratings: pd.DataFrame) -> pd.DataFrame:
    """Each assessor's competency score per candidate: mean of their exercise ratings, TB excluded (§4.1)."""
    seen = ratings.dropna(subset=["level"])
    return seen.groupby(["registration_id", "assessor_id", "competency"], as_index=False)["level"].mean()


def pair_icc(competency_scores: pd.DataFrame, names: dict[int, str], minimum: int) -> list[dict]:
    """ICC for every pair of assessors over the candidates both rated (overall score per candidate)."""
    overall = competency_scores.groupby(["registration_id", "assessor_id"])["level"].mean().unstack()
    out = []
    for a, b in itertools.combinations(sorted(overall.columns), 2):
        both = overall[[a, b]].dropna()
        row = {"assessor_a": names.get(a, str(a)), "assessor_b": names.get(b, str(b)), "n": len(both)}
        if len(both) < minimum:
            out.append(row | {"enough": False})
            continue
        try:
            values = reliability.icc(both.to_numpy())
        except ValueError:  # e.g. every candidate scored alike: ICC undefined
            out.append(row | {"enough": False})
            continue
        out.append(row | {"enough": True, **values, "band": _band(values["ICC(2,1)"])})
    return out


def _band(value: float) -> str | None:
    return None if value is None or np.isnan(value) else reliability.koo_li_band(value)


def alpha(ratings: pd.DataFrame, level: str, minimum: int) -> float | None:
    """Krippendorff's alpha over units candidate × exercise × competency; ``None`` when data is too thin."""
    seen = ratings.dropna(subset=["level"])
    table = seen.pivot_table(index="assessor_id", columns=["registration_id", "exercise_id", "competency"],
                             values="level", aggfunc="first")
    pairable = int((table.notna().sum(axis=0) >= 2).sum())
    if pairable < minimum:
        return None
    try:
        return reliability.krippendorff_alpha(table.to_numpy(dtype=float), level=level)
    except ValueError:
        return None


def leniency(competency_scores: pd.DataFrame, consensus: pd.DataFrame, names: dict[int, str],
             minimum: int) -> list[dict]:
    """Per assessor: mean of (own competency score − consensus) over finalised cells; flagged beyond ±0,5."""
    joined = competency_scores.merge(consensus.rename(columns={"level": "consensus"}),
                                     on=["registration_id", "competency"])
    joined["diff"] = joined["level"] - joined["consensus"]
    out = []
    for assessor_id, group in joined.groupby("assessor_id"):
        n = group["registration_id"].nunique()
        value = float(group["diff"].mean()) if n >= minimum else None
        out.append({"assessor": names.get(assessor_id, str(assessor_id)), "n": n, "leniency": value,
                    "flag": value is not None and reliability.is_lenient_flag(value)})
    return out


def event_quality(db: Database, event_id: int, minimum: int | None = None) -> dict:
    """Every statistic of the Kualitas Penilaian page for one event."""
    minimum = minimum or settings.get(db, "min_pairs_for_statistics")
    ratings = event_ratings(db, event_id, open_registrations(db, event_id))
    names = {r["id"]: r["full_name"] for r in rows(db, "SELECT id, full_name FROM users")}
    if ratings.empty:
        return {"pairs": [], "alpha_ordinal": None, "alpha_interval": None, "rwg": [], "leniency": [],
                "minimum": minimum}
    competency_scores = scores(ratings)
    stats = cell_statistics(ratings)
    return {"pairs": pair_icc(competency_scores, names, minimum),
            "alpha_ordinal": alpha(ratings, "ordinal", minimum), "alpha_interval": alpha(ratings, "interval", minimum),
            "rwg": stats["rwg"].tolist(),
            "leniency": leniency(competency_scores, consensus_frame(db, event_id), names, minimum),
            "minimum": minimum}
