"""Admin command line: ``python -m core <command>``.

    python -m core check                      integrity check of the database
    python -m core create-user NAME "Full Name" --role admin
    python -m core reset-password NAME
    python -m core demo                       load the demo data set
"""

from __future__ import annotations

import argparse
import getpass
import sys

from core import auth, db, demo
from core.errors import DomainError


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Kata sandi: ")
    if first != getpass.getpass("Ulangi kata sandi: "):
        raise SystemExit("Kata sandi tidak sama.")
    return first


def _system_admin(database) -> dict:
    """The CLI acts as the console operator: a synthetic admin identity for the audit log."""
    return {"id": None, "username": "konsol", "role": "admin", "active": 1}


def cmd_check(database, args) -> int:
    db.check_integrity(database)
    print(f"OK: {db.default_path()} utuh; skema {db.schema_version(database)}.")
    return 0


def cmd_create_user(database, args) -> int:
    password = _password(args)
    if auth.needs_first_admin(database) and args.role == "admin":
        user = auth.create_first_admin(database, args.username, args.full_name, password)
    else:
        user = auth.create_user(database, _system_admin(database), args.username, args.full_name,
                                args.role, password)
    print(f"Akun {user['username']} ({user['role']}) dibuat.")
    return 0


def cmd_reset_password(database, args) -> int:
    user = database.execute("SELECT id FROM users WHERE username = ?", (args.username.lower(),)).fetchone()
    if not user:
        raise SystemExit(f"Akun {args.username} tidak ditemukan.")
    auth.reset_password(database, _system_admin(database), user["id"], _password(args))
    print(f"Kata sandi {args.username} diganti; semua sesinya berakhir.")
    return 0


def cmd_demo(database, args) -> int:
    credentials = demo.load(database, _system_admin(database))
    print("Data demo dimuat. Akun demo (kata sandi hanya ditampilkan sekali):")
    for username, password in credentials.items():
        print(f"  {username:20} {password}")
    return 0


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
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.db:
        import os

        os.environ[db.ENV_VAR] = args.db
    try:
        return args.fn(db.prepare(), args)
    except DomainError as err:
        print(f"Gagal: {err}", file=sys.stderr)
        return 1
    except db.IntegrityFailure as err:
        print(f"Basis data rusak: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
