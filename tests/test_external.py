"""External results (SPEC §9): import through the one reader, validity, the talent map, audit and roles.

Run: python3 -m pytest tests/test_external.py -q -p no:cacheprovider
"""

from __future__ import annotations

import datetime as dt
import json

import filegen
import pytest
from apptest_helpers import open_page, shown_text
from assessment_fixtures import COMPETENCIES, make_nip
from talent_fixtures import complete, finalise, make_event

import app
from core import audit, db, external, importer, mappings, reader, registry, talent_store
from core.errors import PermissionDenied, ValidationError
from core.textutil import escape_markdown

TODAY = dt.date(2026, 3, 10)
HEADER = ["NIP", "Nama", "Tanggal Asesmen", "Penyelenggara", "Jenjang Jabatan", "Jabatan", *COMPETENCIES, "JPM",
          "Kategori"]
PROVIDER = "BKN Kantor Regional I"


def row(nip, date="12-05-2025", provider=PROVIDER, jenjang="Administrator", levels=(3,) * 9, jpm="", category=""):
    return [nip, "Peserta", date, provider, jenjang, "Kepala Bagian", *levels, jpm, category]


@pytest.fixture
def people(fresh_db, admin):
    return [registry.create_candidate(fresh_db, admin, make_nip(i), f"Peserta {i}") for i in range(3)]


def imported(database, actor, rows, fmt="xlsx", header=HEADER, **kwargs):
    data = filegen.build(fmt, [("Hasil", [header, *rows])])
    return external.import_file(database, actor, "hasil" + filegen.extension(fmt), data, today=TODAY, **kwargs)


def stored(database):
    return db.rows(database, "SELECT * FROM external_results ORDER BY id")


# Storage -----------------------------------------------------------------------------------------------------

def test_the_migration_runs_on_an_empty_memory_database_and_is_the_schema_version():
    from sqlite_utils import Database

    memory = Database(memory=True)
    db.migrations.apply(memory)
    assert {"external_results", "external_levels"} <= set(memory.table_names())
    assert db.schema_version(memory) == db.SCHEMA_VERSION
    assert "0006_external_results" in {m.name for m in db.migrations.applied(memory)}


# Import: good files ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", filegen.FORMATS)
def test_a_good_file_imports_in_every_format(fresh_db, admin, people, fmt):
    levels = (4, 3, 3, 3, 3, 3, 3, 3, 3)  # 28 against the administrator standard 3 ×9 = 27
    result = imported(fresh_db, admin, [row(make_nip(0), levels=levels),
                                        row(make_nip(1), date="2024-01-31", jpm="91,5", category="O")], fmt)
    assert result.ok and len(result.rows) == 2
    first, second = stored(fresh_db)
    assert (first["candidate_id"], first["assessment_date"], first["provider"]) == (people[0], "2025-05-12", PROVIDER)
    assert first["job_class"] == "administrator" and first["target_position"] == "Kepala Bagian"
    assert (first["achieved_total"], first["standard_total"], first["jpm_given"]) == (28, 27, 0)
    assert first["jpm"] == pytest.approx(100 * 28 / 27)
    assert (second["jpm"], second["jpm_given"], second["category"]) == (91.5, 1, "O")
    got = external.get(fresh_db, first["id"])
    assert got["levels"] == dict(zip(COMPETENCIES, levels, strict=True))
    assert got["standard"] == dict.fromkeys(COMPETENCIES, 3)
    assert got["source"] == "hasil" + filegen.extension(fmt)


def test_per_competency_standard_columns_win_over_the_jenjang(fresh_db, admin, people):
    header = HEADER + [f"Standar {code}" for code in COMPETENCIES]
    result = imported(fresh_db, admin, [row(make_nip(0), jenjang="", levels=(4,) * 9) + [4] * 9], header=header)
    assert result.ok
    assert stored(fresh_db)[0]["jpm"] == pytest.approx(100.0)


