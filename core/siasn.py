"""Data for the national system (SPEC §6.6): one row per peserta keyed by NIP, as JSON and XLSX bytes.

Field names come from ``data/siasn_fields.json`` (the shape of SIASN's ``kompetensi/save``, ``potensi/save``
and ``tm/talentmapping-save``); the app writes files, it never calls BKN.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from sqlite_utils import Database

from core import audit, external, talent, talent_store
from core.exports import append, header, workbook_bytes
from core.registry import get_event
from core.roles import require

FIELDS_FILE = Path(__file__).resolve().parent.parent / "data" / "siasn_fields.json"
PERFORMANCE_AXIS = {"di_bawah": 1, "sesuai": 2, "di_atas": 3}


@cache
def field_map() -> dict:
    return json.loads(FIELDS_FILE.read_text(encoding="utf-8"))


def columns() -> list[str]:
    """The export's column names, in order: key, person, competency, potensi, talent mapping."""
    services = field_map()["services"]
    potensi = services["potensi/save"]
    return (["nip", "nama", "jabatan", "jenjang"]
            + list(services["kompetensi/save"]["fields"].values())
            + [potensi["fields"][c] if c in potensi["fields"] else _own(c) for c in talent.POTENSI_CODES]
            + [potensi["fields"]["total"]]
            + [services["tm/talentmapping-save"]["fields"][k] for k in ("box", "performance_axis",
                                                                        "potential_axis", "total")]
            + ["potensial", "kinerja", "data_belum_lengkap"])


def _own(code: str) -> str:
    return "potensi_" + code.replace(".", "")


def export_rows(db: Database, actor: dict, event_id: int) -> list[dict]:
    """One dict per peserta of the event, keys as :func:`columns` (values None where there is nothing)."""
    require(actor, "admin")
    built = talent_store.event_talent_map(db, event_id)
    services = field_map()["services"]
    comp_fields = services["kompetensi/save"]["fields"]
    pot_fields = services["potensi/save"]["fields"]
    levels: dict[int, dict] = defaultdict(dict)
    for reg, competency, level in db.execute("""SELECT cs.registration_id, cs.competency, cs.level FROM consensus cs
                         JOIN results res ON res.registration_id = cs.registration_id
                         WHERE res.finalized_at IS NOT NULL AND cs.registration_id IN
                           (SELECT id FROM registrations WHERE candidate_id IN
                              (SELECT candidate_id FROM registrations WHERE event_id = ?))""",
                                             (event_id,)).fetchall():
        levels[reg][competency] = level
    potensi = talent_store.event_potensi(db, event_id)
    imported = external.levels_of(db, [r["result_external_id"] for r in built["rows"] if r["result_external_id"]])
    tm = services["tm/talentmapping-save"]["fields"]
    out = []
    for row in built["rows"]:
        own = levels.get(row["result_registration_id"]) or imported.get(row["result_external_id"], {}).get("levels", {})
        aspects = potensi.get(row["candidate_id"], {})
        index = row["components"]["potensi"]
        record = {"nip": row["nip"], "nama": row["name"], "jabatan": row["position_name"], "jenjang": row["job_class"]}
        record |= {name: own.get(code) for code, name in comp_fields.items()}
        record |= {pot_fields.get(code, _own(code)): aspects.get(code) for code in talent.POTENSI_CODES}
        record[pot_fields["total"]] = None if index is None else talent.two_decimals(index)
        record |= {tm["box"]: row["box"],
                   tm["performance_axis"]: PERFORMANCE_AXIS.get(row["performance"]) if row["box"] else None,
                   tm["potential_axis"]: talent.two_decimals(row["potential_index"]) if row["box"] else None,
                   tm["total"]: None,
                   "potensial": row["potential"] if row["box"] else None,
                   "kinerja": row["performance"] if row["box"] else None,
                   "data_belum_lengkap": ", ".join(talent.missing_labels(row["missing"])) or None}
        out.append(record)
    return out


def to_json(records: list[dict], event: dict | None = None) -> bytes:
    """UTF-8 JSON: the event, the field-map note, and the rows."""
    body = {"dibuat": audit.now(), "kegiatan": event and {k: event[k] for k in ("id", "name", "purpose",
                                                                                 "start_date", "end_date")},
            "sumber_nama_field": field_map()["note"], "baris": records}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(records: list[dict]) -> bytes:
    """One sheet, header = the SIASN field names, NIP as text; cells through the exports' formula-safe writer."""
    book = Workbook()
    sheet = book.active
    sheet.title = "SIASN"
    names = columns()
    header(sheet, names)
    for record in records:
        append(sheet, [record.get(name) for name in names])
    for cell in sheet["A"][1:]:
        cell.number_format = "@"  # NIP stays text
    return workbook_bytes(book)


def event_export(db: Database, actor: dict, event_id: int) -> tuple[bytes, bytes]:
    """``(json_bytes, xlsx_bytes)`` of an event's SIASN export."""
    records = export_rows(db, actor, event_id)
    return to_json(records, get_event(db, event_id)), to_xlsx(records)
