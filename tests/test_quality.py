"""Rater quality (SPEC §4.7): competency scores, ICC per pair, alpha, leniency, and the event summary."""

from __future__ import annotations

import pandas as pd
import pytest
from assessment_fixtures import assessors_of, build_event, open_rating, rate, rate_candidate

from core import integration, quality

NAMES = {1: "Asesor Satu", 2: "Asesor Dua"}
KEYS = {"pairs", "alpha_ordinal", "alpha_interval", "rwg", "leniency", "minimum"}


def ratings_frame(rows: list[tuple]) -> pd.DataFrame:
    """(registration, assessor, exercise, competency, level or None) → the frame core.integration builds."""
    frame = pd.DataFrame(rows, columns=["registration_id", "assessor_id", "exercise_id", "competency", "level"])
    frame["level"] = frame["level"].astype(float)
    return frame


def score_frame(levels: dict[tuple[int, int], float], competency: str = "M.01") -> pd.DataFrame:
    """(registration, assessor) → competency score."""
    return pd.DataFrame([{"registration_id": r, "assessor_id": a, "competency": competency, "level": v}
                         for (r, a), v in levels.items()])


def test_scores_are_the_mean_over_exercises_without_tb():
    frame = ratings_frame([(1, 1, 1, "M.01", 3), (1, 1, 2, "M.01", 4), (1, 1, 3, "M.01", None),
                           (1, 2, 1, "M.01", 5), (1, 1, 1, "M.02", None), (1, 1, 2, "M.02", None)])
    found = {(r["assessor_id"], r["competency"]): r["level"] for r in quality.scores(frame).to_dict("records")}
    assert found == {(1, "M.01"): 3.5, (2, "M.01"): 5.0}  # a cell of only TB has no score


@pytest.mark.parametrize(("n", "enough"), [(4, False), (5, True)])
def test_pair_icc_needs_the_minimum(n, enough):
    levels = {(r, a): 1 + r % 5 + (a == 2) * (r % 2) for r in range(n) for a in (1, 2)}
    [pair] = quality.pair_icc(score_frame(levels), NAMES, minimum=5)
    assert (pair["assessor_a"], pair["assessor_b"], pair["n"], pair["enough"]) == ("Asesor Satu", "Asesor Dua", n,
                                                                                  enough)
    assert ("ICC(2,1)" in pair) is enough
    if enough:
        assert pair["band"] in {"poor", "moderate", "good", "excellent"}


def test_pair_icc_counts_only_candidates_both_rated():
    levels = {(r, 1): 1 + r % 5 for r in range(8)} | {(r, 2): 1 + r % 5 for r in range(3)}
    [pair] = quality.pair_icc(score_frame(levels), NAMES, minimum=5)
    assert (pair["n"], pair["enough"]) == (3, False)


@pytest.mark.parametrize(("units", "is_none"), [(4, True), (6, False)])
def test_alpha_is_none_under_the_minimum(units, is_none):
    frame = ratings_frame([(u, a, 1, "M.01", 1 + (u + (a == 2) * (u == 0)) % 5) for u in range(units) for a in (1, 2)])
    value = quality.alpha(frame, "ordinal", minimum=5)
    assert (value is None) is is_none
    if not is_none:
        assert -1 <= value <= 1


@pytest.mark.parametrize(("shift", "flag"), [(1, True), (-1, True), (0.5, True), (0.25, False), (0, False)])
def test_leniency_sign_and_flag(shift, flag):
    consensus = pd.DataFrame([{"registration_id": r, "competency": "M.01", "level": 3} for r in range(5)])
    [row] = quality.leniency(score_frame({(r, 1): 3 + shift for r in range(5)}), consensus, NAMES, minimum=5)
    assert (row["assessor"], row["n"], row["leniency"], row["flag"]) == ("Asesor Satu", 5, shift, flag)


def test_leniency_under_the_minimum_is_none():
    consensus = pd.DataFrame([{"registration_id": r, "competency": "M.01", "level": 3} for r in range(4)])
    [row] = quality.leniency(score_frame({(r, 1): 5 for r in range(4)}), consensus, NAMES, minimum=5)
    assert (row["leniency"], row["flag"], row["n"]) == (None, False, 4)


def test_event_quality_on_the_demo(demo_db):
    found = quality.event_quality(demo_db, 1)
    assert set(found) == KEYS
    assert found["minimum"] == 5
    assert len(found["pairs"]) == 8 * 7 // 2
    assert found["alpha_ordinal"] is not None and found["alpha_interval"] is not None
    assert all(0 <= v <= 1 for v in found["rwg"])
    flagged = {r["assessor"]: r["leniency"] for r in found["leniency"] if r["flag"]}
    assert set(flagged) == {"Dr. Hasan Basri, M.Si.", "Andreas Simatupang, S.E., M.AP"}
    assert flagged["Dr. Hasan Basri, M.Si."] < -0.5 and flagged["Andreas Simatupang, S.E., M.AP"] > 0.5


def test_event_quality_without_open_candidates_is_empty(fresh_db, admin):
    setup = open_rating(fresh_db, admin, build_event(fresh_db, admin))
    found = quality.event_quality(fresh_db, setup.event_id)
    assert set(found) == KEYS
    assert (found["pairs"], found["rwg"], found["leniency"], found["alpha_ordinal"]) == ([], [], [], None)


def test_event_quality_leaves_out_candidates_not_yet_open(fresh_db, admin):
    """Candidate 2 was rated (far apart) by all, but one assessor has not submitted: blind, not counted."""
    setup = open_rating(fresh_db, admin, build_event(fresh_db, admin))
    first, pending, third = setup.registrations
    rate_candidate(fresh_db, setup, first, 3)
    rate_candidate(fresh_db, setup, third, 3)
    raters = assessors_of(fresh_db, pending)
    for index, assessor_id in enumerate(raters):
        rate(fresh_db, setup.assessor(assessor_id), pending, 1 + 2 * index, submit=index < len(raters) - 1)
    assert integration.open_registrations(fresh_db, setup.event_id) == {first, third}
    found = quality.event_quality(fresh_db, setup.event_id, minimum=1)
    assert found["rwg"] == [1.0] * 18  # 2 open candidates × 9 competencies, all in full agreement
    assert found["pairs"] and all(p["n"] <= 2 for p in found["pairs"])