def test_jpm_given_without_any_standard_is_kept_as_written(fresh_db, admin, people):
    assert imported(fresh_db, admin, [row(make_nip(0), jenjang="", jpm="77,5%")]).ok
    record = stored(fresh_db)[0]
    assert (record["jpm"], record["standard_total"], record["jpm_given"]) == (77.5, None, 1)


def test_synonyms_and_a_title_block_are_read(fresh_db, admin, people):
    header = ["N I P", "Nama Pegawai", "Tgl Asesmen", "Lembaga", "Jenjang", "Jabatan Target",
              *(f"{code.replace('.', '')}" for code in COMPETENCIES), "Nilai JPM", "Kategori Hasil", "Keterangan"]
    data = filegen.build("xlsx", [("Rekap", [["REKAP HASIL ASESMEN UPT PROVINSI"], [], header,
                                             row(make_nip(2), date="3 Februari 2025") + ["-"]])])
    result = external.import_file(fresh_db, admin, "rekap.xlsx", data, today=TODAY)
    assert result.ok, [e.message for e in result.errors]
    assert result.table.ignored == ["Keterangan"] and stored(fresh_db)[0]["assessment_date"] == "2025-02-03"


def test_the_import_is_audited_with_the_new_record(fresh_db, admin, people):
    imported(fresh_db, admin, [row(make_nip(0))])
    entry = audit.entries(fresh_db, "external_result")[0]
    assert entry["action"] == "import" and entry["username"] == "admin" and entry["old_value"] is None
    new = json.loads(entry["new_value"])
    assert new["provider"] == PROVIDER and new["levels"]["M.01"] == 3 and new["source"] == "hasil.xlsx"


# Import: bad files, all-or-nothing ---------------------------------------------------------------------------

@pytest.mark.parametrize(("bad", "key"), [
    ({"nip": make_nip(9)}, "external.nip_unknown"),
    ({"levels": ("TB",) + (3,) * 8}, "external.level_tb"),
    ({"levels": (6,) + (3,) * 8}, "external.level_invalid"),
    ({"levels": (0,) + (3,) * 8}, "external.level_invalid"),
    ({"levels": (3.5,) + (3,) * 8}, "external.level_invalid"),
    ({"levels": ("",) + (3,) * 8}, "external.level_required"),
    ({"date": "11-03-2026"}, "external.date_future"),
    ({"date": "31-12-1999"}, "external.date_too_old"),
    ({"date": "31-02-2025"}, "reader.date_invalid"),
    ({"provider": ""}, "form.required"),
    ({"jenjang": "Eselon II"}, "external.job_class_unknown"),
    ({"jenjang": ""}, "external.no_standard"),
    ({"jpm": "0"}, "external.jpm_invalid"),
    ({"jpm": "abc"}, "external.jpm_invalid"),
    ({"category": "Bagus"}, "external.category_unknown"),
    ({"provider": "#N/A"}, "reader.excel_error"),
])
@pytest.mark.parametrize("fmt", ["xlsx", "csv:utf-8-sig:;"])
def test_a_bad_row_refuses_the_whole_file_with_its_row_and_reason(fresh_db, admin, people, bad, key, fmt):
    values = {"nip": make_nip(1)} | bad
    result = imported(fresh_db, admin, [row(make_nip(0)), row(values.pop("nip"), **values)], fmt)
    assert not result.ok
    assert [(e.row, e.key) for e in result.errors] == [(3, key)]
    assert "{" not in result.errors[0].text()  # every placeholder filled, Indonesian text
    assert stored(fresh_db) == [] and audit.entries(fresh_db, "external_result") == []


def test_the_boundary_dates_today_and_year_2000_are_accepted(fresh_db, admin, people):
    assert imported(fresh_db, admin, [row(make_nip(0), date="10-03-2026"), row(make_nip(1), date="01-01-2000")]).ok


