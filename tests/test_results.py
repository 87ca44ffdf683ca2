"""Results (SPEC §4.4–§4.6): the pure rules of core.scoring at their boundaries, then core.results on events."""

from __future__ import annotations

import pandas as pd
import pytest
from assessment_fixtures import (
    agree,
    audit_entries,
    build_event,
    error_key,
    open_rating,
    rate_candidate,
)
from hypothesis import given
from hypothesis import strategies as st

from core import assessment, db, integration, registry, results, scoring, talent, talent_store
from core.errors import Conflict, PermissionDenied, ValidationError

WORKED = dict(zip(["M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01"],
                  [4, 3, 4, 4, 3, 4, 3, 4, 3], strict=True))
STANDARD = dict.fromkeys(WORKED, 4)
WEIGHTS = {"ac": 40, "makalah": 20, "wawancara": 30, "rekam": 10}
SELEKSI, PEMETAAN = 1, 2  # event ids of the demo


# §4.4 JPM, category -----------------------------------------------------------------------------

def test_worked_example_jpm_and_categories():
    value = scoring.jpm(WORKED, STANDARD)
    assert round(value, 2) == 88.89
    assert (scoring.category(value, "pengisian"), scoring.category(value, "pemetaan")) == ("MS", "CO")


@pytest.mark.parametrize(("jpm", "purpose", "code"), [
    (80.00, "pengisian", "MS"), (79.99, "pengisian", "MMS"), (68.00, "pengisian", "MMS"),
    (67.99, "pengisian", "KMS"), (100.0, "pengisian", "MS"), (0.0, "pengisian", "KMS"),
    (90.00, "pemetaan", "O"), (89.99, "pemetaan", "CO"), (78.00, "pemetaan", "CO"), (77.99, "pemetaan", "KO"),
])
def test_category_boundaries(jpm, purpose, code):
    assert scoring.category(jpm, purpose) == code


def test_gaps_are_consensus_minus_standard():
    assert scoring.gaps(WORKED, STANDARD) == {c: level - 4 for c, level in WORKED.items()}


# §4.5 Stages, final score ---------------------------------------------------------------------

@pytest.mark.parametrize("weights", [
    {"ac": 40, "makalah": 20, "wawancara": 30, "rekam": 9},
    {"ac": 40, "makalah": 20, "wawancara": 30, "rekam": 11},
    {"ac": 70, "makalah": 30, "wawancara": 0},
    {},
], ids=["sum-99", "sum-101", "zero-weight", "none"])
def test_check_weights_refuses(weights):
    with pytest.raises(ValueError):
        scoring.check_weights(weights)


def test_final_score_by_hand():
    scores = {"ac": 100.0, "makalah": 80.0, "wawancara": 75.5, "rekam": 90.0}
    # 40 × 100 + 20 × 80 + 30 × 75.5 + 10 × 90 = 4000 + 1600 + 2265 + 900 = 8765 → 87.65
    assert scoring.final_score(scores, WEIGHTS) == 87.65


@pytest.mark.parametrize("missing", ["ac", "rekam"])
def test_final_score_is_none_while_a_stage_score_is_missing(missing):
    scores = dict.fromkeys(WEIGHTS, 80.0) | {missing: None}
    assert scoring.final_score(scores, WEIGHTS) is None
    assert scoring.final_score({k: v for k, v in scores.items() if k != missing}, WEIGHTS) is None


# §4.5 Ranking and its tie-break chain ----------------------------------------------------------

def person(name: str, final=85.0, jpm=90.0, below=1, golongan=14, service=300) -> dict:
    return {"name": name, "final": final, "jpm": jpm, "below_standard": below, "golongan": golongan,
            "service": service}


def order(ranked: list[dict]) -> list[tuple[str, int]]:
    return [(c["name"], c["rank"]) for c in ranked]


@pytest.mark.parametrize(("better", "worse"), [
    (person("A", final=86.0), person("B", final=85.99, jpm=120)),
    (person("A", jpm=91.0), person("B", jpm=90.0, below=0, golongan=17, service=500)),
    (person("A", below=0), person("B", below=1, golongan=17, service=500)),
    (person("A", golongan=15), person("B", golongan=14, service=500)),
    (person("A", service=301), person("B", service=300)),
], ids=["final", "jpm", "below-standard", "golongan", "service"])
def test_rank_tie_chain(better, worse):
    assert order(scoring.rank([worse, better])) == [("A", 1), ("B", 2)]


def test_rank_all_equal_share_a_rank():
    ranked = scoring.rank([person("D", final=80), person("B"), person("C"), person("A", final=90)])
    assert [c["rank"] for c in ranked] == [1, 2, 2, 4]
    assert ranked[0]["name"] == "A" and ranked[-1]["name"] == "D"


