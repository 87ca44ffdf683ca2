"""Storage of potensi, rekam jejak, SKP per year and talent schemes; the event's talent map and successors."""

from __future__ import annotations

import json

import pytest
from assessment_fixtures import make_nip
from sqlite_utils.migrations import Migrations
from talent_fixtures import FOURS, PASSWORD, RECORD, complete, finalise, make_event

from core import audit, auth, db, refdata, registry, setup, talent, talent_import, talent_store
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError


@pytest.fixture
def event(fresh_db, admin):
    return make_event(fresh_db, admin)


def audit_entries(database, entity):
    return [e for e in audit.entries(database, entity)]


# Migration --------------------------------------------------------------------------------------------------

def test_migration_moves_the_single_predikat_into_the_year_before_the_event(db_path):
    database = db.connect(db_path)
    first = Migrations("dasbor")
    first(name="0001_initial")(db.initial_schema)  # the database as it was before the talent migration
    first(name="0002_refdata_versions")(db.refdata_versions)
    first.apply(database)
    refdata.load(database)
    admin = auth.create_first_admin(database, "admin", "Admin", PASSWORD)
    old = registry.create_event(database, admin, "Lama", "pemetaan", "2024-05-01", "2024-05-03")
    new = registry.create_event(database, admin, "Baru", "pemetaan", "2025-02-01", "2025-02-03")
    same_year = registry.create_event(database, admin, "Baru juga", "pemetaan", "2025-08-01", "2025-08-03")
    pos = {e: registry.create_position(database, admin, e, "Kabid", "", "administrator") for e in (old, new,
                                                                                                 same_year)}
    a = registry.create_candidate(database, admin, make_nip(0), "A")
    b = registry.create_candidate(database, admin, make_nip(1), "B")
    for event_id, cid, predikat in ((old, a, "baik"), (new, a, "sangat_baik"), (new, b, "baik"),
                                    (same_year, b, "butuh_perbaikan")):
        reg = registry.register(database, admin, event_id, cid, pos[event_id])
        database.execute("UPDATE registrations SET skp_predikat = ? WHERE id = ?", (predikat, reg))
    db.migrate(database)
    got = {(r["candidate_id"], r["year"]): r["predikat"] for r in db.rows(database, "SELECT * FROM skp_annual")}
    assert got == {(a, 2023): "baik", (a, 2024): "sangat_baik", (b, 2024): "butuh_perbaikan"}
    assert db.one(database, "SELECT count(*) AS n FROM registrations WHERE skp_predikat IS NOT NULL")["n"] == 4
    assert db.schema_version(database) == db.SCHEMA_VERSION
    assert {s["key"] for s in talent_store.list_schemes(database)} == {"jpm_saja", "terpadu"}


def test_migration_renames_kurang_to_kurang_misconduct_and_keeps_every_stored_predikat(db_path):
    """SPEC §3.3: the code is ``kurang_misconduct``; a database made before stored ``kurang``."""
    database = setup.open_database(db_path)
    admin = auth.create_first_admin(database, "admin", "Admin", PASSWORD)
    person = registry.create_candidate(database, admin, make_nip(0), "A")
    event = registry.create_event(database, admin, "Lama", "pemetaan", "2024-05-01", "2024-05-03")
    post = registry.create_position(database, admin, event, "Kabid", "", "administrator")
    reg = registry.register(database, admin, event, person, post)
    # the database as an older version left it: the code "kurang" in use, migration 0008 not yet applied
    database.execute("INSERT INTO skp_predikat (code, name, performance, sort) VALUES ('kurang', 'Kurang', "
                     "'di_bawah', 3)")
    database.execute("INSERT INTO skp_annual (candidate_id, year, predikat, source, updated_at) VALUES "
                     "(?, 2023, 'kurang', 'x', '2024-01-01'), (?, 2022, 'baik', 'x', '2024-01-01')", (person, person))
    database.execute("UPDATE registrations SET skp_predikat = 'kurang' WHERE id = ?", (reg,))
    database.execute("DELETE FROM skp_predikat WHERE code = 'kurang_misconduct'")
    database.execute("DELETE FROM _sqlite_migrations WHERE name = '0008_skp_kurang_misconduct'")
    database.conn.commit()
    db.migrate(database)
    assert talent_store.skp_of(database, person) == {2023: "kurang_misconduct", 2022: "baik"}
    assert db.one(database, "SELECT skp_predikat FROM registrations WHERE id = ?", (reg,))["skp_predikat"] == \
        "kurang_misconduct"
    assert [r["code"] for r in db.rows(database, "SELECT code FROM skp_predikat WHERE code LIKE 'kurang%'")] == [
        "kurang_misconduct"]
    [entry] = audit.entries(database, "skp_predikat")
    assert entry["username"] == "sistem" and json.loads(entry["new_value"])["rows"] == {"skp_annual": 1,
                                                                                       "registrations": 1}
    assert talent_store.event_talent_map(database, event)["rows"]  # the talent map still reads it


