"""Reference data of SPEC §3, loaded from ``data/*.json`` on first start and upgraded when ``data/`` changes."""

import json
import sqlite3

import pytest

from core import db, refdata, registry, settings, setup

COMPETENCIES = [("M.01", "manajerial"), ("M.02", "manajerial"), ("M.03", "manajerial"), ("M.04", "manajerial"),
                ("M.05", "manajerial"), ("M.06", "manajerial"), ("M.07", "manajerial"), ("M.08", "manajerial"),
                ("SK.01", "sosial_kultural")]
TABLES = ["competencies", "competency_levels", "job_classes", "golongan", "skp_predikat", "categories", "ninebox",
          "settings"]


def counts(database) -> dict[str, int]:
    return {t: database[t].count for t in TABLES}


# Competencies (SPEC §3.1) ------------------------------------------------------------------------

def test_nine_competencies_in_dictionary_order(fresh_db):
    assert [(c["code"], c["kind"]) for c in refdata.competencies(fresh_db)] == COMPETENCIES


def test_competencies_have_a_name_and_definition(fresh_db):
    assert all(c["name"].strip() and c["definition"].strip() for c in refdata.competencies(fresh_db))


@pytest.mark.parametrize("code", [c for c, _ in COMPETENCIES])
def test_five_levels_per_competency(fresh_db, code):
    assert [lvl["level"] for lvl in refdata.competency_levels(fresh_db, code)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("code", [c for c, _ in COMPETENCIES])
def test_each_level_has_a_headline_and_at_least_two_indicators(fresh_db, code):
    levels = refdata.competency_levels(fresh_db, code)
    assert [(bool(lvl["headline"].strip()), isinstance(lvl["indicators"], list) and len(lvl["indicators"]) >= 2)
            for lvl in levels] == [(True, True)] * 5


def test_indicators_are_stored_as_json_text(fresh_db):
    raw = fresh_db.execute("SELECT indicators FROM competency_levels LIMIT 1").fetchone()[0]
    assert isinstance(json.loads(raw), list)


def test_level_names():
    assert refdata.level_names() == {1: "Paham/dalam pengembangan", 2: "Dasar", 3: "Menengah", 4: "Mumpuni",
                                     5: "Ahli"}


# Golongan (SPEC §3.3) ---------------------------------------------------------------------------

def test_seventeen_golongan_in_rank_order(fresh_db):
    codes = [g["code"] for g in refdata.golongan(fresh_db)]
    expected = [f"{room}/{grade}" for room, grades in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"),
                                                       ("IV", "abcde")) for grade in grades]
    assert codes == expected


