"""Backup and restore of the database file (SPEC §7, §8).

Copies are made with SQLite's online backup API, so they are consistent while other
connections keep writing (WAL). A restore checks the uploaded file completely before it
touches anything, keeps the current database as a file in ``backups/``, and then copies
the checked file *into* the live database, so its path and every open connection stay valid.

File names carry the server's local time (like the dates printed on reports): they are read
by people at the office, and "today's" daily backup should follow the office's calendar.
The audit log keeps its UTC clock.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

from sqlite_utils import Database

from core import audit, db, refdata, settings
from core.errors import NotFound, ValidationError
from core.i18n import t
from core.roles import require

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_FOLDER = "backups"
PREFIX = "dasbor"
DAILY_PREFIX = "dasbor-daily-"
BEFORE_RESTORE_PREFIX = "sebelum-pemulihan-"
KEEP_DAYS_KEY = "backup_keep_days"
DEFAULT_KEEP_DAYS = 14
MAX_RESTORE_BYTES = 500 * 1024 * 1024
CORE_TABLES = ("users", "events", "candidates", "ratings", "audit_log")
MIGRATIONS_TABLE = "_sqlite_migrations"
DAILY_NAME = re.compile(rf"^{DAILY_PREFIX}(\d{{8}})\.db$")
SAFE_NAME = re.compile(r"^[\w.-]+\.db$")

_daily_lock = threading.Lock()


# Making copies ----------------------------------------------------------------------------------

def backup_dir(db_path: str | Path) -> Path:
    """``<folder of the database>/backups``, created on demand (readable by the server's user only)."""
    folder = Path(db_path).resolve().parent / BACKUP_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


# A backup killed half-way (kill -9, power loss) leaves its temporary file behind; its process is gone.
STALE_SECONDS = 24 * 3600
_TEMP_NAME = re.compile(r"^\..+\.(?P<pid>\d+)\.\d+\.tmp(-journal|-wal|-shm)?$")
_TEMP_FOLDER = re.compile(r"^\.(unduh|unggahan)-(?:(?P<pid>\d+)-)?")


def clean_stale(folder: str | Path, now: float | None = None) -> list[str]:
    """Remove temporary files and folders of backups and restores whose process is no longer running
    (or that are a day old); returns their names. A copy still being written is left alone."""
    now = time.time() if now is None else now
    removed = []
    for path in Path(folder).glob(".*"):
        match = _TEMP_NAME.match(path.name) or _TEMP_FOLDER.match(path.name)
        if not match:
            continue
        try:
            age = now - path.lstat().st_mtime
        except FileNotFoundError:
            continue
        pid = match["pid"]
        if age > STALE_SECONDS or (pid is not None and not _running(int(pid))):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def backup_to_file(db_path: str | Path, target: str | Path | None = None) -> Path:
    """Online backup into ``backups/dasbor-YYYYMMDD-HHMMSS.db`` (or ``target``); the copy is checked."""
    source = _existing(db_path)
    target = _target_path(source, target)
    _online_copy(source, target, verify=True)
    return target


def ensure_daily(db_path: str | Path, keep_days: int | None = None,
                 now: dt.datetime | None = None) -> Path | None:
    """Make today's ``dasbor-daily-YYYYMMDD.db`` unless it exists; drop daily copies past ``keep_days``."""
    today = _local(now).date()
    daily = backup_dir(db_path) / f"{DAILY_PREFIX}{today:%Y%m%d}.db"
    made = None
    # One copy per process at a time: sessions calling this together must not all copy.
    with _daily_lock:
        if not daily.exists():
            made = backup_to_file(db_path, daily)
    _prune_daily(db_path, today, keep_days if keep_days is not None else _keep_days(db_path))
    return made


def list_backups(db_path: str | Path) -> list[dict]:
    """Every backup file, newest first: name, path, size in bytes, modified (local ISO time), kind."""
    found = []
    clean_stale(backup_dir(db_path))
    for path in backup_dir(db_path).glob("*.db"):
        stat = path.stat()
        modified = dt.datetime.fromtimestamp(stat.st_mtime).astimezone().replace(microsecond=0)
        found.append({"name": path.name, "path": str(path), "size": stat.st_size,
                      "modified": modified.isoformat(), "kind": _kind(path.name)})
    return sorted(found, key=lambda b: (b["modified"], b["name"]), reverse=True)


def read_backup(db_path: str | Path, name: str) -> bytes:
    """The bytes of one listed backup (for a download, or to restore it)."""
    # Only a bare file name: a name from the page must never reach outside backups/.
    if not SAFE_NAME.match(name or "") or not (backup_dir(db_path) / name).is_file():
        raise NotFound("backup.not_found", name=name)
    return (backup_dir(db_path) / name).read_bytes()


def _existing(db_path: str | Path) -> Path:
    # db.connect would silently create an empty file; backing up nothing must be an error.
    path = Path(db_path).resolve()
    if not path.is_file():
        raise NotFound("backup.no_database", path=str(path))
    return path


def _target_path(source: Path, target: str | Path | None) -> Path:
    if target is None:
        return _unique(backup_dir(source) / f"{PREFIX}-{_stamp()}.db")
    target = Path(target).resolve()
    if target.is_dir():
        target = _unique(target / f"{PREFIX}-{_stamp()}.db")
    if target == source:
        raise ValidationError("backup.target_is_live")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _online_copy(source: Path, target: Path, verify: bool) -> None:
    """Copy into a temporary name, then rename: no half-written file ever carries the real name."""
    clean_stale(target.parent)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    # Created 0600 before SQLite opens it: a backup holds every password hash and personal record.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(partial, 0o600)
    try:
        _copy_pages(source, partial, verify)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _copy_pages(source: Path, target: Path, verify: bool) -> None:
    """SQLite's online backup of ``source`` into ``target``; with ``verify``, the copy must pass integrity_check."""
    live = db.connect(source)
    copy = sqlite3.connect(str(target), isolation_level=None)
    try:
        live.conn.backup(copy)  # pages=-1: one step under one read snapshot, so writers never restart it
        # The copy inherits WAL mode; a backup must be one self-contained file without -wal/-shm.
        copy.execute("PRAGMA journal_mode = DELETE")
        problems = _integrity_problems(copy) if verify else []
    finally:
        copy.close()
        live.close()
    if problems:
        raise db.IntegrityFailure("; ".join(problems[:10]))


def _integrity_problems(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall() if row[0] != "ok"]


def _stamp(now: dt.datetime | None = None) -> str:
    return _local(now).strftime("%Y%m%d-%H%M%S")


def _local(now: dt.datetime | None) -> dt.datetime:
    """``now`` in the server's local time; a naive value is taken as local already."""
    now = now or dt.datetime.now()
    return now.astimezone() if now.tzinfo else now


def _unique(path: Path) -> Path:
    """Two backups in the same second must not overwrite each other."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _kind(name: str) -> str:
    if name.startswith(DAILY_PREFIX):
        return "daily"
    if name.startswith(BEFORE_RESTORE_PREFIX):
        return "before_restore"
    return "manual"


def _keep_days(db_path: str | Path) -> int:
    """The ``backup_keep_days`` setting; 14 while the key is not shipped in settings.json."""
    database = db.connect(db_path)
    try:
        return int(settings.get(database, KEEP_DAYS_KEY))
    except (KeyError, TypeError, ValueError):  # not shipped yet, or a stored value that is no number
        return DEFAULT_KEEP_DAYS
    finally:
        database.close()


def _prune_daily(db_path: str | Path, today: dt.date, keep_days: int) -> None:
    """Keep the daily copies of the last ``keep_days`` days, today included; other backups are never touched."""
    keep_days = max(1, keep_days)  # today's copy is never deleted, whatever the setting says
    for path in backup_dir(db_path).glob(f"{DAILY_PREFIX}*.db"):
        match = DAILY_NAME.match(path.name)
        if match and (today - dt.datetime.strptime(match[1], "%Y%m%d").date()).days >= keep_days:
            path.unlink(missing_ok=True)


# Checking a file before a restore -----------------------------------------------------------------

def check_candidate(path: str | Path) -> dict:
    """Refuse a file that is not a sound database of this app; otherwise return what it holds."""
    path = Path(path)
    if not _looks_like_sqlite(path):
        raise ValidationError("backup.not_sqlite")
    conn = _open_readonly(path)
    try:
        _check_intact(conn)
        _check_ours(conn)
        version = _check_schema(conn)
        _check_foreign_keys(conn)
        return _summary(conn, version)
    except sqlite3.DatabaseError as error:  # a forged file: our table names with other columns
        raise ValidationError("backup.unexpected", detail=str(error)) from error
    finally:
        conn.close()


def _looks_like_sqlite(path: Path) -> bool:
    # SQLite happily opens an empty or missing file as a new empty database; the header decides.
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError as error:
        raise ValidationError("backup.file_missing", name=str(path)) from error


def _open_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def _check_intact(conn: sqlite3.Connection) -> None:
    try:
        problems = _integrity_problems(conn)
    except sqlite3.DatabaseError as error:  # "file is not a database", "disk image is malformed"
        problems = [str(error)]
    if problems:
        raise ValidationError("backup.damaged", detail=problems[0])


def _check_ours(conn: sqlite3.Connection) -> None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [name for name in (MIGRATIONS_TABLE, *CORE_TABLES) if name not in tables]
    if missing:
        raise ValidationError("backup.foreign", missing=", ".join(missing))


def _check_schema(conn: sqlite3.Connection) -> str:
    """The file's schema version, if its migrations are ours and its whole schema is what they build."""
    try:
        applied = conn.execute(f"SELECT migration_set, name FROM {MIGRATIONS_TABLE} ORDER BY rowid").fetchall()
    except sqlite3.OperationalError as error:
        raise ValidationError("backup.foreign", missing=MIGRATIONS_TABLE) from error
    known = known_migrations()
    strange = [f"{s}/{n}" for s, n in applied if s != db.migrations.name or n not in known]
    names = [n for _, n in applied]
    if strange or not applied or sorted(names) != sorted(known[:len(names)]):
        raise ValidationError("backup.schema_unknown", version=", ".join(strange or names) or "–")
    version = applied[-1]["name"]
    differences = schema_differences(schema_of(conn), reference_schema(len(names)))
    if differences:
        raise ValidationError("backup.schema_mismatch", version=version, count=len(differences),
                              differences="; ".join(differences[:MAX_NAMED_DIFFERENCES]))
    return version


# Internal objects SQLite makes by itself; every other object of the file is compared.
SQLITE_OWN_TABLES = ("sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4")
MAX_NAMED_DIFFERENCES = 8


def schema_of(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """Every schema object as ``(type, name) → definition``: the normalised SQL SQLite parses the
    schema from, plus what the pragmas report of each table and view (columns with types, defaults,
    NOT NULL and primary key; foreign keys; indexes with their columns)."""
    found: dict[tuple[str, str], str] = {}
    relations = []
    for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if (kind == "table" and name in SQLITE_OWN_TABLES) or (kind == "index" and sql is None):
            continue  # automatic indexes (UNIQUE, PRIMARY KEY) show up in the index pragmas below
        found[(kind, name)] = f"{table}: {' '.join((sql or '').split())}"
        if kind in ("table", "view"):
            relations.append((kind, name))
    for kind, name in relations:
        quoted = _quoted(name)
        columns = [tuple(r) for r in conn.execute(f'PRAGMA table_xinfo("{quoted}")')]
        keys = [tuple(r) for r in conn.execute(f'PRAGMA foreign_key_list("{quoted}")')]
        indexes = [(*tuple(r)[1:], [tuple(c) for c in conn.execute(f'PRAGMA index_xinfo("{_quoted(r[1])}")')])
                   for r in conn.execute(f'PRAGMA index_list("{quoted}")')]
        found[(kind, name)] += f" | {columns} | {keys} | {sorted(indexes, key=repr)}"
    return found


def _quoted(name: str) -> str:
    return name.replace('"', '""')


@lru_cache(maxsize=8)
def reference_schema(applied_count: int) -> dict[tuple[str, str], str]:
    """What the first ``applied_count`` migrations of this app build, on an empty in-memory database."""
    reference = Database(memory=True)
    known = known_migrations()
    db.migrations.apply(reference, stop_before=known[applied_count:applied_count + 1] or None)
    try:
        return schema_of(reference.conn)
    finally:
        reference.close()


def schema_differences(found: dict[tuple[str, str], str], wanted: dict[tuple[str, str], str]) -> list[str]:
    """Each difference as an Indonesian phrase naming the object: extra, missing, or changed."""
    phrases = []
    for key in sorted(found.keys() | wanted.keys()):
        kind, name = key
        what = t(f"backup.kind.{kind}") if kind in ("table", "index", "trigger", "view") else kind
        if key not in wanted:
            phrases.append(t("backup.diff.extra", kind=what, name=name))
        elif key not in found:
            phrases.append(t("backup.diff.missing", kind=what, name=name))
        elif found[key] != wanted[key]:
            phrases.append(t("backup.diff.changed", kind=what, name=name))
    return phrases


def known_migrations() -> list[str]:
    """Names of this app's migrations, in order (all of them are pending on an empty database)."""
    return [m.name for m in db.migrations.pending(Database(memory=True))]


def _check_foreign_keys(conn: sqlite3.Connection) -> None:
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise ValidationError("backup.foreign_keys", count=len(broken), table=broken[0][0])


def _summary(conn: sqlite3.Connection, version: str | None) -> dict:
    counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("users", "events", "candidates", "ratings")}
    newest = conn.execute("SELECT at FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return {"schema_version": version, **counts, "newest_audit": newest[0] if newest else None}


# Restore -----------------------------------------------------------------------------------------

def restore(db_path: str | Path, uploaded: bytes, actor: dict) -> dict:
    """Admin replaces the database with a checked backup; returns its summary and the kept previous file."""
    require(actor, "admin")
    check_size(len(uploaded))
    with tempfile.TemporaryDirectory(dir=backup_dir(db_path), prefix=f".unggahan-{os.getpid()}-") as folder:
        candidate = Path(folder) / "unggahan.db"
        candidate.write_bytes(uploaded)
        summary = check_candidate(candidate)
        summary["sessions_ended"] = _end_sessions(candidate)
        _match_page_size(candidate, db_path)
        before = _current_summary(db_path)
        kept = _keep_previous(db_path)
        _copy_into_live(candidate, db_path)
    database = db.connect(db_path)
    try:
        _finish(database, actor, before, summary, kept)
        migrated_to = db.schema_version(database)
    finally:
        database.close()
    return summary | {"migrated_to": migrated_to, "previous": str(kept), "previous_name": kept.name}


COMPANIONS = ("-wal", "-journal")


def read_restore_file(name: str | Path) -> bytes:
    """The bytes of a backup file named on the command line, with the newest commits a ``-wal`` (or an
    unfinished ``-journal``) beside it still holds: the pair is copied, SQLite folds the companion into
    the copy, and a companion SQLite does not take is refused, never silently left out."""
    path = Path(name)
    try:
        companions = [(suffix, path.with_name(path.name + suffix)) for suffix in COMPANIONS]
        companions = [(suffix, c) for suffix, c in companions if c.is_file() and c.stat().st_size > 0]
        check_size(path.stat().st_size + sum(c.stat().st_size for _, c in companions))
        if not companions:
            return path.read_bytes()
    except OSError as error:
        raise ValidationError("backup.file_missing", name=str(name)) from error
    if not _looks_like_sqlite(path):
        raise ValidationError("backup.not_sqlite")
    with tempfile.TemporaryDirectory(prefix="dasbor-pulih-") as folder:
        copy = Path(folder) / "salinan.db"
        shutil.copyfile(path, copy)
        for suffix, companion in companions:
            shutil.copyfile(companion, copy.with_name(copy.name + suffix))
        _fold_companions(copy, companions)
        return copy.read_bytes()


def _fold_companions(copy: Path, companions: list[tuple[str, Path]]) -> None:
    conn = sqlite3.connect(str(copy), isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls a hot journal back
        conn.execute("PRAGMA journal_mode = DELETE")  # checkpoints the WAL into the file and removes it
    except sqlite3.DatabaseError as error:
        raise ValidationError("backup.companion_unreadable", name=companions[0][1].name, detail=str(error)) from error
    finally:
        conn.close()
    left = [companion.name for suffix, companion in companions
            if copy.with_name(copy.name + suffix).is_file() and copy.with_name(copy.name + suffix).stat().st_size]
    if left:
        raise ValidationError("backup.companion_unused", name=", ".join(left))


def check_size(size: int) -> None:
    """Refuse an upload over the limit before anything is written."""
    if size > MAX_RESTORE_BYTES:
        raise ValidationError("backup.too_large", size=round(size / 2**20), limit=round(MAX_RESTORE_BYTES / 2**20))


def _end_sessions(candidate: Path) -> int:
    """Empty the copy's sessions table: no sign-in of the backup's time, nor of the running app, survives."""
    conn = sqlite3.connect(str(candidate), isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        ended = conn.execute("DELETE FROM sessions").rowcount
        conn.execute("COMMIT")
        return ended
    finally:
        conn.close()


def _match_page_size(candidate: Path, db_path: str | Path) -> None:
    """The backup API cannot copy into a WAL database of another page size; rebuild the copy to fit."""
    live = db.connect(db_path)
    wanted = live.execute("PRAGMA page_size").fetchone()[0]
    live.close()
    conn = sqlite3.connect(str(candidate), isolation_level=None)
    try:
        if conn.execute("PRAGMA page_size").fetchone()[0] != wanted:
            conn.execute("PRAGMA journal_mode = DELETE")  # page size cannot change in WAL mode
            conn.execute(f"PRAGMA page_size = {int(wanted)}")
            conn.execute("VACUUM")
    finally:
        conn.close()


def _current_summary(db_path: str | Path) -> dict | None:
    """What the live file holds now, for the audit entry's old value (``None`` if unreadable)."""
    try:
        database = db.connect(db_path)
    except sqlite3.DatabaseError:  # a damaged live file is exactly when one restores
        return None
    try:
        return _summary(database.conn, db.schema_version(database))
    except sqlite3.DatabaseError:
        return None
    finally:
        database.close()


def _keep_previous(db_path: str | Path) -> Path:
    """Online copy of the current database, not gated on its integrity: a damaged file is kept too."""
    source = _existing(db_path)
    kept = _unique(backup_dir(source) / f"{BEFORE_RESTORE_PREFIX}{_stamp()}.db")
    _online_copy(source, kept, verify=False)
    return kept


def _copy_into_live(candidate: Path, db_path: str | Path) -> None:
    """Overwrite the live file's pages in place: other processes' connections see the restored data."""
    source = _open_readonly(candidate)
    live = db.connect(db_path)
    try:
        source.backup(live.conn)
    finally:
        source.close()
        live.close()


def _finish(database: Database, actor: dict, before: dict | None, summary: dict, kept: Path) -> None:
    """Bring an older backup up to our schema, check it, and record the restore in *its* audit log."""
    db.migrate(database)
    refdata.load(database)
    db.check_integrity(database)
    with db.transaction(database):
        audit.record(database, _audit_actor(database, actor), "restore", "database", kept.name,
                     old=before, new=summary | {"previous": kept.name},
                     reason=f"dipulihkan dari cadangan; basis data sebelumnya disimpan sebagai {kept.name}")


def _audit_actor(database: Database, actor: dict) -> dict:
    """The actor as the restored users table knows it: an id there may now belong to someone else."""
    row = db.one(database, "SELECT id FROM users WHERE id = ? AND username = ?",
                 (actor.get("id"), actor.get("username")))
    return actor if row else {**actor, "id": None}
