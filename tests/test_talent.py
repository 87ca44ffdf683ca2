"""core.talent (SPEC §4.6, §4.8): hand-computed values, band boundaries, the completeness gate, years=2."""

from __future__ import annotations

import json

import pytest

from core import talent
from core.talent import box, performance_level, potensi_index, potential_index, potential_level

TERPADU = talent.shipped_scheme("terpadu")
JPM_SAJA = talent.shipped_scheme("jpm_saja")
CODES = talent.POTENSI_CODES


def levels(*values):
    return dict(zip(CODES, values, strict=True))


# The shipped data -----------------------------------------------------------------------------------------

def test_shipped_schemes_are_those_of_spec_4_6():
    assert {k: v for k, v in JPM_SAJA["weights"].items() if v} == {"penilaian_kompetensi": 100}
    assert JPM_SAJA["bands"] == {"tinggi": 90, "menengah": 78}
    assert TERPADU["weights"] == {"penilaian_kompetensi": 20, "pengembangan_kompetensi": 10,
                                  "pengalaman_jabatan": 10, "potensi": 25, "pendidikan": 10,
                                  "kesesuaian_bidang": 10, "integritas": 15}
    assert TERPADU["bands"] == {"tinggi": 80, "menengah": 60}
    assert JPM_SAJA["name"] == "PermenPANRB 3/2020 — JPM saja"
    assert TERPADU["name"] == "Terpadu — kompetensi, potensi, rekam jejak"
    for scheme in (JPM_SAJA, TERPADU):
        assert talent.scheme_problems(scheme) == []
        assert scheme["boxes"] == talent.DEFAULT_BOXES


def test_potensi_data_has_the_eight_aspects_and_the_scale():
    data = json.loads((talent.DATA_DIR / "potensi.json").read_text(encoding="utf-8"))
    assert [a["code"] for a in data["aspects"]] == list(CODES)
    assert data["aspects"][6]["name"] == "Kemampuan belajar cepat dan mengembangkan diri (growth mindset)"
    assert [(s["level"], s["code"]) for s in data["scale"]] == [(1, "KS"), (2, "K"), (3, "C"), (4, "B"), (5, "BS")]
    assert all(a["description"] for a in data["aspects"] + data["scale"])


def test_rekam_jejak_lists():
    assert talent.reference_codes("pendidikan") == ("SD", "SMP", "SMA", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
    assert talent.reference_codes("hukuman_disiplin") == ("none", "ringan", "sedang", "berat")
    for name, points in (("pendidikan", "pendidikan"), ("hukuman_disiplin", "integritas"),
                         ("kesesuaian_bidang", "kesesuaian_bidang")):
        assert set(TERPADU["points"][points]["table"]) == set(talent.reference_codes(name))


def test_starting_values_are_declared_as_such():
    note = json.loads((talent.DATA_DIR / "talent_schemes.json").read_text(encoding="utf-8"))["note"]
    assert "NILAI AWAL" in note and "pedoman" in note


# potensi_index ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    ((4, 3, 4, 4, 3, 4, 3, 4), 72.5),   # 100 × 29 / 40
    ((5,) * 8, 100.0),
    ((1,) * 8, 20.0),
    ((3,) * 8, 60.0),
])
def test_potensi_index_hand_computed(values, expected):
    assert potensi_index(levels(*values)) == pytest.approx(expected)


def test_potensi_index_needs_all_eight():
    assert potensi_index(levels(4, 4, 4, 4, None, 4, 4, 4)) is None
    assert potensi_index({c: 4 for c in CODES[:7]}) is None
    assert potensi_index({}) is None


def test_potensi_index_other_scale_and_out_of_range():
    assert potensi_index(levels(*(7,) * 8), scale_max=7) == pytest.approx(100.0)
    with pytest.raises(ValueError):
        potensi_index(levels(6, 4, 4, 4, 4, 4, 4, 4))
    with pytest.raises(ValueError):
        potensi_index(levels(0, 4, 4, 4, 4, 4, 4, 4))


# potential_index / potential_level -------------------------------------------------------------------------

def test_potential_index_terpadu_hand_computed():
    comps = {"penilaian_kompetensi": 90, "potensi": 72.5, "pengembangan_kompetensi": 60, "pengalaman_jabatan": 80,
             "pendidikan": 70, "kesesuaian_bidang": 100, "integritas": 100}
    # (20·90 + 25·72.5 + 10·60 + 10·80 + 10·70 + 10·100 + 15·100) / 100 = 8212.5 / 100
    assert potential_index(comps, TERPADU["weights"]) == pytest.approx(82.125)


def test_potential_index_divides_by_the_weight_sum():
    assert potential_index({"a": 50, "b": 80}, {"a": 1, "b": 3}) == pytest.approx(72.5)


