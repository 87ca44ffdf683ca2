"""Rater-quality statistics of SPEC §4.7: published reference values, edge cases, properties."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.reliability import (
    ICC_FORMS,
    LENIENCY_FLAG,
    alpha_verdict,
    icc,
    is_lenient_flag,
    koo_li_band,
    krippendorff_alpha,
    leniency,
    low_agreement,
    rwg,
)

# Shrout & Fleiss (1979), Table 2: 6 targets (rows) × 4 judges (columns).
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
SF_PUBLISHED_MS = {"BMS": 11.24, "WMS": 6.26, "JMS": 32.49, "EMS": 1.02}
SF_PUBLISHED_ICC = {"ICC(1,1)": 0.17, "ICC(2,1)": 0.29, "ICC(3,1)": 0.71,
                    "ICC(1,k)": 0.44, "ICC(2,k)": 0.62, "ICC(3,k)": 0.91}
SF_EXACT_ICC = {"ICC(1,1)": 0.166, "ICC(2,1)": 0.290, "ICC(3,1)": 0.715,
                "ICC(1,k)": 0.443, "ICC(2,k)": 0.620, "ICC(3,k)": 0.909}

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers × 12 units.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Published: nominal, interval, ratio in the paper; ordinal from the reference implementation
# (fast-krippendorff's doctest), re-derived below by reference_alpha.
KRIPPENDORFF_C_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
# Example A: binary data, two observers, no missing data.
KRIPPENDORFF_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]

FAST = settings(max_examples=60, deadline=None)


# Independent references, in plain Python ------------------------------------------------------------

def hand_mean_squares(rows):
    """Two-way ANOVA mean squares by the textbook sums of squares, no numpy."""
    n, k = len(rows), len(rows[0])
    grand = sum(map(sum, rows)) / (n * k)
    row_means = [sum(r) / k for r in rows]
    col_means = [sum(r[j] for r in rows) / n for j in range(k)]
    ss_total = sum((x - grand) ** 2 for r in rows for x in r)
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ss_within = sum((x - m) ** 2 for r, m in zip(rows, row_means, strict=True) for x in r)
    return {"BMS": ss_rows / (n - 1), "WMS": ss_within / (n * (k - 1)), "JMS": ss_cols / (k - 1),
            "EMS": (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))}


def shrout_fleiss_formulas(ms, n, k):
    """The six ICCs of Shrout & Fleiss (1979) Table 3 from the mean squares."""
    bms, wms, jms, ems = ms["BMS"], ms["WMS"], ms["JMS"], ms["EMS"]
    return {
        "ICC(1,1)": _ratio(bms - wms, bms + (k - 1) * wms),
        "ICC(2,1)": _ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC(3,1)": _ratio(bms - ems, bms + (k - 1) * ems),
        "ICC(1,k)": _ratio(bms - wms, bms),
        "ICC(2,k)": _ratio(bms - ems, bms + (jms - ems) / n),
        "ICC(3,k)": _ratio(bms - ems, bms),
    }


def _ratio(top, bottom):
    """A formula whose denominator vanishes is undefined (the module reports NaN there)."""
    return math.nan if abs(bottom) < 1e-12 else top / bottom


def reference_alpha(data, level):
    """Krippendorff's alpha by the coincidence matrix, pair by pair, with the δ² of Krippendorff (2011)."""
    units = [[row[u] for row in data if row[u] is not None] for u in range(len(data[0]))]
    o = Counter()
    for values in (vs for vs in units if len(vs) >= 2):
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    o[c, k] += 1 / (len(values) - 1)
    n_c = Counter()
    for (c, _), weight in o.items():
        n_c[c] += weight

    def delta(c, k):
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return (c - k) ** 2
        if level == "ratio":
            return ((c - k) / (c + k)) ** 2 if c + k else 0.0
        low, high = min(c, k), max(c, k)
        between = sum(n for g, n in n_c.items() if low <= g <= high)
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(weight * delta(c, k) for (c, k), weight in o.items())
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in n_c for k in n_c) / (sum(n_c.values()) - 1)
    return 1 - observed / expected


# ICC: Shrout & Fleiss (1979) ------------------------------------------------------------------------

