"""Admin command line: ``python -m core <command>``.

    python -m core check                      integrity check of the database
    python -m core create-user NAME "Full Name" --role admin
    python -m core reset-password NAME
    python -m core demo                       load the demo data set
    python -m core backup [--to PATH]         online backup into backups/ (or PATH)
    python -m core restore FILE [--yes]       replace the database with a checked backup
    python -m core report KIND --event ID [--registration ID] [--position ID] [--meeting-date D --place P]
                          [--new] --out PATH [--user NAME]
                                              write a report of SPEC §6 without the browser (KIND: see REPORTS)

Exit codes: 0 done; 1 refused or not possible (a plain message says why); 2 wrong arguments;
3–10 the database is unusable (core.dbfailure); 11 the output file cannot be written.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from core import (
    auth,
    backup,
    db,
    dbfailure,
    demo,
    exports,
    pansel,
    report_pansel,
    report_recap,
    reports,
    settings,
    setup,
    siasn,
)
from core.db import one
from core.errors import DomainError, NotFound
from core.i18n import format_datetime, t

CANNOT_WRITE = 11
USAGE = 2  # as argparse


class _Usage(Exception):
    """An argument the command needs is missing (the message says which)."""


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Kata sandi: ")
    if first != getpass.getpass("Ulangi kata sandi: "):
        raise SystemExit("Kata sandi tidak sama.")
    return first


def _system_admin() -> dict:
    """The CLI acts as the console operator: a synthetic admin identity for the audit log."""
    return {"id": None, "username": "konsol", "role": "admin", "active": 1}


def cmd_check(database, args) -> int:
    db.check_integrity(database)
    print(f"OK: {args.db} utuh; skema {db.schema_version(database)}.")
    return 0


def cmd_create_user(database, args) -> int:
    password = _password(args)
    if auth.needs_first_admin(database) and args.role == "admin":
        user = auth.create_first_admin(database, args.username, args.full_name, password)
    else:
        user = auth.create_user(database, _system_admin(), args.username, args.full_name,
                                args.role, password)
    print(f"Akun {user['username']} ({user['role']}) dibuat.")
    return 0


def cmd_reset_password(database, args) -> int:
    user = database.execute("SELECT id FROM users WHERE username = ?", (args.username.lower(),)).fetchone()
    if not user:
        raise SystemExit(f"Akun {args.username} tidak ditemukan.")
    auth.reset_password(database, _system_admin(), user["id"], _password(args))
    print(f"Kata sandi {args.username} diganti; semua sesinya berakhir.")
    return 0


def cmd_demo(database, _args) -> int:
    credentials = demo.load(database, _system_admin())
    print("Data demo dimuat. Akun demo (kata sandi hanya ditampilkan sekali):")
    for username, password in credentials.items():
        print(f"  {username:20} {password}")
    return 0


def cmd_backup(_database, args) -> int:
    print(backup.backup_to_file(args.db, args.to))
    return 0


def cmd_restore(_database, args) -> int:
    uploaded = _backup_file(args.file)
    if not args.yes and not _confirmed(args.db, args.file):
        print(t("backup.cancelled"), file=sys.stderr)
        return 1
    summary = backup.restore(args.db, uploaded, _system_admin())
    print(t("backup.restored", **{**summary, "newest_audit": summary["newest_audit"] or "–"}))
    return 0


def _backup_file(name: str) -> bytes:
    """The file to restore, with a ``-wal``/``-journal`` beside it folded in; its size is checked first."""
    return backup.read_restore_file(name)


def _confirmed(path, name: str) -> bool:
    try:
        answer = input(t("backup.confirm", path=path, name=name))
    except EOFError:  # no terminal to answer from: not a yes
        return False
    return answer.strip().lower() in ("ya", "y", "yes")


def _acting_user(database, username: str | None) -> dict:
    """The named active account, or the first active admin: reports are issued and audited in a real name."""
    if username:
        found = one(database, "SELECT * FROM users WHERE username = ? AND active = 1", (username.lower(),))
    else:
        found = one(database, "SELECT * FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1")
    if not found:
        raise NotFound("cli.no_user", name=username) if username else NotFound("cli.no_admin")
    return found


def _registration_of(database, args) -> int:
    if args.registration is None:
        raise _Usage(t("cli.needs_registration"))
    found = one(database, "SELECT event_id FROM registrations WHERE id = ?", (args.registration,))
    if not found or found["event_id"] != args.event:
        raise NotFound("cli.registration_not_in_event", registration=args.registration, event=args.event)
    return args.registration


def _position_of(args) -> int:
    if args.position is None:
        raise _Usage(t("cli.needs_position"))
    return args.position


def _siasn(database, actor, args) -> bytes:
    as_json, as_xlsx = siasn.event_export(database, actor, args.event)
    return as_json if Path(args.out).suffix.lower() == ".json" else as_xlsx


def _zip(database, actor, args) -> bytes:
    """The ZIP; on a terminal, a line that counts the reports as they are built."""
    def shown(done: int, total: int) -> None:
        print(f"\r{t('report.zip_progress', done=done, total=total)}", end="\n" if done == total else "",
              file=sys.stderr, flush=True)

    return reports.zip_individual(database, actor, args.event, progress=shown if sys.stderr.isatty() else None)


def _meeting_date(args) -> str:
    if not (args.meeting_date or "").strip():
        raise _Usage(t("cli.needs_meeting_date"))
    return args.meeting_date


def _pansel_paper(database, actor, args, kind: str, position_id: int | None, place: str, issue) -> bytes:
    """A Pansel paper for a meeting already issued is printed again as issued (the same number), as the Laporan
    page prints an issued paper; a new number only with --new (the page's "Terbitkan dengan nomor baru")."""
    found = None if args.new else pansel.find_paper(database, args.event, kind, position_id,
                                                    (args.meeting_date, place))
    if not found:
        return issue()
    data = report_pansel.reprint(database, actor, found["id"])
    issued = format_datetime(found["issued_at"], settings.time_zone(database))
    print(t("cli.pansel_reprinted", number=found["number"], issued=issued), file=sys.stderr)
    return data


def _berita_acara(database, actor, args) -> bytes:
    """The Pansel's berita acara of one position, dated on the meeting day entered (--meeting-date, --place)."""
    position_id, day = _position_of(args), _meeting_date(args)
    return _pansel_paper(database, actor, args, "berita_acara", position_id, args.place, lambda: (
        report_pansel.issue_berita_acara(database, actor, args.event, position_id, day, args.place)[1]))


def _pengantar(database, actor, args) -> bytes:
    """The surat pengantar from the Ketua Pansel to the PPK, dated as entered (--meeting-date); its place line is
    the city of the settings."""
    day = _meeting_date(args)
    if args.place is not None:
        raise _Usage(t("cli.pengantar_no_place"))
    return _pansel_paper(database, actor, args, "pengantar", None, report_pansel.letter_city(database), lambda: (
        report_pansel.issue_pengantar(database, actor, args.event, day)[1]))


REPORTS = {  # KIND → how its bytes are made (actor and permission checks are core's)
    "individual": lambda d, a, x: reports.issue_individual(d, a, _registration_of(d, x))[0],
    "recap-pdf": lambda d, a, x: report_recap.recap_pdf(d, a, x.event),
    "recap-xlsx": lambda d, a, x: exports.recap_xlsx(d, a, x.event),
    "berita-acara": _berita_acara,
    "pengantar": _pengantar,
    "zip": _zip,
    "export": lambda d, a, x: exports.full_export_xlsx(d, a, x.event),
    "siasn": _siasn,
}


def cmd_report(database, args) -> int:
    actor = _acting_user(database, args.user)
    data = REPORTS[args.kind](database, actor, args)
    try:
        _write(Path(args.out), data)
    except OSError as err:
        print(t("cli.cannot_write", path=args.out, detail=err.strerror or err), file=sys.stderr)
        return CANNOT_WRITE
    print(t("cli.written", kind=args.kind, path=args.out, kb=max(1, round(len(data) / 1024))))
    return 0


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a failed write leaves no half file under the name asked for."""
    handle, temporary = tempfile.mkstemp(prefix=".laporan-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="Dasbor Assessment Center — perintah admin")
    p.add_argument("--db", help="berkas basis data (bawaan: $DASBOR_DB atau data/dasbor.db)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="periksa keutuhan basis data").set_defaults(fn=cmd_check)
    cu = sub.add_parser("create-user", help="buat akun")
    cu.add_argument("username")
    cu.add_argument("full_name")
    cu.add_argument("--role", choices=auth.ROLES, default="admin")
    cu.add_argument("--password-stdin", action="store_true")
    cu.set_defaults(fn=cmd_create_user)
    rp = sub.add_parser("reset-password", help="ganti kata sandi akun")
    rp.add_argument("username")
    rp.add_argument("--password-stdin", action="store_true")
    rp.set_defaults(fn=cmd_reset_password)
    sub.add_parser("demo", help="muat data demo").set_defaults(fn=cmd_demo)
    bk = sub.add_parser("backup", help="cadangkan basis data (salinan daring SQLite)")
    bk.add_argument("--to", help="file atau folder tujuan (bawaan: folder backups/ di samping basis data)")
    bk.set_defaults(fn=cmd_backup)
    rs = sub.add_parser("restore", help="pulihkan basis data dari file cadangan")
    rs.add_argument("file", help="file cadangan (.db)")
    rs.add_argument("--yes", action="store_true", help="tanpa pertanyaan konfirmasi")
    rs.set_defaults(fn=cmd_restore)
    rp = sub.add_parser("report", help="tulis laporan tanpa peramban (SPEC §6)")
    rp.add_argument("kind", choices=list(REPORTS), help="jenis laporan")
    rp.add_argument("--event", type=int, required=True, help="ID kegiatan")
    rp.add_argument("--registration", type=int, help="ID pendaftaran peserta (laporan individual)")
    rp.add_argument("--position", type=int, help="ID jabatan (berita acara)")
    rp.add_argument("--meeting-date", help="tanggal rapat Pansel, TTTT-BB-HH (berita acara, pengantar)")
    rp.add_argument("--place", help="tempat rapat Pansel (berita acara; surat pengantar memakai Kota dari Pengaturan)")
    rp.add_argument("--new", action="store_true",
                    help="naskah Pansel: terbitkan nomor baru walaupun rapat yang sama sudah diterbitkan "
                         "(bawaan: cetak ulang naskah itu)")
    rp.add_argument("--out", required=True, help="berkas tujuan (siasn: .json atau .xlsx)")
    rp.add_argument("--user", help="nama akun yang membuat laporan (bawaan: admin pertama yang aktif)")
    rp.set_defaults(fn=cmd_report)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    args.db = Path(args.db) if args.db else setup.default_path()  # passed down, never written to os.environ
    try:
        return args.fn(setup.open_database(args.db), args)
    except DomainError as err:
        print(f"Gagal: {err}", file=sys.stderr)
        return 1
    except _Usage as err:
        print(err, file=sys.stderr)
        return USAGE
    except (db.IntegrityFailure, sqlite3.DatabaseError) as err:  # damaged, read-only, full: no traceback
        kind = dbfailure.kind_of(err)
        print(dbfailure.message(kind, detail=str(err)), file=sys.stderr)
        return dbfailure.exit_code(kind)


if __name__ == "__main__":
    sys.exit(main())
