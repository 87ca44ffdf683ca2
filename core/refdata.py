"""Reference data of SPEC §3, shipped in ``data/``: loaded into a new database, upgraded in an existing one.

Versioning: ``refdata_versions`` keeps, per data file, the SHA-256 of the file and the content last applied.
On start :func:`load` synchronises every file whose hash changed into its tables (inserted and updated rows),
in one ``BEGIN IMMEDIATE`` transaction, each changed row audited as ``refdata`` by "sistem" with its old and
new value. A new (empty) database is simply filled, without audit entries: nothing there was changed.

What an upgrade may touch (each table in :data:`TABLES`):

- competencies, competency_levels, job_classes, golongan, skp_predikat, ninebox: pure reference data, no page
  edits them; the data file is authoritative, a changed row is updated.
- categories: name and ``recommended`` come from the data; ``min_jpm`` is edited by the admin in Pengaturan
  (:func:`set_thresholds`, all thresholds of a purpose at once). New thresholds of a purpose replace the stored
  ones only while *all* of that purpose's stored thresholds still equal the previously shipped values, so an
  admin's edit is never overwritten and a half-applied, disordered set cannot arise.
- settings: every value is the admin's (``settings.put``); a changed default replaces a stored value only while
  it still equals the previously shipped default. A missing key is restored on every start.
- Without a record of the previously shipped content (a database older than versioning) admin-edited values
  are kept as stored.

Rows removed from the data: deleted when no user data points at them (audited with the old row); kept, and
audited as ``keep``, while positions, ratings, candidates, registrations or results still use them. Settings
keys are never deleted (the stored value is the admin's and harmless).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlite_utils import Database

from core import audit
from core.db import rows, transaction
from core.errors import ValidationError
from core.i18n import t
from core.roles import require

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ENTITY = "refdata"


@cache
def read(name: str):
    """Parse ``data/<name>.json`` (cached: the files never change at run time)."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def competency_rows(data: dict | None = None) -> tuple[list[dict], list[dict]]:
    """The dictionary as rows for ``competencies`` and ``competency_levels``."""
    competencies, levels = [], []
    for sort, comp in enumerate((data or read("competencies"))["competencies"], start=1):
        competencies.append({k: comp[k] for k in ("code", "name", "kind", "definition")} | {"sort": sort})
        for lvl in comp["levels"]:
            levels.append({"competency": comp["code"], "level": lvl["level"],
                           "headline": lvl["headline"], "indicators": lvl["indicators"]})
    return competencies, levels


# Versioned loading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """How one reference table is kept in step with its data file."""

    name: str
    key: tuple[str, ...]
    json_columns: tuple[str, ...] = ()   # stored as JSON text
    admin_columns: tuple[str, ...] = ()  # an admin edits these: an upgrade changes them only where nobody did
    admin_unit: tuple[str, ...] = ()     # the rows an admin edits together (default: each row alone)
    unique: tuple[str, ...] = ()         # integer UNIQUE columns, parked at their negative while rows move
    used_by: tuple[str, ...] = ()        # queries for user data that points at a row (named by key columns)
    keep_removed: bool = False           # rows gone from the data stay, unaudited




def _competency_users(param: str) -> tuple[str, ...]:
    """Queries for the user data that uses a competency (its code is the parameter ``param``)."""
    return tuple(f"SELECT 1 FROM {table} WHERE competency = :{param} LIMIT 1"
                 for table in ("position_standards", "exercise_competencies", "ratings", "consensus"))


