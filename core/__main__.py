"""Admin command line: ``python -m core <command>``.

    python -m core check                      integrity check of the database
    python -m core create-user NAME "Full Name" --role admin
    python -m core reset-password NAME
    python -m core demo                       load the demo data set
    python -m core backup [--to PATH]         online backup into backups/ (or PATH)
    python -m core restore FILE [--yes]       replace the database with a checked backup
"""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from pathlib import Path

from core import auth, backup, db, dbfailure, demo, setup
from core.errors import DomainError
from core.i18n import t


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
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    args.db = Path(args.db) if args.db else setup.default_path()  # passed down, never written to os.environ
    try:
        return args.fn(setup.open_database(args.db), args)
    except DomainError as err:
        print(f"Gagal: {err}", file=sys.stderr)
        return 1
    except (db.IntegrityFailure, sqlite3.DatabaseError) as err:  # damaged, read-only, full: no traceback
        kind = dbfailure.kind_of(err)
        print(dbfailure.message(kind, detail=str(err)), file=sys.stderr)
        return dbfailure.exit_code(kind)


if __name__ == "__main__":
    sys.exit(main())
