"""Installation-wide settings (thresholds, bands, letterhead), stored as JSON per key."""

from __future__ import annotations

import json

from sqlite_utils import Database

from core import audit, refdata
from core.db import one, transaction
from core.errors import ValidationError
from core.roles import require


def defaults() -> dict:
    """The shipped values of every setting (``data/settings.json``)."""
    return refdata.read("settings")


def get(db: Database, key: str):
    """The stored value, or the shipped default when the key was never written."""
    row = one(db, "SELECT value FROM settings WHERE key = ?", (key,))
    if row is None:
        if key not in defaults():
            raise KeyError(key)
        return defaults()[key]
    return json.loads(row["value"])


def put(db: Database, actor: dict, key: str, value, reason: str = "") -> None:
    """Admin changes a setting; the old and new value go to the audit log."""
    require(actor, "admin")
    if key not in defaults():
        raise ValidationError("settings.unknown_key", key=key)
    with transaction(db):
        old = get(db, key)
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (key, json.dumps(value, ensure_ascii=False)))
        audit.record(db, actor, "update", "setting", key, old=old, new=value, reason=reason)


def set_potential_bands(db: Database, actor: dict, tinggi: float, menengah: float) -> None:
    """Admin edits the 9-box potential bands (JPM ≥ tinggi; ≥ menengah; below that rendah)."""
    if not 0 < menengah < tinggi <= 200:
        raise ValidationError("settings.bad_bands")
    put(db, actor, "potential_bands", {"tinggi": float(tinggi), "menengah": float(menengah)})
