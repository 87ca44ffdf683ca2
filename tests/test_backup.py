"""Backup and restore (SPEC §7, §8): online copies, daily copies, and a restore that refuses bad files."""

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import sqlite3
import sys
import threading
import time

import pytest
from PIL import Image

from core import __main__ as cli
from core import audit, auth, backup, db, demo, setup
from core.errors import NotFound, PermissionDenied, ValidationError
from core.i18n import t
from core.setup import ENV_VAR, open_database

PASSWORD = "rahasia123"
STAMPED = re.compile(r"^dasbor-\d{8}-\d{6}(-\d+)?\.db$")


# Fixtures and helpers ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    """The demo data set, built once per module (it takes seconds); tests copy it."""
    path = tmp_path_factory.mktemp("template") / "dasbor.db"
    database = open_database(path)
    demo.load(database, auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD))
    database.close()
    return path


@pytest.fixture
def live(db_path, demo_template):
    """A private copy of the demo database at ``db_path``, prepared as the app would."""
    source, target = sqlite3.connect(demo_template), sqlite3.connect(db_path)
    source.backup(target)
    source.close()
    target.close()
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def boss(live):
    """The demo's admin account."""
    return db.one(live, "SELECT * FROM users WHERE username = 'admin'")


@pytest.fixture
def good_backup(live, db_path):
    """A checked backup of the demo database, in backups/."""
    return backup.backup_to_file(db_path)


def content_digest(path) -> str:
    """A digest of the schema and every row of every table: equal content, equal digest."""
    conn = sqlite3.connect(path)
    digest = hashlib.sha256()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master ORDER BY type, name"):
        digest.update(f"{name}:{sql}".encode())
    for table in tables:
        rows = sorted(repr(tuple(row)) for row in conn.execute(f'SELECT * FROM "{table}"'))
        digest.update(f"{table}:{len(rows)}:{rows}".encode())
    conn.close()
    return digest.hexdigest()


def usernames(path) -> set[str]:
    conn = sqlite3.connect(path)
    found = {row[0] for row in conn.execute("SELECT username FROM users")}
    conn.close()
    return found


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return result


