"""The scoring rules of SPEC §4.1–§4.4 and r_wg of §4.7: pure functions, boundary values, properties."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import reliability, scoring

TB = None
STANDARD = dict.fromkeys(["M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01"], 4)
WORKED_EXAMPLE = [4, 3, 4, 4, 3, 4, 3, 4, 3]  # SPEC §4.4: 32 of 36

levels = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
observed_levels = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=12)
rating_lists = st.lists(levels, min_size=1, max_size=12)


# §4.1 Competency score --------------------------------------------------------------------------

@pytest.mark.parametrize("ratings, expected", [
    ([3], 3.0),
    ([3, 4], 3.5),
    ([2, 3, 4], 3.0),
    ([3, TB, 4], 3.5),
    ([TB, 5], 5.0),
    ([1, 1, 2], 4 / 3),
])
def test_competency_score_is_the_mean_without_tb(ratings, expected):
    assert scoring.competency_score(ratings) == pytest.approx(expected)


@pytest.mark.parametrize("ratings", [[], [TB], [TB, TB, TB]])
def test_competency_score_without_observations_is_none(ratings):
    assert scoring.competency_score(ratings) is None


# §4.2 Spread, SD, must discuss -----------------------------------------------------------------

@pytest.mark.parametrize("ratings, expected", [
    ([3], 0),
    ([3, 3, 3], 0),
    ([3, 4], 1),
    ([2, 4], 2),
    ([2, TB, 4], 2),
    ([1, TB, 5], 4),
    ([TB, 1, 2], 1),
])
def test_spread_is_max_minus_min_without_tb(ratings, expected):
    assert scoring.spread(ratings) == expected


@pytest.mark.parametrize("ratings", [[], [TB], [TB, TB]])
def test_spread_without_observations_is_none(ratings):
    assert scoring.spread(ratings) is None


@pytest.mark.parametrize("cell_spread, threshold, expected", [
    (0, 2, False),
    (1, 2, False),
    (2, 2, True),
    (3, 2, True),
    (4, 2, True),
    (2, 3, False),
    (3, 3, True),
    (None, 2, False),
])
def test_must_discuss_from_the_threshold(cell_spread, threshold, expected):
    assert scoring.must_discuss(cell_spread, threshold) is expected


def test_must_discuss_default_threshold_is_two():
    assert (scoring.must_discuss(2), scoring.must_discuss(1)) == (True, False)


@pytest.mark.parametrize("ratings, expected", [
    ([3], 0.0),
    ([3, 3, 3], 0.0),
    ([2, 4], math.sqrt(2)),
    ([2, 4, 3, 3], statistics.stdev([2, 4, 3, 3])),
    ([2, TB, 4], math.sqrt(2)),
    ([1, 2, 3, 4, 5], statistics.stdev([1, 2, 3, 4, 5])),
])
def test_sd_is_the_sample_sd_without_tb(ratings, expected):
    assert scoring.sd(ratings) == pytest.approx(expected)


@pytest.mark.parametrize("ratings", [[], [TB, TB]])
def test_sd_without_observations_is_none(ratings):
    assert scoring.sd(ratings) is None


# §4.3 Suggested consensus ---------------------------------------------------------------------

@pytest.mark.parametrize("ratings, expected", [
    ([3, 4], 4),              # 3.5 → 4, half up
    ([2, 3], 3),              # 2.5 → 3, not banker's 2
    ([4, 5], 5),              # 4.5 → 5
    ([1, 2], 2),              # 1.5 → 2
    ([3, 3, 4, 4, 3], 3),     # 3.4 → 3
    ([3, 4, 4, 4, 3], 4),     # 3.6 → 4
    ([3, 3, 3, 4], 3),        # 3.25 → 3
    ([3, 4, 4, 4], 4),        # 3.75 → 4
    ([2, 2, 5], 3),           # mean 3
    ([3, TB, 4], 4),          # TB ignored: 3.5
    ([TB, TB, 2], 2),
    ([5], 5),
    ([1], 1),
])
def test_suggested_consensus_mean_rounds_half_up(ratings, expected):
    assert scoring.suggested_consensus(ratings) == expected


def test_suggested_consensus_mean_is_the_default():
    assert scoring.suggested_consensus([2, 2, 5]) == scoring.suggested_consensus([2, 2, 5], "mean")


@pytest.mark.parametrize("ratings, expected", [
    ([1, 2, 4, 5], 3),        # median 3
    ([2, 3], 3),              # median 2.5 → 3, half up
    ([3, 4], 4),              # median 3.5 → 4
    ([2, 2, 5], 2),           # median 2 (the mean would be 3)
    ([2, 2, 2, 5], 2),        # median 2 (mean 2.75 → 3)
    ([5, 1, 4], 4),           # unsorted input
    ([1, TB, 5, TB, 3], 3),   # TB ignored
    ([4], 4),
])
def test_suggested_consensus_median_rounds_half_up(ratings, expected):
    assert scoring.suggested_consensus(ratings, "median") == expected


@pytest.mark.parametrize("ratings, mean, median", [
    ([2, 2, 5], 3, 2),
    ([1, 1, 1, 5, 5], 3, 1),
    ([4, 4, 1], 3, 4),
])
def test_median_switch_changes_the_suggestion(ratings, mean, median):
    assert (scoring.suggested_consensus(ratings, "mean"), scoring.suggested_consensus(ratings, "median")) == \
        (mean, median)


@pytest.mark.parametrize("method", ["mean", "median"])
@pytest.mark.parametrize("ratings", [[], [TB], [TB, TB]])
def test_suggested_consensus_without_observations_is_none(ratings, method):
    assert scoring.suggested_consensus(ratings, method) is None


def test_suggested_consensus_refuses_an_unknown_method():
    with pytest.raises(ValueError):
        scoring.suggested_consensus([3, 4], "mode")


# §4.4 JPM, gap, category --------------------------------------------------------------------

def test_jpm_worked_example_from_the_spec():
    assert scoring.jpm(WORKED_EXAMPLE, [4] * 9) == pytest.approx(100 * 32 / 36)


def test_jpm_worked_example_shows_as_88_89():
    assert f"{scoring.jpm(WORKED_EXAMPLE, [4] * 9):.2f}" == "88.89"


def test_jpm_worked_example_with_mappings():
    achieved = dict(zip(STANDARD, WORKED_EXAMPLE, strict=True))
    assert scoring.jpm(achieved, STANDARD) == pytest.approx(88.8888888889)


@pytest.mark.parametrize("achieved, standard, expected", [
    ([4] * 9, [4] * 9, 100.0),
    ([3] * 9, [4] * 9, 75.0),
    ([5] * 9, [4] * 9, 125.0),     # no cap
    ([5] * 9, [1] * 9, 500.0),
    ([1] * 9, [5] * 9, 20.0),
    ([3, 3], [3, 2], 120.0),
])
def test_jpm_is_the_ratio_of_sums(achieved, standard, expected):
    assert scoring.jpm(achieved, standard) == pytest.approx(expected)


def test_jpm_above_100_is_not_capped():
    assert scoring.jpm({"M.01": 5, "M.02": 5}, {"M.01": 4, "M.02": 4}) == pytest.approx(125.0)


def test_jpm_counts_only_the_competencies_of_the_standard():
    achieved = {"M.01": 4, "M.02": 3, "M.03": 1}
    assert scoring.jpm(achieved, {"M.01": 4, "M.02": 4}) == pytest.approx(100 * 7 / 8)


@pytest.mark.parametrize("achieved", [
    {"M.01": 4},
    {"M.01": 4, "M.02": None},
    {"M.02": 4, "M.03": 4},
])
def test_jpm_with_a_missing_consensus_is_an_error(achieved):
    with pytest.raises(ValueError):
        scoring.jpm(achieved, {"M.01": 4, "M.02": 4})


def test_jpm_of_lists_of_different_length_is_an_error():
    with pytest.raises(ValueError):
        scoring.jpm([4, 4], [4, 4, 4])


@pytest.mark.parametrize("standard", [[0, 0], {"M.01": 0}])
def test_jpm_of_an_empty_standard_is_an_error(standard):
    achieved = [3, 3] if isinstance(standard, list) else {"M.01": 3}
    with pytest.raises(ValueError):
        scoring.jpm(achieved, standard)


@pytest.mark.parametrize("achieved, standard, expected", [
    ({"M.01": 3, "M.02": 4, "M.03": 5}, {"M.01": 4, "M.02": 4, "M.03": 4}, {"M.01": -1, "M.02": 0, "M.03": 1}),
    ({"M.01": 1}, {"M.01": 5}, {"M.01": -4}),
    ({"M.01": 3, "M.02": 2}, {"M.01": 3}, {"M.01": 0}),   # only the standard's competencies
])
def test_gaps_are_consensus_minus_standard(achieved, standard, expected):
    assert scoring.gaps(achieved, standard) == expected


def test_gaps_of_the_worked_example_sum_to_minus_four():
    achieved = dict(zip(STANDARD, WORKED_EXAMPLE, strict=True))
    assert sum(scoring.gaps(achieved, STANDARD).values()) == 32 - 36


@pytest.mark.parametrize("value, purpose, expected", [
    (100.0, "pengisian", "MS"),
    (80.00, "pengisian", "MS"),
    (79.99, "pengisian", "MMS"),
    (68.00, "pengisian", "MMS"),
    (67.99, "pengisian", "KMS"),
    (0.0, "pengisian", "KMS"),
    (125.0, "pengisian", "MS"),
    (90.00, "pemetaan", "O"),
    (89.99, "pemetaan", "CO"),
    (78.00, "pemetaan", "CO"),
    (77.99, "pemetaan", "KO"),
    (0.0, "pemetaan", "KO"),
    (125.0, "pemetaan", "O"),
    (88.89, "pengisian", "MS"),
    (88.89, "pemetaan", "CO"),
])
def test_category_boundaries(value, purpose, expected):
    assert scoring.category(value, purpose) == expected


@pytest.mark.parametrize("purpose, expected", [("pengisian", "MS"), ("pemetaan", "CO")])
def test_category_of_the_worked_example(purpose, expected):
    assert scoring.category(scoring.jpm(WORKED_EXAMPLE, [4] * 9), purpose) == expected


@pytest.mark.parametrize("achieved, total, purpose, expected", [
    ([4] * 8 + [4], 36, "pemetaan", "O"),      # 100
    ([4] * 5 + [3] * 4, 32, "pengisian", "MS"),
])
def test_category_of_integer_sums(achieved, total, purpose, expected):
    assert sum(achieved) == total
    assert scoring.category(scoring.jpm(achieved, [4] * 9), purpose) == expected


@pytest.mark.parametrize("thresholds", [
    [("A", 85.0), ("B", 60.0), ("C", 0.0)],
    {"A": 85.0, "B": 60.0, "C": 0.0},
    [("C", 0.0), ("A", 85.0), ("B", 60.0)],   # any order
])
@pytest.mark.parametrize("value, expected", [
    (85.0, "A"), (84.99, "B"), (60.0, "B"), (59.99, "C"), (0.0, "C"), (80.0, "B"),
])
def test_category_with_custom_thresholds(thresholds, value, expected):
    assert scoring.category(value, "pengisian", thresholds) == expected


def test_custom_thresholds_override_the_purpose_table():
    assert scoring.category(80.0, "pengisian", {"MS": 90.0, "MMS": 70.0, "KMS": 0.0}) == "MMS"


def test_category_below_every_threshold_is_the_lowest():
    assert scoring.category(10.0, "pengisian", {"MS": 80.0, "MMS": 68.0, "KMS": 50.0}) == "KMS"


# §4.7 r_wg ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ratings, expected", [
    ([3, 3], 1.0),
    ([4, 4, 4, 4], 1.0),
    ([5], 1.0),                 # one rating agrees with itself
    ([3, 4], 0.75),             # 1 − 0.5 / 2
    ([2, 4], 0.0),              # 1 − 2 / 2
    ([1, 5], 0.0),              # 1 − 8 / 2 = −3, truncated
    ([1, 1, 5, 5], 0.0),
    ([3, 3, 4, 4], 1 - (1 / 3) / 2),
    ([2, 3, 4], 0.5),           # s² = 1
])
def test_rwg_values(ratings, expected):
    assert reliability.rwg(ratings) == pytest.approx(expected)


@pytest.mark.parametrize("options, expected_variance", [(5, 2.0), (3, 8 / 12), (7, 4.0)])
def test_rwg_expected_variance_of_a_uniform_scale(options, expected_variance):
    assert reliability.rwg([3, 4], options) == pytest.approx(max(0.0, 1 - 0.5 / expected_variance))


def test_rwg_default_scale_has_five_options():
    assert reliability.rwg([2, 3, 4]) == reliability.rwg([2, 3, 4], options=5)


@pytest.mark.parametrize("ratings, expected", [([3, None, 4], 0.75), ([3, float("nan"), 4], 0.75)])
def test_rwg_ignores_missing_ratings(ratings, expected):
    assert reliability.rwg(ratings) == pytest.approx(expected)


@pytest.mark.parametrize("ratings", [[], [None], [float("nan")]])
def test_rwg_without_ratings_is_an_error(ratings):
    with pytest.raises(ValueError):
        reliability.rwg(ratings)


# Properties --------------------------------------------------------------------------------

@given(observed_levels)
def test_rwg_lies_in_zero_to_one(ratings):
    assert 0.0 <= reliability.rwg(ratings) <= 1.0


@given(rating_lists, st.sampled_from(["mean", "median"]))
def test_suggested_consensus_lies_within_the_observed_levels(ratings, method):
    seen = [r for r in ratings if r is not None]
    suggested = scoring.suggested_consensus(ratings, method)
    assert (suggested is None) if not seen else min(seen) <= suggested <= max(seen)


@given(observed_levels)
def test_suggested_consensus_is_the_rounded_mean(ratings):
    assert abs(scoring.suggested_consensus(ratings) - sum(ratings) / len(ratings)) <= 0.5


@given(st.lists(levels, min_size=1, max_size=12).flatmap(lambda xs: st.tuples(st.just(xs), st.permutations(xs))))
def test_permuting_the_ratings_changes_nothing(pair):
    ratings, shuffled = pair
    assert scoring.spread(shuffled) == scoring.spread(ratings)
    assert scoring.suggested_consensus(shuffled) == scoring.suggested_consensus(ratings)
    assert scoring.suggested_consensus(shuffled, "median") == scoring.suggested_consensus(ratings, "median")
    assert scoring.competency_score(shuffled) == pytest.approx(scoring.competency_score(ratings))
    assert scoring.sd(shuffled) == pytest.approx(scoring.sd(ratings))


@given(observed_levels.flatmap(lambda xs: st.tuples(st.just(xs), st.permutations(xs))))
def test_permuting_the_ratings_keeps_rwg(pair):
    ratings, shuffled = pair
    assert reliability.rwg(shuffled) == pytest.approx(reliability.rwg(ratings))


@given(observed_levels)
def test_spread_and_sd_are_zero_exactly_when_all_agree(ratings):
    agree = len(set(ratings)) == 1
    assert (scoring.spread(ratings) == 0) is agree
    assert (scoring.sd(ratings) == 0) is agree


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=9, max_size=9))
def test_jpm_and_gaps_agree(achieved):
    levels_by_code = dict(zip(STANDARD, achieved, strict=True))
    gap_total = sum(scoring.gaps(levels_by_code, STANDARD).values())
    assert scoring.jpm(levels_by_code, STANDARD) == pytest.approx(100 * (36 + gap_total) / 36)


# Reference data is read from data/, never copied into code (issue 9 item 3) ------------------------

def test_shipped_defaults_are_the_data_files():
    from core.refdata import read

    for purpose in ("pengisian", "pemetaan"):
        assert scoring.shipped_thresholds(purpose) == [(c["code"], c["min_jpm"]) for c in read("categories")
                                                       if c["purpose"] == purpose]
    assert scoring.shipped_not_recommended() == {c["code"] for c in read("categories") if not c["recommended"]}
    assert scoring.shipped_scheme() == {(b["potential"], b["performance"]): b["box"] for b in read("ninebox")}


def test_defaults_follow_a_change_of_the_data(monkeypatch):
    from core import refdata

    changed = {
        "categories": [{"purpose": "pengisian", "code": "MS", "min_jpm": 75, "recommended": 1},
                       {"purpose": "pengisian", "code": "KMS", "min_jpm": 0, "recommended": 0}],
        "settings": {"potential_bands": {"tinggi": 95, "menengah": 60}, "result_validity_years": 2},
        "ninebox": [{"potential": "menengah", "performance": "sesuai", "box": 42}],
        "skp_predikat": [{"code": "baik", "performance": "sesuai"}],
    }
    monkeypatch.setattr(scoring, "read", lambda name: changed[name] if name in changed else refdata.read(name))
    assert (scoring.category(75.0, "pengisian"), scoring.category(74.99, "pengisian")) == ("MS", "KMS")
    assert (scoring.potential(94.99), scoring.potential(60.0), scoring.potential(59.99)) == \
        ("menengah", "menengah", "rendah")
    assert scoring.ninebox(80.0, "baik") == 42
    assert (scoring.is_valid("2024-01-10", "2026-01-09"), scoring.is_valid("2024-01-10", "2026-01-10")) == \
        (True, False)
    best, warnings = scoring.top_three([{"name": "A", "rank": 1, "category": "KMS"}])
    assert best[0]["recommended"] is False and "not_recommended" in warnings


def test_unknown_purpose_is_refused():
    with pytest.raises(ValueError):
        scoring.category(80.0, "seleksi")


@pytest.mark.parametrize(("purpose", "ranks"), [("pengisian", True), ("pemetaan", False)])
def test_only_a_selection_ranks_its_peserta(purpose, ranks):
    assert scoring.ranks_people(purpose) is ranks  # SPEC §4.6: a pemetaan never ranks nor names three best


def test_an_unknown_purpose_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="unknown purpose"):
        scoring.ranks_people("seleksi")