def test_duplicates_in_the_file_and_in_the_database_are_refused(fresh_db, admin, people):
    twice = imported(fresh_db, admin, [row(make_nip(0)), row(make_nip(0), provider=PROVIDER.upper())])
    assert [(e.row, e.key, e.params.get("other_row")) for e in twice.errors] == [(3, "external.duplicate_row", 2)]
    assert imported(fresh_db, admin, [row(make_nip(0))]).ok
    again = imported(fresh_db, admin, [row(make_nip(0)), row(make_nip(1))])
    assert [(e.row, e.key) for e in again.errors] == [(2, "external.already_stored")] and len(stored(fresh_db)) == 1


def test_a_partial_standard_is_refused(fresh_db, admin, people):
    header = HEADER + ["Standar M.01"]
    result = imported(fresh_db, admin, [row(make_nip(0)) + [3]], header=header)
    assert [e.key for e in result.errors] == ["external.standard_partial"]


def test_a_file_without_the_level_columns_asks_for_a_mapping(fresh_db, admin, people):
    with pytest.raises(importer.MappingNeeded) as need:
        imported(fresh_db, admin, [row(make_nip(0))[:8]], header=HEADER[:8])
    assert "M.03" in str(need.value) and stored(fresh_db) == []


def test_the_template_reads_back_and_its_example_row_is_never_imported(fresh_db, admin, people):
    for name, data in (("t.xlsx", external.template_xlsx()), ("t.csv", external.template_csv())):
        table = reader.read(name, data, external.KIND)
        assert not table.missing and table.ignored == []
        with pytest.raises(ValidationError) as err:
            external.import_file(fresh_db, admin, name, data, today=TODAY)
        assert err.value.key == "import.no_rows"
    assert stored(fresh_db) == []


# Roles -------------------------------------------------------------------------------------------------------

def test_only_the_admin_imports_or_deletes(fresh_db, admin, asesor, pimpinan, people):
    for actor in (asesor, pimpinan, None):
        with pytest.raises(PermissionDenied):
            imported(fresh_db, actor, [row(make_nip(0))])
    assert stored(fresh_db) == []
    imported(fresh_db, admin, [row(make_nip(0))])
    result_id = stored(fresh_db)[0]["id"]
    with pytest.raises(PermissionDenied):
        external.delete(fresh_db, pimpinan, result_id)
    with pytest.raises(PermissionDenied):
        external.list_for(fresh_db, asesor, people[0])
    assert len(external.list_for(fresh_db, pimpinan, people[0])) == 1


def test_delete_keeps_the_old_record_in_the_audit_log(fresh_db, admin, people):
    imported(fresh_db, admin, [row(make_nip(0))])
    result_id = stored(fresh_db)[0]["id"]
    external.delete(fresh_db, admin, result_id, reason="salah impor")
    assert stored(fresh_db) == [] and db.rows(fresh_db, "SELECT * FROM external_levels") == []
    entry = audit.entries(fresh_db, "external_result")[0]
    assert entry["action"] == "delete" and json.loads(entry["old_value"])["levels"]["SK.01"] == 3


# Validity: the pure rule and the merge -----------------------------------------------------------------------

def result(assessed, origin="external", order=1):
    return {"assessed": assessed, "origin": origin, "order": order}


@pytest.mark.parametrize(("assessed", "on", "valid"), [
    ("2023-03-10", "2026-03-09", True),   # the last valid day
    ("2023-03-10", "2026-03-10", False),  # exactly three years: expired
    ("2026-03-10", "2026-03-10", True),   # taken that day
    ("2026-03-11", "2026-03-10", False),  # taken after the date asked about
    ("2024-02-29", "2027-02-28", True),
    ("2024-02-29", "2027-03-01", False),
])
def test_validity_boundaries(assessed, on, valid):
    assert (external.pick_latest([result(assessed)], on, 3) is not None) is valid


