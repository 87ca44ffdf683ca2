"""The narrative drafted from the consensus agrees with the profile (SPEC §6.1, issue 13 item 1)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core import narrative

NAMES = {"M.01": "Integritas", "M.02": "Kerjasama", "M.03": "Komunikasi", "M.04": "Orientasi pada Hasil",
         "M.05": "Pelayanan Publik", "M.06": "Pengembangan Diri dan Orang Lain", "M.07": "Mengelola Perubahan",
         "M.08": "Pengambilan Keputusan", "SK.01": "Perekat Bangsa"}


def profile(levels, standard=4):
    return [{"code": code, "name": NAMES[code], "level": level, "standard": standard}
            for code, level in zip(NAMES, levels, strict=True)]


def named(text: str) -> set[str]:
    return {name for name in NAMES.values() if name in text}


def test_worked_example_names_the_right_competencies():
    texts = narrative.draft(profile([4, 3, 4, 5, 3, 4, 2, 4, 3]), "pemetaan")
    assert named(texts["kekuatan"]) == {"Orientasi pada Hasil", "Integritas", "Komunikasi"}
    assert texts["kekuatan"].splitlines()[0].startswith("Orientasi pada Hasil: di atas standar")
    # Perekat Bangsa ties Kerjasama and Pelayanan Publik at −1: a cap of three once left it out.
    assert texts["area_pengembangan"].splitlines() == [
        "Mengelola Perubahan: di bawah standar jabatan (level 2, standar 4, gap −2).",
        "Kerjasama: di bawah standar jabatan (level 3, standar 4, gap −1).",
        "Pelayanan Publik: di bawah standar jabatan (level 3, standar 4, gap −1).",
        "Perekat Bangsa: di bawah standar jabatan (level 3, standar 4, gap −1)."]
    assert named(texts["saran_pengembangan"]) == {"Mengelola Perubahan", "Kerjasama", "Pelayanan Publik",
                                                  "Perekat Bangsa"}
    assert "gap −2" in texts["area_pengembangan"]
    assert texts["saran_penempatan"] == ""  # a pemetaan's placement is printed from the talent map


def test_no_competency_at_standard_names_no_strength():
    texts = narrative.draft(profile([2, 3, 3, 2, 3, 3, 2, 3, 3]), "pemetaan")
    assert named(texts["kekuatan"]) == set()


def test_all_at_standard_names_the_lowest_for_development_without_calling_it_below():
    texts = narrative.draft(profile([5, 4, 5, 5, 5, 5, 5, 5, 5]), "pengisian")
    assert named(texts["area_pengembangan"]) == {"Kerjasama"}
    assert "di bawah standar" not in texts["area_pengembangan"]
    assert "saran_penempatan" not in texts


def test_the_draft_leaves_the_placement_to_the_talent_map():
    """A category sentence here once said "rencana suksesi" for a person in box 1 (review of issue 13)."""
    assert narrative.draft(profile([4] * 9), "pemetaan")["saran_penempatan"] == ""


BOX_9 = {"box": 9, "label": "Kinerja di atas ekspektasi dan potensial tinggi", "missing": [],
         "action": "Dipromosikan dan dipertahankan; masuk kelompok rencana suksesi instansi/nasional; penghargaan"}
BOX_1 = {"box": 1, "label": "Kinerja di bawah ekspektasi dan potensial rendah", "missing": [],
         "action": "Diproses sesuai ketentuan peraturan perundang-undangan"}


def test_placement_names_the_box_and_its_recommendation():
    assert narrative.placement(BOX_9).splitlines() == [
        "Peta talenta: kotak 9 (Kinerja di atas ekspektasi dan potensial tinggi).",
        "Rekomendasi: Dipromosikan dan dipertahankan; masuk kelompok rencana suksesi instansi/nasional; penghargaan."]
    assert "suksesi" not in narrative.placement(BOX_1)


def test_placement_without_a_box_says_what_is_missing():
    text = narrative.placement({"box": None, "label": None, "action": None, "missing": ["potensi", "skp:2025"]})
    assert text == ("Belum dapat ditempatkan pada peta talenta (data belum lengkap: potensi, SKP 2025); "
                    "saran penempatan menyusul setelah data dilengkapi.")
    assert "kotak" not in text


def test_placement_keeps_the_ketua_tim_note_but_not_an_unedited_category_draft():
    note = "Diusulkan mengikuti pelatihan kepemimpinan administrator tahun depan."
    assert narrative.placement(BOX_1, note).splitlines()[-1] == note
    earlier = ("Kompetensi optimal untuk jabatan saat ini; dapat dipertimbangkan masuk kelompok rencana suksesi "
               "untuk jabatan yang lebih tinggi sesuai ketentuan.")
    assert narrative.placement(BOX_1, earlier + "\n") == narrative.placement(BOX_1)
    assert narrative.placement(BOX_1, "   ") == narrative.placement(BOX_1)


@given(st.lists(st.integers(1, 5), min_size=9, max_size=9), st.integers(1, 5))
def test_strengths_never_below_standard_and_development_takes_the_lowest_gaps(levels, standard):
    cells = profile(levels, standard)
    texts = narrative.draft(cells, "pengisian")
    gap = {c["name"]: c["level"] - c["standard"] for c in cells}
    assert all(gap[name] >= 0 for name in named(texts["kekuatan"]))
    developed = named(texts["area_pengembangan"])
    assert developed and max(gap[name] for name in developed) <= min(
        (gap[name] for name in set(gap) - developed), default=99)
    below = {name for name, value in gap.items() if value < 0}
    assert developed == below or (not below and len(developed) == 1)  # every one below, ties included


def test_in_every_demo_report_no_strength_has_a_negative_gap(demo_db):
    from core import reports
    from core.db import rows

    finalised = [r["registration_id"] for r in rows(demo_db, "SELECT registration_id FROM results"
                                                             " WHERE finalized_at IS NOT NULL")]
    assert len(finalised) >= 60
    for registration_id in finalised:
        data = reports.individual_data(demo_db, registration_id)
        gap = {c["name"]: c["gap"] for c in data["profile"]}
        assert all(gap[name] >= 0 for name in named(data["narrative"]["kekuatan"])), registration_id
        lowest = min(gap.values())
        assert any(gap[name] == lowest for name in named(data["narrative"]["area_pengembangan"])), registration_id
        below = {name for name, value in gap.items() if value < 0}
        assert below <= named(data["narrative"]["area_pengembangan"]), registration_id


def test_every_demo_pemetaan_report_places_the_person_as_the_talent_map_does(demo_db):
    """Section VI and the pemetaan recap read the same row: box and recommendation, or what is missing."""
    from core import reports, talent, talent_store

    placed = {r["registration_id"]: r for r in talent_store.event_talent_map(demo_db, 2)["rows"]}
    boxes = set()
    for registration_id, row in placed.items():
        text = reports.individual_data(demo_db, registration_id)["narrative"]["saran_penempatan"]
        if row["box"] is None:
            assert talent.missing_text(row["missing"]) in text and "kotak" not in text, registration_id
            continue
        boxes.add(row["box"])
        assert f"kotak {row['box']} ({row['label']})" in text and row["action"] in text, registration_id
        assert ("rencana suksesi" in text) == (row["box"] in (7, 8, 9)), registration_id
    assert len(boxes) >= 3 and any(row["box"] is None for row in placed.values())