def test_rank_by_jpm_when_there_are_no_stages():
    ranked = scoring.rank([{"name": "A", "jpm": 80.0}, {"name": "B", "jpm": 95.0}], primary="jpm")
    assert order(ranked) == [("B", 1), ("A", 2)]


def test_position_with_two_candidates():
    ranked = scoring.rank([person("A", final=70), person("B", final=75)])
    best, warnings = scoring.top_three(ranked)
    assert [c["name"] for c in best] == ["B", "A"]
    assert warnings == ["fewer_than_three"]


def test_top_three_includes_ties_at_rank_three():
    ranked = scoring.rank([person("A", final=90), person("B", final=88), person("C"), person("D"),
                           person("E", final=60)])
    best, warnings = scoring.top_three(ranked)
    assert [(c["name"], c["rank"]) for c in best] == [("A", 1), ("B", 2), ("C", 3), ("D", 3)]
    assert warnings == []


def test_top_three_marks_kms_not_recommended():
    ranked = scoring.rank([person("A", final=90) | {"category": "MS"}, person("B", final=80) | {"category": "MMS"},
                           person("C", final=60) | {"category": "KMS"}, person("D", final=50) | {"category": "KMS"}])
    best, warnings = scoring.top_three(ranked)
    assert [(c["name"], c["recommended"]) for c in best] == [("A", True), ("B", True), ("C", False)]
    assert warnings == ["not_recommended"]


candidates = st.lists(st.fixed_dictionaries({
    "final": st.sampled_from([70.0, 80.0, 85.5]), "jpm": st.sampled_from([80.0, 90.0, None]),
    "below_standard": st.integers(0, 2), "golongan": st.sampled_from([13, 14, None]),
    "service": st.integers(200, 202)}), min_size=1, max_size=8).map(
    lambda people: [p | {"id": i} for i, p in enumerate(people)])


@given(people=candidates, data=st.data())
def test_rank_does_not_depend_on_input_order(people, data):
    shuffled = data.draw(st.permutations(people))
    assert {c["id"]: c["rank"] for c in scoring.rank(shuffled)} == {c["id"]: c["rank"] for c in scoring.rank(people)}


@given(people=candidates)
def test_ranks_are_within_one_to_n_and_never_decrease(people):
    ranks = [c["rank"] for c in scoring.rank(people)]
    assert ranks[0] == 1
    assert all(1 <= r <= len(people) for r in ranks)
    assert ranks == sorted(ranks)


@pytest.mark.parametrize(("tmt", "on", "months"), [
    ("2000-03", "2026-11-20", 320), ("2026-11", "2026-11-20", 0), ("2025-12", "2026-11-01", 11)])
def test_service_months(tmt, on, months):
    assert scoring.service_months(tmt, on) == months


# §4.6 The 9-box -------------------------------------------------------------------------------

@pytest.mark.parametrize(("jpm", "band"), [(100.0, "tinggi"), (90.0, "tinggi"), (89.99, "menengah"),
                                            (78.0, "menengah"), (77.99, "rendah"), (0.0, "rendah")])
def test_potential_default_bands(jpm, band):
    assert scoring.potential(jpm) == band


@pytest.mark.parametrize(("jpm", "band"), [(85.0, "tinggi"), (84.99, "menengah"), (70.0, "menengah"),
                                            (69.99, "rendah")])
def test_potential_custom_bands(jpm, band):
    assert scoring.potential(jpm, {"tinggi": 85, "menengah": 70}) == band


@pytest.mark.parametrize(("predikat", "axis"), [
    ("sangat_baik", "di_atas"), ("baik", "sesuai"), ("butuh_perbaikan", "di_bawah"), ("kurang_misconduct", "di_bawah"),
    ("sangat_kurang", "di_bawah")])
def test_performance_from_skp_predikat(predikat, axis):
    assert scoring.performance(predikat) == axis


@pytest.mark.parametrize(("jpm", "predikat", "box"), [
    (95, "kurang_misconduct", 6), (95, "baik", 8), (95, "sangat_baik", 9),
    (85, "kurang_misconduct", 3), (85, "baik", 5), (85, "sangat_baik", 7),
    (70, "kurang_misconduct", 1), (70, "baik", 2), (70, "sangat_baik", 4)])
def test_ninebox_default_numbering(jpm, predikat, box):
    assert scoring.ninebox(jpm, predikat) == box


@pytest.mark.parametrize(("taken", "on", "valid"), [
    ("2023-11-20", "2023-11-20", True), ("2023-11-20", "2026-11-19", True), ("2023-11-20", "2026-11-20", False),
    ("2023-11-20", "2023-11-19", False),
    # 29 February: no anniversary in 2027, so the result stays valid through 28 February (as core documents)
    ("2024-02-29", "2027-02-27", True), ("2024-02-29", "2027-02-28", True), ("2024-02-29", "2027-03-01", False),
])
def test_is_valid_for_three_years(taken, on, valid):
    assert scoring.is_valid(taken, on) is valid


