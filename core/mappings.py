"""Remembered column mappings (SPEC §9): the officer's choice for a file header, per import kind.

A file whose header (normalised by ``core.reader``) was mapped once is read with the same mapping
next time. Saving is one transaction with its audit entry (old and new mapping).
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from core import audit
from core.audit import now
from core.db import one, transaction
from core.errors import ValidationError
from core.importer import content_labels, field_label
from core.reader import fields_of, unmapped
from core.roles import require


def saved(db: Database, kind: str, signature: str) -> dict[str, int] | None:
    """The mapping remembered for this header, or ``None``."""
    found = one(db, "SELECT mapping FROM import_mappings WHERE kind = ? AND signature = ?", (kind, signature))
    return json.loads(found["mapping"]) if found else None


def check(kind: str, header: list[str], mapping: dict[str, int], extra: dict | None = None) -> dict[str, int]:
    """A mapping of known fields to distinct existing columns that covers every required field."""
    fields = fields_of(kind, extra)
    clean = {key: int(index) for key, index in mapping.items() if key in fields and index is not None}
    for key, index in clean.items():
        if not 0 <= index < len(header):
            raise ValidationError("reader.map.required", fields=key)
    seen: dict[int, str] = {}
    for key, index in clean.items():
        if index in seen:
            raise ValidationError("reader.map.duplicate", column=header[index])
        seen[index] = key
    missing, content = unmapped(fields, clean)
    if missing:
        raise ValidationError("reader.map.required", fields=", ".join(field_label(k) for k in missing))
    if content:
        raise ValidationError("reader.map.content", fields=content_labels(content))
    return clean


def remember(db: Database, actor: dict, kind: str, signature: str, mapping: dict[str, int]) -> None:
    """Store (or replace) the mapping for this header; audited with the old value."""
    require(actor, "admin")
    with transaction(db):
        old = saved(db, kind, signature)
        if old == mapping:
            return
        db.execute("INSERT INTO import_mappings (kind, signature, mapping, updated_by, updated_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, signature) DO UPDATE SET mapping = excluded.mapping, "
                   "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                   (kind, signature, json.dumps(mapping), actor["id"], now()))
        audit.record(db, actor, "update" if old else "create", "import_mapping", f"{kind}:{signature[:200]}",
                     old=old, new=mapping)
