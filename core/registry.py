"""The registry: events, positions with their standards, candidates and registrations (SPEC §2 step 1)."""

from __future__ import annotations

from sqlite_utils import Database

from core import audit, importer, nip, refdata
from core.db import one, one_or_raise, rows, transaction
from core.errors import Conflict, NotFound, ValidationError
from core.fields import MAX_PARTICIPANT_NO, clean_date, clean_email, clean_golongan, clean_phone, clean_text
from core.roles import require

PURPOSES = ("pengisian", "pemetaan")
STATES = ("persiapan", "penilaian", "integrasi", "final", "arsip")


# Events ----------------------------------------------------------------------------------------

def _event_fields(name, purpose, start_date, end_date, venue, organizer) -> dict:
    fields = {
        "name": clean_text(name, "field.event_name", required=True),
        "purpose": purpose,
        "start_date": clean_date(start_date, "field.start_date"),
        "end_date": clean_date(end_date, "field.end_date"),
        "venue": clean_text(venue, "field.venue"),
        "organizer": clean_text(organizer, "field.organizer"),
    }
    if purpose not in PURPOSES:
        raise ValidationError("event.bad_purpose")
    if fields["end_date"] < fields["start_date"]:
        raise ValidationError("event.end_before_start")
    return fields


def create_event(db: Database, actor: dict, name, purpose, start_date, end_date,
                 venue="", organizer="") -> int:
    """Admin creates an event in state ``persiapan``."""
    require(actor, "admin")
    fields = _event_fields(name, purpose, start_date, end_date, venue, organizer)
    stamp = audit.now()
    with transaction(db):
        event_id = db["events"].insert(fields | {"state": "persiapan", "created_at": stamp,
                                                 "updated_at": stamp}).last_pk
        audit.record(db, actor, "create", "event", event_id, new=fields)
    return event_id


def update_event(db: Database, actor: dict, event_id: int, name, purpose, start_date, end_date,
                 venue="", organizer="") -> None:
    """Admin edits an event; the purpose is fixed once rating has begun."""
    require(actor, "admin")
    fields = _event_fields(name, purpose, start_date, end_date, venue, organizer)
    with transaction(db):
        before = get_event(db, event_id)
        if before["state"] == "arsip":
            raise Conflict("event.archived")
        if fields["purpose"] != before["purpose"] and before["state"] != "persiapan":
            raise Conflict("event.purpose_locked")
        db["events"].update(event_id, fields | {"updated_at": audit.now()})
        audit.record(db, actor, "update", "event", event_id,
                     old={k: before[k] for k in fields}, new=fields)


def get_event(db: Database, event_id: int) -> dict:
    return one_or_raise(db, "SELECT * FROM events WHERE id = ?", (event_id,), NotFound("event.not_found"))


def list_events(db: Database) -> list[dict]:
    """Every event, newest first, with its counts."""
    return rows(db, """
        SELECT e.*,
          (SELECT count(*) FROM positions p WHERE p.event_id = e.id) AS n_positions,
          (SELECT count(*) FROM registrations r WHERE r.event_id = e.id) AS n_candidates
        FROM events e ORDER BY e.start_date DESC, e.id DESC""")


def require_state(event: dict, *states: str) -> None:
    """Raise :class:`Conflict` unless the event is in one of ``states``."""
    if event["state"] not in states:
        raise Conflict("event.wrong_state", state=event["state"], allowed=", ".join(states))


# Positions and standards -------------------------------------------------------------------------

def _position_fields(db: Database, name, unit, job_class) -> dict:
    if not one(db, "SELECT 1 FROM job_classes WHERE code = ?", (job_class,)):
        raise ValidationError("position.bad_job_class")
    return {"name": clean_text(name, "field.position", required=True),
            "unit": clean_text(unit, "field.unit"), "job_class": job_class}


def create_position(db: Database, actor: dict, event_id: int, name, unit, job_class) -> int:
    """Admin adds a target position; its standard starts at the job-class default (SPEC §3.2)."""
    require(actor, "admin")
    fields = _position_fields(db, name, unit, job_class)
    with transaction(db):
        require_state(get_event(db, event_id), "persiapan")
        if one(db, "SELECT 1 FROM positions WHERE event_id = ? AND name = ? COLLATE NOCASE",
               (event_id, fields["name"])):
            raise Conflict("position.duplicate", name=fields["name"])
        sort = db.execute("SELECT coalesce(max(sort), 0) + 1 FROM positions WHERE event_id = ?",
                          (event_id,)).fetchone()[0]
        position_id = db["positions"].insert(fields | {"event_id": event_id, "sort": sort}).last_pk
        standard = refdata.default_standard(db, job_class)
        db["position_standards"].insert_all(
            {"position_id": position_id, "competency": c, "level": lvl} for c, lvl in standard.items())
        audit.record(db, actor, "create", "position", position_id, new=fields | {"standard": standard})
    return position_id