TABLES = {t.name: t for t in (
    Table("competencies", ("code",), used_by=_competency_users("code")),
    Table("competency_levels", ("competency", "level"), json_columns=("indicators",),
          used_by=_competency_users("competency")),
    Table("job_classes", ("code",), used_by=("SELECT 1 FROM positions WHERE job_class = :code LIMIT 1",)),
    Table("golongan", ("code",), unique=("rank",),
          used_by=("SELECT 1 FROM candidates WHERE golongan = :code LIMIT 1",)),
    Table("skp_predikat", ("code",), used_by=("SELECT 1 FROM registrations WHERE skp_predikat = :code LIMIT 1",)),
    Table("categories", ("purpose", "code"), admin_columns=("min_jpm",), admin_unit=("purpose",),
          used_by=("SELECT 1 FROM results JOIN registrations r ON r.id = results.registration_id"
                   " JOIN events e ON e.id = r.event_id WHERE e.purpose = :purpose AND results.category = :code"
                   " LIMIT 1",)),
    Table("ninebox", ("box",)),
    Table("settings", ("key",), json_columns=("value",), admin_columns=("value",), keep_removed=True),
)}

# data file → its rows per table, in the order the tables are written
SOURCES: dict[str, Callable[[object], dict[str, list[dict]]]] = {
    "competencies": lambda data: dict(zip(("competencies", "competency_levels"), competency_rows(data),
                                          strict=True)),
    "job_classes": lambda data: {"job_classes": [r | {"sort": i} for i, r in enumerate(data)]},
    "golongan": lambda data: {"golongan": [r | {"rank": i} for i, r in enumerate(data, start=1)]},
    "skp_predikat": lambda data: {"skp_predikat": [r | {"sort": i} for i, r in enumerate(data)]},
    "categories": lambda data: {"categories": data},
    "ninebox": lambda data: {"ninebox": data},
    "settings": lambda data: {"settings": [{"key": k, "value": v} for k, v in data.items()]},
}


@dataclass
class Step:
    """One row to write: ``insert``, ``update`` or ``remove`` (delete, or keep while user data uses it)."""

    action: str
    table: Table
    key: dict
    old: dict | None = None
    new: dict | None = None


@dataclass
class Plan:
    """What starting with one data file writes."""

    file: str
    sha256: str
    content: object
    previous_sha256: str | None
    initial: bool                      # every table of the file is empty: a new database, filled unaudited
    steps: list[Step] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.sha256 != self.previous_sha256

    @property
    def work(self) -> bool:
        return self.changed or bool(self.steps)


def load(db: Database) -> None:
    """Fill a new database; bring an existing one up to a changed ``data/`` (rules in the module docstring).

    With unchanged data and nothing missing this writes nothing and takes no write lock.
    """
    if not any(plan(db, name).work for name in SOURCES):
        return
    with transaction(db):
        for name in SOURCES:  # planned again under the write lock: another process may have been first
            apply(db, plan(db, name))


def plan(db: Database, name: str) -> Plan:
    """Compare ``data/<name>.json`` with the database (read-only)."""
    raw = (DATA_DIR / f"{name}.json").read_bytes()
    version = _version(db, name)
    result = Plan(name, hashlib.sha256(raw).hexdigest(), json.loads(raw),
                  version["sha256"] if version else None, initial=True)
    previous = _previous_rows(name, version)
    for table, new_rows in SOURCES[name](result.content).items():
        stored = _stored(db, TABLES[table])
        result.initial = result.initial and not stored
        result.steps += table_steps(TABLES[table], stored, _keyed(TABLES[table], new_rows),
                                    previous.get(table),
                                    upgrade=result.changed)
    return result


def table_steps(table: Table, stored: dict, new: dict, previous: dict | None, upgrade: bool) -> list[Step]:
    """The rows that make ``stored`` follow ``new`` (rows keyed by their primary key).

    ``previous`` is the data as last applied (``None``: unknown). Without ``upgrade`` only missing rows are
    inserted.
    """
    steps = [Step("insert", table, _key_dict(table, k), new=row) for k, row in new.items() if k not in stored]
    if not upgrade:
        return steps
    free = _untouched_units(table, stored, previous)
    for k, row in new.items():
        if k in stored:
            old = stored[k]
            shipped = free is None or _unit(table, row) in free
            target = row if shipped else row | {c: old[c] for c in table.admin_columns}
            if any(old.get(c) != v for c, v in target.items()):
                steps.append(Step("update", table, _key_dict(table, k), old=old, new=target))
    if not table.keep_removed:
        steps += [Step("remove", table, _key_dict(table, k), old=old) for k, old in stored.items() if k not in new]
    return steps