# core.results on events ---------------------------------------------------------------------------

def user(database, username: str) -> dict:
    return db.one(database, "SELECT * FROM users WHERE username = ?", (username,))


def entry_stages(database, event_id: int = SELEKSI) -> list[dict]:
    return [s for s in results.list_stages(database, event_id) if not s["is_ac"]]


def stage_scores(database) -> list[tuple]:
    return database.execute("SELECT registration_id, stage_id, score FROM stage_scores ORDER BY 1, 2").fetchall()


def finalised_registrations(database, event_id: int) -> list[int]:
    return [r[0] for r in database.execute("""SELECT r.id FROM registrations r JOIN results res
        ON res.registration_id = r.id WHERE r.event_id = ? AND res.finalized_at IS NOT NULL""", (event_id,))]


GOOD_STAGES = [{"name": "Assessment Center", "weight": 40, "is_ac": True}, {"name": "Makalah", "weight": 20},
               {"name": "Wawancara", "weight": 30}, {"name": "Rekam jejak", "weight": 10}]


@pytest.mark.parametrize(("stages", "key"), [
    ([*GOOD_STAGES[:3], {"name": "Rekam jejak", "weight": 9}], "stage.weights_sum"),
    ([*GOOD_STAGES[:3], {"name": "Rekam jejak", "weight": 10, "is_ac": True}], "stage.one_ac"),
    ([{**s, "is_ac": False} for s in GOOD_STAGES], "stage.one_ac"),
    ([*GOOD_STAGES[:3], {"name": "wawancara", "weight": 10}], "stage.duplicate"),
    ([*GOOD_STAGES[:3], {"name": "Rekam jejak", "weight": 0}], "stage.bad_weight"),
], ids=["weights-99", "two-ac", "no-ac", "duplicate", "zero-weight"])
def test_set_stages_refuses(demo_db, stages, key):
    before = results.list_stages(demo_db, SELEKSI)
    assert error_key(results.set_stages, demo_db, user(demo_db, "admin"), SELEKSI, stages,
                     error=ValidationError) == key
    assert results.list_stages(demo_db, SELEKSI) == before


def test_set_stages_only_for_pengisian(demo_db):
    admin = user(demo_db, "admin")
    event_id = registry.create_event(demo_db, admin, "Pemetaan 2027", "pemetaan", "2027-03-01", "2027-03-03")
    assert error_key(results.set_stages, demo_db, admin, event_id, GOOD_STAGES, error=Conflict) == \
        "stage.only_pengisian"
    assert results.list_stages(demo_db, event_id) == []


@pytest.mark.parametrize("username", ["asesor.rini", "pimpinan.sekda"])
def test_set_stages_only_admin(demo_db, username):
    assert error_key(results.set_stages, demo_db, user(demo_db, username), SELEKSI, GOOD_STAGES,
                     error=PermissionDenied) == "auth.forbidden"


def test_ac_stage_score_is_jpm_capped_at_100(demo_db):
    ac = next(s for s in results.list_stages(demo_db, SELEKSI) if s["is_ac"])
    table = results.event_results(demo_db, SELEKSI)
    table.loc[0, "jpm"] = 108.33  # the AC column is derived from JPM in _with_stages
    capped = results._with_stages(demo_db, SELEKSI, table.drop(columns=[f"stage_{ac['id']}", "final"]))
    assert capped.loc[0, f"stage_{ac['id']}"] == 100.0
    scored = table[table["jpm"].notna()].iloc[1:]
    assert (scored[f"stage_{ac['id']}"] == scored["jpm"].clip(upper=100)).all() and len(scored)


def test_set_stages_keeps_scores_of_stages_that_stay(demo_db):
    kept = entry_stages(demo_db)[0]
    scores = demo_db.execute("SELECT count(*) FROM stage_scores WHERE stage_id = ?", (kept["id"],)).fetchone()[0]
    new = [{"name": "Assessment Center", "weight": 50, "is_ac": True}, {"name": kept["name"], "weight": 50}]
    results.set_stages(demo_db, user(demo_db, "admin"), SELEKSI, new, confirm_remove=True)
    assert [(s["name"], s["weight"], s["is_ac"]) for s in results.list_stages(demo_db, SELEKSI)] == \
        [("Assessment Center", 50, 1), (kept["name"], 50, 0)]
    assert demo_db.execute("SELECT count(*) FROM stage_scores").fetchone()[0] == scores


def as_given(stages: list[dict]) -> list[dict]:
    return [{k: s[k] for k in ("id", "name", "weight", "is_ac")} for s in stages]