def update_position(db: Database, actor: dict, position_id: int, name, unit, job_class) -> None:
    require(actor, "admin")
    fields = _position_fields(db, name, unit, job_class)
    with transaction(db):
        before = get_position(db, position_id)
        require_state(get_event(db, before["event_id"]), "persiapan")
        clash = one(db, "SELECT id FROM positions WHERE event_id = ? AND name = ? COLLATE NOCASE AND id != ?",
                    (before["event_id"], fields["name"], position_id))
        if clash:
            raise Conflict("position.duplicate", name=fields["name"])
        db["positions"].update(position_id, fields)
        audit.record(db, actor, "update", "position", position_id,
                     old={k: before[k] for k in fields}, new=fields)


def delete_position(db: Database, actor: dict, position_id: int) -> None:
    """Only a position nobody is registered for can go."""
    delete_unused(db, actor, "positions", "position", get_position, position_id,
                  "SELECT 1 FROM registrations WHERE position_id = ?", Conflict("position.has_candidates"))


def delete_unused(db: Database, actor: dict, table: str, entity: str, get, row_id: int, used_sql: str,
                  in_use: Exception) -> None:
    """Admin deletes a setup row of an event in persiapan that nothing uses yet; audited with the old row."""
    require(actor, "admin")
    with transaction(db):
        before = get(db, row_id)
        require_state(get_event(db, before["event_id"]), "persiapan")
        if one(db, used_sql, (row_id,)):
            raise in_use
        db.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))  # table: a constant of the caller
        audit.record(db, actor, "delete", entity, row_id, old=before)


def get_position(db: Database, position_id: int) -> dict:
    return one_or_raise(db, "SELECT * FROM positions WHERE id = ?", (position_id,), NotFound("position.not_found"))


def list_positions(db: Database, event_id: int) -> list[dict]:
    """Positions of an event with job-class name and number of candidates."""
    return rows(db, """
        SELECT p.*, j.name AS job_class_name,
          (SELECT count(*) FROM registrations r WHERE r.position_id = p.id) AS n_candidates
        FROM positions p JOIN job_classes j ON j.code = p.job_class
        WHERE p.event_id = ? ORDER BY p.sort, p.name""", (event_id,))


def get_standard(db: Database, position_id: int) -> dict[str, int]:
    """Competency code → required level, in dictionary order."""
    return {r["competency"]: r["level"] for r in rows(db, """
        SELECT s.competency, s.level FROM position_standards s
        JOIN competencies c ON c.code = s.competency
        WHERE s.position_id = ? ORDER BY c.sort""", (position_id,))}


def set_standard(db: Database, actor: dict, position_id: int, standard: dict[str, int],
                 reason: str = "") -> None:
    """Admin overrides the standard (the Pemkot's own SKJ); levels 1–5, known competencies only."""
    require(actor, "admin")
    known = {c["code"] for c in refdata.competencies(db)}
    if not standard or set(standard) - known:
        raise ValidationError("position.bad_standard")
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in standard.values()):
        raise ValidationError("position.bad_level")
    with transaction(db):
        position = get_position(db, position_id)
        require_state(get_event(db, position["event_id"]), "persiapan")
        before = get_standard(db, position_id)
        db.execute("DELETE FROM position_standards WHERE position_id = ?", (position_id,))
        db["position_standards"].insert_all(
            {"position_id": position_id, "competency": c, "level": lvl} for c, lvl in standard.items())
        audit.record(db, actor, "update", "position_standard", position_id,
                     old=before, new=dict(standard), reason=reason)


# Candidates ------------------------------------------------------------------------------------

def _candidate_fields(db: Database, raw_nip, name, golongan, current_position, current_unit,
                      email, phone) -> dict:
    info = nip.parse_nip(raw_nip)
    golongan = clean_golongan(golongan, [r["code"] for r in rows(db, "SELECT code FROM golongan")])
    return {"nip": info.nip, "name": clean_text(name, "field.name", required=True),
            "birth_date": info.birth_date.isoformat(), "gender": info.gender,
            "tmt_cpns": info.tmt_cpns, "golongan": golongan,
            "current_position": clean_text(current_position, "field.current_position"),
            "current_unit": clean_text(current_unit, "field.unit"),
            "email": clean_email(email), "phone": clean_phone(phone)}


def create_candidate(db: Database, actor: dict, nip_text, name, golongan=None, current_position="",
                     current_unit="", email="", phone="") -> int:
    """Admin adds a candidate; birth date, gender and TMT CPNS come from the NIP."""
    require(actor, "admin")
    fields = _candidate_fields(db, nip_text, name, golongan, current_position, current_unit, email, phone)
    with transaction(db):
        candidate_id = _insert_candidate(db, fields)
        audit.record(db, actor, "create", "candidate", candidate_id, new=fields)
    return candidate_id