def test_a_weight_of_zero_needs_no_component():
    assert potential_index({"penilaian_kompetensi": 88.5, "potensi": None}, JPM_SAJA["weights"]) == 88.5
    assert potential_index({"penilaian_kompetensi": None}, JPM_SAJA["weights"]) is None
    assert potential_index({"penilaian_kompetensi": 90}, TERPADU["weights"]) is None


def test_potential_index_without_weights_is_an_error():
    with pytest.raises(ValueError):
        potential_index({"a": 1}, {"a": 0})


@pytest.mark.parametrize(("value", "shown"), [(92.625, 92.63), (79.995, 80.0), (82.125, 82.13), (0.004, 0.0),
                                              (100.0, 100.0)])
def test_two_decimals_rounds_half_up(value, shown):
    assert talent.two_decimals(value) == shown


@pytest.mark.parametrize(("index", "bands", "expected"), [
    (80.0, TERPADU["bands"], "tinggi"), (79.99, TERPADU["bands"], "menengah"),
    (60.0, TERPADU["bands"], "menengah"), (59.99, TERPADU["bands"], "rendah"),
    (100.0, TERPADU["bands"], "tinggi"), (0.0, TERPADU["bands"], "rendah"),
    (90.0, JPM_SAJA["bands"], "tinggi"), (89.99, JPM_SAJA["bands"], "menengah"),
    (78.0, JPM_SAJA["bands"], "menengah"), (77.99, JPM_SAJA["bands"], "rendah"),
    (79.999999999, TERPADU["bands"], "tinggi"),   # float noise: shown as 80,00
    (79.994, TERPADU["bands"], "menengah"),       # shown as 79,99
    (79.995, TERPADU["bands"], "tinggi"),         # half up: shown as 80,00
    (59.995, TERPADU["bands"], "menengah"), (59.9949, TERPADU["bands"], "rendah"),
])
def test_potential_level_boundaries(index, bands, expected):
    assert potential_level(index, bands) == expected


def test_an_index_exactly_on_the_band_from_a_weighted_sum():
    comps = {"penilaian_kompetensi": 70, "potensi": 85, "pengembangan_kompetensi": 100, "pengalaman_jabatan": 74,
             "pendidikan": 70, "kesesuaian_bidang": 60, "integritas": 100}
    # 1400 + 2125 + 1000 + 740 + 700 + 600 + 1500 = 8065 → 80.65; lower potensi to 82.4 → 8000
    comps["potensi"] = 82.4
    index = potential_index(comps, TERPADU["weights"])
    assert index == pytest.approx(80.0)
    assert potential_level(index, TERPADU["bands"]) == "tinggi"


# performance_level ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("predikat", "years", "expected"), [
    (["sangat_baik"], 1, "di_atas"), (["baik"], 1, "sesuai"), (["butuh_perbaikan"], 1, "di_bawah"),
    (["kurang_misconduct"], 1, "di_bawah"), (["sangat_kurang"], 1, "di_bawah"),
    (["sangat_baik", "butuh_perbaikan"], 1, "di_atas"),      # years=1: only the newest counts
    (["sangat_baik", "baik"], 2, "sesuai"),                  # the lower of the two newest
    (["baik", "sangat_baik"], 2, "sesuai"),
    (["sangat_baik", "sangat_baik"], 2, "di_atas"),
    (["sangat_baik", "kurang_misconduct", "baik"], 2, "di_bawah"),
    (["sangat_baik", "sangat_baik", "sangat_kurang"], 2, "di_atas"),  # the third year does not count
    (["sangat_baik"], 2, None), ([], 1, None), ([None], 1, None), (["baik", None], 2, None),
])
def test_performance_level(predikat, years, expected):
    assert performance_level(predikat, years) == expected


def test_performance_level_refuses_an_unknown_code_and_zero_years():
    with pytest.raises(KeyError):
        performance_level(["luar_biasa"])
    with pytest.raises(ValueError):
        performance_level(["baik"], years=0)


# box ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("performance", "potential", "expected"), [
    ("di_atas", "tinggi", 9), ("sesuai", "tinggi", 8), ("di_bawah", "tinggi", 6),
    ("di_atas", "menengah", 7), ("sesuai", "menengah", 5), ("di_bawah", "menengah", 3),
    ("di_atas", "rendah", 4), ("sesuai", "rendah", 2), ("di_bawah", "rendah", 1),
])
def test_box_default_numbering(performance, potential, expected):
    assert box(performance, potential) == expected
    assert box(performance, potential, TERPADU) == expected


def test_box_follows_the_scheme_numbering():
    numbering = {p: {q: 10 - talent.DEFAULT_BOXES[p][q] for q in talent.PERFORMANCES} for p in talent.POTENTIALS}
    assert box("di_atas", "tinggi", {"boxes": numbering}) == 1
    assert box("di_bawah", "rendah", numbering) == 9


