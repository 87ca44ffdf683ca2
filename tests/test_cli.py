"""The admin command line, ``python -m core`` (SPEC §7)."""

import io
import json
import sqlite3
import sys

import pytest
from assessment_fixtures import PASSWORD  # noqa: E402

from core import __main__ as cli
from core import auth, db, dbfailure, demo, setup
from core.errors import AuthError
from core.i18n import t

NEW_PASSWORD = "baru2026rahasia"




@pytest.fixture
def run(db_path, monkeypatch):
    """``run(*args, stdin="")`` calls ``main(["--db", <tmp file>, *args])``."""

    def call(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        return cli.main(["--db", str(db_path), *args])

    return call


@pytest.fixture
def with_admin(run):
    """The first admin, created through the CLI; returns its username."""
    assert run("create-user", "budi", "Budi Santoso", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n") == 0
    return "budi"


def users(db_path) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    found = dict(conn.execute("SELECT username, role FROM users").fetchall())
    conn.close()
    return found


def can_login(db_path, username: str, password: str) -> bool:
    try:
        auth.login(db.connect(db_path), username, password)
    except AuthError:
        return False
    return True


def test_check_prints_ok(run, capsys):
    assert run("check") == 0
    assert capsys.readouterr().out.startswith("OK")


def test_check_names_the_schema_version(run, capsys):
    run("check")
    assert db.SCHEMA_VERSION in capsys.readouterr().out


def test_check_reports_a_broken_file(run, db_path, capsys):
    setup.open_database(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("INSERT INTO positions (event_id, name, job_class) VALUES (999, 'Hantu', 'jpt_pratama')")
    conn.close()
    assert run("check") == 2
    assert "foreign key" in capsys.readouterr().err


def test_db_option_is_the_file_used_and_the_env_var_is_left_alone(run, db_path, monkeypatch, capsys):
    monkeypatch.setenv(setup.ENV_VAR, "/tidak/ada.db")
    assert run("check") == 0
    assert str(db_path) in capsys.readouterr().out and db.schema_version(db.connect(db_path)) == db.SCHEMA_VERSION
    assert setup.default_path() == setup.Path("/tidak/ada.db")


def test_create_user_makes_the_first_admin(db_path, with_admin):
    assert users(db_path) == {"budi": "admin"}


def test_create_user_password_works(db_path, with_admin):
    assert can_login(db_path, "budi", PASSWORD)


def test_create_user_says_so(run, capsys):
    run("create-user", "budi", "Budi Santoso", "--password-stdin", stdin=PASSWORD + "\n")
    assert "budi" in capsys.readouterr().out


def test_create_user_adds_an_asesor_after_the_admin(run, db_path, with_admin):
    assert run("create-user", "rini", "Rini Astuti", "--role", "asesor", "--password-stdin",
               stdin=PASSWORD + "\n") == 0
    assert users(db_path) == {"budi": "admin", "rini": "asesor"}


def test_second_admin_through_the_cli(run, db_path, with_admin):
    assert run("create-user", "sari", "Sari", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert users(db_path)["sari"] == "admin"


@pytest.mark.parametrize("password, key", [
    ("pendek1", "auth.password_short"),
    ("tanpaangka", "auth.password_weak"),
])
def test_bad_password_fails_with_the_indonesian_message(run, db_path, capsys, password, key):
    assert run("create-user", "budi", "Budi", "--password-stdin", stdin=password + "\n") == 1
    assert t(key, "id", n=auth.MIN_PASSWORD) in capsys.readouterr().err
    assert users(db_path) == {}


def test_taken_username_fails(run, with_admin, capsys):
    assert run("create-user", "BUDI", "Budi Lain", "--role", "asesor", "--password-stdin",
               stdin=PASSWORD + "\n") == 1
    assert t("auth.username_taken", "id", username="budi") in capsys.readouterr().err


def test_reset_password(run, db_path, with_admin):
    assert run("reset-password", "budi", "--password-stdin", stdin=NEW_PASSWORD + "\n") == 0
    assert (can_login(db_path, "budi", NEW_PASSWORD), can_login(db_path, "budi", PASSWORD)) == (True, False)


def test_reset_password_ignores_the_case_of_the_username(run, db_path, with_admin):
    assert run("reset-password", "BUDI", "--password-stdin", stdin=NEW_PASSWORD + "\n") == 0
    assert can_login(db_path, "budi", NEW_PASSWORD)


def test_reset_password_keeps_the_rules(run, db_path, with_admin, capsys):
    assert run("reset-password", "budi", "--password-stdin", stdin="budi\n") == 1
    assert can_login(db_path, "budi", PASSWORD)


def test_reset_password_of_an_unknown_account(run, with_admin):
    with pytest.raises(SystemExit, match="tidak ditemukan"):
        run("reset-password", "siapa", "--password-stdin", stdin=NEW_PASSWORD + "\n")


def test_reset_password_is_audited_as_the_console(run, db_path, with_admin):
    run("reset-password", "budi", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    entry = db.one(db.connect(db_path), "SELECT * FROM audit_log WHERE action = 'reset_password'")
    assert (entry["username"], entry["user_id"]) == ("konsol", None)


def test_demo_loads(run, db_path, capsys):
    assert run("demo") == 0
    names = [r["name"] for r in db.rows(db.connect(db_path), "SELECT name FROM events")]
    assert demo.EVENT_NAME in names


def test_demo_prints_every_account_once(run, capsys):
    run("demo")
    out = capsys.readouterr().out
    expected = [u for u, _name, _nip in demo.ASSESSORS] + [demo.PIMPINAN[0]]
    assert [out.count(f"  {u} ") for u in expected] == [1] * len(expected)


def test_demo_passwords_printed_work(run, db_path, capsys):
    run("demo")
    lines = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    assert lines and all(can_login(db_path, username, password) for username, password in lines)


def test_demo_twice_fails(run, capsys):
    run("demo")
    capsys.readouterr()
    assert run("demo") == 1
    assert t("demo.already_loaded", "id") in capsys.readouterr().err


@pytest.mark.parametrize("args", [[], ["tidak-ada"], ["create-user"], ["create-user", "budi", "B", "--role", "raja"]])
def test_bad_arguments_exit(run, args):
    with pytest.raises(SystemExit) as caught:
        run(*args)
    assert caught.value.code == 2


# A damaged, read-only or full database: its own message and exit code, never a traceback ----------

def _truncate(path):
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _overwrite_header(path):
    with open(path, "r+b") as handle:
        handle.write(b"X" * 100)


def _scribble_first_page(path):
    with open(path, "r+b") as handle:
        handle.seek(100)
        handle.write(bytes(range(256)) * 12)


def _replace_with_folder(path):
    path.unlink()
    path.mkdir()


def filled_file(db_path):
    """A database with a few hundred kB of rows and no WAL beside it, so damage to the file is damage."""
    database = setup.open_database(db_path)
    demo_rows = [(f"kunci_{n}", json.dumps("x" * 500)) for n in range(400)]  # settings hold JSON
    with db.transaction(database):
        database.conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", demo_rows)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    setup._opened.discard(str(db_path.resolve()))  # the next run opens the damaged file as a fresh process would


@pytest.mark.parametrize(("damage", "kind"), [(_truncate, "malformed"), (_overwrite_header, "not_a_database"),
                                               (_scribble_first_page, "malformed"),
                                               (_replace_with_folder, "cannot_open")])
def test_check_of_a_damaged_file_says_what_and_exits_with_its_code(run, db_path, capsys, damage, kind):
    filled_file(db_path)
    damage(db_path)
    code = run("check")
    err = capsys.readouterr().err
    assert code == dbfailure.exit_code(kind) not in (0, 1)
    assert err.strip() == dbfailure.message(kind).strip()
    assert "Traceback" not in err


def test_a_read_only_database_has_its_own_message(run, db_path, capsys, monkeypatch):
    filled_file(db_path)
    real = sqlite3.connect

    def read_only(target, *args, **kwargs):  # root ignores chmod: open it as SQLite's read-only mode does
        return real(f"file:{target}?mode=ro", *args, **{**kwargs, "uri": True})

    monkeypatch.setattr(db.sqlite3, "connect", read_only)
    code = run("create-user", "ani", "Ani", "--role", "asesor", "--password-stdin", stdin=PASSWORD + "\n")
    assert (code, capsys.readouterr().err.strip()) == (5, dbfailure.message("readonly").strip())


def test_a_full_disk_has_its_own_message(run, db_path, capsys, monkeypatch):
    filled_file(db_path)
    real = db.connect

    def full(*args, **kwargs):  # the file may not grow by a single page, as on a full disk
        database = real(*args, **kwargs)
        pages = database.execute("PRAGMA page_count").fetchone()[0]
        database.execute(f"PRAGMA max_page_count = {pages}")
        return database

    monkeypatch.setattr(db, "connect", full)
    code = run("demo")  # thousands of rows: more than the file may take
    err = capsys.readouterr().err
    assert (code, err.strip()) == (7, dbfailure.message("full").strip())
    assert "penuh" in err


@pytest.mark.parametrize(("text", "kind"), [
    ("database or disk is full", "full"), ("attempt to write a readonly database", "readonly"),
    ("database disk image is malformed", "malformed"), ("file is not a database", "not_a_database"),
    ("unable to open database file", "cannot_open"), ("database is locked", "locked"),
    ("disk I/O error", "io"), ("no such table: x", "other")])
def test_sqlite_errors_are_sorted_into_kinds(text, kind):
    assert dbfailure.kind_of(sqlite3.OperationalError(text)) == kind


def test_other_errors_are_no_database_failure():
    assert dbfailure.kind_of(ValueError("database or disk is full")) is None
    assert dbfailure.kind_of(db.IntegrityFailure("x")) == "integrity"
    codes = [dbfailure.exit_code(k) for k in dbfailure.KINDS]
    assert len(set(codes)) == len(codes) and not {0, 1} & set(codes)