def _insert_candidate(db: Database, fields: dict) -> int:
    if one(db, "SELECT 1 FROM candidates WHERE nip = ?", (fields["nip"],)):
        raise Conflict("candidate.duplicate_nip", nip=fields["nip"])
    stamp = audit.now()
    return db["candidates"].insert(fields | {"created_at": stamp, "updated_at": stamp}).last_pk


def update_candidate(db: Database, actor: dict, candidate_id: int, nip_text, name, golongan=None,
                     current_position="", current_unit="", email="", phone="") -> None:
    require(actor, "admin")
    fields = _candidate_fields(db, nip_text, name, golongan, current_position, current_unit, email, phone)
    with transaction(db):
        before = get_candidate(db, candidate_id)
        if one(db, "SELECT 1 FROM candidates WHERE nip = ? AND id != ?", (fields["nip"], candidate_id)):
            raise Conflict("candidate.duplicate_nip", nip=fields["nip"])
        changed = {k: v for k, v in fields.items() if before[k] != v}
        if not changed:
            return
        db["candidates"].update(candidate_id, changed | {"updated_at": audit.now()})
        audit.record(db, actor, "update", "candidate", candidate_id,
                     old={k: before[k] for k in changed}, new=changed)


def get_candidate(db: Database, candidate_id: int) -> dict:
    return one_or_raise(db, "SELECT * FROM candidates WHERE id = ?", (candidate_id,), NotFound("candidate.not_found"))


def search_candidates(db: Database, query: str = "", event_id: int | None = None,
                      limit: int = 200) -> list[dict]:
    """Candidates whose name, NIP or unit contains ``query``; with their registration in ``event_id``."""
    like = f"%{' '.join((query or '').split())}%"
    return rows(db, """
        SELECT c.*, r.id AS registration_id, r.participant_no, p.name AS position_name
        FROM candidates c
        LEFT JOIN registrations r ON r.candidate_id = c.id AND r.event_id = :event
        LEFT JOIN positions p ON p.id = r.position_id
        WHERE c.name LIKE :q OR c.nip LIKE :q OR c.current_unit LIKE :q OR c.current_position LIKE :q
        ORDER BY c.name LIMIT :limit""", {"q": like, "event": event_id, "limit": limit})


def count_candidates(db: Database) -> int:
    return db.execute("SELECT count(*) FROM candidates").fetchone()[0]


# Registrations -----------------------------------------------------------------------------------

def next_participant_no(db: Database, event_id: int, reserved: set[str] = frozenset()) -> str:
    """The next free number of the form ``001``, skipping ``reserved`` ones (e.g. later rows of an import)."""
    stored = {r["participant_no"] for r in rows(
        db, "SELECT participant_no FROM registrations WHERE event_id = ?", (event_id,))}
    taken, seq = stored | set(reserved), len(stored) + 1
    while f"{seq:03d}" in taken:
        seq += 1
    return f"{seq:03d}"


def register(db: Database, actor: dict, event_id: int, candidate_id: int, position_id: int,
             participant_no: str = "") -> int:
    """Admin registers a candidate for a position of an event, with a nomor peserta."""
    require(actor, "admin")
    with transaction(db):
        registration_id = _register(db, event_id, candidate_id, position_id, participant_no)
        audit.record(db, actor, "create", "registration", registration_id,
                     new={"event_id": event_id, "candidate_id": candidate_id, "position_id": position_id})
    return registration_id


def _register(db: Database, event_id: int, candidate_id: int, position_id: int, participant_no: str,
              reserved: set[str] = frozenset()) -> int:
    event = get_event(db, event_id)
    require_state(event, "persiapan")
    if get_position(db, position_id)["event_id"] != event_id:
        raise ValidationError("registration.position_not_in_event")
    get_candidate(db, candidate_id)
    if one(db, "SELECT 1 FROM registrations WHERE event_id = ? AND candidate_id = ?", (event_id, candidate_id)):
        raise Conflict("registration.duplicate")
    participant_no = (clean_text(participant_no, "field.participant_no", max_len=MAX_PARTICIPANT_NO)
                      or next_participant_no(db, event_id, reserved))
    if one(db, "SELECT 1 FROM registrations WHERE event_id = ? AND participant_no = ?", (event_id, participant_no)):
        raise Conflict("registration.duplicate_no", no=participant_no)
    return db["registrations"].insert({
        "event_id": event_id, "candidate_id": candidate_id, "position_id": position_id,
        "participant_no": participant_no, "created_at": audit.now()}).last_pk


