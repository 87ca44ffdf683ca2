"""What the result pages show, computed in core (core.outcomes)."""

from __future__ import annotations

import pandas as pd
import pytest

from core import outcomes, results
from core.i18n import t

SELEKSI, PEMETAAN = 1, 2  # event ids of the demo


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def person(reg: int, position: int, final: str | None = "2026-11-20", **more) -> dict:
    return {"registration_id": reg, "position_id": position, "position_name": f"Jabatan {position}",
            "participant_no": f"P-{reg:03d}", "name": f"Nama {reg}", "finalized_at": final,
            "skp_predikat": "baik"} | more


def test_finalised_keeps_only_rows_with_a_final_result():
    table = frame([person(1, 10), person(2, 10, final=None), person(3, 11)])
    assert list(outcomes.finalised(table)["registration_id"]) == [1, 3]


def test_finalised_of_an_empty_table_is_empty():
    assert outcomes.finalised(pd.DataFrame()).empty


def test_positions_are_distinct_and_in_table_order():
    table = frame([person(1, 11), person(2, 10), person(3, 11)])
    assert outcomes.positions(table) == {11: "Jabatan 11", 10: "Jabatan 10"}
    assert outcomes.positions(table.iloc[0:0]) == {}


def test_candidate_label():
    assert outcomes.candidate_label(person(4, 10)) == "P-004 · Nama 4 · Jabatan 10"


@pytest.mark.parametrize(("value", "cap", "shown"), [
    (100.0, True, "100,00%"), (100.004, True, "100,00%"), (112.5, True, "100,00%"), (112.5, False, "112,50%"),
    (99.995, True, "100,00%"), (88.888, False, "88,89%"), (None, True, "–"), (float("nan"), False, "–")])
def test_jpm_text_caps_only_when_the_setting_says_so(value, cap, shown):
    assert outcomes.jpm_text(value, cap, "id") == shown


def test_ninebox_cells_and_succession_pool():
    boxes = [{"box": 9, "potential": "tinggi", "performance": "tinggi", "count": 1, "label": "Bintang",
              "succession": 1, "people": [{"name": "A"}], "action": "x"},
             {"box": 1, "potential": "rendah", "performance": "rendah", "count": 2, "label": "Risiko",
              "succession": 0, "people": [{"name": "B"}, {"name": "C"}], "action": "y"}]
    assert outcomes.ninebox_cells(boxes) == [
        {"box": 9, "potential": "tinggi", "performance": "tinggi", "succession": 1, "count": 1, "label": "Bintang"},
        {"box": 1, "potential": "rendah", "performance": "rendah", "succession": 0, "count": 2, "label": "Risiko"}]
    assert outcomes.succession_pool(boxes) == [{"name": "A"}]


def competencies() -> pd.DataFrame:
    return frame([{"registration_id": r, "competency_name": c, "level": lvl, "standard": 3, "gap": lvl - 3}
                  for r, c, lvl in [(1, "Integritas", 4), (1, "Kerja Sama", 2), (2, "Integritas", 3)]])


def test_radar_profile_of_one_registration():
    assert outcomes.radar_profile(competencies(), 1) == [
        {"competency": "Integritas", "level": 4, "standard": 3},
        {"competency": "Kerja Sama", "level": 2, "standard": 3}]
    assert outcomes.radar_profile(competencies(), 9) == []


def test_gap_cells_only_for_the_group_shown():
    group = frame([person(2, 10)])
    assert outcomes.gap_cells(competencies(), group) == [
        {"candidate": "P-002 Nama 2", "competency": "Integritas", "gap": 0}]


def ranked(reg: int, rank, jpm: float, top3: bool, **more) -> dict:
    return person(reg, 10, rank=rank, jpm=jpm, category="MS", below_standard=0, top3=top3, final=None) | more


def test_ranking_rows_without_stages():
    group = frame([ranked(2, 2, 90.0, True), ranked(1, 1, 101.0, True), ranked(3, None, float("nan"), False)])
    rows = outcomes.ranking_rows(group, [], cap=True, language="id")
    assert [r[t("hasil.rank")] for r in rows] == ["1", "2", "–"]
    assert [r["JPM"] for r in rows] == ["100,00%", "90,00%", "–"]
    assert [r[t("hasil.top3")] for r in rows] == ["★", "★", ""]
    assert t("hasil.final_score") not in rows[0]