def test_renaming_a_stage_keeps_its_id_and_scores(demo_db):
    """Issue 10 item 6: "Makalah & presentasi" → "Makalah dan presentasi" once deleted its scores."""
    stages = results.list_stages(demo_db, SELEKSI)
    target = next(s for s in stages if "&" in s["name"])
    before = stage_scores(demo_db)
    assert any(stage_id == target["id"] for _, stage_id, _ in before)
    renamed = [s | {"name": s["name"].replace("&", "dan")} if s["id"] == target["id"] else s for s in as_given(stages)]
    results.set_stages(demo_db, user(demo_db, "admin"), SELEKSI, renamed)
    after = results.list_stages(demo_db, SELEKSI)
    assert [(s["id"], s["name"]) for s in after] == [(s["id"], s["name"]) for s in renamed]
    assert stage_scores(demo_db) == before
    assert audit_entries(demo_db, "stage_score", "delete") == []


def test_two_stages_can_swap_names(demo_db):
    stages = as_given(entry_stages(demo_db))[:2]
    first, second = stages
    swapped = [s for s in as_given(results.list_stages(demo_db, SELEKSI)) if s["id"] not in (first["id"], second["id"])]
    swapped += [first | {"name": second["name"]}, second | {"name": first["name"]}]
    before = stage_scores(demo_db)
    results.set_stages(demo_db, user(demo_db, "admin"), SELEKSI, swapped)
    names = {s["id"]: s["name"] for s in results.list_stages(demo_db, SELEKSI)}
    assert (names[first["id"]], names[second["id"]]) == (second["name"], first["name"])
    assert stage_scores(demo_db) == before


def test_removing_a_stage_with_scores_needs_confirmation(demo_db):
    stages = as_given(results.list_stages(demo_db, SELEKSI))
    gone = entry_stages(demo_db)[0]
    rest = [s for s in stages if s["id"] != gone["id"]]
    rest[0]["weight"] += gone["weight"]
    before, audits, listed = stage_scores(demo_db), demo_db["audit_log"].count, results.list_stages(demo_db, SELEKSI)
    assert [r["name"] for r in results.pending_removals(demo_db, SELEKSI, rest)] == [gone["name"]]
    with pytest.raises(Conflict) as caught:
        results.set_stages(demo_db, user(demo_db, "admin"), SELEKSI, rest)
    assert caught.value.key == "stage.remove_needs_confirm" and gone["name"] in str(caught.value)
    assert stage_scores(demo_db) == before and demo_db["audit_log"].count == audits
    assert results.list_stages(demo_db, SELEKSI) == listed


def test_confirmed_removal_audits_every_removed_score(demo_db):
    stages = as_given(results.list_stages(demo_db, SELEKSI))
    gone = entry_stages(demo_db)[0]
    rest = [s for s in stages if s["id"] != gone["id"]]
    rest[0]["weight"] += gone["weight"]
    removed = {(reg, stage): score for reg, stage, score in stage_scores(demo_db) if stage == gone["id"]}
    assert removed
    results.set_stages(demo_db, user(demo_db, "admin"), SELEKSI, rest, confirm_remove=True)
    assert all(stage != gone["id"] for _, stage, _ in stage_scores(demo_db))
    audited = {tuple(int(x) for x in e["entity_id"].split("/")): e["old"]
               for e in audit_entries(demo_db, "stage_score", "delete")}
    assert audited == {key: {"stage": gone["name"], "score": score} for key, score in removed.items()}


def test_removing_a_stage_without_scores_needs_no_confirmation(demo_db):
    admin = user(demo_db, "admin")
    stages = as_given(results.list_stages(demo_db, SELEKSI))
    stages[0]["weight"] -= 5
    results.set_stages(demo_db, admin, SELEKSI, [*stages, {"name": "Psikotes", "weight": 5}])
    stages[0]["weight"] += 5
    assert results.pending_removals(demo_db, SELEKSI, stages) == []
    results.set_stages(demo_db, admin, SELEKSI, stages)
    assert "Psikotes" not in [s["name"] for s in results.list_stages(demo_db, SELEKSI)]


def test_a_stage_id_of_another_event_is_refused(demo_db):
    admin = user(demo_db, "admin")
    stages = as_given(results.list_stages(demo_db, SELEKSI))
    before = stage_scores(demo_db)
    stages[-1]["id"] = 10_000
    assert error_key(results.set_stages, demo_db, admin, SELEKSI, stages, error=ValidationError) == "stage.not_found"
    assert stage_scores(demo_db) == before


@pytest.mark.parametrize("score", [-1, 100.01, "abc", "", float("nan")])
def test_set_stage_score_out_of_range(demo_db, score):
    before = stage_scores(demo_db)
    reg = finalised_registrations(demo_db, SELEKSI)[0]
    assert error_key(results.set_stage_scores, demo_db, user(demo_db, "admin"), SELEKSI,
                     [(reg, entry_stages(demo_db)[0]["id"], score)], error=ValidationError) == "stage.bad_score"
    assert stage_scores(demo_db) == before