def unregister(db: Database, actor: dict, registration_id: int) -> None:
    """Remove a registration while the event is still being set up."""
    require(actor, "admin")
    with transaction(db):
        reg = one(db, "SELECT * FROM registrations WHERE id = ?", (registration_id,))
        if not reg:
            raise NotFound("registration.not_found")
        require_state(get_event(db, reg["event_id"]), "persiapan")
        db.execute("DELETE FROM registrations WHERE id = ?", (registration_id,))
        audit.record(db, actor, "delete", "registration", registration_id, old=reg)


def list_registrations(db: Database, event_id: int, position_id: int | None = None) -> list[dict]:
    """Registered candidates of an event (optionally one position), by position then number."""
    where = "r.event_id = ?" + (" AND r.position_id = ?" if position_id else "")
    params = (event_id, position_id) if position_id else (event_id,)
    return rows(db, f"""
        SELECT r.id AS registration_id, r.participant_no, r.position_id, r.skp_predikat,
               p.name AS position_name, c.*
        FROM registrations r JOIN candidates c ON c.id = r.candidate_id
        JOIN positions p ON p.id = r.position_id
        WHERE {where} ORDER BY p.sort, r.participant_no""", params)


def candidate_registrations(db: Database, candidate_id: int) -> list[dict]:
    """Every event the candidate took part in, with the result where one was finalised."""
    return rows(db, """
        SELECT e.id AS event_id, e.name AS event_name, e.purpose, e.end_date, p.name AS position_name,
               p.job_class, r.participant_no, res.jpm, res.category, res.finalized_at,
               coalesce(r.assessment_date, e.end_date) AS assessment_date
        FROM registrations r JOIN events e ON e.id = r.event_id JOIN positions p ON p.id = r.position_id
        LEFT JOIN results res ON res.registration_id = r.id
        WHERE r.candidate_id = ? ORDER BY e.start_date DESC""", (candidate_id,))


# Import ----------------------------------------------------------------------------------------

def import_candidates(db: Database, actor: dict, filename: str, data: bytes, event_id: int | None = None,
                      mapping: dict[str, int] | None = None, progress=None):
    """All-or-nothing import of a candidate file; returns the parse result with its row errors.

    Nothing is written unless every row is valid. Rows naming a position are registered to
    ``event_id`` with their nomor peserta (or the next free one).
    """
    require(actor, "admin")
    event = get_event(db, event_id) if event_id else None
    result = importer.parse_candidate_file(
        filename, data,
        existing_nips={r["nip"] for r in rows(db, "SELECT nip FROM candidates")},
        golongan_codes={r["code"] for r in rows(db, "SELECT code FROM golongan")},
        positions={p["name"]: p["id"] for p in list_positions(db, event_id)} if event else None,
        existing_participant_nos={r["participant_no"] for r in rows(
            db, "SELECT participant_no FROM registrations WHERE event_id = ?", (event_id,))} if event else set(),
        mapping=mapping, progress=progress)
    if not result.ok:
        return result
    with transaction(db):
        if event and any(row.get("position_id") for row in result.rows):
            require_state(get_event(db, event_id), "persiapan")
        wanted = {row["participant_no"] for row in result.rows if row.get("participant_no")}
        for row in result.rows:
            _import_row(db, row, event_id, wanted)
        audit.record(db, actor, "import", "candidate", event_id or "",
                     new={"file": filename, "rows": len(result.rows)})
    return result


def _import_row(db: Database, row: dict, event_id: int | None, reserved: set[str]) -> None:
    fields = {k: row.get(k) or "" for k in ("nip", "name", "current_position", "current_unit", "email", "phone")}
    fields |= {"golongan": row.get("golongan") or None, "gender": row["gender"], "tmt_cpns": row["tmt_cpns"],
               "birth_date": str(row["birth_date"])}
    candidate_id = _insert_candidate(db, fields)
    if event_id and row.get("position_id"):
        _register(db, event_id, candidate_id, row["position_id"], row.get("participant_no") or "", reserved)


def update_event_settings(db: Database, actor: dict, event_id: int, consensus_method: str,
                          discuss_threshold: float) -> None:
    """Admin sets how consensus is suggested and when a cell must be discussed (before integration)."""
    require(actor, "admin")
    if consensus_method not in ("mean", "median"):
        raise ValidationError("event.bad_method")
    if not isinstance(discuss_threshold, int | float) or not 1 <= discuss_threshold <= 4:
        raise ValidationError("event.bad_threshold")
    new = {"consensus_method": consensus_method, "discuss_threshold": float(discuss_threshold)}
    with transaction(db):
        before = get_event(db, event_id)
        require_state(before, "persiapan", "penilaian")
        db["events"].update(event_id, new | {"updated_at": audit.now()})
        audit.record(db, actor, "update", "event_settings", event_id, old={k: before[k] for k in new}, new=new)
