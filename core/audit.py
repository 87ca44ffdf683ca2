"""The append-only audit log: who, when, what, old and new value, why."""

from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from core.db import rows


def now() -> str:
    """UTC timestamp as ISO text, second precision — the one clock of the app."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def record(db: Database, actor: dict | None, action: str, entity: str, entity_id="",
           old=None, new=None, reason: str = "") -> None:
    """Append one entry; call inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_log (at, user_id, username, action, entity, entity_id,"
        " old_value, new_value, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now(), actor["id"] if actor else None, actor["username"] if actor else "sistem",
         action, entity, str(entity_id), _json(old), _json(new), reason),
    )


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def entries(db: Database, entity: str | None = None, limit: int = 500) -> list[dict]:
    """Newest first; optionally for one kind of record."""
    where = "WHERE entity = ?" if entity else ""
    params = (entity, limit) if entity else (limit,)
    return rows(db, f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", params)