def test_the_latest_valid_result_wins_and_on_the_same_day_the_own_one():
    own, newer = result("2025-01-01", "own"), result("2025-06-01")
    assert external.pick_latest([newer, own], "2026-01-01", 3) is newer
    same = result("2025-01-01")
    assert external.pick_latest([own, same], "2026-01-01", 3) is own
    assert external.pick_latest([own, newer], "2026-01-01", 1) is newer  # own expired with a 1-year setting
    assert external.pick_latest([], "2026-01-01", 3) is None


def test_latest_valid_merges_own_and_external(fresh_db, admin):
    event = make_event(fresh_db, admin)
    a = event["people"][0]
    finalise(fresh_db, admin, a["registration_id"], 3, assessed="2024-05-01")
    nip = registry.get_candidate(fresh_db, a["candidate_id"])["nip"]
    assert imported(fresh_db, admin, [row(nip, date="2025-05-01", jpm="70")]).ok
    got = external.latest_valid(fresh_db, [a["candidate_id"]], "2026-03-06")
    assert (got[a["candidate_id"]]["origin"], got[a["candidate_id"]]["jpm"]) == ("external", 70.0)
    assert external.latest_valid(fresh_db, [a["candidate_id"]], "2025-04-30")[a["candidate_id"]]["origin"] == "own"


@pytest.mark.parametrize("pimpinan_reads", [False, True])
def test_list_for_marks_validity(fresh_db, admin, pimpinan, people, pimpinan_reads):
    imported(fresh_db, admin, [row(make_nip(0), date="2023-03-10"), row(make_nip(0), date="2025-01-02")])
    listed = external.list_for(fresh_db, pimpinan if pimpinan_reads else admin, people[0], on="2026-03-10")
    assert [(r["assessment_date"], r["valid"]) for r in listed] == [("2025-01-02", True), ("2023-03-10", False)]


# The talent map ----------------------------------------------------------------------------------------------

def talent_row(database, event, person):
    return next(r for r in talent_store.event_talent_map(database, event["id"])["rows"]
                if r["candidate_id"] == person["candidate_id"])


@pytest.mark.parametrize(("date", "boxed"), [("2023-03-07", True), ("2023-03-06", False)])
def test_a_valid_external_result_gives_a_box_an_expired_one_does_not(fresh_db, admin, date, boxed):
    event = make_event(fresh_db, admin)  # ends 2026-03-06
    person = event["people"][0]
    complete(fresh_db, admin, person)
    nip = registry.get_candidate(fresh_db, person["candidate_id"])["nip"]
    assert imported(fresh_db, admin, [row(nip, date=date, jpm="95")]).ok
    got = talent_row(fresh_db, event, person)
    if boxed:
        assert got["jpm"] == 95.0 and got["box"] == 9 and got["result_external_id"] == stored(fresh_db)[0]["id"]
        assert got["result_registration_id"] is None
    else:
        assert got["jpm"] is None and got["box"] is None and got["missing"] == ["penilaian_kompetensi"]


# The Peserta page ----------------------------------------------------------------------------------------------

def kandidat_page(database, actor):
    return open_page(database, actor, app.PAGES["kandidat"][0])


def upload(at, name, data):
    at.file_uploader(key="kandidat_ext_upload").set_value((name, data, "application/octet-stream"))
    return at.run().button(key="kandidat_ext_import_go").click().run()