def test_set_stage_score_refuses_the_ac_stage(demo_db):
    ac = next(s for s in results.list_stages(demo_db, SELEKSI) if s["is_ac"])
    reg = finalised_registrations(demo_db, SELEKSI)[0]
    assert error_key(results.set_stage_scores, demo_db, user(demo_db, "admin"), SELEKSI, [(reg, ac["id"], 90)],
                     error=ValidationError) == "stage.ac_is_computed"


def test_set_stage_score_writes_and_audits_old_and_new(demo_db):
    stage = entry_stages(demo_db)[0]
    reg = finalised_registrations(demo_db, SELEKSI)[0]
    old = db.one(demo_db, "SELECT score FROM stage_scores WHERE registration_id = ? AND stage_id = ?",
                 (reg, stage["id"]))["score"]
    results.set_stage_scores(demo_db, user(demo_db, "admin"), SELEKSI, [(reg, stage["id"], "87,5")])
    assert db.one(demo_db, "SELECT score FROM stage_scores WHERE registration_id = ? AND stage_id = ?",
                  (reg, stage["id"]))["score"] == 87.5
    last = audit_entries(demo_db, "stage_score", "score")[-1]
    assert (last["entity_id"], last["old"], last["new"]) == (f"{reg}/{stage['id']}", old, 87.5)


@pytest.mark.parametrize("bad", ["score", "registration"])
def test_set_stage_scores_is_all_or_nothing(demo_db, bad):
    stage = entry_stages(demo_db)[0]
    regs = finalised_registrations(demo_db, SELEKSI)
    other_event = finalised_registrations(demo_db, PEMETAAN)[0]
    last = (regs[1], stage["id"], 101) if bad == "score" else (other_event, stage["id"], 50)
    before, audits = stage_scores(demo_db), demo_db["audit_log"].count
    with pytest.raises(ValidationError) as err:
        results.set_stage_scores(demo_db, user(demo_db, "admin"), SELEKSI, [(regs[0], stage["id"], 12.5), last])
    assert err.value.key == ("stage.bad_score" if bad == "score" else "stage.registration_not_in_event")
    assert stage_scores(demo_db) == before
    assert demo_db["audit_log"].count == audits


@pytest.fixture
def demo_results(demo_db):
    return results.event_results(demo_db, SELEKSI)


def by_hand(database, registration_id: int) -> tuple[int, int, int]:
    """(Σ consensus, Σ standard, competencies below standard) straight from the tables."""
    return database.execute("""
        SELECT sum(c.level), sum(s.level), sum(c.level < s.level) FROM registrations r
        JOIN position_standards s ON s.position_id = r.position_id
        JOIN consensus c ON c.registration_id = r.id AND c.competency = s.competency WHERE r.id = ?""",
                            (registration_id,)).fetchone()


def expected_category(jpm: float) -> str:
    shown = round(jpm, 2)
    return "MS" if shown >= 80 else "MMS" if shown >= 68 else "KMS"


def test_event_results_jpm_and_category_by_hand(demo_db, demo_results):
    final = demo_results[demo_results["finalized_at"].notna()]
    assert sorted(final["registration_id"]) == sorted(finalised_registrations(demo_db, SELEKSI))
    for row in final.to_dict("records"):
        achieved, standard, below = by_hand(demo_db, row["registration_id"])
        assert row["jpm"] == pytest.approx(100 * achieved / standard)
        assert (row["achieved_total"], row["standard_total"], row["below_standard"]) == (achieved, standard, below)
        assert row["category"] == expected_category(row["jpm"])


def test_event_results_final_score_by_hand(demo_db, demo_results):
    stages = results.list_stages(demo_db, SELEKSI)
    entered = {(r, s): v for r, s, v in stage_scores(demo_db)}
    for row in demo_results[demo_results["finalized_at"].notna()].to_dict("records"):
        reg = row["registration_id"]
        total = sum(s["weight"] * (min(row["jpm"], 100) if s["is_ac"] else entered[(reg, s["id"])]) for s in stages)
        assert row["final"] == pytest.approx(total / 100, abs=0.005)