def test_ranking_rows_with_stages_show_each_stage_and_the_final_score():
    stages = [{"id": 5, "name": "AC", "weight": 60.0}, {"id": 6, "name": "Wawancara", "weight": 40.0}]
    group = frame([ranked(1, 1, 90.0, True, stage_5=90.0, stage_6=float("nan"), final=54.0)])
    [row] = outcomes.ranking_rows(group, stages, cap=False, language="id")
    assert row["AC (60%)"] == "90,00" and row["Wawancara (40%)"] == "–"
    assert row[t("hasil.final_score")] == "54,00"


def test_outcome_of_the_seleksi(demo_db):
    table = results.event_results(demo_db, SELEKSI)
    result = outcomes.outcome(demo_db, SELEKSI)
    assert len(result.table) == len(table)
    assert len(result.final) == table["finalized_at"].notna().sum() == 40
    assert list(result.positions) == list(dict.fromkeys(result.final["position_id"]))
    assert result.boxes == []
    assert result.stages == results.list_stages(demo_db, SELEKSI) != []


def test_outcome_of_the_pemetaan_has_the_ninebox(demo_db):
    result = outcomes.outcome(demo_db, PEMETAAN)
    assert [b["box"] for b in result.boxes] == list(range(9, 0, -1))
    assert sum(b["count"] for b in result.boxes) == result.table["box"].notna().sum() > 0


def test_ranking_tables_one_per_position_with_the_chosen_categories(demo_db):
    result = outcomes.outcome(demo_db, SELEKSI)
    every = tuple(result.final["category"].dropna().unique())
    tables = outcomes.ranking_tables(result, every, False, "id")
    assert list(tables) == list(result.positions)
    assert sum(len(shown) for shown, _ in tables.values()) == len(result.final)
    none = outcomes.ranking_tables(result, (), False, "id")
    assert all(shown.empty for shown, _ in none.values())


def test_mapping_rows_are_in_number_order_with_box_and_recommendation():
    boxes = [{"box": 9, "action": "Dipromosikan"}, {"box": 5, "action": "Penempatan yang sesuai"}]
    group = frame([person(3, 10, jpm=80.0, category="CO", box=5.0), person(1, 10, jpm=95.0, category="O", box=9.0),
                   person(2, 10, jpm=99.0, category="O", box=float("nan"))])
    rows = outcomes.mapping_rows(group, boxes, cap=True, language="id")
    assert [r[t("field.participant_no")] for r in rows] == ["P-001", "P-002", "P-003"]  # not by JPM
    assert [r[t("recap.col.box")] for r in rows] == ["9", "–", "5"]
    assert [r[t("recap.col.recommendation")] for r in rows] == ["Dipromosikan", t("recap.mapping.no_box"),
                                                                 "Penempatan yang sesuai"]
    assert t("hasil.rank") not in rows[0] and t("hasil.top3") not in rows[0]


def test_ranking_tables_of_the_pemetaan_never_rank(demo_db):
    result = outcomes.outcome(demo_db, PEMETAAN)
    assert not result.ranks and result.ages == {}
    tables = outcomes.ranking_tables(result, tuple(result.final["category"].dropna().unique()), False, "id")
    assert sum(len(shown) for shown, _ in tables.values()) == len(result.final)
    for shown, warnings in tables.values():
        assert warnings == [] and t("hasil.rank") not in shown.columns and t("hasil.top3") not in shown.columns
        assert list(shown[t("field.participant_no")]) == sorted(shown[t("field.participant_no")])


def test_ranking_rows_mark_who_is_over_the_age_limit():
    group = frame([ranked(1, 1, 90.0, True), ranked(2, 2, 80.0, True)])
    rows = outcomes.ranking_rows(group, [], cap=True, language="id", ages={2: {"age": 58, "limit": 56, "on": "x"}})
    assert [r[t("recap.col.age")] for r in rows] == ["", "58 th*"]
    assert t("recap.col.age") not in outcomes.ranking_rows(group, [], cap=True, language="id")[0]