@pytest.mark.parametrize("code, pangkat", [
    ("I/a", "Juru Muda"),
    ("II/a", "Pengatur Muda"),
    ("III/a", "Penata Muda"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/e", "Pembina Utama"),
])
def test_golongan_pangkat(fresh_db, code, pangkat):
    assert {g["code"]: g["pangkat"] for g in refdata.golongan(fresh_db)}[code] == pangkat


# Job classes (SPEC §3.2) ------------------------------------------------------------------------

@pytest.mark.parametrize("code, name, level", [
    ("jpt_madya", "JPT Madya", 5),
    ("jpt_pratama", "JPT Pratama", 4),
    ("administrator", "Administrator", 3),
    ("pengawas", "Pengawas", 2),
    ("pelaksana", "Pelaksana", 1),
])
def test_job_class(fresh_db, code, name, level):
    found = {j["code"]: (j["name"], j["manajerial_level"], j["sosial_kultural_level"])
             for j in refdata.job_classes(fresh_db)}
    assert found[code] == (name, level, level)


def test_five_job_classes_from_high_to_low(fresh_db):
    assert [j["manajerial_level"] for j in refdata.job_classes(fresh_db)] == [5, 4, 3, 2, 1]


@pytest.mark.parametrize("job_class, level", [("jpt_pratama", 4), ("pengawas", 2)])
def test_default_standard(fresh_db, job_class, level):
    assert refdata.default_standard(fresh_db, job_class) == {c: level for c, _ in COMPETENCIES}


# Categories (SPEC §4.4) -------------------------------------------------------------------------

@pytest.mark.parametrize("purpose, thresholds", [
    ("pengisian", [("MS", 80), ("MMS", 68), ("KMS", 0)]),
    ("pemetaan", [("O", 90), ("CO", 78), ("KO", 0)]),
])
def test_categories(fresh_db, purpose, thresholds):
    assert [(c["code"], c["min_jpm"]) for c in refdata.categories(fresh_db, purpose)] == thresholds


def test_six_categories(fresh_db):
    assert len(refdata.categories(fresh_db)) == 6


@pytest.mark.parametrize("purpose", ["pengisian", "pemetaan"])
def test_only_the_lowest_category_is_not_recommended(fresh_db, purpose):
    assert [c["recommended"] for c in refdata.categories(fresh_db, purpose)] == [1, 1, 0]


# 9-box (SPEC §4.6) ------------------------------------------------------------------------------

@pytest.mark.parametrize("potential, performance, box", [
    ("tinggi", "di_bawah", 6), ("tinggi", "sesuai", 8), ("tinggi", "di_atas", 9),
    ("menengah", "di_bawah", 3), ("menengah", "sesuai", 5), ("menengah", "di_atas", 7),
    ("rendah", "di_bawah", 1), ("rendah", "sesuai", 2), ("rendah", "di_atas", 4),
])
def test_ninebox_numbering(fresh_db, potential, performance, box):
    boxes = {(b["potential"], b["performance"]): b["box"] for b in refdata.ninebox(fresh_db)}
    assert boxes[(potential, performance)] == box


def test_succession_boxes_are_7_8_9(fresh_db):
    assert sorted(b["box"] for b in refdata.ninebox(fresh_db) if b["succession"]) == [7, 8, 9]


def test_every_box_has_a_label_and_an_action(fresh_db):
    boxes = refdata.ninebox(fresh_db)
    assert len(boxes) == 9 and all(b["label"].strip() and b["action"].strip() for b in boxes)


@pytest.mark.parametrize("box, word", [(9, "suksesi"), (1, "ketentuan peraturan perundang-undangan")])
def test_box_action(fresh_db, box, word):
    assert word in {b["box"]: b["action"] for b in refdata.ninebox(fresh_db)}[box].lower()


# SKP predikat (SPEC §3.3, §4.6) -----------------------------------------------------------------

@pytest.mark.parametrize("name, performance", [
    ("Sangat Baik", "di_atas"),
    ("Baik", "sesuai"),
    ("Butuh Perbaikan", "di_bawah"),
    ("Kurang/Misconduct", "di_bawah"),
    ("Sangat Kurang", "di_bawah"),
])
def test_skp_predikat_performance(fresh_db, name, performance):
    assert {p["name"]: p["performance"] for p in refdata.skp_predikat(fresh_db)}[name] == performance


def test_five_skp_predikat_best_first(fresh_db):
    assert [p["name"] for p in refdata.skp_predikat(fresh_db)] == \
        ["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]


# Settings ---------------------------------------------------------------------------------------

def test_every_shipped_setting_is_stored(fresh_db):
    stored = {r[0] for r in fresh_db.execute("SELECT key FROM settings").fetchall()}
    assert set(refdata.read("settings")) <= stored


@pytest.mark.parametrize("key", ["login_max_failures", "session_max_hours", "potential_bands"])
def test_setting_default_round_trips(fresh_db, key):
    assert settings.get(fresh_db, key) == refdata.read("settings")[key]


# Loading again ----------------------------------------------------------------------------------

def test_load_again_does_not_duplicate(fresh_db):
    before = counts(fresh_db)
    refdata.load(fresh_db)
    assert counts(fresh_db) == before


@pytest.mark.parametrize("table, key_column, key, column, edited", [
    ("ninebox", "box", 9, "label", "Bintang"),
    ("categories", "code", "MS", "min_jpm", 85),
    ("job_classes", "code", "jpt_pratama", "manajerial_level", 3),
    ("golongan", "code", "IV/a", "pangkat", "Pembina (ubah)"),
    ("skp_predikat", "code", "baik", "performance", "di_atas"),
    ("competency_levels", "competency", "M.01", "headline", "Ubah"),
    ("settings", "key", "login_max_failures", "value", "7"),
])
def test_load_again_keeps_an_edited_row(fresh_db, table, key_column, key, column, edited):
    fresh_db.execute(f"UPDATE {table} SET {column} = ? WHERE {key_column} = ?", (edited, key))
    refdata.load(fresh_db)
    values = [r[0] for r in fresh_db.execute(f"SELECT {column} FROM {table} WHERE {key_column} = ?", (key,))]
    assert values and set(values) == {edited}


def test_load_restores_a_missing_setting(fresh_db):
    fresh_db.execute("DELETE FROM settings WHERE key = 'login_lock_minutes'")
    refdata.load(fresh_db)
    stored = fresh_db.execute("SELECT value FROM settings WHERE key = 'login_lock_minutes'").fetchone()
    assert stored is not None and json.loads(stored[0]) == refdata.read("settings")["login_lock_minutes"]


def test_load_fills_a_new_database(db_path):
    database = db.connect(db_path)
    db.migrate(database)
    refdata.load(database)
    assert all(counts(database).values())


# Upgrading an existing database (issue 9 item 4) --------------------------------------------------

NEW_COMPETENCY = {
    "code": "M.09", "name": "Literasi Digital", "kind": "manajerial",
    "definition": "Kemampuan memanfaatkan teknologi digital untuk bekerja.",
    "levels": [{"level": n, "headline": f"Tingkat {n}", "indicators": [f"Indikator {n}.a", f"Indikator {n}.b"]}
               for n in range(1, 6)],
}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private copy of ``data/`` that the tests may change; ``refdata`` reads it."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in refdata.DATA_DIR.glob("*.json"):
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(refdata, "DATA_DIR", folder)
    refdata.read.cache_clear()
    yield folder
    refdata.read.cache_clear()


@pytest.fixture
def office(db_path, data_dir):
    """An office database created from the shipped data, before the data changes."""
    database = setup.open_database(db_path)
    yield database
    database.close()


def edit(data_dir, name: str, change) -> None:
    """Change ``data/<name>.json`` in place, as a new release of the app would ship it."""
    path = data_dir / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def refdata_audit(database) -> dict[tuple[str, str], dict]:
    """(action, entity_id) → the entry, for the audit entries written by reference data upgrades."""
    return {(e["action"], e["entity_id"]): e for e in db.rows(
        database, "SELECT * FROM audit_log WHERE entity = 'refdata' ORDER BY id")}


def levels_of(database, code: str) -> dict[int, dict]:
    return {lvl["level"]: lvl for lvl in refdata.competency_levels(database, code)}


def correct_first_indicator(data) -> None:
    data["competencies"][0]["levels"][0]["indicators"][0] = "Indikator yang dikoreksi"


def test_a_changed_and_an_added_competency_reach_an_existing_database(office, data_dir):
    old_indicator = levels_of(office, "M.01")[1]["indicators"][0]
    edit(data_dir, "competencies", lambda d: (correct_first_indicator(d), d["competencies"].append(NEW_COMPETENCY)))
    refdata.load(office)  # the next start
    assert levels_of(office, "M.01")[1]["indicators"][0] == "Indikator yang dikoreksi"
    assert [c["code"] for c in refdata.competencies(office)][-2:] == ["SK.01", "M.09"]
    assert [lvl["headline"] for lvl in levels_of(office, "M.09").values()] == [f"Tingkat {n}" for n in range(1, 6)]
    entries = refdata_audit(office)
    changed = entries[("update", "competency_levels:M.01/1")]
    assert json.loads(changed["old_value"])["indicators"][0] == old_indicator
    assert json.loads(changed["new_value"])["indicators"][0] == "Indikator yang dikoreksi"
    assert (changed["username"], changed["user_id"]) == ("sistem", None)
    assert json.loads(entries[("insert", "competencies:M.09")]["new_value"])["name"] == "Literasi Digital"
    assert {k for k in entries if k[1].startswith("competency_levels:M.09/")} == \
        {("insert", f"competency_levels:M.09/{n}") for n in range(1, 6)}
    assert ("upgrade", "competencies.json") in entries


def test_only_the_changed_rows_are_written(office, data_dir):
    edit(data_dir, "competencies", correct_first_indicator)
    refdata.load(office)
    assert set(refdata_audit(office)) == {("update", "competency_levels:M.01/1"), ("upgrade", "competencies.json")}


def test_the_upgrade_goes_through_db_prepare_on_the_next_start(office, data_dir, db_path, monkeypatch):
    edit(data_dir, "competencies", lambda d: d["competencies"].append(NEW_COMPETENCY))
    monkeypatch.setattr(setup, "_opened", set())  # a new process
    restarted = setup.open_database(db_path)
    assert "M.09" in {c["code"] for c in refdata.competencies(restarted)}


def test_a_new_database_is_filled_without_audit_entries(office):
    assert refdata_audit(office) == {}
    assert {r["file"] for r in db.rows(office, "SELECT file FROM refdata_versions")} == set(refdata.SOURCES)


def test_a_second_start_with_unchanged_data_writes_nothing(office):
    before = office.conn.total_changes
    refdata.load(office)
    assert (office.conn.total_changes, refdata_audit(office)) == (before, {})


def test_a_second_start_after_an_upgrade_writes_nothing(office, data_dir):
    edit(data_dir, "competencies", correct_first_indicator)
    refdata.load(office)
    before = (office.conn.total_changes, len(refdata_audit(office)))
    refdata.load(office)
    assert (office.conn.total_changes, len(refdata_audit(office))) == before


def test_unchanged_data_takes_no_write_lock(office, db_path):
    """Many processes start at once; with nothing to do they must not queue for the writer's lock."""
    other = db.connect(db_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        office.execute("PRAGMA busy_timeout = 50")
        refdata.load(office)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_an_upgrade_is_one_transaction(office, data_dir):
    """A bad row in the last file leaves the earlier files' changes unwritten too."""
    edit(data_dir, "competencies", correct_first_indicator)
    edit(data_dir, "settings", lambda d: d.update(login_lock_minutes=20))
    edit(data_dir, "ninebox", lambda d: d[0].update(potential="luar_biasa"))  # breaks a CHECK
    versions = db.rows(office, "SELECT * FROM refdata_versions ORDER BY file")
    with pytest.raises(sqlite3.IntegrityError):
        refdata.load(office)
    assert levels_of(office, "M.01")[1]["indicators"][0] != "Indikator yang dikoreksi"
    assert (refdata_audit(office), db.rows(office, "SELECT * FROM refdata_versions ORDER BY file")) == ({}, versions)


# Upgrades never touch user data --------------------------------------------------------------------

def test_data_authoritative_tables_follow_the_data(office, data_dir):
    edit(data_dir, "ninebox", lambda d: d[0].update(label="Bintang"))
    edit(data_dir, "job_classes", lambda d: d[0].update(examples="Sekretaris Daerah"))
    refdata.load(office)
    assert ({b["box"]: b["label"] for b in refdata.ninebox(office)}[9],
            refdata.job_classes(office)[0]["examples"]) == ("Bintang", "Sekretaris Daerah")


def test_a_new_golongan_in_the_middle_moves_the_ranks(office, data_dir):
    """``rank`` is UNIQUE: rows shift past each other without a clash."""
    edit(data_dir, "golongan", lambda d: d.insert(12, {"code": "III/e", "pangkat": "Penata Utama Uji"}))
    refdata.load(office)
    ranks = {g["code"]: g["rank"] for g in refdata.golongan(office)}
    assert (ranks["III/d"], ranks["III/e"], ranks["IV/a"], ranks["IV/e"]) == (12, 13, 14, 18)


def test_the_admins_thresholds_survive_an_upgrade(office, data_dir, admin):
    refdata.set_thresholds(office, admin, "pengisian", {"MS": 85, "MMS": 70, "KMS": 0})

    changes = {"MS": {"min_jpm": 82, "name": "Memenuhi Syarat (baru)"}, "O": {"min_jpm": 91}}
    edit(data_dir, "categories", lambda d: [cat.update(changes.get(cat["code"], {})) for cat in d])
    refdata.load(office)
    assert [(c["code"], c["min_jpm"], c["name"]) for c in refdata.categories(office, "pengisian")][:2] == \
        [("MS", 85, "Memenuhi Syarat (baru)"), ("MMS", 70, "Masih Memenuhi Syarat")]
    # the admin never touched pemetaan: its shipped threshold follows the data
    assert [c["min_jpm"] for c in refdata.categories(office, "pemetaan")] == [91, 78, 0]


def test_one_edited_threshold_keeps_its_whole_purpose(office, data_dir, admin):
    """Taking the new MMS but the admin's MS could leave MMS above MS: a purpose changes as a whole or not."""
    refdata.set_thresholds(office, admin, "pengisian", {"MS": 80, "MMS": 60, "KMS": 0})
    edit(data_dir, "categories", lambda d: d[0].update(min_jpm=75))
    refdata.load(office)
    assert [c["min_jpm"] for c in refdata.categories(office, "pengisian")] == [80, 60, 0]


def test_the_admins_settings_survive_an_upgrade(office, data_dir, admin):
    settings.put(office, admin, "login_max_failures", 7)
    edit(data_dir, "settings", lambda d: d.update(login_max_failures=6, login_lock_minutes=20))
    refdata.load(office)
    assert (settings.get(office, "login_max_failures"), settings.get(office, "login_lock_minutes")) == (7, 20)


def test_a_new_setting_arrives(office, data_dir):
    edit(data_dir, "settings", lambda d: d.update(baru_saja=3))
    refdata.load(office)
    assert settings.get(office, "baru_saja") == 3
    assert ("insert", "settings:baru_saja") in refdata_audit(office)


def test_position_standards_stay_when_the_job_class_defaults_change(office, data_dir, admin):
    event = registry.create_event(office, admin, "Seleksi Uji", "pengisian", "2026-11-23", "2026-11-24")
    position = registry.create_position(office, admin, event, "Kepala Dinas Uji", "", "jpt_pratama")
    registry.set_standard(office, admin, position, {c: 3 for c, _ in COMPETENCIES})
    edit(data_dir, "job_classes", lambda d: d[1].update(manajerial_level=5))
    edit(data_dir, "competencies", lambda d: d["competencies"].append(NEW_COMPETENCY))
    refdata.load(office)
    assert registry.get_standard(office, position) == {c: 3 for c, _ in COMPETENCIES}
    assert refdata.default_standard(office, "jpt_pratama")["M.01"] == 5


def test_without_a_record_of_the_shipped_data_admin_values_are_kept(office, data_dir):
    """A database older than versioning: whether a stored threshold is an edit is unknown, so it stays."""
    office.execute("DELETE FROM refdata_versions")
    office.execute("UPDATE categories SET min_jpm = 83 WHERE code = 'MS'")
    office.execute("UPDATE ninebox SET label = 'Diubah langsung' WHERE box = 9")
    refdata.load(office)
    assert refdata.categories(office, "pengisian")[0]["min_jpm"] == 83
    assert {b["box"]: b["label"] for b in refdata.ninebox(office)}[9] == refdata.read("ninebox")[0]["label"]
    assert {r["file"] for r in db.rows(office, "SELECT file FROM refdata_versions")} == set(refdata.SOURCES)
    assert ("upgrade", "categories.json") in refdata_audit(office)


# Rows removed from the data -------------------------------------------------------------------------

def drop_integritas(data) -> None:
    data["competencies"] = [c for c in data["competencies"] if c["code"] != "M.01"]


def test_an_unused_removed_competency_is_deleted(office, data_dir):
    edit(data_dir, "competencies", drop_integritas)
    refdata.load(office)
    assert "M.01" not in {c["code"] for c in refdata.competencies(office)} and not levels_of(office, "M.01")
    entries = refdata_audit(office)
    assert json.loads(entries[("delete", "competencies:M.01")]["old_value"])["name"] == "Integritas"
    assert ("delete", "competency_levels:M.01/5") in entries


def test_a_removed_competency_that_a_position_uses_is_kept(office, data_dir, admin):
    event = registry.create_event(office, admin, "Seleksi Uji", "pengisian", "2026-11-23", "2026-11-24")
    registry.create_position(office, admin, event, "Kepala Dinas Uji", "", "jpt_pratama")
    edit(data_dir, "competencies", drop_integritas)
    refdata.load(office)
    assert "M.01" in {c["code"] for c in refdata.competencies(office)} and len(levels_of(office, "M.01")) == 5
    entries = refdata_audit(office)
    assert ("keep", "competencies:M.01") in entries and ("delete", "competencies:M.01") not in entries
    assert "masih dipakai" in entries[("keep", "competencies:M.01")]["reason"]


def test_a_removed_setting_is_kept_silently(office, data_dir):
    edit(data_dir, "settings", lambda d: d.pop("backup_keep_days"))
    refdata.load(office)
    assert office.execute("SELECT count(*) FROM settings WHERE key = 'backup_keep_days'").fetchone()[0] == 1
    assert set(refdata_audit(office)) == {("upgrade", "settings.json")}


# The merge rule, as a pure function -----------------------------------------------------------------

THRESHOLDS = refdata.TABLES["categories"]


def cats(**minimums) -> dict:
    return {("pengisian", code): {"purpose": "pengisian", "code": code, "name": code, "min_jpm": value}
            for code, value in minimums.items()}


@pytest.mark.parametrize("stored, previous, expected", [
    (cats(MS=80, KMS=0), cats(MS=80, KMS=0), 82),      # untouched: the new default arrives
    (cats(MS=80.5, KMS=0), cats(MS=80, KMS=0), 80.5),  # edited by half a point: kept
    (cats(MS=80, KMS=0), None, 80),                    # nothing known about the shipped value: kept
    (cats(MS=80, KMS=1), cats(MS=80, KMS=0), 80),      # another row of the purpose edited: kept
])
def test_table_steps_admin_values(stored, previous, expected):
    steps = refdata.table_steps(THRESHOLDS, stored, cats(MS=82, KMS=0), previous, upgrade=True)
    new_ms = [s.new["min_jpm"] for s in steps if s.action == "update" and s.key["code"] == "MS"]
    assert (new_ms or [stored[("pengisian", "MS")]["min_jpm"]]) == [expected]


def test_table_steps_without_upgrade_only_insert():
    steps = refdata.table_steps(THRESHOLDS, cats(MS=70, X=1), cats(MS=82, KMS=0), cats(MS=70), upgrade=False)
    assert [(s.action, s.key["code"]) for s in steps] == [("insert", "KMS")]


def test_a_previous_version_of_another_shape_counts_as_unknown(office, data_dir):
    """Data as last applied that today's code cannot read: admin values stay, the upgrade still runs."""
    office.execute("UPDATE refdata_versions SET content = '[{\"purpose\": \"pengisian\"}]' WHERE file = 'categories'")
    edit(data_dir, "categories", lambda d: d[0].update(min_jpm=82, name="Memenuhi Syarat (baru)"))
    refdata.load(office)
    assert [(c["min_jpm"], c["name"]) for c in refdata.categories(office, "pengisian")][0] == \
        (80, "Memenuhi Syarat (baru)")


@pytest.mark.parametrize("name", list(refdata.SOURCES))
def test_every_data_row_fits_its_table(fresh_db, name):
    """A new field in a data file needs a migration first, or the upgrade would fail on start."""
    for table, records in refdata.SOURCES[name](refdata.read(name)).items():
        columns = set(fresh_db[table].columns_dict)
        key = refdata.TABLES[table].key
        assert [sorted(set(r) - columns) for r in records if set(r) - columns] == []
        assert len({tuple(r[c] for c in key) for r in records}) == len(records)