def test_event_results_final_score_rounds_like_scoring(demo_db):
    """SPEC §4.5: two decimals, the same as scoring.final_score: 40 × 100 + 15 × 70.3 + 45 × 70 = 82.045 → 82.05."""
    admin = user(demo_db, "admin")
    table = results.event_results(demo_db, SELEKSI)
    reg = int(table[table["jpm"] >= 100].iloc[0]["registration_id"])
    makalah, wawancara = (s["name"] for s in entry_stages(demo_db)[:2])
    results.set_stages(demo_db, admin, SELEKSI, [{"name": "Assessment Center", "weight": 40, "is_ac": True},
                                                 {"name": makalah, "weight": 15}, {"name": wawancara, "weight": 45}],
                       confirm_remove=True)
    ids = [s["id"] for s in entry_stages(demo_db)]
    results.set_stage_scores(demo_db, admin, SELEKSI, [(reg, ids[0], 70.3), (reg, ids[1], 70)])
    row = results.event_results(demo_db, SELEKSI).set_index("registration_id").loc[reg]
    expected = scoring.final_score({"ac": 100.0, "makalah": 70.3, "wawancara": 70.0},
                                   {"ac": 40, "makalah": 15, "wawancara": 45})
    assert expected == 82.05
    assert row["final"] == expected


def test_event_results_ranks_per_position(demo_results):
    ranked = demo_results[demo_results["rank"].notna()]
    for _, group in ranked.groupby("position_id"):
        group = group.sort_values("rank")
        assert list(group["rank"]) == list(range(1, len(group) + 1))  # demo finals are all distinct
        assert list(group["final"]) == sorted(group["final"], reverse=True)
        assert list(group["top3"]) == [r <= 3 for r in group["rank"]]


def test_event_results_without_a_final_result_have_no_jpm_and_no_rank(demo_results):
    pending = demo_results[demo_results["finalized_at"].isna()]
    assert len(pending) == 80
    assert pending["jpm"].isna().all() and pending["rank"].isna().all() and not pending["top3"].any()
    assert pending["category"].isna().all()


@pytest.mark.parametrize("chain", [[], ["jpm", "jpm"], ["jpm", "height"]], ids=["empty", "repeated", "unknown"])
def test_set_tiebreak_refuses(demo_db, chain):
    assert error_key(results.set_tiebreak, demo_db, user(demo_db, "admin"), SELEKSI, chain,
                     error=ValidationError) == "stage.bad_tiebreak"
    assert results.tiebreak_chain(demo_db, SELEKSI) == list(scoring.TIEBREAK_DEFAULT)


@pytest.fixture
def tied_event(fresh_db, admin):
    """Three finalised candidates, event still in integrasi: #0 and #1 both at JPM 100.

    #0 (TMT 2000) has one competency below standard, #1 (TMT 2006) none; #2 is at 75.
    """
    setup = open_rating(fresh_db, admin, build_event(fresh_db, admin))
    first, second, third = setup.registrations

    def level(reg, exercise, assessor, code):
        if reg == first:
            return {"M.01": 5, "M.02": 3}.get(code, 4)
        return 4 if reg == second else 3
    for reg in setup.registrations:
        rate_candidate(fresh_db, setup, reg, level)
    assessment.advance_state(fresh_db, admin, setup.event_id)
    for reg in setup.registrations:
        agree(fresh_db, setup.lead, reg)
        integration.finalise(fresh_db, setup.lead, reg)
    return setup


def ranks(database, event_id: int) -> dict[int, int]:
    table = results.event_results(database, event_id)
    return dict(zip(table["registration_id"], table["rank"], strict=True))


def test_tiebreak_chain_changes_the_order(fresh_db, admin, tied_event):
    first, second, third = tied_event.registrations
    assert ranks(fresh_db, tied_event.event_id) == {second: 1, first: 2, third: 3}
    results.set_tiebreak(fresh_db, admin, tied_event.event_id, ["service", "below_standard"])
    assert results.tiebreak_chain(fresh_db, tied_event.event_id) == ["service", "below_standard"]
    assert ranks(fresh_db, tied_event.event_id) == {first: 1, second: 2, third: 3}
    results.set_tiebreak(fresh_db, admin, tied_event.event_id, ["golongan"])  # nobody has one: still tied
    assert ranks(fresh_db, tied_event.event_id) == {first: 1, second: 1, third: 3}


def test_robustness_lists_only_positions_whose_top_three_changes(demo_db):
    found = results.robustness(demo_db, SELEKSI)
    assert set(found) == {"positions", "changes"}
    assert len(found["positions"]) == 4 and all(len(top) == 3 for top in found["positions"].values())
    assert found["changes"]  # the demo's harsh and lenient assessors move someone
    for change in found["changes"]:
        assert change["before"] == found["positions"][change["position_id"]] != change["after"]
    # recompute one assessor by hand: exactly the positions whose set differs are listed
    event = registry.get_event(demo_db, SELEKSI)
    ratings = integration.event_ratings(demo_db, SELEKSI, set(finalised_registrations(demo_db, SELEKSI)))
    assessor = found["changes"][0]["assessor_id"]
    variant = results.event_results(demo_db, SELEKSI, results.suggested_levels(
        ratings[ratings["assessor_id"] != assessor], event["consensus_method"]))
    tops = {p: frozenset(g["registration_id"]) for p, g in variant[variant["top3"]].groupby("position_id")}
    differ = {p for p, names in tops.items() if names != found["positions"][p]}
    assert differ == {c["position_id"] for c in found["changes"] if c["assessor_id"] == assessor}