def test_hand_mean_squares_match_the_published_ones():
    ms = hand_mean_squares(SHROUT_FLEISS)
    assert {name: round(value, 2) for name, value in ms.items()} == SF_PUBLISHED_MS


def test_formulas_on_published_mean_squares_give_published_iccs():
    iccs = shrout_fleiss_formulas(SF_PUBLISHED_MS, n=6, k=4)
    assert {form: round(value, 2) for form, value in iccs.items()} == SF_PUBLISHED_ICC


def test_icc_equals_the_formulas_on_hand_mean_squares():
    expected = shrout_fleiss_formulas(hand_mean_squares(SHROUT_FLEISS), n=6, k=4)
    assert icc(SHROUT_FLEISS) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_reproduces_shrout_fleiss_to_three_decimals(form):
    assert round(icc(SHROUT_FLEISS)[form], 3) == SF_EXACT_ICC[form]


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_reproduces_shrout_fleiss_as_published(form):
    assert round(icc(SHROUT_FLEISS)[form], 2) == SF_PUBLISHED_ICC[form]


def test_icc_returns_exactly_the_six_forms():
    assert list(icc(SHROUT_FLEISS)) == ["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"]


def test_icc_accepts_a_numpy_array():
    assert icc(np.array(SHROUT_FLEISS)) == icc(SHROUT_FLEISS)


def test_icc_of_identical_columns_with_spread_is_one():
    same = [[level] * 3 for level in (1, 2, 3, 4, 5)]
    assert icc(same) == pytest.approx(dict.fromkeys(ICC_FORMS, 1.0))


@pytest.mark.parametrize("matrix", [
    [[1, 2], [3, float("nan")]],
    [[1, 2], [3, None]],
    np.array([[1.0, 2.0], [np.nan, 4.0]]),
])
def test_icc_refuses_missing_ratings(matrix):
    with pytest.raises(ValueError, match="missing"):
        icc(matrix)


@pytest.mark.parametrize("matrix", [[[1, 2, 3]], [[1], [2], [3]], [[]]])
def test_icc_needs_two_candidates_and_two_assessors(matrix):
    with pytest.raises(ValueError, match="at least 2"):
        icc(matrix)


@pytest.mark.parametrize("matrix", [[1, 2, 3], [[1, 2], [3]], [["a", "b"], ["c", "d"]], [[1, math.inf], [2, 3]]])
def test_icc_refuses_what_is_not_a_table_of_numbers(matrix):
    with pytest.raises(ValueError):
        icc(matrix)


@pytest.mark.parametrize("matrix", [[[3, 3], [3, 3]], [[1, 5], [5, 1]], [[2, 4, 3], [3, 3, 3]]])
def test_icc_is_undefined_when_candidates_do_not_differ(matrix):
    with pytest.raises(ValueError, match="same mean score"):
        icc(matrix)


def test_icc2k_is_nan_when_its_variance_estimate_is_negative():
    # Huge candidate × assessor interaction: Spearman–Brown of ICC(2,1) = −220 would give ≈ 2.
    values = icc([[1, 0], [0, 1.1]])
    assert math.isnan(values["ICC(2,k)"])
    assert all(math.isfinite(v) and v <= 1 for form, v in values.items() if form != "ICC(2,k)")


# Krippendorff's alpha (Krippendorff 2011) -----------------------------------------------------------

@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_reproduces_example_c(level):
    assert round(krippendorff_alpha(KRIPPENDORFF_C, level), 3) == KRIPPENDORFF_C_ALPHA[level]


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_reference_alpha_confirms_the_example_c_figures(level):
    assert round(reference_alpha(KRIPPENDORFF_C, level), 3) == KRIPPENDORFF_C_ALPHA[level]


def test_alpha_reproduces_example_a():
    assert round(krippendorff_alpha(KRIPPENDORFF_A, "nominal"), 3) == 0.095


def test_alpha_default_level_is_ordinal():
    assert krippendorff_alpha(KRIPPENDORFF_C) == krippendorff_alpha(KRIPPENDORFF_C, "ordinal")


