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


# python -m core report KIND (SPEC §7, issue 13 item 11): every paper is read back --------------

SELEKSI, PEMETAAN = 1, 2


def pdf_text(path) -> str:
    """The text of a PDF as a reader sees it (poppler's pdftotext)."""
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_bytes_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    return pdf_text(path)


def finalised(database, event_id: int) -> list[dict]:
    return db.rows(database, """SELECT r.id, r.position_id, c.name, c.nip FROM registrations r
                                JOIN results res ON res.registration_id = r.id
                                JOIN candidates c ON c.id = r.candidate_id
                                WHERE r.event_id = ? AND res.finalized_at IS NOT NULL ORDER BY r.id""", (event_id,))


def assert_office_words(text: str) -> None:
    assert "Saudara/i" not in text and "kelas jabatan" not in text.lower() and "kandidat" not in text.lower()


def test_report_individual_is_issued_and_reads_back(run, demo_db, tmp_path, capsys):
    person = finalised(demo_db, SELEKSI)[0]
    out = tmp_path / "individu.pdf"
    assert run("report", "individual", "--event", str(SELEKSI), "--registration", str(person["id"]),
               "--out", str(out)) == 0
    assert str(out) in capsys.readouterr().out
    text = pdf_text(out)
    record = db.one(demo_db, "SELECT number, code, issued_by FROM reports WHERE registration_id = ?"
                             " AND superseded_at IS NULL", (person["id"],))
    assert person["name"] in text and person["nip"] in text and "RAHASIA" in text
    assert record["number"] in text and record["code"] in text
    assert record["issued_by"] == db.one(demo_db, "SELECT id FROM users WHERE username = 'admin'")["id"]
    assert_office_words(text)


def test_report_recap_pdf_and_xlsx(run, demo_db, tmp_path):
    from openpyxl import load_workbook

    event = db.one(demo_db, "SELECT name FROM events WHERE id = ?", (SELEKSI,))["name"]
    assert run("report", "recap-pdf", "--event", str(SELEKSI), "--out", str(tmp_path / "rekap.pdf")) == 0
    text = pdf_text(tmp_path / "rekap.pdf")
    assert "REKAPITULASI" in text and event in " ".join(text.split())
    assert finalised(demo_db, SELEKSI)[0]["name"] in text
    assert_office_words(text)
    assert run("report", "recap-xlsx", "--event", str(SELEKSI), "--out", str(tmp_path / "rekap.xlsx")) == 0
    book = load_workbook(tmp_path / "rekap.xlsx")
    assert book.sheetnames[0] == t("export.sheet.summary") and len(book.sheetnames) > 1
    assert event in [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]


def test_report_berita_acara_needs_a_position_and_reads_back(run, demo_db, tmp_path, capsys):
    out = tmp_path / "ba.pdf"
    assert run("report", "berita-acara", "--event", str(SELEKSI), "--out", str(out)) == 2
    assert "--position" in capsys.readouterr().err and not out.exists()
    position = db.one(demo_db, "SELECT id, name FROM positions WHERE id = ?",
                      (finalised(demo_db, SELEKSI)[0]["position_id"],))
    assert run("report", "berita-acara", "--event", str(SELEKSI), "--position", str(position["id"]),
               "--meeting-date", "2026-12-01", "--place", "Ruang Rapat Sekda", "--out", str(out)) == 0
    text = " ".join(pdf_text(out).split())
    assert "BERITA ACARA" in text and position["name"] in text
    assert_office_words(text)


def ba_args(position_id: int, out, *extra: str) -> tuple[str, ...]:
    return ("report", "berita-acara", "--event", str(SELEKSI), "--position", str(position_id),
            "--meeting-date", "2026-11-25", "--place", "Ruang Rapat Sekretariat Daerah", "--out", str(out), *extra)


