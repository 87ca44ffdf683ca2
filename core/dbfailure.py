"""What went wrong with the database file itself, in words an officer can act on (SPEC §8).

SQLite reports a damaged, read-only or full database with an error whose text names the cause;
:func:`kind_of` turns it into one of a few kinds, each with its own Indonesian message (catalog key
``dbfailure.<kind>``) and its own exit code for ``python -m core``.
"""

from __future__ import annotations

import sqlite3

from core.db import IntegrityFailure
from core.i18n import t

# kind: (words in SQLite's message, exit code of ``python -m core``)
KINDS = {
    "integrity": ("", 2),
    "not_a_database": ("file is not a database", 3),
    "malformed": ("database disk image is malformed", 4),
    "readonly": ("readonly database", 5),
    "cannot_open": ("unable to open database file", 6),
    "full": ("database or disk is full", 7),
    "locked": ("database is locked", 8),
    "io": ("disk i/o error", 9),
    "other": ("", 10),
}


def kind_of(error: BaseException) -> str | None:
    """The kind of database failure ``error`` is, or ``None`` when it is no database failure at all."""
    if isinstance(error, IntegrityFailure):
        return "integrity"
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    text = str(error).lower()
    for kind, (words, _) in KINDS.items():
        if words and words in text:
            return kind
    return "other"


def exit_code(kind: str) -> int:
    return KINDS[kind][1]


def message(kind: str, lang: str = "id", detail: str = "") -> str:
    """What is wrong and what to do, in ``lang``."""
    return t(f"dbfailure.{kind}", lang, detail=detail)
