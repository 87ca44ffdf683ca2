"""Role rules (SPEC §1, §8): the roles, who may act, who leads an event.

Below every other module of ours except the error types: it imports only ``core.errors`` (whose
one dependency, ``core.i18n``, imports nothing of ours), so any module may check a role.
"""

from __future__ import annotations

from sqlite_utils import Database

from core.errors import PermissionDenied

ROLES = ("admin", "asesor", "pimpinan")


def require(actor: dict | None, *roles: str) -> dict:
    """Raise :class:`PermissionDenied` unless ``actor`` is active and has one of ``roles``."""
    if not actor or not actor.get("active", 1) or actor.get("role") not in roles:
        raise PermissionDenied("auth.forbidden")
    return actor


def is_lead(db: Database, user_id: int, event_id: int | None = None) -> bool:
    """Whether the user is the Ketua Tim of the event (of any event when none is given)."""
    sql = "SELECT 1 FROM event_assessors WHERE user_id = ? AND is_lead = 1"
    params: tuple = (user_id,)
    if event_id is not None:
        sql, params = sql + " AND event_id = ?", (user_id, event_id)
    return db.execute(sql, params).fetchone() is not None