def files_in(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


def edit(path, *statements: str):
    """Change a file by raw SQL, foreign keys off (as a careless tool would write it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return path


def edited_copy(source, target, *statements: str):
    """A copy of ``source`` changed by raw SQL."""
    shutil.copyfile(source, target)
    return edit(target, *statements)


# Backup ------------------------------------------------------------------------------------------

def test_backup_goes_to_a_timestamped_file_in_backups(live, db_path):
    path = backup.backup_to_file(db_path)
    assert path.parent == db_path.parent / "backups"
    assert STAMPED.match(path.name)


def test_backup_holds_the_same_content(live, db_path):
    assert content_digest(backup.backup_to_file(db_path)) == content_digest(db_path)


def test_backup_is_one_self_contained_file(live, db_path):
    """Not in WAL mode: the copy must not depend on a -wal file next to it."""
    path = backup.backup_to_file(db_path)
    assert path.read_bytes()[18:20] == b"\x01\x01"
    assert files_in(path.parent) == {path.name}


def test_backup_to_a_chosen_file(live, db_path, tmp_path):
    target = tmp_path / "elsewhere" / "salinan.db"
    assert backup.backup_to_file(db_path, target) == target
    assert integrity(target) == "ok"


def test_backup_to_a_folder_names_the_file(live, db_path, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    assert STAMPED.match(backup.backup_to_file(db_path, folder).name)


def test_backups_in_the_same_second_do_not_overwrite_each_other(live, db_path, monkeypatch):
    monkeypatch.setattr(backup, "_stamp", lambda now=None: "20261123-101500")
    first, second = backup.backup_to_file(db_path), backup.backup_to_file(db_path)
    assert first != second and first.exists() and second.exists()


def test_backup_refuses_to_overwrite_the_live_file(live, db_path):
    with pytest.raises(ValidationError) as error:
        backup.backup_to_file(db_path, db_path)
    assert error.value.key == "backup.target_is_live"


def test_backup_of_a_missing_database_creates_nothing(tmp_path):
    missing = tmp_path / "tidak-ada.db"
    with pytest.raises(NotFound):
        backup.backup_to_file(missing)
    assert not missing.exists()


def test_backup_of_a_damaged_database_is_refused_and_leaves_no_file(live, db_path):
    # An index that no longer matches its table: the file still opens, integrity_check fails.
    edit(db_path, "CREATE INDEX users_full_name ON users (full_name)", "PRAGMA writable_schema = ON",
                "UPDATE sqlite_master SET sql = 'CREATE INDEX users_full_name ON users (nip)'"
                " WHERE name = 'users_full_name'")
    with pytest.raises(db.IntegrityFailure):
        backup.backup_to_file(db_path)
    assert files_in(backup.backup_dir(db_path)) == set()  # not even the partial copy


def test_backup_while_three_threads_write(live, db_path):
    """Every row committed before the backup began is in the copy; the writers never fail."""
    stop, lock, errors = threading.Event(), threading.Lock(), []
    committed: dict[str, list] = {"users": [], "version": [0]}
    rating_id = db.one(live, "SELECT min(id) AS id FROM ratings")["id"]

    def add_users(name: str) -> None:
        conn = db.connect(db_path)
        n = 0
        while not stop.is_set():
            n += 1
            with db.transaction(conn):
                conn.execute("INSERT INTO users (username, full_name, role, password_hash, created_at, updated_at)"
                             " VALUES (?, ?, 'asesor', 'x', '2026', '2026')", (f"{name}.{n}", name))
            with lock:
                committed["users"].append(f"{name}.{n}")
        conn.close()

    def bump_rating() -> None:
        conn = db.connect(db_path)
        while not stop.is_set():
            with db.transaction(conn):
                conn.execute("UPDATE ratings SET version = version + 1 WHERE id = ?", (rating_id,))
                version = conn.execute("SELECT version FROM ratings WHERE id = ?", (rating_id,)).fetchone()[0]
            with lock:
                committed["version"].append(version)
        conn.close()

    def guarded(work, *args) -> None:
        try:
            work(*args)
        except BaseException as error:  # noqa: BLE001 — collected and asserted on
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(add_users, "penulis.a")),
               threading.Thread(target=guarded, args=(add_users, "penulis.b")),
               threading.Thread(target=guarded, args=(bump_rating,))]
    for thread in threads:
        thread.start()
    while min(len(committed["users"]), len(committed["version"])) < 20 and not errors:
        time.sleep(0.01)
    with lock:
        before_users, before_version = list(committed["users"]), committed["version"][-1]
    path = backup.backup_to_file(db_path)
    time.sleep(0.2)  # the writers go on after the copy, so they were not blocked by it
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert integrity(path) == "ok"
    assert set(before_users) <= usernames(path)
    copy = sqlite3.connect(path)
    assert copy.execute("SELECT version FROM ratings WHERE id = ?", (rating_id,)).fetchone()[0] >= before_version
    copy.close()
    assert len(committed["users"]) > len(before_users)


# Listing -----------------------------------------------------------------------------------------

def test_list_backups_newest_first_with_kind_and_size(fresh_db, db_path):
    manual = backup.backup_to_file(db_path)
    daily = backup.ensure_daily(db_path, now=dt.datetime(2026, 11, 23, 7, 0))
    old = dt.datetime(2026, 1, 1).timestamp()
    os.utime(manual, (old, old))
    listed = backup.list_backups(db_path)
    assert [(b["name"], b["kind"]) for b in listed] == [(daily.name, "daily"), (manual.name, "manual")]
    assert listed[0]["size"] == daily.stat().st_size


def test_read_backup_returns_the_bytes(fresh_db, db_path):
    path = backup.backup_to_file(db_path)
    assert backup.read_backup(db_path, path.name) == path.read_bytes()


@pytest.mark.parametrize("name", ["../dasbor.db", "tidak-ada.db", "", "/etc/passwd"])
def test_read_backup_only_serves_files_in_backups(fresh_db, db_path, name):
    with pytest.raises(NotFound):
        backup.read_backup(db_path, name)


# Daily backups -----------------------------------------------------------------------------------

def daily_names(db_path) -> list[str]:
    return sorted(p.name for p in backup.backup_dir(db_path).glob("dasbor-daily-*.db"))


def test_ensure_daily_makes_todays_copy(fresh_db, db_path):
    made = backup.ensure_daily(db_path, now=dt.datetime(2026, 11, 23, 8, 30))
    assert made.name == "dasbor-daily-20261123.db"
    assert integrity(made) == "ok"


def test_ensure_daily_twice_the_same_day_makes_nothing(fresh_db, db_path):
    first = backup.ensure_daily(db_path, now=dt.datetime(2026, 11, 23, 8, 30))
    stamp = first.stat().st_mtime_ns
    assert backup.ensure_daily(db_path, now=dt.datetime(2026, 11, 23, 17, 45)) is None
    assert daily_names(db_path) == ["dasbor-daily-20261123.db"]
    assert first.stat().st_mtime_ns == stamp


def test_ensure_daily_one_file_per_day(fresh_db, db_path):
    for day in (21, 22, 23):
        backup.ensure_daily(db_path, keep_days=30, now=dt.datetime(2026, 11, day, 9, 0))
    assert daily_names(db_path) == [f"dasbor-daily-202611{d}.db" for d in (21, 22, 23)]


def test_ensure_daily_keeps_keep_days_days_today_included(fresh_db, db_path):
    for day in range(1, 21):
        backup.ensure_daily(db_path, keep_days=5, now=dt.datetime(2026, 11, day, 9, 0))
    assert daily_names(db_path) == [f"dasbor-daily-202611{d}.db" for d in range(16, 21)]


def test_ensure_daily_defaults_to_fourteen_days(fresh_db, db_path):
    for day in range(1, 21):
        backup.ensure_daily(db_path, now=dt.datetime(2026, 11, day, 9, 0))
    assert len(daily_names(db_path)) == backup.DEFAULT_KEEP_DAYS == 14


def test_ensure_daily_follows_the_stored_setting(fresh_db, db_path):
    fresh_db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('backup_keep_days', '3')")
    for day in range(1, 8):
        backup.ensure_daily(db_path, now=dt.datetime(2026, 11, day, 9, 0))
    assert daily_names(db_path) == [f"dasbor-daily-2026110{d}.db" for d in (5, 6, 7)]


def test_ensure_daily_ignores_a_setting_that_is_no_number(fresh_db, db_path):
    fresh_db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('backup_keep_days', '\"banyak\"')")
    for day in range(1, 21):
        backup.ensure_daily(db_path, now=dt.datetime(2026, 11, day, 9, 0))
    assert len(daily_names(db_path)) == backup.DEFAULT_KEEP_DAYS


def test_ensure_daily_never_touches_other_backups(fresh_db, db_path):
    folder = backup.backup_dir(db_path)
    others = {backup.backup_to_file(db_path).name, "sebelum-pemulihan-20250101-000000.db",
              "dasbor-daily-catatan.db", "dasbor-20200101-000000.db"}
    for name in others - set(files_in(folder)):
        (folder / name).write_bytes(b"x")
    backup.ensure_daily(db_path, keep_days=1, now=dt.datetime(2026, 11, 23))
    assert files_in(folder) == others | {"dasbor-daily-20261123.db"}


# Checking a candidate ----------------------------------------------------------------------------

def test_check_candidate_summarises_a_good_backup(good_backup):
    summary = backup.check_candidate(good_backup)
    assert summary["schema_version"] == db.SCHEMA_VERSION
    assert (summary["users"], summary["events"], summary["candidates"]) == (10, 2, 150)
    assert summary["ratings"] > 10_000
    assert summary["newest_audit"]


def test_check_candidate_of_a_missing_file(tmp_path):
    with pytest.raises(ValidationError) as error:
        backup.check_candidate(tmp_path / "tidak-ada.db")
    assert error.value.key == "backup.file_missing"


def test_check_candidate_does_not_write_next_to_the_file(good_backup):
    before = files_in(good_backup.parent)
    backup.check_candidate(good_backup)
    assert files_in(good_backup.parent) == before


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def cut_in_the_middle(path, tmp_path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2 + 1000]


def corrupt_a_page(path, tmp_path) -> bytes:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 512] = b"\xa5" * 512
    return bytes(data)


def foreign_sqlite(path, tmp_path) -> bytes:
    conn = sqlite3.connect(tmp_path / "asing.db")
    conn.execute("CREATE TABLE foo (id INTEGER PRIMARY KEY, bar TEXT)")
    conn.execute("INSERT INTO foo (bar) VALUES ('baz')")
    conn.commit()
    conn.close()
    return (tmp_path / "asing.db").read_bytes()


def without_audit_log(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "DROP TABLE audit_log").read_bytes()


def renamed_column(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "ALTER TABLE audit_log RENAME COLUMN at TO waktu").read_bytes()


def without_audit_triggers(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "DROP TRIGGER audit_log_no_update",
                       "DROP TRIGGER audit_log_no_delete").read_bytes()


def with_rating_trigger_and_view(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", """CREATE TRIGGER always_five AFTER INSERT ON ratings BEGIN
                           UPDATE ratings SET level = 5 WHERE id = new.id; END""",
                       "CREATE VIEW semua AS SELECT * FROM users").read_bytes()


def ratings_definition(path) -> str:
    conn = sqlite3.connect(path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ratings'").fetchone()[0]
    conn.close()
    return sql


def ratings_without_check(path, tmp_path) -> bytes:
    rebuilt = ratings_definition(path).replace("CHECK (level BETWEEN 1 AND 5)", "")
    assert "BETWEEN 1 AND 5" not in rebuilt
    return edited_copy(path, tmp_path / "x.db", "CREATE TABLE ratings_lama AS SELECT * FROM ratings",
                       "DROP TABLE ratings", rebuilt, "INSERT INTO ratings SELECT * FROM ratings_lama",
                       "DROP TABLE ratings_lama",
                       "CREATE INDEX ratings_cell ON ratings (registration_id, competency)").read_bytes()


def check_edited_in_place(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "PRAGMA writable_schema = ON",
                       "UPDATE sqlite_master SET sql = replace(sql, 'BETWEEN 1 AND 5', 'BETWEEN 1 AND 9')"
                       " WHERE name = 'ratings'").read_bytes()


def without_index(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "DROP INDEX ratings_cell").read_bytes()


def newer_migration(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                       " VALUES ('dasbor', '0099_from_the_future', '2030-01-01')").read_bytes()


def other_migration_set(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db",
                       "UPDATE _sqlite_migrations SET migration_set = 'aplikasi_lain'").read_bytes()


def no_migrations_recorded(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db", "DELETE FROM _sqlite_migrations").read_bytes()


def dangling_registration(path, tmp_path) -> bytes:
    return edited_copy(path, tmp_path / "x.db",
                       "INSERT INTO registrations (event_id, candidate_id, position_id, participant_no, created_at)"
                       " SELECT 9999, candidate_id, position_id, 'X-1', created_at FROM registrations LIMIT 1"
                       ).read_bytes()


REFUSALS = [
    ("random bytes", lambda path, tmp: bytes(range(256)) * 64, {"backup.not_sqlite"}),
    ("png", lambda path, tmp: png_bytes(), {"backup.not_sqlite"}),
    ("empty", lambda path, tmp: b"", {"backup.not_sqlite"}),
    ("header only", lambda path, tmp: path.read_bytes()[:100], {"backup.damaged", "backup.not_sqlite"}),
    ("truncated", cut_in_the_middle, {"backup.damaged"}),
    ("page corrupted", corrupt_a_page, {"backup.damaged", "backup.not_sqlite"}),
    ("foreign sqlite", foreign_sqlite, {"backup.foreign"}),
    ("no audit_log", without_audit_log, {"backup.foreign"}),
    ("our tables, other columns", renamed_column, {"backup.unexpected", "backup.schema_mismatch"}),
    ("audit-log triggers removed", without_audit_triggers, {"backup.schema_mismatch"}),
    ("trigger rating 5 and a view", with_rating_trigger_and_view, {"backup.schema_mismatch"}),
    ("ratings without the 1-5 check", ratings_without_check, {"backup.schema_mismatch"}),
    ("check edited in sqlite_master", check_edited_in_place, {"backup.schema_mismatch"}),
    ("an index dropped", without_index, {"backup.schema_mismatch"}),
    ("unknown migration", newer_migration, {"backup.schema_unknown"}),
    ("other migration set", other_migration_set, {"backup.schema_unknown"}),
    ("no migrations", no_migrations_recorded, {"backup.schema_unknown"}),
    ("foreign key violation", dangling_registration, {"backup.foreign_keys"}),
]


@pytest.mark.parametrize("make, keys", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_check_candidate_refuses(good_backup, tmp_path, make, keys):
    candidate = tmp_path / "kandidat.db"
    candidate.write_bytes(make(good_backup, tmp_path))
    with pytest.raises(ValidationError) as error:
        backup.check_candidate(candidate)
    assert error.value.key in keys


# Restore -----------------------------------------------------------------------------------------

def test_restore_round_trip(live, db_path, boss, good_backup):
    auth.create_user(live, boss, "baru.sekali", "Pegawai Baru", "asesor", PASSWORD)
    result = backup.restore(db_path, good_backup.read_bytes(), boss)
    assert "baru.sekali" not in usernames(db_path)
    assert "baru.sekali" in usernames(result["previous"])
    assert result["previous_name"].startswith("sebelum-pemulihan-")


def test_restore_keeps_the_schema_version(live, db_path, boss, good_backup):
    result = backup.restore(db_path, good_backup.read_bytes(), boss)
    assert result["schema_version"] == result["migrated_to"] == db.schema_version(live) == db.SCHEMA_VERSION


def test_restore_is_audited_in_the_restored_log(live, db_path, boss, good_backup):
    result = backup.restore(db_path, good_backup.read_bytes(), boss)
    entry = audit.entries(db.connect(db_path), "database")[0]
    assert (entry["action"], entry["username"], entry["user_id"]) == ("restore", "admin", boss["id"])
    assert result["previous_name"] in entry["new_value"] and result["previous_name"] in entry["reason"]
    assert entry["old_value"]  # what the replaced database held


def test_restore_leaves_the_live_file_sound(live, db_path, boss, good_backup):
    backup.restore(db_path, good_backup.read_bytes(), boss)
    db.check_integrity(db.connect(db_path))
    assert db.connect(db_path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_open_connections_see_the_restored_data(live, db_path, boss, good_backup):
    """The copy goes into the live file, so connections opened before the restore stay valid."""
    auth.create_user(live, boss, "baru.sekali", "Pegawai Baru", "asesor", PASSWORD)
    backup.restore(db_path, good_backup.read_bytes(), boss)
    assert live.execute("SELECT count(*) FROM users WHERE username = 'baru.sekali'").fetchone()[0] == 0
    auth.create_user(live, boss, "sesudah", "Sesudah Pemulihan", "asesor", PASSWORD)
    assert "sesudah" in usernames(db_path)


def test_restore_applies_our_newer_migrations(live, db_path, boss, good_backup, monkeypatch):
    """An older backup is brought up to the app's schema after the copy."""
    newer = db.migrations._Migration("0002_test_newer", lambda d: d.execute("CREATE TABLE tambahan (x)"))
    monkeypatch.setattr(db.migrations, "_migrations", [*db.migrations._migrations, newer])
    result = backup.restore(db_path, good_backup.read_bytes(), boss)
    assert (result["schema_version"], result["migrated_to"]) == (db.SCHEMA_VERSION, "0002_test_newer")
    assert db.connect(db_path)["tambahan"].exists()


def test_restore_of_another_page_size(live, db_path, boss, good_backup, tmp_path):
    other = edited_copy(good_backup, tmp_path / "besar.db", "PRAGMA page_size = 8192", "VACUUM")
    assert sqlite3.connect(other).execute("PRAGMA page_size").fetchone()[0] == 8192
    backup.restore(db_path, other.read_bytes(), boss)
    assert integrity(db_path) == "ok"
    assert usernames(db_path) == usernames(good_backup)


def test_restore_works_when_the_live_file_is_empty(db_path, demo_template, tmp_path):
    """A fresh install restores the office's backup (e.g. on a new server)."""
    fresh = open_database(db_path)
    console = {"id": None, "username": "konsol", "role": "admin", "active": 1}
    backup.restore(db_path, demo_template.read_bytes(), console)
    assert "asesor.rini" in usernames(db_path)
    fresh.close()


@pytest.mark.parametrize("make, keys", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refused_restore_changes_nothing(live, db_path, boss, good_backup, tmp_path, make, keys):
    before, files = content_digest(db_path), files_in(backup.backup_dir(db_path))
    with pytest.raises(ValidationError) as error:
        backup.restore(db_path, make(good_backup, tmp_path), boss)
    assert error.value.key in keys
    assert content_digest(db_path) == before
    assert files_in(backup.backup_dir(db_path)) == files  # no "previous" copy, no leftover upload


def test_refused_restore_says_why_in_indonesian(live, db_path, boss):
    with pytest.raises(ValidationError) as error:
        backup.restore(db_path, png_bytes(), boss)
    assert str(error.value) == t("backup.not_sqlite", "id") != "backup.not_sqlite"


def test_restore_refuses_a_too_large_upload(live, db_path, boss, good_backup, monkeypatch):
    monkeypatch.setattr(backup, "MAX_RESTORE_BYTES", 1024 * 1024)
    before = content_digest(db_path)
    with pytest.raises(ValidationError) as error:
        backup.restore(db_path, good_backup.read_bytes(), boss)
    assert error.value.key == "backup.too_large"
    assert content_digest(db_path) == before
    assert files_in(backup.backup_dir(db_path)) == {good_backup.name}


@pytest.mark.parametrize("role, active", [("asesor", 1), ("pimpinan", 1), ("admin", 0)])
def test_restore_only_for_an_active_admin(live, db_path, boss, good_backup, role, active):
    user = auth.create_user(live, boss, f"orang.{role}", "Orang Lain", role, PASSWORD) | {"active": active}
    before = content_digest(db_path)
    with pytest.raises(PermissionDenied):
        backup.restore(db_path, good_backup.read_bytes(), user)
    assert content_digest(db_path) == before
    assert files_in(backup.backup_dir(db_path)) == {good_backup.name}


def test_restore_audit_drops_an_id_the_backup_gives_to_someone_else(live, db_path, good_backup):
    stranger = {"id": 2, "username": "admin.baru", "role": "admin", "active": 1}
    backup.restore(db_path, good_backup.read_bytes(), stranger)
    entry = audit.entries(db.connect(db_path), "database")[0]
    assert (entry["user_id"], entry["username"]) == (None, "admin.baru")


# Command line ------------------------------------------------------------------------------------

@pytest.fixture
def run(db_path, monkeypatch):
    """``run(*args, stdin="")`` calls ``main(["--db", <tmp file>, *args])``; the env var is restored afterwards."""
    monkeypatch.setenv(ENV_VAR, str(db_path))  # main() overwrites it; monkeypatch puts it back

    def call(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        return cli.main(["--db", str(db_path), *args])

    return call


def test_cli_backup_prints_the_new_file(live, run, db_path, capsys):
    assert run("backup") == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(backup.list_backups(db_path)[0]["path"])
    assert integrity(printed) == "ok"


def test_cli_backup_to_a_path(live, run, tmp_path, capsys):
    target = tmp_path / "flashdisk" / "cadangan.db"
    assert run("backup", "--to", str(target)) == 0
    assert capsys.readouterr().out.strip() == str(target) and integrity(target) == "ok"


def test_cli_restore_with_yes(live, run, db_path, boss, good_backup, capsys):
    auth.create_user(live, boss, "baru.sekali", "Pegawai Baru", "asesor", PASSWORD)
    assert run("restore", str(good_backup), "--yes") == 0
    assert "baru.sekali" not in usernames(db_path)
    out = capsys.readouterr().out
    assert "dipulihkan" in out and "sebelum-pemulihan-" in out
    assert audit.entries(db.connect(db_path), "database")[0]["username"] == "konsol"


def test_cli_restore_asks_first(live, run, db_path, boss, good_backup):
    auth.create_user(live, boss, "baru.sekali", "Pegawai Baru", "asesor", PASSWORD)
    assert run("restore", str(good_backup), stdin="tidak\n") == 1
    assert "baru.sekali" in usernames(db_path)
    assert run("restore", str(good_backup), stdin="ya\n") == 0
    assert "baru.sekali" not in usernames(db_path)


def test_cli_restore_of_a_bad_file_fails_in_indonesian(live, run, db_path, tmp_path, capsys):
    bad = tmp_path / "foto.db"
    bad.write_bytes(png_bytes())
    before = content_digest(db_path)
    assert run("restore", str(bad), "--yes") == 1
    assert t("backup.not_sqlite", "id") in capsys.readouterr().err
    assert content_digest(db_path) == before


def test_cli_restore_of_a_missing_file(live, run, tmp_path, capsys):
    assert run("restore", str(tmp_path / "tidak-ada.db"), "--yes") == 1
    assert "tidak ditemukan" in capsys.readouterr().err


def test_a_schema_difference_is_named_in_the_message(good_backup, tmp_path):
    candidate = tmp_path / "kandidat.db"
    candidate.write_bytes(with_rating_trigger_and_view(good_backup, tmp_path))
    with pytest.raises(ValidationError) as error:
        backup.check_candidate(candidate)
    assert "always_five" in str(error.value) and "semua" in str(error.value)
    assert error.value.params["count"] == 2


def test_the_reference_schema_is_what_the_migrations_build(live):
    everything = len(backup.known_migrations())
    assert backup.schema_differences(backup.schema_of(live.conn), backup.reference_schema(everything)) == []
    assert ("trigger", "audit_log_no_delete") in backup.reference_schema(1)
    assert backup.schema_differences(backup.schema_of(live.conn), backup.reference_schema(0)) != []


# A restore ends every session --------------------------------------------------------------------

def test_restore_ends_every_session_of_the_backup_and_of_the_running_app(live, db_path, boss, good_backup):
    old_cookie = auth.start_session(live, boss)  # in the backup made now
    snapshot = backup.backup_to_file(db_path)
    running_cookie = auth.start_session(live, boss)
    assert auth.session_user(live, old_cookie) and auth.session_user(live, running_cookie)
    result = backup.restore(db_path, snapshot.read_bytes(), boss)
    fresh = db.connect(db_path)
    assert auth.session_user(fresh, old_cookie) is None
    assert auth.session_user(fresh, running_cookie) is None
    assert fresh.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert result["sessions_ended"] >= 1
    fresh.close()


# Files beside a backup, permissions, leftovers ---------------------------------------------------

def wal_copy(live, tmp_path):
    """``copy.db`` plus the ``copy.db-wal`` beside it that holds the newest commit (a copied WAL pair)."""
    target = tmp_path / "salin" / "copy.db"
    target.parent.mkdir()
    holder = db.connect(target)
    live.conn.backup(holder.conn)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("INSERT INTO settings (key, value) VALUES ('hanya_di_wal', '1')")
    shutil.copyfile(target, tmp_path / "pair.db")
    shutil.copyfile(target.with_name("copy.db-wal"), tmp_path / "pair.db-wal")
    holder.close()
    return tmp_path / "pair.db"


def test_cli_restore_includes_the_wal_beside_the_file(live, run, db_path, tmp_path):
    pair = wal_copy(live, tmp_path)
    assert pair.with_name("pair.db-wal").stat().st_size > 0
    plain = sqlite3.connect(f"file:{pair}?mode=ro&immutable=1", uri=True)  # the main file alone lacks it
    assert plain.execute("SELECT count(*) FROM settings WHERE key = 'hanya_di_wal'").fetchone()[0] == 0
    plain.close()
    assert run("restore", str(pair), "--yes") == 0
    restored = db.connect(db_path)
    assert db.one(restored, "SELECT value FROM settings WHERE key = 'hanya_di_wal'") == {"value": "1"}
    restored.close()


def test_backups_are_readable_by_the_owner_only(live, db_path):
    made = [backup.backup_to_file(db_path), backup.ensure_daily(db_path)]
    for path in made:
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_stale_temporary_files_of_a_killed_backup_are_removed(live, db_path):
    folder = backup.backup_dir(db_path)
    dead = os.getpid() + 1
    while True:
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
    leftovers = [f".dasbor-1.db.{dead}.77.tmp", f".dasbor-1.db.{dead}.77.tmp-journal", f".unggahan-{dead}-abc"]
    (folder / leftovers[0]).write_bytes(b"half")
    (folder / leftovers[1]).write_bytes(b"half")
    (folder / leftovers[2]).mkdir()
    ours = folder / f".dasbor-2.db.{os.getpid()}.1.tmp"
    ours.write_bytes(b"being written")
    old = folder / ".dasbor-3.db.1.1.tmp"  # pid 1 is alive, but the file is two days old
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    backup.backup_to_file(db_path)
    names = files_in(folder)
    assert not names & set(leftovers) and old.name not in names
    assert ours.name in names


def test_a_backup_killed_with_sigkill_leaves_nothing_the_next_backup_keeps(live, db_path):
    """A real kill -9 in the middle of a copy: its .tmp stays behind until the next backup removes it."""
    import signal
    import subprocess

    script = (
        "import sys, time\n"
        "from core import backup\n"
        "def stuck(source, target, verify):\n"
        "    print('copying', flush=True)\n"
        "    time.sleep(60)\n"
        "backup._copy_pages = stuck\n"
        f"backup.backup_to_file({str(db_path)!r})\n")
    child = subprocess.Popen([sys.executable, "-c", script], cwd=str(setup.ROOT), stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "copying"
        left = [p.name for p in backup.backup_dir(db_path).glob(".*.tmp")]
        assert len(left) == 1 and f".{child.pid}." in left[0]
        assert left[0] in files_in(backup.backup_dir(db_path))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        child.kill()
    assert left[0] in files_in(backup.backup_dir(db_path))  # kill -9: no clean-up ran
    made = backup.backup_to_file(db_path)
    assert left[0] not in files_in(backup.backup_dir(db_path)) and made.is_file()