def test_skp_predikat_and_ninebox_counts(demo_db):
    """The bulk SKP entry writes the SKP of the year before the event; the boxes come from the event's scheme."""
    admin = user(demo_db, "admin")
    regs = finalised_registrations(demo_db, PEMETAAN)
    people = dict(demo_db.execute("SELECT id, candidate_id FROM registrations WHERE event_id = ?", (PEMETAAN,)))
    current = talent_store.skp_of(demo_db, people[regs[2]]).get(2025)
    changed = "baik" if current == "sangat_baik" else "sangat_baik"  # a real change, so it is audited
    results.set_skp_predikat(demo_db, admin, PEMETAAN, {regs[0]: None, regs[1]: None, regs[2]: changed})
    assert 2025 not in talent_store.skp_of(demo_db, people[regs[0]])
    assert talent_store.skp_of(demo_db, people[regs[2]])[2025] == changed
    summary = results.ninebox_summary(demo_db, PEMETAAN)
    rows = talent_store.event_talent_map(demo_db, PEMETAAN)["rows"]
    assert [b["box"] for b in summary] == list(range(9, 0, -1))
    assert sum(b["count"] for b in summary) == sum(r["box"] is not None for r in rows) < len(regs) - 1
    scheme = talent_store.event_scheme(demo_db, PEMETAAN)["definition"]
    for box in summary:
        assert box["count"] == len(box["people"])
        assert box["succession"] == (box["box"] in (7, 8, 9))
        for p in box["people"]:
            assert talent.box(p["performance"], p["potential"], scheme) == box["box"]
            assert p["registration_id"] not in regs[:2]
    entry = audit_entries(demo_db, "skp_annual")[-1]
    assert (entry["entity_id"], entry["new"]) == (f"{people[regs[2]]}:2025", changed)


def test_event_results_box_is_the_talent_map_box(demo_db):
    table = results.event_results(demo_db, PEMETAAN)
    placed = {r["registration_id"]: r["box"] for r in talent_store.event_talent_map(demo_db, PEMETAAN)["rows"]}
    shown = {r["registration_id"]: (None if pd.isna(r["box"]) else int(r["box"])) for r in table.to_dict("records")}
    assert shown == placed and sum(v is None for v in placed.values()) > 0


@pytest.mark.parametrize(("values", "key"), [({"x": "luar_biasa"}, "talenta.bad_predikat"),
                                             ({"other": "baik"}, "stage.registration_not_in_event")])
def test_set_skp_predikat_refuses(demo_db, values, key):
    regs = {"x": finalised_registrations(demo_db, PEMETAAN)[0], "other": finalised_registrations(demo_db, SELEKSI)[0]}
    assert error_key(results.set_skp_predikat, demo_db, user(demo_db, "admin"), PEMETAAN,
                     {regs[k]: v for k, v in values.items()}, error=ValidationError) == key


def test_set_skp_predikat_only_admin(demo_db):
    reg = finalised_registrations(demo_db, PEMETAAN)[0]
    assert error_key(results.set_skp_predikat, demo_db, user(demo_db, "pimpinan.sekda"), PEMETAAN, {reg: "baik"},
                     error=PermissionDenied) == "auth.forbidden"


def test_competency_table_gaps(demo_db):
    table = results.competency_table(demo_db, SELEKSI)
    assert set(table["registration_id"]) == set(finalised_registrations(demo_db, SELEKSI))
    assert len(table) == 9 * len(set(table["registration_id"]))
    expected = {(r, c): (level, std) for r, c, level, std in demo_db.execute("""
        SELECT cs.registration_id, cs.competency, cs.level, s.level FROM consensus cs
        JOIN registrations r ON r.id = cs.registration_id
        JOIN position_standards s ON s.position_id = r.position_id AND s.competency = cs.competency""")}
    for row in table.to_dict("records"):
        level, std = expected[(row["registration_id"], row["competency"])]
        assert (row["level"], row["standard"], row["gap"]) == (level, std, level - std)


# The Kegiatan page: rename in place, ask before removing scores ------------------------------------

def kegiatan_on_seleksi(database):
    from apptest_helpers import open_page

    at = open_page(database, user(database, "admin"), "pages/kegiatan.py")
    return at.selectbox(key="kegiatan_edit_id").set_value(SELEKSI).run()


def edit_stages(at, edited_rows: dict, deleted_rows: list):
    at.session_state[f"kegiatan_stages_{SELEKSI}"] = {"edited_rows": edited_rows, "added_rows": [],
                                                      "deleted_rows": deleted_rows}
    return at.run()


