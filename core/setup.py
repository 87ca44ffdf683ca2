"""Opening the app's database: where the file lives by default, and what the first open of a file does.

Above ``core.db`` and ``core.refdata`` (it uses both, neither uses it): open, migrate, check the
integrity, load the reference data — once per file per process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlite_utils import Database

from core import db, refdata

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "data" / "dasbor.db"
ENV_VAR = "DASBOR_DB"

_opened: set[str] = set()
_open_lock = threading.Lock()


def default_path() -> Path:
    """The app's database file: ``$DASBOR_DB`` or ``data/dasbor.db``."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def open_database(path: str | Path) -> Database:
    """Connect, and on the first call per file: migrate, check integrity, load reference data."""
    database = db.connect(path)
    key = str(Path(path).resolve())
    if key in _opened:
        return database
    with _open_lock:
        if key not in _opened:
            db.migrate(database)
            db.check_integrity(database)
            refdata.load(database)
            _opened.add(key)
    return database


def open_app_database() -> Database:
    """The app's own database (:func:`default_path`), opened as :func:`open_database` does."""
    return open_database(default_path())
