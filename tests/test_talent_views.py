"""What the talent pages show (core.talent_views): pure functions over talent-map rows, hand-checked values."""

from __future__ import annotations

import pytest

from core import talent, talent_views
from core.i18n import t

SCHEME = talent.shipped_scheme("terpadu")
RECORD = {"pendidikan": "S2", "pelatihan_jp": 40, "months_in_jenjang": 48, "posts_count": 4,
          "hukuman_disiplin": "ringan", "hukuman_disiplin_date": "2024-03-15", "kesesuaian_bidang": "sesuai"}
POTENSI = {c: {"level": 4, "uraian": f"u{c}"} for c in talent.POTENSI_CODES}


def row(**changes) -> dict:
    person = {"registration_id": 1, "participant_no": "001", "name": "Budi", "position_name": "Kabag", "jpm": 90.0,
              "potensi": {c: v["level"] for c, v in POTENSI.items()}, "rekam_jejak": RECORD, "skp": {2025: "baik"}}
    [built] = talent.talent_map([person | changes], SCHEME, 2026, on="2026-08-12")
    return built


def label(component: str) -> str:
    return talent_views.component_name(component)


def number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_explanation_shares_add_up_to_the_index():
    built = row()
    shown = talent_views.explanation(built, SCHEME, POTENSI, RECORD)
    assert [r[t("talenta.col.weight")] for r in shown] == ["20", "25", "10", "10", "10", "10", "15"]
    # by hand: 0.20·90 + 0.25·80 + 0.10·100 + 0.10·100 + 0.10·90 + 0.10·100 + 0.15·60 = 86
    assert sum(number(r[t("talenta.col.share")]) for r in shown) == pytest.approx(86.0, abs=0.02)
    assert built["potential_index"] == pytest.approx(86.0)


def test_explanation_names_the_inputs():
    shown = {r[t("talenta.col.component")]: r[t("talenta.col.input")]
             for r in talent_views.explanation(row(), SCHEME, POTENSI, RECORD)}
    assert shown[label("penilaian_kompetensi")] == "JPM 90,00%"
    assert shown[label("potensi")] == " · ".join(["4"] * 8)
    assert shown[label("pengembangan_kompetensi")] == t("talenta.input.jp", n=40)
    assert shown[label("integritas")] == "Ringan (15 Maret 2024)"
    assert shown[label("pendidikan")] == "Magister (S2)"


def test_explanation_of_a_missing_component_shows_a_dash():
    built = row(potensi={})
    shown = {r[t("talenta.col.component")]: r for r in talent_views.explanation(built, SCHEME, {}, RECORD)}
    assert shown[label("potensi")][t("talenta.col.share")] == "–"
    assert talent_views.verdict(built, SCHEME, {}) == [talent.missing_text(["potensi"])]


def test_verdict_on_the_band_boundary():
    """An index of exactly 80,00 is tinggi (SPEC §4.6: ≥); performance from SKP 2025 Baik is sesuai → box 8."""
    built = row() | {"potential_index": 80.0, "potential": "tinggi", "box": 8, "label": "L"}
    lines = talent_views.verdict(built, SCHEME, {"baik": "Baik"})
    assert lines[0] == t("talenta.why.potential", index="80,00", level="Tinggi", tinggi="80,00", menengah="60,00")
    assert lines[1] == t("talenta.why.performance", skp="2025: Baik", level=t("talenta.performance.sesuai"))
    assert lines[2] == t("talenta.why.box", box=8, label="L")


def test_incomplete_rows_only_the_missing():
    rows = [row(), row(registration_id=2, name="Sari", skp={})]
    assert talent_views.incomplete_rows(rows) == [{t("field.participant_no"): "001", t("field.name"): "Sari",
                                                   t("field.position"): "Kabag",
                                                   t("talenta.col.missing"): "SKP 2025"}]


def test_potensi_rows_show_the_scale_and_blank_for_a_missing_aspect():
    shown = talent_views.potensi_rows({"P.01": {"level": 5, "uraian": "x"}})
    assert shown[0][t("talenta.col.level")] == "5 (BS) Baik Sekali" and shown[0][t("talenta.col.uraian")] == "x"
    assert shown[7][t("talenta.col.level")] == "–" and len(shown) == 8


def test_posts_of_one_jenjang_share_one_group():
    pool = [{"name": "X"}]
    posts = [{"name": "Kabag", "job_class": "administrator", "successors": pool},
             {"name": "Kasubag", "job_class": "pengawas", "successors": []},
             {"name": "Camat", "job_class": "administrator", "successors": pool}]
    assert talent_views.successor_groups(posts) == [
        {"posts": ["Kabag", "Camat"], "job_class": "administrator", "successors": pool},
        {"posts": ["Kasubag"], "job_class": "pengawas", "successors": []}]