# Components from the rekam jejak ---------------------------------------------------------------------------

RECORD = {"pendidikan": "S2", "pelatihan_jp": 40, "months_in_jenjang": 36, "posts_count": 2,
          "hukuman_disiplin": "none", "hukuman_disiplin_date": None, "kesesuaian_bidang": "sesuai"}


@pytest.mark.parametrize(("jp", "points"), [(0, 0), (1, 20), (9, 20), (10, 40), (19, 40), (20, 60), (30, 80),
                                            (39, 80), (40, 100), (200, 100)])
def test_training_points_steps(jp, points):
    table = TERPADU["points"]["pengembangan_kompetensi"]
    assert talent.component_points("pengembangan_kompetensi", {"pelatihan_jp": jp}, table) == points


def test_experience_points_combine_months_and_posts():
    table = TERPADU["points"]["pengalaman_jabatan"]
    # months 36 → 80, posts 2 → 60: (70·80 + 30·60) / 100 = 74
    assert talent.component_points("pengalaman_jabatan", RECORD, table) == pytest.approx(74.0)
    assert talent.component_points("pengalaman_jabatan", RECORD | {"posts_count": None}, table) is None
    assert talent.component_points("pengalaman_jabatan", {"months_in_jenjang": 0, "posts_count": 0},
                                   table) == pytest.approx(14.0)


@pytest.mark.parametrize(("date", "points"), [
    ("2022-06-01", 30), ("2021-03-06", 30),   # within five years of 2026-03-05
    ("2021-03-05", 100), ("2019-01-01", 100),  # exactly five years ago or older: no longer counts
    (None, 30),                                # no date: counts (the safe side)
])
def test_integrity_points_with_the_lookback(date, points):
    table = TERPADU["points"]["integritas"]
    record = {"hukuman_disiplin": "sedang", "hukuman_disiplin_date": date}
    assert talent.component_points("integritas", record, table, on="2026-03-05") == points


def test_components_of_a_full_person():
    person = {"jpm": 112.5, "potensi": levels(4, 3, 4, 4, 3, 4, 3, 4), "rekam_jejak": RECORD}
    assert talent.components(person, TERPADU, "2026-03-05") == {
        "penilaian_kompetensi": 100.0, "potensi": 72.5, "pengembangan_kompetensi": 100.0,
        "pengalaman_jabatan": pytest.approx(74.0), "pendidikan": 90.0, "kesesuaian_bidang": 100.0,
        "integritas": 100.0}


# assess / talent_map: the completeness gate -----------------------------------------------------------------

FULL = {"id": 1, "name": "Budi", "job_class": "pengawas", "jpm": 90.0,
        "potensi": levels(4, 3, 4, 4, 3, 4, 3, 4), "rekam_jejak": RECORD, "skp": {2025: "sangat_baik"}}


def test_a_complete_person_gets_a_box_with_both_axes_inputs():
    row = talent.assess(FULL, TERPADU, 2026, "2026-03-05")
    # 20·90 + 25·72.5 + 10·100 + 10·74 + 10·90 + 10·100 + 15·100 = 8752.5 → 87.525 → tinggi; SB 2025 → di atas
    assert row["potential_index"] == pytest.approx(87.525)
    assert (row["potential"], row["performance"], row["box"], row["missing"]) == ("tinggi", "di_atas", 9, [])
    assert row["skp_used"] == {2025: "sangat_baik"}
    assert row["succession"] is True and row["label"] and row["action"].startswith("Dipromosikan")


def test_the_gate_lists_what_is_missing_and_gives_no_box():
    person = FULL | {"potensi": levels(4, 3, 4, 4, None, 4, 3, 4), "skp": {2024: "baik"}}
    row = talent.assess(person, TERPADU, 2026)
    assert row["box"] is None and row["potential"] is None and row["performance"] is None
    assert row["missing"] == ["potensi", "skp:2025"]
    assert talent.missing_text(row["missing"]) == "data belum lengkap: potensi, SKP 2025"
    assert talent.missing_text(row["missing"], "en") == "data incomplete: potential assessment, SKP 2025"


def test_the_gate_names_each_missing_record_component():
    row = talent.assess(FULL | {"jpm": None, "rekam_jejak": RECORD | {"pendidikan": None}}, TERPADU, 2026)
    assert row["missing"] == ["penilaian_kompetensi", "pendidikan"]
    row = talent.assess(FULL | {"rekam_jejak": None}, TERPADU, 2026)
    assert row["missing"] == list(talent.RECORD_COMPONENTS)