def test_the_page_imports_external_results_and_the_candidate_shows_them(fresh_db, admin, people):
    markup = "**BKN** <b>Kanreg</b>"
    data = filegen.build("xlsx", [("Hasil", [HEADER, row(make_nip(0), date="2025-05-12", provider=markup)])])
    at = upload(kandidat_page(fresh_db, admin), "hasil.xlsx", data)
    assert not at.exception
    assert [str(s.value) for s in at.success] == ["1 hasil eksternal berhasil diimpor."]
    assert stored(fresh_db)[0]["provider"] == markup
    at.text_input(key="kandidat_q").set_value(make_nip(0)).run()
    at.session_state[f"kandidat_table_{make_nip(0)}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at = at.run()
    assert not at.exception
    text = shown_text(at)
    assert "Hasil asesmen dari penyelenggara lain" in text and "berlaku" in text
    assert escape_markdown(markup) in text  # the file's text shown escaped, never rendered


def test_the_page_removes_an_external_result_only_after_confirmation(fresh_db, admin, people):
    imported(fresh_db, admin, [row(make_nip(0))])
    at = kandidat_page(fresh_db, admin)
    at.text_input(key="kandidat_q").set_value(make_nip(0)).run()
    at.session_state[f"kandidat_table_{make_nip(0)}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at = at.run()
    assert at.button(key="kandidat_ext_delete_go").disabled
    at.text_input(key="kandidat_ext_delete_reason").set_value("salah orang")
    at = at.checkbox(key="kandidat_ext_delete_sure").check().run()
    at = at.button(key="kandidat_ext_delete_go").click().run()
    assert not at.exception and stored(fresh_db) == []
    assert audit.entries(fresh_db, "external_result")[0]["reason"] == "salah orang"


def test_the_page_refuses_a_bad_file_in_indonesian_and_writes_nothing(fresh_db, admin, people):
    data = filegen.build("csv:utf-8:;", [("x", [HEADER, row(make_nip(7))])])
    at = upload(kandidat_page(fresh_db, admin), "hasil.csv", data)
    assert not at.exception and stored(fresh_db) == []
    assert any("belum terdaftar sebagai peserta" in str(cell) for table in at.table
               for cell in table.value.to_numpy().ravel())


def test_the_page_maps_unknown_level_columns_on_screen(fresh_db, admin, people):
    header = [*HEADER[:6], "Nilai Integritas", *HEADER[7:]]
    data = filegen.build("xlsx", [("Hasil", [header, row(make_nip(1))])])
    at = upload(kandidat_page(fresh_db, admin), "lain.xlsx", data)
    assert not at.exception and stored(fresh_db) == []
    at.selectbox(key="kandidat_ext_map_M.01").set_value(6)
    at = at.run().button(key="kandidat_ext_map_go").click().run()
    assert not at.exception
    assert [str(s.value) for s in at.success] == ["1 hasil eksternal berhasil diimpor."]
    assert len(stored(fresh_db)) == 1
    signature = reader.read("lain.xlsx", data, external.KIND).signature()
    assert mappings.saved(fresh_db, external.KIND, signature)["M.01"] == 6


def test_the_siasn_export_carries_the_levels_of_an_external_result(fresh_db, admin):
    from core import siasn

    event = make_event(fresh_db, admin)
    person, other = event["people"][0], event["people"][1]
    nip = registry.get_candidate(fresh_db, person["candidate_id"])["nip"]
    assert imported(fresh_db, admin, [row(nip, date="2025-05-01", levels=(4, 3, 3, 3, 3, 3, 3, 3, 2))]).ok
    names = siasn.field_map()["services"]["kompetensi/save"]["fields"]
    records = {r["nip"]: r for r in siasn.export_rows(fresh_db, admin, event["id"])}
    assert records[nip][names["M.01"]] == 4 and records[nip][names["SK.01"]] == 2
    other_nip = registry.get_candidate(fresh_db, other["candidate_id"])["nip"]
    assert records[other_nip][names["M.01"]] is None


def test_messages_name_the_row_column_and_what_to_write(fresh_db, admin, people):
    result = imported(fresh_db, admin, [row(make_nip(0), jenjang="Eselon II", levels=("TB",) + (3,) * 8)])
    by_column = {e.column: e.text() for e in result.errors}
    assert {e.row for e in result.errors} == {2}
    assert "JPT Pratama, Administrator, Pengawas" in by_column["Jenjang Jabatan"]
    assert "M.01" in by_column["M.01"] and "TB" in by_column["M.01"]
