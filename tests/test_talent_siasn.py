"""The per-event file for the national system (SPEC §6.6): keyed by NIP, SIASN field names, JSON and XLSX."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from talent_fixtures import FOURS, complete, finalise, make_event

from core import registry, siasn, talent, talent_store
from core.errors import PermissionDenied


@pytest.fixture
def event(fresh_db, admin):
    return make_event(fresh_db, admin)


def test_field_names_come_from_the_mapping_table():
    services = siasn.field_map()["services"]
    assert services["kompetensi/save"]["fields"]["M.06"] == "pengembanganDiriDanOrla"
    assert services["potensi/save"]["fields"]["P.04"] == "berfikirKritis"
    assert [services["tm/talentmapping-save"]["fields"][k] for k in ("box", "performance_axis", "potential_axis",
                                                                     "total")] == ["box", "sumbu_x", "sumbu_y",
                                                                                   "total_sumbu"]
    cols = siasn.columns()
    assert cols[0] == "nip" and len(cols) == len(set(cols))
    assert {"integritas", "perekatBangsa", "intelektual", "motivasiKomitmen", "potensi_P05", "box"} <= set(cols)


def test_export_rows_json_and_xlsx(fresh_db, admin, event):
    terpadu = next(s for s in talent_store.list_schemes(fresh_db) if s["key"] == "terpadu")
    talent_store.set_event_scheme(fresh_db, admin, event["id"], terpadu["id"])
    a, b = event["people"][:2]
    finalise(fresh_db, admin, a["registration_id"], 3)
    complete(fresh_db, admin, a, potensi=FOURS | {"P.05": 5})
    registry.update_candidate(fresh_db, admin, b["candidate_id"], registry.get_candidate(
        fresh_db, b["candidate_id"])["nip"], "=HYPERLINK(\"http://x\")")
    records = siasn.export_rows(fresh_db, admin, event["id"])
    by_nip = {r["nip"]: r for r in records}
    first = by_nip[registry.get_candidate(fresh_db, a["candidate_id"])["nip"]]
    assert first["integritas"] == 3 and first["perekatBangsa"] == 3
    assert first["intelektual"] == 4 and first["potensi_P05"] == 5 and first["total"] == pytest.approx(82.5)
    assert (first["box"], first["sumbu_x"], first["sumbu_y"], first["total_sumbu"]) == (9, 3, pytest.approx(92.63),
                                                                                       None)
    # 20·100 + 25·82.5 + 1000 + 1000 + 700 + 1000 + 1500 = 9262.5 → 92.63 (two decimals)
    second = next(r for r in records if r is not first)
    assert second["box"] is None and second["data_belum_lengkap"].startswith("hasil penilaian kompetensi")

    body = json.loads(siasn.to_json(records, registry.get_event(fresh_db, event["id"])))
    assert body["kegiatan"]["id"] == event["id"] and len(body["baris"]) == 4
    assert body["baris"][0].keys() == set(siasn.columns())

    sheet = load_workbook(io.BytesIO(siasn.to_xlsx(records))).active
    values = list(sheet.values)
    assert list(values[0]) == siasn.columns()
    nips = [row[0] for row in values[1:]]
    assert all(isinstance(n, str) and len(n) == 18 for n in nips)
    names = [row[1] for row in values[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names  # never a live formula


def test_export_is_admin_only(fresh_db, pimpinan, event):
    with pytest.raises(PermissionDenied):
        siasn.export_rows(fresh_db, pimpinan, event["id"])


def test_event_export_returns_both_files(fresh_db, admin, event):
    as_json, as_xlsx = siasn.event_export(fresh_db, admin, event["id"])
    assert json.loads(as_json)["baris"] and as_xlsx[:2] == b"PK"
    assert talent.POTENSI_CODES[0] == "P.01"
