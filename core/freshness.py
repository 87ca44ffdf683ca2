"""The data version every page cache takes as an argument: any write anywhere gives a new one.

The rule "every write invalidates" rests on another rule of this house: every write is audited in the same
transaction (``core.audit.record``), and the audit log is append-only. So the newest audit id moves on with
every committed change and never with a rolled-back one. The database file is part of the version, so two
databases at the same audit id never share a cache entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlite_utils import Database

T = TypeVar("T")


def data_version(db: Database) -> str:
    """``<database file>#<newest audit id>``: a cheap (one index lookup) and honest cache key."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    newest = db.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    return f"{path}#{newest}"


class Stale(Exception):
    """A write landed between taking a version and reading at it: take the version again."""


def read_at(db: Database, version: str, compute: Callable[..., T], *args) -> T:
    """``compute(db, *args)`` on the data exactly as of ``version``, read in one snapshot.

    A cache keyed by the version then never holds newer or older data under it; if the database has
    already moved past ``version``, :class:`Stale` is raised and nothing is computed.
    """
    db.execute("BEGIN")  # deferred: the first read fixes the snapshot every later read of this unit sees
    try:
        if data_version(db) != version:
            raise Stale(version)
        return compute(db, *args)
    finally:
        db.execute("ROLLBACK")  # a reading unit: nothing to keep
