"""Reference data of SPEC §3, loaded from ``data/*.json`` into the database on first start."""

import json

import pytest

from core import db, refdata, settings

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
    ("Kurang", "di_bawah"),
    ("Sangat Kurang", "di_bawah"),
])
def test_skp_predikat_performance(fresh_db, name, performance):
    assert {p["name"]: p["performance"] for p in refdata.skp_predikat(fresh_db)}[name] == performance


def test_five_skp_predikat_best_first(fresh_db):
    assert [p["name"] for p in refdata.skp_predikat(fresh_db)] == \
        ["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang"]


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
