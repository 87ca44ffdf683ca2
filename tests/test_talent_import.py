"""Import of potensi, rekam jejak and SKP files through the one reader (SPEC §3.4, §3.5, §9): all rows or none."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from core import audit, db, demo, talent, talent_import, talent_store
from core.errors import PermissionDenied, ValidationError
from core.i18n import t

PEMETAAN = 2


def admin(database) -> dict:
    return db.one(database, "SELECT * FROM users WHERE role = 'admin'")


def person(database, gap: str) -> dict:
    [index] = [i for i, g in demo.MAPPING_GAPS.items() if g == gap]
    return talent_store.event_talent_map(database, PEMETAAN)["rows"][index]


def csv(lines: list[list]) -> bytes:
    return "\n".join(";".join(str(c) for c in line) for line in lines).encode("utf-8")


def xlsx(lines: list[list]) -> bytes:
    book = Workbook()
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


POTENSI_HEADER = ["NIP", "Nama", "Kemampuan intelektual", "Interpersonal", "Kesadaran Diri", "P.04", "P05",
                  "Kecerdasan Emosional", "Growth Mindset", "Motivasi dan Komitmen", "Uraian P.01", "Tanggal Tes"]


def potensi_line(nip: str, levels=(4, 4, "B", 3, "Cukup", 4, 5, 4), note="Menalar runtut.", on="11-08-2026"):
    return [nip, "x", *levels, note, on]


def test_a_potensi_file_moves_a_person_from_missing_to_a_box(demo_db):
    who = person(demo_db, "potensi")
    assert who["box"] is None and who["missing"] == ["potensi"]
    result = talent_import.import_file(demo_db, admin(demo_db), "potensi", "hasil_psikolog.csv",
                                       csv([POTENSI_HEADER, potensi_line(who["nip"])]))
    assert result.ok, [e.text() for e in result.errors]
    stored = talent_store.potensi_of(demo_db, who["candidate_id"])
    assert [stored[c]["level"] for c in talent.POTENSI_CODES] == [4, 4, 4, 3, 3, 4, 5, 4]
    assert stored["P.01"]["uraian"] == "Menalar runtut." and stored["P.01"]["assessed_on"] == "2026-08-11"
    assert stored["P.01"]["source"] == "hasil_psikolog.csv"
    assert person(demo_db, "potensi")["box"] is not None
    assert audit.entries(demo_db, "potensi")[0]["entity_id"] == str(who["candidate_id"])


def test_one_bad_row_writes_nothing_and_names_row_and_column(demo_db):
    first, second = person(demo_db, "potensi"), person(demo_db, "potensi_partial")
    before = len(audit.entries(demo_db, limit=100_000))
    lines = [POTENSI_HEADER, potensi_line(first["nip"]), potensi_line(second["nip"], on="31-02-2026"),
             potensi_line("1.97503E+17")]
    result = talent_import.import_file(demo_db, admin(demo_db), "potensi", "p.csv", csv(lines))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "Tanggal Tes"), (4, "NIP")]
    assert result.errors[1].key == "nip.spreadsheet_number"
    assert talent_store.potensi_of(demo_db, first["candidate_id"]) == {}
    assert len(audit.entries(demo_db, limit=100_000)) == before


@pytest.mark.parametrize(("level", "key"), [(6, "talent.potensi.bad_level"), ("Hebat", "talent.potensi.bad_level")])
def test_a_level_off_the_scale_is_refused(demo_db, level, key):
    who = person(demo_db, "potensi")
    result = talent_import.import_file(demo_db, admin(demo_db), "potensi", "p.xlsx",
                                       xlsx([POTENSI_HEADER, potensi_line(who["nip"], levels=(level, 4, 4, 4, 4, 4,
                                                                                              4, 4))]))
    [error] = result.errors
    assert error.row == 2 and t(key, value=str(level)) == error.text()
    assert talent_store.potensi_of(demo_db, who["candidate_id"]) == {}


def test_an_unknown_nip_is_reported_not_guessed(demo_db):
    result = talent_import.import_file(demo_db, admin(demo_db), "potensi", "p.csv",
                                       csv([POTENSI_HEADER, potensi_line("198001012006041001")]))
    [error] = result.errors
    assert error.row == 2 and error.text() == t("talent.import.unknown_nip", nip="198001012006041001")


def test_rekam_jejak_from_a_siasn_like_export(demo_db):
    who = person(demo_db, "rekam_jejak")
    header = ["NIP BARU", "NAMA", "TINGKAT PENDIDIKAN NAMA", "JP Pelatihan", "Masa Jabatan (bulan)",
              "Jumlah Jabatan", "JENIS HUKUMAN NAMA", "TMT HUKUMAN", "Kesesuaian Bidang", "KOLOM LAIN"]
    data = xlsx([["Rekam jejak pegawai"], [], header,
                 [who["nip"], "x", "S-2", 40.0, 48, 4, "Hukuman Disiplin Ringan", "15 Maret 2024", "Sesuai", "?"]])
    result = talent_import.import_file(demo_db, admin(demo_db), "rekam_jejak", "siasn.xlsx", data)
    assert result.ok, [e.text() for e in result.errors]
    assert result.table.ignored == ["KOLOM LAIN"]
    stored = talent_store.rekam_jejak_of(demo_db, who["candidate_id"])
    assert {k: stored[k] for k in ("pendidikan", "pelatihan_jp", "months_in_jenjang", "posts_count",
                                   "hukuman_disiplin", "hukuman_disiplin_date", "kesesuaian_bidang")} == {
        "pendidikan": "S2", "pelatihan_jp": 40, "months_in_jenjang": 48, "posts_count": 4,
        "hukuman_disiplin": "ringan", "hukuman_disiplin_date": "2024-03-15", "kesesuaian_bidang": "sesuai"}
    assert person(demo_db, "rekam_jejak")["box"] is not None


def test_skp_long_and_wide_layouts(demo_db):
    one, other = person(demo_db, "skp"), person(demo_db, "skp_latest")
    long = csv([["NIP", "Tahun", "Predikat Kinerja"], [one["nip"], 2025, "Sangat Baik"], [one["nip"], 2024, "Baik"]])
    assert talent_import.import_file(demo_db, admin(demo_db), "skp", "ekinerja.csv", long).ok
    assert talent_store.skp_of(demo_db, one["candidate_id"]) == {2025: "sangat_baik", 2024: "baik"}
    wide = csv([["NIP", "SKP 2024", "SKP 2025"], [other["nip"], "Baik", "Butuh Perbaikan"]])
    assert talent_import.import_file(demo_db, admin(demo_db), "skp", "skp.csv", wide).ok
    assert talent_store.skp_of(demo_db, other["candidate_id"]) == {2025: "butuh_perbaikan", 2024: "baik"}


def test_an_unknown_predikat_is_refused(demo_db):
    who = person(demo_db, "skp")
    result = talent_import.import_file(demo_db, admin(demo_db), "skp", "s.csv",
                                       csv([["NIP", "Tahun", "Predikat"], [who["nip"], 2025, "Luar biasa"]]))
    assert [e.row for e in result.errors] == [2] and talent_store.skp_of(demo_db, who["candidate_id"]) == {}


def test_a_file_without_a_nip_column_asks_for_a_mapping(demo_db):
    from core.importer import MappingNeeded

    with pytest.raises(MappingNeeded):
        talent_import.parse("potensi", "p.csv", csv([["Nama", "P.01"], ["x", 4]]))


@pytest.mark.parametrize(("kind", "header"), [("potensi", ["NIP", "Nama", "Aspek 1", "Aspek 2"]),
                                               ("rekam_jejak", ["NIP", "Nama", "Golongan"]),
                                               ("skp", ["NIP", "Nama", "Nilai Kinerja 2025"])])
def test_a_file_with_nips_but_no_content_column_asks_for_a_mapping_and_erases_nothing(demo_db, kind, header):
    """Before: a potensi file with unknown aspect headers was "imported" — and every aspect of everyone cleared."""
    from core.importer import MappingNeeded

    who = person(demo_db, "skp")
    before = talent_store.potensi_of(demo_db, who["candidate_id"])
    with pytest.raises(MappingNeeded) as asked:
        talent_import.import_file(demo_db, admin(demo_db), kind, "x.csv", csv([header, [who["nip"], "x", 4, 5]]))
    assert asked.value.key == "reader.content_missing" and "Kolom di berkas: " + ", ".join(header) in str(asked.value)
    assert talent_store.potensi_of(demo_db, who["candidate_id"]) == before != {}


def test_the_officers_mapping_of_the_aspect_columns_imports_the_file(demo_db):
    from core import mappings

    who = person(demo_db, "potensi")
    header = ["NIP", *(f"Aspek {i}" for i in range(1, 9))]
    with pytest.raises(ValidationError) as refused:  # NIP alone is no mapping of a potensi file
        mappings.check("potensi", header, {"nip": 0})
    assert refused.value.key == "reader.map.content" and "P.08 Motivasi dan komitmen (grit)" in str(refused.value)
    chosen = mappings.check("potensi", header, {"nip": 0} | {f"P.0{i}": i for i in range(1, 9)})
    result = talent_import.import_file(demo_db, admin(demo_db), "potensi", "p.csv",
                                       csv([header, [who["nip"], 4, 4, 4, 3, 3, 4, 5, 4]]), mapping=chosen)
    assert result.ok and talent_store.potensi_of(demo_db, who["candidate_id"])["P.07"]["level"] == 5


def test_skp_year_columns_are_named_as_a_range():
    from core.importer import content_labels, field_label

    assert field_label("skp_2025") == "SKP 2025"
    assert content_labels(["predikat", "skp_2015", "skp_2016", "skp_2035"]) == "Predikat SKP, SKP 2015 … SKP 2035"


def test_a_file_changes_only_what_its_columns_hold(demo_db):
    """Separate exports add up: a pendidikan file keeps the JP and the hukuman disiplin already stored, and a file
    of two aspects keeps the other six (before, both were cleared)."""
    who = person(demo_db, "skp")
    rekam_before = talent_store.rekam_jejak_of(demo_db, who["candidate_id"])
    potensi_before = talent_store.potensi_of(demo_db, who["candidate_id"])
    assert rekam_before["pelatihan_jp"] is not None and len(potensi_before) == 8
    result = talent_import.import_file(demo_db, admin(demo_db), "rekam_jejak", "rw-pendidikan.csv",
                                       csv([["NIP", "Pendidikan"], [who["nip"], "S-2"]]))
    assert result.ok, [e.text() for e in result.errors]
    after = talent_store.rekam_jejak_of(demo_db, who["candidate_id"])
    assert after["pendidikan"] == "S2"
    assert {k: after[k] for k in after if k not in ("pendidikan", "source")} == {
        k: rekam_before[k] for k in rekam_before if k not in ("pendidikan", "source")}

    result = talent_import.import_file(demo_db, admin(demo_db), "potensi", "susulan.csv",
                                       csv([["NIP", "P.01", "P.02"], [who["nip"], 1, 2]]))
    assert result.ok, [e.text() for e in result.errors]
    potensi = talent_store.potensi_of(demo_db, who["candidate_id"])
    assert {c: v["level"] for c, v in potensi.items()} == {c: v["level"] for c, v in potensi_before.items()} | {
        "P.01": 1, "P.02": 2}
    assert potensi["P.03"]["source"] == potensi_before["P.03"]["source"] and potensi["P.01"]["source"] == "susulan.csv"
    entry = audit.entries(demo_db, "potensi")[0]  # the audit keeps the whole before and after
    assert len(json.loads(entry["old_value"])) == 8 and len(json.loads(entry["new_value"])) == 8


@pytest.mark.parametrize(("kind", "lines"), [
    ("rekam_jejak", [["NIP", "JP Pelatihan"], ["{nip}", 20], ["{nip}", 24]]),
    ("potensi", [["NIP", "P.01"], ["{nip}", 3], ["{nip}", 4]]),
    ("skp", [["NIP", "Tahun", "Predikat"], ["{nip}", 2025, "Baik"], ["{nip}", 2025, "Sangat Baik"]]),
])
def test_one_person_twice_in_a_file_is_refused_and_nothing_is_written(demo_db, kind, lines):
    """Which row would count? Before, the last one silently won."""
    who = person(demo_db, "skp")
    before = (talent_store.rekam_jejak_of(demo_db, who["candidate_id"]),
              talent_store.potensi_of(demo_db, who["candidate_id"]), talent_store.skp_of(demo_db, who["candidate_id"]))
    rows = [[cell.format(nip=who["nip"]) if isinstance(cell, str) else cell for cell in line] for line in lines]
    result = talent_import.import_file(demo_db, admin(demo_db), kind, "x.csv", csv(rows))
    assert [e.row for e in result.errors] == [3] and "sudah ada di baris 2" in result.errors[0].text()
    assert (talent_store.rekam_jejak_of(demo_db, who["candidate_id"]),
            talent_store.potensi_of(demo_db, who["candidate_id"]),
            talent_store.skp_of(demo_db, who["candidate_id"])) == before


def test_skp_rows_of_different_years_for_one_person_are_fine(demo_db):
    who = person(demo_db, "skp")
    result = talent_import.import_file(demo_db, admin(demo_db), "skp", "s.csv", csv(
        [["NIP", "Tahun", "Predikat"], [who["nip"], 2024, "Baik"], [who["nip"], 2025, "Sangat Baik"]]))
    stored = talent_store.skp_of(demo_db, who["candidate_id"])
    assert result.ok and (stored[2024], stored[2025]) == ("baik", "sangat_baik")


def test_only_the_admin_imports(demo_db):
    pimpinan = db.one(demo_db, "SELECT * FROM users WHERE role = 'pimpinan'")
    with pytest.raises(PermissionDenied):
        talent_import.import_file(demo_db, pimpinan, "potensi", "p.csv", csv([POTENSI_HEADER]))


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        talent_import.parse("gaji", "p.csv", b"NIP\n1")


@pytest.mark.parametrize(("written", "code"), [("S-1", "S1"), ("Strata 2", "S2"), ("d-iii", "D3"), ("SLTA", "SMA"),
                                               ("S1", "S1"), ("", None), ("Sarjana Terapan", "D4")])
def test_pendidikan_written_forms(written, code):
    assert talent_import.code_of("rekam_jejak", "pendidikan", written) == code