def _untouched_units(table: Table, stored: dict, previous: dict | None) -> set[tuple] | None:
    """Units whose admin-edited values still hold the previously shipped ones (``None``: every unit)."""
    if not table.admin_columns:
        return None
    if previous is None:
        return set()
    units = {_unit(table, row) for row in stored.values()}
    for k, row in stored.items():
        if k in previous and any(row[c] != previous[k][c] for c in table.admin_columns):
            units.discard(_unit(table, row))
    return units


def apply(db: Database, plan: Plan) -> None:
    """Write a plan inside the caller's transaction: removals (children first), then per table updates, inserts."""
    for step in reversed([s for s in plan.steps if s.action == "remove"]):
        _remove(db, plan, step)
    for table in dict.fromkeys(s.table for s in plan.steps):
        updates = [s for s in plan.steps if s.table == table and s.action == "update"]
        for step, column in ((s, c) for s in updates for c in table.unique if s.new.get(c) != s.old.get(c)):
            db.execute(f"UPDATE {table.name} SET {column} = -{column} WHERE {_where(table)}", step.key)
        for step in updates:
            values = _encoded(table, step.new)
            db.execute(f"UPDATE {table.name} SET {', '.join(f'{c} = :{c}' for c in values)} WHERE {_where(table)}",
                       values | step.key)
            _audit(db, plan, "update", _entity_id(step), old=step.old, new=step.new)
        for step in (s for s in plan.steps if s.table == table and s.action == "insert"):
            values = _encoded(table, step.new)
            db.execute(f"INSERT INTO {table.name} ({', '.join(values)}) VALUES ({', '.join(':' + c for c in values)})",
                       values)
            _audit(db, plan, "insert", _entity_id(step), new=step.new)
    if plan.changed:
        db.execute("INSERT INTO refdata_versions (file, sha256, content, applied_at) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (file) DO UPDATE SET sha256 = excluded.sha256, content = excluded.content,"
                   " applied_at = excluded.applied_at",
                   (plan.file, plan.sha256, json.dumps(plan.content, ensure_ascii=False), audit.now()))
        _audit(db, plan, "upgrade", f"{plan.file}.json", old={"sha256": plan.previous_sha256},
               new={"sha256": plan.sha256})


def _remove(db: Database, plan: Plan, step: Step) -> None:
    """Delete a row gone from the data, unless user data still points at it."""
    if any(db.execute(sql, step.key).fetchone() for sql in step.table.used_by):
        _audit(db, plan, "keep", _entity_id(step), old=step.old, reason_key="refdata.reason_kept")
        return
    db.execute(f"DELETE FROM {step.table.name} WHERE {_where(step.table)}", step.key)
    _audit(db, plan, "delete", _entity_id(step), old=step.old)


def _audit(db: Database, plan: Plan, action: str, entity_id: str, old=None, new=None,
           reason_key: str = "refdata.reason_upgrade") -> None:
    """An audit entry by "sistem" — none while a new database is filled."""
    if not plan.initial:
        audit.record(db, None, action, ENTITY, entity_id, old=old, new=new,
                     reason=t(reason_key, file=f"{plan.file}.json"))


def _previous_rows(name: str, version: dict | None) -> dict[str, dict]:
    """Keyed rows of the data as last applied, of the tables with admin edits to tell apart (``{}``: unknown).

    A file whose shape has changed since cannot be read with today's code: its previous values count as unknown.
    """
    if not version:
        return {}
    try:
        shipped = SOURCES[name](json.loads(version["content"]))
        previous = {t: _keyed(TABLES[t], records) for t, records in shipped.items() if TABLES[t].admin_columns}
    except (KeyError, TypeError, AttributeError):
        return {}
    readable = all(c in row for t, keyed in previous.items() for row in keyed.values() for c in TABLES[t].admin_columns)
    return previous if readable else {}


