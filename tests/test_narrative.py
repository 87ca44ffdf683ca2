"""The narrative drafted from the consensus agrees with the profile (SPEC §6.1, issue 13 item 1)."""

from __future__ import annotations

import pytest
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
    texts = narrative.draft(profile([4, 3, 4, 5, 3, 4, 2, 4, 3]), "pemetaan", "CO")
    assert named(texts["kekuatan"]) == {"Orientasi pada Hasil", "Integritas", "Komunikasi"}
    assert texts["kekuatan"].splitlines()[0].startswith("Orientasi pada Hasil: di atas standar")
    assert named(texts["area_pengembangan"]) == {"Mengelola Perubahan", "Kerjasama", "Pelayanan Publik"}
    assert texts["area_pengembangan"].splitlines()[0].startswith("Mengelola Perubahan: di bawah standar")
    assert "gap −2" in texts["area_pengembangan"]
    assert texts["saran_penempatan"].startswith("Dapat dipertahankan")


def test_no_competency_at_standard_names_no_strength():
    texts = narrative.draft(profile([2, 3, 3, 2, 3, 3, 2, 3, 3]), "pemetaan", "KO")
    assert named(texts["kekuatan"]) == set()
    assert texts["saran_penempatan"].startswith("Perlu pengembangan kompetensi secara intensif")


def test_all_at_standard_names_the_lowest_for_development_without_calling_it_below():
    texts = narrative.draft(profile([5, 4, 5, 5, 5, 5, 5, 5, 5]), "pengisian", "MS")
    assert named(texts["area_pengembangan"]) == {"Kerjasama"}
    assert "di bawah standar" not in texts["area_pengembangan"]
    assert "saran_penempatan" not in texts


@pytest.mark.parametrize("category", ["O", "CO", "KO"])
def test_placement_follows_the_category(category):
    assert narrative.draft(profile([4] * 9), "pemetaan", category)["saran_penempatan"]


@given(st.lists(st.integers(1, 5), min_size=9, max_size=9), st.integers(1, 5))
def test_strengths_never_below_standard_and_development_takes_the_lowest_gaps(levels, standard):
    cells = profile(levels, standard)
    texts = narrative.draft(cells, "pengisian", None)
    gap = {c["name"]: c["level"] - c["standard"] for c in cells}
    assert all(gap[name] >= 0 for name in named(texts["kekuatan"]))
    developed = named(texts["area_pengembangan"])
    assert developed and max(gap[name] for name in developed) <= min(
        (gap[name] for name in set(gap) - developed), default=99)


def test_in_every_demo_report_no_strength_has_a_negative_gap(demo_db):
    from core import reports
    from core.db import rows

    finalised = [r["registration_id"] for r in rows(demo_db, "SELECT registration_id FROM results"
                                                             " WHERE finalized_at IS NOT NULL")]
    assert len(finalised) >= 60
    placements = set()
    for registration_id in finalised:
        data = reports.individual_data(demo_db, registration_id)
        gap = {c["name"]: c["gap"] for c in data["profile"]}
        assert all(gap[name] >= 0 for name in named(data["narrative"]["kekuatan"])), registration_id
        lowest = min(gap.values())
        assert any(gap[name] == lowest for name in named(data["narrative"]["area_pengembangan"])), registration_id
        placements.add(data["narrative"].get("saran_penempatan"))
    assert len(placements - {None}) >= 2  # the placement follows each profile, not one sentence for all
