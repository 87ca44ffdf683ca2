"""The database module: schema migrations, pragmas, transactions, integrity, append-only audit log."""

import multiprocessing
import sqlite3
import stat

import pytest

from core import audit, db, setup

EXPECTED_TABLES = [
    # workflow (SPEC §2, §4)
    "events", "positions", "position_standards", "candidates", "registrations", "exercises",
    "exercise_competencies", "event_assessors", "conflicts", "assignments", "submissions", "ratings",
    "consensus", "results", "stages", "stage_scores", "reports", "audit_log",
    # access (SPEC §1, §8)
    "users", "login_attempts", "sessions", "settings",
    # reference data (SPEC §3)
    "competencies", "competency_levels", "job_classes", "golongan", "skp_predikat", "categories", "ninebox",
]
REFERENCE_TABLES = ["competencies", "competency_levels", "job_classes", "golongan", "skp_predikat",
                    "categories", "ninebox", "settings"]
NIP = "197501012000031001"


class Boom(Exception):
    """Raised inside a transaction to make it fail."""


def schema_snapshot(database) -> list[tuple]:
    """Every schema object with its SQL, so any change shows up."""
    return [tuple(r) for r in database.execute(
        "SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()]


def setting_keys(database) -> set[str]:
    return {r[0] for r in database.execute("SELECT key FROM settings").fetchall()}


def put_setting(database, key: str) -> None:
    database.execute("INSERT INTO settings (key, value) VALUES (?, '1')", (key,))


def table_counts(database) -> dict[str, int]:
    return {t: database.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in REFERENCE_TABLES}


@pytest.fixture
def raw_conn(db_path, fresh_db):
    """A plain second connection to the migrated file, foreign keys off (sqlite3's default)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    yield conn
    conn.close()


@pytest.fixture
def audit_entry_id(fresh_db):
    """The id of one audit entry written through ``audit.record``."""
    with db.transaction(fresh_db):
        audit.record(fresh_db, None, "create", "test", 1, new={"x": 1})
    return fresh_db.execute("SELECT max(id) FROM audit_log").fetchone()[0]


# Migrations ------------------------------------------------------------------------------------

def test_empty_file_has_no_schema_version(db_path):
    assert db.schema_version(db.connect(db_path)) is None


def test_migrate_sets_the_schema_version(db_path):
    database = db.connect(db_path)
    db.migrate(database)
    assert db.schema_version(database) == db.SCHEMA_VERSION


def test_migrating_twice_changes_nothing(fresh_db):
    version, before = db.schema_version(fresh_db), schema_snapshot(fresh_db)
    db.migrate(fresh_db)
    assert (db.schema_version(fresh_db), schema_snapshot(fresh_db)) == (version, before)


def test_migrating_twice_records_each_migration_once(fresh_db):
    db.migrate(fresh_db)
    names = [m.name for m in db.migrations.applied(fresh_db)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("table", EXPECTED_TABLES)
def test_schema_has_table(fresh_db, table):
    assert fresh_db[table].exists()


# Connections -----------------------------------------------------------------------------------

@pytest.mark.parametrize("pragma, expected", [
    ("foreign_keys", 1),
    ("journal_mode", "wal"),
    ("busy_timeout", db.BUSY_TIMEOUT_MS),
])
def test_connection_pragma(db_path, pragma, expected):
    assert db.connect(db_path).execute(f"PRAGMA {pragma}").fetchone()[0] == expected


def test_busy_timeout_is_at_least_a_second(db_path):
    assert db.connect(db_path).execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_the_app_database_is_the_env_var_file(db_path, fresh_db):
    database = setup.open_app_database()
    put_setting(database, "via_env")
    assert setup.default_path() == db_path and "via_env" in setting_keys(db.connect(db_path))


def test_without_the_env_var_the_app_database_lives_under_data(monkeypatch):
    monkeypatch.delenv(setup.ENV_VAR, raising=False)
    assert setup.default_path() == setup.ROOT / "data" / "dasbor.db"


def test_connect_needs_a_path():
    with pytest.raises(TypeError):
        db.connect()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_file_and_its_wal_and_shm_are_owner_only(db_path, fresh_db):
    with db.transaction(fresh_db):
        put_setting(fresh_db, "wal_written")
    files = [db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]
    assert [mode(f) for f in files] == [0o600] * 3


def test_connect_keeps_an_existing_files_content(db_path, fresh_db):
    put_setting(fresh_db, "kept")
    fresh_db.close()
    assert "kept" in setting_keys(db.connect(db_path))


def _open_new_file(path: str, barrier, answers) -> None:
    barrier.wait()  # all four open the same new file at the same moment
    try:
        database = setup.open_database(path)
        answers.put(("ok", database.execute("SELECT count(*) FROM competencies").fetchone()[0]))
    except Exception as err:  # noqa: BLE001 — the parent shows what failed
        answers.put(("error", repr(err)))


@pytest.mark.parametrize("attempt", range(2))
def test_four_processes_open_a_new_file_at_once(tmp_path, attempt):
    path = str(tmp_path / f"baru{attempt}.db")
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: nothing already prepared
    barrier, answers = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_open_new_file, args=(path, barrier, answers)) for _ in range(4)]
    for process in processes:
        process.start()
    results = [answers.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [r[0] for r in results] == ["ok"] * 4, results
    assert {r[1] for r in results} == {len(db.rows(db.connect(path), "SELECT code FROM competencies"))}
    assert [m.name for m in db.migrations.applied(db.connect(path))] == [m.name for m in db.migrations._migrations]


# Transactions ----------------------------------------------------------------------------------

def test_transaction_commits(fresh_db, db_path):
    with db.transaction(fresh_db):
        put_setting(fresh_db, "committed")
    assert "committed" in setting_keys(db.connect(db_path))


def test_transaction_rolls_back_on_exception(fresh_db):
    with pytest.raises(Boom), db.transaction(fresh_db):
        put_setting(fresh_db, "doomed")
        raise Boom
    assert "doomed" not in setting_keys(fresh_db)


def test_transaction_leaves_no_open_transaction_after_rollback(fresh_db):
    with pytest.raises(Boom), db.transaction(fresh_db):
        put_setting(fresh_db, "doomed")
        raise Boom
    assert not fresh_db.conn.in_transaction


def test_transaction_leaves_no_open_transaction_after_commit(fresh_db):
    with db.transaction(fresh_db):
        put_setting(fresh_db, "kept")
    assert not fresh_db.conn.in_transaction


def test_nested_transaction_commits_with_the_outer_one(fresh_db):
    with db.transaction(fresh_db):
        put_setting(fresh_db, "outer")
        with db.transaction(fresh_db):
            put_setting(fresh_db, "inner")
    assert {"outer", "inner"} <= setting_keys(fresh_db)


def test_nested_failure_rolls_back_only_the_inner_part(fresh_db):
    with db.transaction(fresh_db):
        put_setting(fresh_db, "outer")
        with pytest.raises(Boom), db.transaction(fresh_db):
            put_setting(fresh_db, "inner")
            raise Boom
        put_setting(fresh_db, "after")
    keys = setting_keys(fresh_db)
    assert ("outer" in keys, "inner" in keys, "after" in keys) == (True, False, True)


def test_outer_failure_rolls_back_a_finished_inner_part(fresh_db):
    with pytest.raises(Boom), db.transaction(fresh_db):
        with db.transaction(fresh_db):
            put_setting(fresh_db, "inner")
        raise Boom
    assert "inner" not in setting_keys(fresh_db)


def test_transaction_takes_the_write_lock_at_begin(fresh_db, db_path):
    """BEGIN IMMEDIATE: a second writer cannot even begin while the first transaction is open."""
    other = sqlite3.connect(db_path, timeout=0.05, isolation_level=None)
    with db.transaction(fresh_db):
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other.execute("BEGIN IMMEDIATE")
    other.close()


def test_write_lock_is_released_after_the_transaction(fresh_db, db_path):
    other = sqlite3.connect(db_path, timeout=0.05, isolation_level=None)
    with db.transaction(fresh_db):
        pass
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_failed_commit_leaves_no_open_transaction(fresh_db):
    """A COMMIT that fails (here: a deferred foreign key) must roll back, not keep the write lock."""
    with pytest.raises(sqlite3.IntegrityError), db.transaction(fresh_db):
        fresh_db.execute("PRAGMA defer_foreign_keys = ON")
        fresh_db.execute("INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)"
                         " VALUES ('x', 999, '', '', '')")
    assert not fresh_db.conn.in_transaction


# Audit log: append-only ------------------------------------------------------------------------

def test_audit_log_accepts_insert(fresh_db, audit_entry_id):
    assert fresh_db.execute("SELECT action FROM audit_log WHERE id = ?", (audit_entry_id,)).fetchone()[0] == "create"


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET action = 'changed' WHERE id = ?",
    "DELETE FROM audit_log WHERE id = ?",
])
def test_audit_log_refuses_change(fresh_db, audit_entry_id, sql):
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        fresh_db.execute(sql, (audit_entry_id,))


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET action = 'changed' WHERE id = ?",
    "DELETE FROM audit_log WHERE id = ?",
])
def test_audit_log_refusal_keeps_the_entry(fresh_db, audit_entry_id, sql):
    with pytest.raises(sqlite3.DatabaseError):
        fresh_db.execute(sql, (audit_entry_id,))
    assert fresh_db.execute("SELECT action FROM audit_log WHERE id = ?", (audit_entry_id,)).fetchone()[0] == "create"


# Integrity -------------------------------------------------------------------------------------

def test_check_integrity_passes_on_a_sound_file(fresh_db):
    assert db.check_integrity(fresh_db) == []


def test_check_integrity_finds_a_foreign_key_violation(fresh_db, raw_conn):
    raw_conn.execute("INSERT INTO positions (event_id, name, job_class) VALUES (999, 'Hantu', 'jpt_pratama')")
    with pytest.raises(db.IntegrityFailure, match="foreign key"):
        db.check_integrity(fresh_db)


def test_foreign_keys_are_enforced_on_app_connections(fresh_db):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        fresh_db.execute("INSERT INTO positions (event_id, name, job_class) VALUES (999, 'Hantu', 'jpt_pratama')")


# CHECK constraints (foreign keys off, so only the CHECK can refuse) -----------------------------

RATING = {"registration_id": 1, "assessor_id": 1, "exercise_id": 1, "competency": "M.01", "level": 3,
          "evidence": "Menyampaikan gagasan dengan runtut.", "updated_at": "2026-11-23T08:00:00+00:00"}
CANDIDATE = {"nip": NIP, "name": "Budi Santoso", "birth_date": "1975-01-01", "gender": "L", "tmt_cpns": "2000-03",
             "created_at": "2026-11-23", "updated_at": "2026-11-23"}
STANDARD = {"position_id": 1, "competency": "M.01", "level": 4}
EVENT = {"name": "Seleksi", "purpose": "pengisian", "start_date": "2026-11-16", "end_date": "2026-11-20",
         "created_at": "2026-11-01", "updated_at": "2026-11-01"}
VALID_ROWS = [("ratings", RATING), ("candidates", CANDIDATE), ("position_standards", STANDARD), ("events", EVENT)]
CASES = [
    ("ratings", RATING, {"level": 6}),
    ("ratings", RATING, {"level": 0}),
    ("ratings", RATING, {"evidence": "   "}),
    ("candidates", CANDIDATE, {"nip": NIP[:17]}),
    ("candidates", CANDIDATE, {"nip": NIP + "1"}),
    ("candidates", CANDIDATE, {"gender": "X"}),
    ("position_standards", STANDARD, {"level": 6}),
    ("events", EVENT, {"purpose": "seleksi"}),
    ("events", EVENT, {"end_date": "2026-11-15"}),
]


def insert(conn, table: str, row: dict) -> None:
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                 tuple(row.values()))


@pytest.mark.parametrize("table, row", VALID_ROWS, ids=[t for t, _ in VALID_ROWS])
def test_valid_row_passes_the_checks(raw_conn, table, row):
    insert(raw_conn, table, row)
    assert raw_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1


@pytest.mark.parametrize("table, row, change", CASES, ids=[f"{t}-{c}" for t, _, c in CASES])
def test_check_constraint_refuses(raw_conn, table, row, change):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        insert(raw_conn, table, row | change)


# setup.open_database() -------------------------------------------------------------------------------------

def test_prepare_again_loads_reference_data_once(db_path, fresh_db):
    before = table_counts(fresh_db)
    assert table_counts(setup.open_database(db_path)) == before


def test_prepare_after_restart_loads_reference_data_once(db_path, fresh_db, monkeypatch):
    """A new process forgets which files it prepared; loading again must still not duplicate."""
    before = table_counts(fresh_db)
    monkeypatch.setattr(setup, "_opened", set())
    assert table_counts(setup.open_database(db_path)) == before


def test_prepare_fills_the_reference_tables(fresh_db):
    assert all(table_counts(fresh_db).values())


def test_prepare_refuses_a_file_with_broken_foreign_keys(db_path, fresh_db, raw_conn, monkeypatch):
    raw_conn.execute("INSERT INTO positions (event_id, name, job_class) VALUES (999, 'Hantu', 'jpt_pratama')")
    monkeypatch.setattr(setup, "_opened", set())
    with pytest.raises(db.IntegrityFailure):
        setup.open_database(db_path)


def test_rows_and_one_return_plain_dicts(fresh_db):
    assert isinstance(db.rows(fresh_db, "SELECT * FROM golongan")[0], dict)
    assert db.one(fresh_db, "SELECT * FROM golongan WHERE code = 'X/z'") is None


def test_the_schema_version_names_the_newest_migration():
    """Every branch adds its migration at the end: the constant must follow, or check and restore misreport."""
    assert db.SCHEMA_VERSION == db.migrations._migrations[-1].name
    numbers = [int(m.name.split("_", 1)[0]) for m in db.migrations._migrations]
    assert numbers == list(range(1, len(numbers) + 1))