def test_a_file_saying_kurang_or_misconduct_stores_the_spec_code(fresh_db):
    assert {talent_import.code_of("skp", "predikat", v) for v in ("Kurang", "Kurang/Misconduct", "Misconduct")} == {
        "kurang_misconduct"}


def test_shipped_schemes_are_stored_copies(fresh_db):
    stored = {s["key"]: s["definition"] for s in talent_store.list_schemes(fresh_db)}
    assert stored == {s["key"]: s for s in talent.shipped_schemes()}


# Potensi ----------------------------------------------------------------------------------------------------

def test_admin_enters_potensi_with_uraian_and_it_is_audited(fresh_db, admin, event):
    cid = event["people"][0]["candidate_id"]
    talent_store.set_potensi(fresh_db, admin, cid, FOURS | {"P.05": "3"}, {"P.05": "Perlu latihan analisis."},
                             assessed_on="2026-03-03", event_id=event["id"])
    stored = talent_store.potensi_of(fresh_db, cid)
    assert stored["P.05"]["level"] == 3 and stored["P.05"]["uraian"] == "Perlu latihan analisis."
    assert stored["P.01"] == {"level": 4, "uraian": "", "source": "entri", "assessed_on": "2026-03-03",
                              "event_id": event["id"]}
    talent_store.set_potensi(fresh_db, admin, cid, FOURS)
    entries = audit_entries(fresh_db, "potensi")
    assert len(entries) == 2
    assert json.loads(entries[0]["old_value"])["P.05"]["level"] == 3
    assert json.loads(entries[0]["new_value"])["P.05"]["level"] == 4
    talent_store.set_potensi(fresh_db, admin, cid, FOURS)  # the same again: nothing to audit
    assert len(audit_entries(fresh_db, "potensi")) == 2


@pytest.mark.parametrize(("levels", "uraian", "key"), [
    (FOURS | {"P.01": 6}, {}, "talent.potensi.bad_level"),
    (FOURS | {"P.01": 0}, {}, "talent.potensi.bad_level"),
    (FOURS | {"P.01": 3.5}, {}, "talent.potensi.bad_level"),
    (FOURS | {"P.01": "empat"}, {}, "talent.potensi.bad_level"),
    (FOURS | {"P.01": True}, {}, "talent.potensi.bad_level"),
    (FOURS | {"P.09": 4}, {}, "talent.potensi.bad_aspect"),
    (FOURS | {"P.02": None}, {"P.02": "ada uraian"}, "talent.potensi.uraian_without_level"),
    (FOURS, {"P.02": "x" * 1001}, "talent.potensi.uraian_too_long"),
])
def test_bad_potensi_changes_nothing(fresh_db, admin, event, levels, uraian, key):
    cid = event["people"][0]["candidate_id"]
    talent_store.set_potensi(fresh_db, admin, cid, dict.fromkeys(talent.POTENSI_CODES, 2))
    with pytest.raises(ValidationError) as error:
        talent_store.set_potensi(fresh_db, admin, cid, levels, uraian)
    assert error.value.key == key and str(error.value) != key  # an Indonesian message, not the key
    assert {v["level"] for v in talent_store.potensi_of(fresh_db, cid).values()} == {2}


def test_potensi_is_admin_only(fresh_db, asesor, pimpinan, event):
    for actor in (asesor, pimpinan, None):
        with pytest.raises(PermissionDenied):
            talent_store.set_potensi(fresh_db, actor, event["people"][0]["candidate_id"], FOURS)
    assert talent_store.potensi_of(fresh_db, event["people"][0]["candidate_id"]) == {}


def test_potensi_of_an_unknown_person(fresh_db, admin):
    with pytest.raises(NotFound):
        talent_store.set_potensi(fresh_db, admin, 999, FOURS)


# Rekam jejak and SKP ----------------------------------------------------------------------------------------