def test_alpha_reads_none_and_nan_alike():
    as_nan = np.array(KRIPPENDORFF_C, dtype=float)
    assert krippendorff_alpha(as_nan, "interval") == krippendorff_alpha(KRIPPENDORFF_C, "interval")


def test_alpha_ignores_units_with_one_rating():
    lone_unit = [row + [value] for row, value in zip(KRIPPENDORFF_C, [5, None, None, None], strict=True)]
    assert krippendorff_alpha(lone_unit) == krippendorff_alpha(KRIPPENDORFF_C)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_of_perfect_agreement_is_one(level):
    row = [1, 2, 3, 4, 5, None, 2]
    assert krippendorff_alpha([row, row, [1, 2, 3, 4, 5, 3, None]], level) == pytest.approx(1.0)


@pytest.mark.parametrize("data", [[[1, None, 3], [None, 2, None]], [[None, None], [None, None]], [[1, 2, 3]]])
def test_alpha_needs_a_pairable_unit(data):
    with pytest.raises(ValueError, match="at least two assessors"):
        krippendorff_alpha(data)


def test_alpha_is_undefined_without_variation():
    with pytest.raises(ValueError, match="same value"):
        krippendorff_alpha([[3, 3, None], [3, 3, 5]])


@pytest.mark.parametrize("data, level", [
    (KRIPPENDORFF_C, "cardinal"),
    ([[1, -2], [1, -2]], "ratio"),
    ([1, 2, 3], "ordinal"),
    ([[1, 2], [3]], "ordinal"),
])
def test_alpha_refuses_bad_input(data, level):
    with pytest.raises(ValueError):
        krippendorff_alpha(data, level)


# Interpretation, leniency, small-data guard ---------------------------------------------------------

@pytest.mark.parametrize("value, band", [
    (-0.2, "poor"), (math.nextafter(0.50, 0), "poor"), (0.50, "moderate"),
    (math.nextafter(0.75, 0), "moderate"), (0.75, "good"),
    (math.nextafter(0.90, 0), "good"), (0.90, "excellent"), (1.0, "excellent"),
])
def test_koo_li_band_boundaries(value, band):
    assert koo_li_band(value) == band


@pytest.mark.parametrize("value, verdict", [
    (0.0, "unreliable"), (math.nextafter(0.667, 0), "unreliable"), (0.667, "tentative"),
    (math.nextafter(0.800, 0), "tentative"), (0.800, "reliable"), (1.0, "reliable"),
])
def test_alpha_verdict_boundaries(value, verdict):
    assert alpha_verdict(value) == verdict


@pytest.mark.parametrize("interpret", [koo_li_band, alpha_verdict, is_lenient_flag])
def test_an_undefined_statistic_gets_no_verdict(interpret):
    with pytest.raises(ValueError, match="NaN"):
        interpret(math.nan)


def test_leniency_is_the_mean_difference_from_consensus():
    assert leniency([4, 5, 3, 4], [3, 4, 3, 4]) == 0.5


def test_leniency_skips_missing_cells():
    assert leniency([4, None, 2, 5, float("nan")], [3, 1, 3, None, 2]) == 0.0


def test_leniency_of_a_strict_assessor_is_negative():
    assert leniency([2, 3, 3], [3, 4, 4]) == -1.0


@pytest.mark.parametrize("scores, consensus", [([1, 2], [1]), ([None, 2], [3, None]), ([], [])])
def test_leniency_refuses_mismatched_or_empty_input(scores, consensus):
    with pytest.raises(ValueError):
        leniency(scores, consensus)


@pytest.mark.parametrize("value, flagged", [
    (LENIENCY_FLAG, True), (-0.5, True), (0.75, True), (-1.2, True),
    (math.nextafter(0.5, 0), False), (-0.49, False), (0.0, False),
])
def test_is_lenient_flag_at_half_a_level(value, flagged):
    assert is_lenient_flag(value) is flagged


@pytest.mark.parametrize("values, minimum, low", [
    ([0.69, 0.7, 0.71], 0.7, 1), ([math.nextafter(0.7, 0)], 0.7, 1), ([0.7], 0.7, 0), ([], 0.7, 0),
    ([0.0, 1.0], 0.5, 1), ([0.2, 0.3], 0.1, 0),
])
def test_low_agreement_counts_cells_below_the_minimum(values, minimum, low):
    assert low_agreement(values, minimum) == low