def test_jpm_only_scheme_needs_only_jpm_and_skp():
    person = {"jpm": 89.99, "skp": {2025: "baik"}}
    row = talent.assess(person, JPM_SAJA, 2026)
    assert (row["potential"], row["performance"], row["box"]) == ("menengah", "sesuai", 5)
    assert talent.assess({"jpm": 90.0, "skp": {2025: "baik"}}, JPM_SAJA, 2026)["box"] == 8


def test_years_two_uses_the_lower_of_the_last_two_and_gates_on_both():
    both = FULL | {"skp": {2025: "sangat_baik", 2024: "baik"}}
    row = talent.assess(both, TERPADU, 2026, years=2)
    assert (row["performance"], row["box"]) == ("sesuai", 8)
    assert talent.assess(both, TERPADU, 2026)["box"] == 9  # years=1: only 2025
    one = talent.assess(FULL, TERPADU, 2026, years=2)
    assert one["box"] is None and one["missing"] == ["skp:2024"]
    assert talent.assess(both, TERPADU | {"performance_years": 2}, 2026)["performance"] == "sesuai"


def test_talent_map_keeps_the_person_and_drops_the_raw_inputs():
    rows = talent.talent_map([FULL, FULL | {"id": 2, "skp": {}}], TERPADU, 2026)
    assert [(r["id"], r["box"]) for r in rows] == [(1, 9), (2, None)]
    assert "potensi" not in rows[0] and rows[0]["jpm"] == 90.0 and rows[0]["name"] == "Budi"


# Successors per target post ---------------------------------------------------------------------------------

def _row(name, job_class, box_no, index, performance="sesuai", jpm=85.0):
    return {"name": name, "job_class": job_class, "box": box_no, "potential_index": index,
            "performance": performance, "jpm": jpm}


def test_successors_are_the_pool_one_jenjang_below_ranked_by_box_index_performance():
    rows = [
        _row("A", "pengawas", 7, 95.0, "di_atas"),
        _row("B", "pengawas", 9, 81.0, "di_atas"),
        _row("C", "pengawas", 8, 90.0),
        _row("D", "pengawas", 8, 90.0, "di_atas"),   # same box, same index as C: better performance first
        _row("E", "pengawas", 8, 92.0),
        _row("F", "pengawas", 6, 99.0, "di_bawah"),  # box 6 is not in the pool
        _row("G", "pelaksana", 9, 99.0, "di_atas"),  # two jenjang below an administrator post
        _row("H", "administrator", 9, 99.0, "di_atas"),  # same jenjang as the post
        _row("I", "pengawas", 9, 99.0, "di_atas", jpm=None),  # no valid competency result
        _row("J", "pengawas", None, None),
    ]
    assert [r["name"] for r in talent.successors(rows, "administrator", TERPADU)] == ["B", "E", "D", "C", "A"]
    assert [r["name"] for r in talent.successors(rows, "pengawas", TERPADU)] == ["G"]
    assert talent.successors(rows, "pelaksana", TERPADU) == []


def test_jenjang_below():
    assert talent.jenjang_below("jpt_pratama") == "administrator"
    assert talent.jenjang_below("pengawas") == "pelaksana"
    assert talent.jenjang_below("pelaksana") is None


# Scheme validation ------------------------------------------------------------------------------------------

def test_scheme_problems():
    assert talent.scheme_problems(TERPADU | {"weights": TERPADU["weights"] | {"integritas": 14}}) == [
        "talent.scheme.weights_sum"]
    assert talent.scheme_problems(TERPADU | {"weights": {"penilaian_kompetensi": 100, "gaji": 0}}) == [
        "talent.scheme.bad_weight"]
    assert talent.scheme_problems(TERPADU | {"weights": {"penilaian_kompetensi": "seratus"}}) == [
        "talent.scheme.bad_weight"]
    assert talent.scheme_problems(TERPADU | {"bands": {"tinggi": 60, "menengah": 60}}) == ["talent.scheme.bad_bands"]
    assert talent.scheme_problems(TERPADU | {"bands": {"tinggi": 80}}) == ["talent.scheme.bad_bands"]
    bad_boxes = json.loads(json.dumps(TERPADU["boxes"]))
    bad_boxes["rendah"]["di_bawah"] = 9
    assert talent.scheme_problems(TERPADU | {"boxes": bad_boxes}) == ["talent.scheme.bad_boxes"]
    assert talent.scheme_problems(TERPADU | {"performance_years": 3}) == ["talent.scheme.bad_years"]
    assert talent.scheme_problems(TERPADU | {"name": "  "}) == ["talent.scheme.no_name"]
    points = json.loads(json.dumps(TERPADU["points"]))
    points["pendidikan"]["table"]["S3"] = 120
    assert talent.scheme_problems(TERPADU | {"points": points}) == ["talent.scheme.bad_points"]
    assert talent.scheme_problems(TERPADU | {"weights": {"penilaian_kompetensi": 99.5, "potensi": 0.5}}) == []