def test_rekam_jejak_is_stored_replaced_and_audited(fresh_db, admin, event):
    cid = event["people"][0]["candidate_id"]
    talent_store.set_rekam_jejak(fresh_db, admin, cid, RECORD | {"pendidikan": "s2"})
    assert talent_store.rekam_jejak_of(fresh_db, cid)["pendidikan"] == "S2"
    talent_store.set_rekam_jejak(fresh_db, admin, cid, RECORD | {"hukuman_disiplin": "ringan",
                                                                 "hukuman_disiplin_date": "2025-01-10"})
    entry = audit_entries(fresh_db, "rekam_jejak")[0]
    assert json.loads(entry["old_value"])["pendidikan"] == "S2"
    assert json.loads(entry["new_value"])["hukuman_disiplin"] == "ringan"


@pytest.mark.parametrize(("change", "key"), [
    ({"pendidikan": "SLTA"}, "talent.rekam.bad_pendidikan"),
    ({"hukuman_disiplin": "berat"}, "talent.rekam.hukdis_needs_date"),
    ({"hukuman_disiplin": "skors"}, "talent.rekam.bad_hukuman_disiplin"),
    ({"kesesuaian_bidang": "cocok"}, "talent.rekam.bad_kesesuaian_bidang"),
    ({"pelatihan_jp": -1}, "talent.rekam.bad_jp"),
    ({"pelatihan_jp": "12,5"}, "talent.rekam.bad_jp"),
    ({"months_in_jenjang": 601}, "talent.rekam.bad_months"),
    ({"posts_count": "dua"}, "talent.rekam.bad_posts"),
    ({"as_of": "2026-02-30"}, "talent.bad_date"),
    ({"gaji": 1}, "talent.rekam.unknown_field"),
])
def test_bad_rekam_jejak_changes_nothing(fresh_db, admin, event, change, key):
    cid = event["people"][0]["candidate_id"]
    with pytest.raises(ValidationError) as error:
        talent_store.set_rekam_jejak(fresh_db, admin, cid, RECORD | change)
    assert error.value.key == key
    assert talent_store.rekam_jejak_of(fresh_db, cid) is None


def test_skp_per_year(fresh_db, admin, asesor, event):
    cid = event["people"][0]["candidate_id"]
    talent_store.set_skp(fresh_db, admin, cid, 2025, "sangat_baik")
    talent_store.set_skp(fresh_db, admin, cid, "2024", "baik")
    assert talent_store.skp_of(fresh_db, cid) == {2025: "sangat_baik", 2024: "baik"}
    talent_store.set_skp(fresh_db, admin, cid, 2024, None)
    assert talent_store.skp_of(fresh_db, cid) == {2025: "sangat_baik"}
    entries = audit_entries(fresh_db, "skp_annual")
    assert [(e["entity_id"], e["old_value"], e["new_value"]) for e in entries][0] == (f"{cid}:2024", '"baik"', None)
    with pytest.raises(ValidationError):
        talent_store.set_skp(fresh_db, admin, cid, 2025, "luar_biasa")
    with pytest.raises(ValidationError):
        talent_store.set_skp(fresh_db, admin, cid, 1999, "baik")
    with pytest.raises(PermissionDenied):
        talent_store.set_skp(fresh_db, asesor, cid, 2025, "baik")
    assert talent_store.skp_of(fresh_db, cid) == {2025: "sangat_baik"}


# Schemes ----------------------------------------------------------------------------------------------------

def test_scheme_edit_checks_the_weight_sum_and_is_audited(fresh_db, admin, asesor):
    terpadu = next(s for s in talent_store.list_schemes(fresh_db) if s["key"] == "terpadu")
    changed = terpadu["definition"] | {"weights": terpadu["definition"]["weights"] | {"potensi": 30}}
    with pytest.raises(ValidationError) as error:
        talent_store.save_scheme(fresh_db, admin, terpadu["id"], changed)
    assert "105" in str(error.value)
    changed["weights"] |= {"integritas": 10}
    talent_store.save_scheme(fresh_db, admin, terpadu["id"], changed, version=1)
    stored = talent_store.get_scheme(fresh_db, terpadu["id"])
    assert stored["definition"]["weights"]["potensi"] == 30 and stored["version"] == 2 and stored["key"] == "terpadu"
    entry = audit_entries(fresh_db, "talent_scheme")[0]
    assert json.loads(entry["old_value"])["weights"]["potensi"] == 25
    with pytest.raises(Conflict):
        talent_store.save_scheme(fresh_db, admin, terpadu["id"], changed, version=1)
    with pytest.raises(PermissionDenied):
        talent_store.save_scheme(fresh_db, asesor, terpadu["id"], changed)