def test_rwg_minimum_is_shipped_as_a_setting():
    from core.refdata import read

    assert read("settings")["rwg_agreement_min"] == 0.7


# Properties -----------------------------------------------------------------------------------------

@st.composite
def score_matrices(draw):
    """Complete candidate × assessor matrices of levels 1–5."""
    n, k = draw(st.integers(2, 8)), draw(st.integers(2, 5))
    row = st.lists(st.integers(1, 5), min_size=k, max_size=k)
    return draw(st.lists(row, min_size=n, max_size=n))


@st.composite
def reliability_data(draw):
    """Assessor × unit tables of levels 1–5 with gaps."""
    m, n = draw(st.integers(2, 5)), draw(st.integers(2, 10))
    row = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=n, max_size=n)
    return draw(st.lists(row, min_size=m, max_size=m))


def icc_or_undefined(matrix):
    """The ICC dict, or "undefined" where icc refuses the matrix."""
    try:
        return icc(matrix)
    except ValueError:
        return "undefined"


def alpha_or_undefined(data, level):
    """Alpha, or "undefined" where krippendorff_alpha refuses the data."""
    try:
        return krippendorff_alpha(data, level)
    except ValueError:
        return "undefined"


def assert_same_outcome(first, second):
    if isinstance(first, str) or isinstance(second, str):
        assert first == second
    elif isinstance(first, dict):
        np.testing.assert_allclose([first[f] for f in ICC_FORMS], [second[f] for f in ICC_FORMS], atol=1e-9)
    else:
        assert first == pytest.approx(second, abs=1e-9)


@FAST
@given(data=st.data(), matrix=score_matrices())
def test_icc_ignores_the_order_of_candidates_and_assessors(data, matrix):
    rows = data.draw(st.permutations(range(len(matrix))))
    cols = data.draw(st.permutations(range(len(matrix[0]))))
    shuffled = [[matrix[r][c] for c in cols] for r in rows]
    assert_same_outcome(icc_or_undefined(matrix), icc_or_undefined(shuffled))


@FAST
@given(matrix=score_matrices())
def test_icc_is_at_most_one_and_obeys_spearman_brown(matrix):
    values = icc_or_undefined(matrix)
    if values == "undefined":
        return
    k = len(matrix[0])
    assert all(v <= 1 + 1e-12 for v in values.values() if not math.isnan(v))
    for model in "123":
        single, average = values[f"ICC({model},1)"], values[f"ICC({model},k)"]
        if not math.isnan(average):
            assert average == pytest.approx(k * single / (1 + (k - 1) * single), abs=1e-9)


@FAST
@given(matrix=score_matrices())
def test_icc_matches_the_formulas_on_hand_mean_squares(matrix):
    values = icc_or_undefined(matrix)
    if values == "undefined":
        return
    expected = shrout_fleiss_formulas(hand_mean_squares(matrix), len(matrix), len(matrix[0]))
    for form, value in values.items():
        if not math.isnan(value) and not math.isnan(expected[form]):
            assert value == pytest.approx(expected[form], abs=1e-9)


@FAST
@given(data=st.data(), table=reliability_data(), level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_ignores_the_order_of_assessors_and_units(data, table, level):
    rows = data.draw(st.permutations(range(len(table))))
    cols = data.draw(st.permutations(range(len(table[0]))))
    shuffled = [[table[r][c] for c in cols] for r in rows]
    assert_same_outcome(alpha_or_undefined(table, level), alpha_or_undefined(shuffled, level))


@FAST
@given(table=reliability_data(), level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_is_at_most_one_and_matches_the_reference(table, level):
    alpha = alpha_or_undefined(table, level)
    if alpha == "undefined":
        return
    assert alpha <= 1
    assert alpha == pytest.approx(reference_alpha(table, level), abs=1e-9)


@FAST
@given(ratings=st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1, max_size=12).filter(any),
       options=st.integers(2, 9))
def test_rwg_stays_within_zero_and_one(ratings, options):
    assert 0.0 <= rwg(ratings, options) <= 1.0