def test_kegiatan_page_renames_a_stage_without_losing_scores(demo_db):
    from core.i18n import t

    stages = results.list_stages(demo_db, SELEKSI)
    row = next(i for i, s in enumerate(stages) if "&" in s["name"])
    before = stage_scores(demo_db)
    at = edit_stages(kegiatan_on_seleksi(demo_db), {row: {t("field.stage"): "Makalah dan presentasi"}}, [])
    assert not at.warning  # a rename removes nothing, so nothing to confirm
    at = at.button(key=f"kegiatan_save_stages_{SELEKSI}").click().run()
    assert not at.exception and t("common.saved") in [s.value for s in at.success]
    assert results.list_stages(demo_db, SELEKSI)[row] == stages[row] | {"name": "Makalah dan presentasi"}
    assert stage_scores(demo_db) == before


def test_kegiatan_page_asks_before_removing_a_stage_with_scores(demo_db):
    from core.i18n import t

    stages = results.list_stages(demo_db, SELEKSI)
    row = next(i for i, s in enumerate(stages) if not s["is_ac"])
    keep = next(i for i, s in enumerate(stages) if i != row)
    before = stage_scores(demo_db)
    weight = {t("kegiatan.weight"): stages[keep]["weight"] + stages[row]["weight"]}
    at = edit_stages(kegiatan_on_seleksi(demo_db), {keep: weight}, [row])
    assert [w.value for w in at.warning] and stages[row]["name"] in at.warning[0].value
    at = at.button(key=f"kegiatan_save_stages_{SELEKSI}").click().run()
    refusal = [e.value for e in at.error if stages[row]["name"] in e.value]
    assert stage_scores(demo_db) == before and refusal  # not confirmed: refused, nothing removed
    at = edit_stages(at, {keep: weight}, [row])
    at.checkbox(key=f"kegiatan_remove_ok_{SELEKSI}").check().run()
    at = at.button(key=f"kegiatan_save_stages_{SELEKSI}").click().run()
    assert not at.exception and t("common.saved") in [s.value for s in at.success]
    assert stages[row]["id"] not in [s["id"] for s in results.list_stages(demo_db, SELEKSI)]
    assert len(audit_entries(demo_db, "stage_score", "delete")) == len(before) - len(stage_scores(demo_db)) > 0


def test_top_three_reads_recommended_from_the_categories_table(demo_db):
    """No copy of data/categories.json in code: the table decides which categories are not recommended."""
    def flags() -> list[bool]:
        table = results.event_results(demo_db, SELEKSI)
        return [c["recommended"] for p in table["position_id"].unique() for c in results.top_three(table, p)[0]]

    assert set(flags()) == {True}  # the demo's best are all MS or MMS
    demo_db.execute("UPDATE categories SET recommended = 0 WHERE code = 'MS'")
    table = results.event_results(demo_db, SELEKSI)
    best = [c for p in table["position_id"].unique() for c in results.top_three(table, p)[0]]
    assert {c["category"] for c in best if not c["recommended"]} == {"MS"}
    demo_db.execute("UPDATE categories SET recommended = 0")
    assert set(flags()) == {False}


def test_set_skp_years_writes_every_year_or_nothing(demo_db):
    admin = user(demo_db, "admin")
    regs = [r["id"] for r in db.rows(demo_db, "SELECT id FROM registrations WHERE event_id = ? ORDER BY id LIMIT 2",
                                      (PEMETAAN,))]
    candidate = db.one(demo_db, "SELECT candidate_id FROM registrations WHERE id = ?", (regs[0],))["candidate_id"]
    results.set_skp_years(demo_db, admin, PEMETAAN, {regs[0]: {2024: "sangat_baik", 2025: "butuh_perbaikan"}})
    stored = talent_store.skp_of(demo_db, candidate)
    assert (stored[2024], stored[2025]) == ("sangat_baik", "butuh_perbaikan")
    before = talent_store.skp_of(demo_db, candidate)
    foreign = db.one(demo_db, "SELECT id FROM registrations WHERE event_id != ? LIMIT 1", (PEMETAAN,))["id"]
    assert error_key(results.set_skp_years, demo_db, admin, PEMETAAN,
                     {regs[0]: {2024: "baik"}, foreign: {2024: "baik"}}) == "stage.registration_not_in_event"
    assert talent_store.skp_of(demo_db, candidate) == before  # one transaction: the first person's change undone


def test_a_pemetaan_is_never_ranked_and_has_no_three_best(demo_db):
    table = results.event_results(demo_db, PEMETAAN)
    assert table["jpm"].notna().any()
    assert table["rank"].isna().all() and not table["top3"].any()
    for _position, group in table.groupby("position_id", sort=False):  # in the order of the participant numbers
        assert list(group["participant_no"]) == sorted(group["participant_no"])
    assert results.robustness(demo_db, PEMETAAN)["changes"] == []