def test_a_new_scheme_needs_its_own_name(fresh_db, admin):
    copy = talent.shipped_scheme("terpadu")
    with pytest.raises(ValidationError) as error:
        talent_store.save_scheme(fresh_db, admin, None, copy)
    assert error.value.key == "talent.scheme.name_taken"
    new_id = talent_store.save_scheme(fresh_db, admin, None, copy | {"name": "Pedoman Kota 2026"})
    assert talent_store.get_scheme(fresh_db, new_id)["key"] is None


# The event's talent map -------------------------------------------------------------------------------------

def test_event_talent_map_default_scheme_is_jpm_only(fresh_db, admin, event):
    p = event["people"][0]
    finalise(fresh_db, admin, p["registration_id"], 3)  # JPM 100
    talent_store.set_skp(fresh_db, admin, p["candidate_id"], 2025, "baik")
    built = talent_store.event_talent_map(fresh_db, event["id"])
    assert built["scheme"]["key"] == "jpm_saja" and built["year"] == 2026
    row = next(r for r in built["rows"] if r["candidate_id"] == p["candidate_id"])
    assert (row["box"], row["potential"], row["performance"]) == (8, "tinggi", "sesuai")
    others = [r for r in built["rows"] if r["candidate_id"] != p["candidate_id"]]
    assert all(r["missing"] == ["penilaian_kompetensi", "skp:2025"] for r in others)


def test_event_talent_map_on_the_integrated_scheme_and_the_gate(fresh_db, admin, event):
    terpadu = next(s for s in talent_store.list_schemes(fresh_db) if s["key"] == "terpadu")
    talent_store.set_event_scheme(fresh_db, admin, event["id"], terpadu["id"])
    a, b, c, d = event["people"]
    for person, level in ((a, 3), (b, 2), (c, 3), (d, 3)):
        finalise(fresh_db, admin, person["registration_id"], level)
    complete(fresh_db, admin, a)
    complete(fresh_db, admin, b, skp=(("2025", "baik"),))
    talent_store.set_rekam_jejak(fresh_db, admin, c["candidate_id"], RECORD)  # no potensi, no SKP
    complete(fresh_db, admin, d)
    rows = {r["candidate_id"]: r for r in talent_store.event_talent_map(fresh_db, event["id"])["rows"]}
    # a: 20·100 + 25·80 + 10·100 + 10·100 + 10·70 + 10·100 + 15·100 = 9200 → 92 tinggi, SB → 9
    assert rows[a["candidate_id"]]["potential_index"] == pytest.approx(92.0)
    assert rows[a["candidate_id"]]["box"] == 9
    # b: JPM 66.67 → 20·66.667 = 1333.3 + 7200 = 8533.3 → 85.33 tinggi, Baik → 8
    assert rows[b["candidate_id"]]["box"] == 8
    assert talent.missing_text(rows[c["candidate_id"]]["missing"]) == "data belum lengkap: potensi, SKP 2025"
    assert rows[c["candidate_id"]]["box"] is None
    posts = {p["job_class"]: p for p in talent_store.event_successors(fresh_db, event["id"])}
    assert [s["candidate_id"] for s in posts["administrator"]["successors"]] == [a["candidate_id"],
                                                                                b["candidate_id"]]
    assert posts["pengawas"]["successors"] == []
    entry = audit_entries(fresh_db, "event_talent_scheme")[0]
    assert (entry["old_value"], entry["new_value"]) == (None, str(terpadu["id"]))


def test_an_expired_or_draft_result_is_no_valid_competency_result(fresh_db, admin, event):
    a = event["people"][0]
    finalise(fresh_db, admin, a["registration_id"], 3, assessed="2023-03-06")  # exactly 3 years: expired
    talent_store.set_skp(fresh_db, admin, a["candidate_id"], 2025, "baik")
    row = next(r for r in talent_store.event_talent_map(fresh_db, event["id"])["rows"]
               if r["candidate_id"] == a["candidate_id"])
    assert row["jpm"] is None and row["missing"] == ["penilaian_kompetensi"]