def _version(db: Database, name: str) -> dict | None:
    found = rows(db, "SELECT sha256, content FROM refdata_versions WHERE file = ?", (name,))
    return found[0] if found else None


def _stored(db: Database, table: Table) -> dict[tuple, dict]:
    decoded = [r | {c: json.loads(r[c]) for c in table.json_columns} for r in rows(db, f"SELECT * FROM {table.name}")]
    return _keyed(table, decoded)


def _keyed(table: Table, records: list[dict]) -> dict[tuple, dict]:
    return {tuple(r[c] for c in table.key): r for r in records}


def _key_dict(table: Table, key: tuple) -> dict:
    return dict(zip(table.key, key, strict=True))


def _unit(table: Table, row: dict) -> tuple:
    return tuple(row[c] for c in table.admin_unit or table.key)


def _where(table: Table) -> str:
    return " AND ".join(f"{c} = :{c}" for c in table.key)


def _encoded(table: Table, row: dict) -> dict:
    return {c: json.dumps(v, ensure_ascii=False) if c in table.json_columns else v for c, v in row.items()}


def _entity_id(step: Step) -> str:
    return f"{step.table.name}:{'/'.join(str(v) for v in step.key.values())}"


# Reading --------------------------------------------------------------------------------------------

def competencies(db: Database) -> list[dict]:
    """The nine competencies in dictionary order."""
    return rows(db, "SELECT * FROM competencies ORDER BY sort")


def competency_levels(db: Database, code: str) -> list[dict]:
    """Level headlines and indicators of one competency, for the rating form."""
    levels = rows(db, "SELECT * FROM competency_levels WHERE competency = ? ORDER BY level", (code,))
    return [lvl | {"indicators": json.loads(lvl["indicators"])} for lvl in levels]


def level_names() -> dict[int, str]:
    """1 → 'Paham/dalam pengembangan' … 5 → 'Ahli'."""
    return {int(k): v for k, v in read("competencies")["level_names"].items()}


def job_classes(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM job_classes ORDER BY sort")


def golongan(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM golongan ORDER BY rank")


def skp_predikat(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM skp_predikat ORDER BY sort")


def categories(db: Database, purpose: str | None = None) -> list[dict]:
    """Category thresholds, highest first."""
    sql = "SELECT * FROM categories" + (" WHERE purpose = ?" if purpose else "")
    return rows(db, sql + " ORDER BY purpose, min_jpm DESC", (purpose,) if purpose else ())


def ninebox(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM ninebox ORDER BY box DESC")


def default_standard(db: Database, job_class: str) -> dict[str, int]:
    """SPEC §3.2: the default level per competency for a job class."""
    jc = db.execute("SELECT * FROM job_classes WHERE code = ?", (job_class,)).fetchone()
    return {c["code"]: jc["manajerial_level"] if c["kind"] == "manajerial" else jc["sosial_kultural_level"]
            for c in competencies(db)}


def set_thresholds(db: Database, actor: dict, purpose: str, minimums: dict[str, float]) -> None:
    """Admin edits the JPM lower bounds of a purpose's categories (highest category first, lowest at 0)."""
    require(actor, "admin")
    current = {c["code"]: c["min_jpm"] for c in categories(db, purpose)}
    if set(minimums) != set(current) or any(not isinstance(v, int | float) or not 0 <= v <= 200
                                            for v in minimums.values()):
        raise ValidationError("settings.bad_thresholds")
    ordered = sorted(current, key=current.get, reverse=True)  # the categories keep their order
    values = [float(minimums[c]) for c in ordered]
    if values[-1] != 0 or any(a <= b for a, b in zip(values, values[1:], strict=False)):
        raise ValidationError("settings.bad_thresholds")
    with transaction(db):
        for code in ordered:
            db.execute("UPDATE categories SET min_jpm = ? WHERE purpose = ? AND code = ?",
                       (float(minimums[code]), purpose, code))
        audit.record(db, actor, "update", "categories", purpose, old=current, new=dict(minimums))