def test_report_berita_acara_says_the_meeting_date_is_required(run, demo_db, tmp_path, capsys):
    out = tmp_path / "ba.pdf"
    position_id = finalised(demo_db, SELEKSI)[0]["position_id"]
    assert run("report", "berita-acara", "--event", str(SELEKSI), "--position", str(position_id),
               "--place", "Ruang Rapat", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "--meeting-date" in err and "bukan tanggal yang sah" not in err and not out.exists()
    assert db.rows(demo_db, "SELECT id FROM pansel_papers") == []


def test_report_berita_acara_refuses_a_meeting_before_the_assessment_ended(run, demo_db, tmp_path, capsys):
    out = tmp_path / "ba.pdf"
    position_id = finalised(demo_db, SELEKSI)[0]["position_id"]
    args = list(ba_args(position_id, out))
    args[args.index("2026-11-25")] = "2026-09-01"
    assert run(*args) == 1
    assert "mendahului" in capsys.readouterr().err and not out.exists()
    assert db.rows(demo_db, "SELECT id FROM pansel_papers") == []


def test_report_berita_acara_run_twice_prints_the_issued_paper_again(run, demo_db, tmp_path, capsys):
    """The same meeting is one paper with one number, as the Laporan page prints an issued paper again;
    --new issues another number (the page's "Terbitkan dengan nomor baru")."""
    position_id = finalised(demo_db, SELEKSI)[0]["position_id"]
    first, second, third = tmp_path / "1.pdf", tmp_path / "2.pdf", tmp_path / "3.pdf"
    assert run(*ba_args(position_id, first)) == 0
    capsys.readouterr()
    assert run(*ba_args(position_id, second)) == 0
    assert "800/001/Pansel.JPT/XI/2026" in capsys.readouterr().err
    assert first.read_bytes() == second.read_bytes()
    assert [p["number"] for p in db.rows(demo_db, "SELECT number FROM pansel_papers")] == [
        "800/001/Pansel.JPT/XI/2026"]
    assert run(*ba_args(position_id, third, "--new")) == 0
    assert [p["number"] for p in db.rows(demo_db, "SELECT number FROM pansel_papers ORDER BY seq")] == [
        "800/001/Pansel.JPT/XI/2026", "800/002/Pansel.JPT/XI/2026"]
    assert "800/002/Pansel.JPT/XI/2026" in " ".join(pdf_text(third).split())


def test_report_pengantar_takes_no_place_and_names_the_positions_not_final(run, demo_db, tmp_path, capsys):
    out = tmp_path / "pengantar.pdf"
    assert run("report", "pengantar", "--event", str(SELEKSI), "--meeting-date", "2026-11-30",
               "--place", "Ruang Rapat", "--out", str(out)) == 2
    assert "--place" in capsys.readouterr().err
    assert run("report", "pengantar", "--event", str(SELEKSI), "--meeting-date", "2026-11-30", "--out", str(out)) == 1
    assert "8 jabatan belum final" in capsys.readouterr().err and not out.exists()
    assert db.rows(demo_db, "SELECT id FROM pansel_papers") == []


def test_report_zip_holds_every_final_report(run, demo_db, tmp_path):
    import zipfile

    people = finalised(demo_db, PEMETAAN)
    out = tmp_path / "semua.zip"
    assert run("report", "zip", "--event", str(PEMETAAN), "--out", str(out)) == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert len(names) == len(people) and all(n.endswith(".pdf") for n in names)
        texts = [pdf_bytes_text(archive.read(n), tmp_path) for n in (names[0], names[-1])]
    assert all("RAHASIA" in text for text in texts)
    assert sum(any(p["name"] in text for text in texts) for p in people) == 2  # first and last, by name


def test_report_export_and_siasn(run, demo_db, tmp_path):
    from openpyxl import load_workbook

    assert run("report", "export", "--event", str(SELEKSI), "--out", str(tmp_path / "data.xlsx")) == 0
    assert load_workbook(tmp_path / "data.xlsx").sheetnames == ["Penilaian", "Konsensus", "Hasil", "Nilai Tahap",
                                                                 "Potensi", "Rekam Jejak", "Peta Talenta", "Catatan"]
    assert run("report", "siasn", "--event", str(PEMETAAN), "--out", str(tmp_path / "siasn.json")) == 0
    shipped = json.loads((tmp_path / "siasn.json").read_text(encoding="utf-8"))
    assert {p["nip"] for p in finalised(demo_db, PEMETAAN)} <= set(json.dumps(shipped).split('"'))
    assert run("report", "siasn", "--event", str(PEMETAAN), "--out", str(tmp_path / "siasn.xlsx")) == 0
    assert load_workbook(tmp_path / "siasn.xlsx").worksheets[0].max_row > 1


def test_report_refusals_have_plain_messages_and_exit_codes(run, demo_db, tmp_path, capsys):
    person = finalised(demo_db, SELEKSI)[0]
    out = tmp_path / "x.pdf"
    cases = [(("individual", "--event", str(SELEKSI)), 2, "--registration"),
             (("individual", "--event", str(PEMETAAN), "--registration", str(person["id"])), 1,
              "tidak ada di kegiatan"),
             (("recap-pdf", "--event", "999"), 1, t("event.not_found")),
             (("export", "--event", str(SELEKSI), "--user", "tidakada"), 1, "tidakada")]
    for args, code, said in cases:
        assert run("report", *args, "--out", str(out)) == code, args
        assert said in capsys.readouterr().err and not out.exists()
    assert run("report", "recap-pdf", "--event", str(SELEKSI), "--out", str(tmp_path / "tidak" / "ada.pdf")) == 11
    assert "tidak dapat ditulis" in capsys.readouterr().err


def test_report_as_another_user_follows_their_role(run, demo_db, tmp_path, capsys):
    asesor = db.one(demo_db, """SELECT u.username FROM users u WHERE u.role = 'asesor' AND u.id NOT IN
                                (SELECT user_id FROM event_assessors WHERE is_lead = 1)""")["username"]
    assert run("report", "export", "--event", str(SELEKSI), "--user", asesor, "--out", str(tmp_path / "x.xlsx")) == 1
    assert "Gagal" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()
    pimpinan = db.one(demo_db, "SELECT username FROM users WHERE role = 'pimpinan'")["username"]
    assert run("report", "recap-pdf", "--event", str(SELEKSI), "--user", pimpinan,
               "--out", str(tmp_path / "r.pdf")) == 0


def test_report_without_any_admin_says_how_to_make_one(run, fresh_db, tmp_path, capsys):
    assert run("report", "recap-pdf", "--event", "1", "--out", str(tmp_path / "r.pdf")) == 1
    assert "create-user" in capsys.readouterr().err