def test_the_talent_map_takes_an_earlier_valid_result_of_the_same_person(fresh_db, admin, event):
    a = event["people"][0]
    earlier = registry.create_event(fresh_db, admin, "Seleksi 2025", "pengisian", "2025-06-02", "2025-06-03")
    pos = registry.create_position(fresh_db, admin, earlier, "Kabid", "", "administrator")
    reg = registry.register(fresh_db, admin, earlier, a["candidate_id"], pos)
    finalise(fresh_db, admin, reg, 2)
    row = next(r for r in talent_store.event_talent_map(fresh_db, event["id"])["rows"]
               if r["candidate_id"] == a["candidate_id"])
    assert row["jpm"] == pytest.approx(200 / 3) and row["result_registration_id"] == reg
    finalise(fresh_db, admin, a["registration_id"], 3)  # the newer result wins
    row = next(r for r in talent_store.event_talent_map(fresh_db, event["id"])["rows"]
               if r["candidate_id"] == a["candidate_id"])
    assert row["jpm"] == pytest.approx(100.0)


# Bulk entry from a file's rows --------------------------------------------------------------------------------

def test_import_people_writes_all_rows_in_one_go(fresh_db, admin, event):
    a, b = (registry.get_candidate(fresh_db, p["candidate_id"]) for p in event["people"][:2])
    problems = talent_store.import_people(fresh_db, admin, [
        {"row": 2, "nip": a["nip"], "potensi": FOURS, "uraian": {"P.01": "Nalar cepat."}, "assessed_on": "2026-03-03",
         "skp": {2025: "baik", "2024": "sangat_baik"}},
        {"row": 3, "nip": b["nip"], "rekam_jejak": RECORD},
    ], "hasil_psikolog.xlsx")
    assert problems == []
    assert talent_store.potensi_of(fresh_db, a["id"])["P.01"]["uraian"] == "Nalar cepat."
    assert talent_store.potensi_of(fresh_db, a["id"])["P.01"]["source"] == "hasil_psikolog.xlsx"
    assert talent_store.skp_of(fresh_db, a["id"]) == {2025: "baik", 2024: "sangat_baik"}
    assert talent_store.rekam_jejak_of(fresh_db, b["id"])["pendidikan"] == "S1"


def test_import_people_with_one_bad_row_writes_nothing(fresh_db, admin, asesor, event):
    a = registry.get_candidate(fresh_db, event["people"][0]["candidate_id"])
    before = len(audit.entries(fresh_db))
    problems = talent_store.import_people(fresh_db, admin, [
        {"row": 2, "nip": a["nip"], "potensi": FOURS},
        {"row": 3, "nip": "199001012015011001", "potensi": FOURS},
        {"row": 4, "nip": a["nip"], "potensi": FOURS | {"P.03": 9}},
        {"row": 5, "nip": a["nip"], "skp": {2025: "istimewa"}},
    ], "berkas.xlsx")
    assert [row for row, _ in problems] == [3, 4, 5]
    assert "199001012015011001" in problems[0][1] and "1 sampai 5" in problems[1][1]
    assert talent_store.potensi_of(fresh_db, a["id"]) == {} and len(audit.entries(fresh_db)) == before
    with pytest.raises(PermissionDenied):
        talent_store.import_people(fresh_db, asesor, [{"nip": a["nip"], "potensi": FOURS}], "x.xlsx")


# The JPM-only scheme keeps the v1 boxes -------------------------------------------------------------------------

def test_jpm_only_scheme_gives_the_v1_boxes_on_the_demo(demo_db):
    """Switched to the JPM-only scheme, the demo's pemetaan places everyone with a JPM and the SKP of the year before
    the event in the box the v1 rule (scoring.ninebox on JPM and one predikat) gives: the switch-over is safe."""
    from core import scoring

    admin = db.one(demo_db, "SELECT * FROM users WHERE role = 'admin'")
    [event] = [e for e in registry.list_events(demo_db) if e["purpose"] == "pemetaan"]
    jpm_only = next(s for s in talent_store.list_schemes(demo_db) if s["key"] == "jpm_saja")
    talent_store.set_event_scheme(demo_db, admin, event["id"], jpm_only["id"])
    year = int(event["end_date"][:4]) - 1
    compared = 0
    for row in talent_store.event_talent_map(demo_db, event["id"])["rows"]:
        predikat = talent_store.skp_of(demo_db, row["candidate_id"]).get(year)
        v1 = scoring.ninebox(row["jpm"], predikat) if row["jpm"] is not None and predikat else None
        assert row["box"] == v1, row["name"]
        compared += v1 is not None
    assert compared > 20
