"""Blind rating (SPEC §2 step 2, §4.1): worklists, the rating form, drafts, submission.

Blindness lives in the queries: every read made on behalf of an assessor is filtered to that
assessor's own ratings until the candidate is open for integration (all assigned assessors
have submitted). Nothing here trusts the page to hide anything.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from core import audit
from core.db import one, rows, transaction
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.registry import clean_text, require_state
from core.roles import is_lead, require
from core.textutil import strip_controls

MAX_EVIDENCE = 2000
RATING_STATES = ("penilaian", "integrasi")


def registration(db: Database, registration_id: int) -> dict:
    """A registration with its event state, candidate and position names."""
    reg = one(db, """SELECT r.*, e.state, e.purpose, e.consensus_method, e.discuss_threshold,
                            c.name AS candidate_name, c.nip, p.name AS position_name
                     FROM registrations r JOIN events e ON e.id = r.event_id
                     JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
                     WHERE r.id = ?""", (registration_id,))
    if not reg:
        raise NotFound("registration.not_found")
    return reg


def worklist(db: Database, actor: dict, event_id: int) -> list[dict]:
    """The assessor's own candidate × exercise cells with progress (rated / required, submitted)."""
    require(actor, "asesor")
    return rows(db, """
        SELECT a.registration_id, a.exercise_id, r.participant_no, c.name AS candidate_name,
               p.name AS position_name, x.name AS exercise_name, x.sort AS exercise_sort,
               (SELECT count(*) FROM exercise_competencies ec WHERE ec.exercise_id = a.exercise_id) AS required,
               (SELECT count(*) FROM ratings t WHERE t.registration_id = a.registration_id
                  AND t.exercise_id = a.exercise_id AND t.assessor_id = a.assessor_id) AS rated,
               s.submitted_at
        FROM assignments a JOIN registrations r ON r.id = a.registration_id
        JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
        JOIN exercises x ON x.id = a.exercise_id
        LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
        WHERE a.assessor_id = ? AND r.event_id = ?
        ORDER BY r.participant_no, x.sort""", (actor["id"], event_id))


def _require_assigned(db: Database, actor: dict, registration_id: int, exercise_id: int) -> None:
    require(actor, "asesor")
    if not one(db, "SELECT 1 FROM assignments WHERE registration_id = ? AND exercise_id = ? AND assessor_id = ?",
               (registration_id, exercise_id, actor["id"])):
        raise PermissionDenied("rating.not_assigned")


def is_submitted(db: Database, registration_id: int, assessor_id: int) -> bool:
    return one(db, "SELECT 1 FROM submissions WHERE registration_id = ? AND assessor_id = ?",
               (registration_id, assessor_id)) is not None


def own_ratings(db: Database, actor: dict, registration_id: int, exercise_id: int | None = None) -> list[dict]:
    """The actor's own ratings of a candidate — the only ratings an assessor can read while rating."""
    sql = "SELECT * FROM ratings WHERE registration_id = ? AND assessor_id = ?"
    params: tuple = (registration_id, actor["id"])
    if exercise_id is not None:
        sql, params = sql + " AND exercise_id = ?", (*params, exercise_id)
    return rows(db, sql, params)


def rating_form(db: Database, actor: dict, registration_id: int, exercise_id: int) -> dict:
    """What the form shows: each competency the exercise measures, its levels, the actor's rating."""
    _require_assigned(db, actor, registration_id, exercise_id)
    reg = registration(db, registration_id)
    mine = {r["competency"]: r for r in own_ratings(db, actor, registration_id, exercise_id)}
    competencies = rows(db, """SELECT c.* FROM exercise_competencies ec JOIN competencies c ON c.code = ec.competency
                               WHERE ec.exercise_id = ? ORDER BY c.sort""", (exercise_id,))
    levels = _levels_by_competency(db, [c["code"] for c in competencies])
    submitted = is_submitted(db, registration_id, actor["id"])
    return {"registration": reg, "submitted": submitted,
            "editable": not submitted and reg["state"] in RATING_STATES,
            "competencies": [c | {"levels": levels[c["code"]], "rating": mine.get(c["code"])} for c in competencies]}


def _levels_by_competency(db: Database, codes: list[str]) -> dict[str, list[dict]]:
    levels: dict[str, list[dict]] = {code: [] for code in codes}
    for lvl in rows(db, "SELECT * FROM competency_levels ORDER BY competency, level"):
        if lvl["competency"] in levels:
            levels[lvl["competency"]].append(lvl | {"indicators": json.loads(lvl["indicators"])})
    return levels


def clean_entry(code: str, entry: dict) -> dict:
    """One rating as the form sends it: ``{"level": 1..5 or None (TB), "evidence": str, "version": int}``."""
    level = entry.get("level")
    if level is not None and (not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5):
        raise ValidationError("rating.bad_level", code=code)
    evidence = strip_controls(str(entry.get("evidence") or "")).strip()
    if not evidence:
        raise ValidationError("rating.evidence_required", code=code)
    if len(evidence) > MAX_EVIDENCE:
        raise ValidationError("rating.evidence_too_long", code=code, n=MAX_EVIDENCE)
    version = entry.get("version") or 0
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ValidationError("rating.bad_version")
    return {"level": level, "evidence": evidence, "version": version}


def clean_entries(entries: dict[str, dict]) -> dict[str, dict]:
    """Every entry cleaned; the competencies still lacking an evidence note are named together, so the
    assessor fills them all before the next save instead of meeting them one save at a time."""
    cleaned, missing = {}, []
    for code, entry in entries.items():
        try:
            cleaned[code] = clean_entry(code, entry)
        except ValidationError as error:
            if error.key != "rating.evidence_required":
                raise
            missing.append(code)
    if missing:
        raise ValidationError("rating.evidence_required", code=", ".join(missing))
    return cleaned


def save_ratings(db: Database, actor: dict, registration_id: int, exercise_id: int,
                 entries: dict[str, dict]) -> int:
    """Save a draft of some or all competencies of one candidate × exercise; returns how many changed.

    Each entry carries the version the form was drawn from; if the stored rating moved on since
    (another tab, another save), nothing is saved and :class:`Conflict` ``rating.stale`` is raised.
    """
    _require_assigned(db, actor, registration_id, exercise_id)
    cleaned = clean_entries(entries)
    with transaction(db):
        reg = registration(db, registration_id)
        require_state({"state": reg["state"]}, *RATING_STATES)
        if is_submitted(db, registration_id, actor["id"]):
            raise Conflict("rating.submitted")
        measured = {r["competency"] for r in rows(
            db, "SELECT competency FROM exercise_competencies WHERE exercise_id = ?", (exercise_id,))}
        if set(cleaned) - measured:
            raise ValidationError("rating.not_measured")
        stored = {r["competency"]: r for r in own_ratings(db, actor, registration_id, exercise_id)}
        changed = 0
        for code, entry in cleaned.items():
            changed += _save_one(db, actor, registration_id, exercise_id, code, entry, stored.get(code))
    return changed


def _save_one(db: Database, actor: dict, registration_id: int, exercise_id: int, code: str, entry: dict,
              before: dict | None) -> int:
    if (before["version"] if before else 0) != entry["version"]:
        raise Conflict("rating.stale", code=code)
    if before and before["level"] == entry["level"] and before["evidence"] == entry["evidence"]:
        return 0
    stamp = audit.now()
    if before:
        db.execute("UPDATE ratings SET level = ?, evidence = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   (entry["level"], entry["evidence"], stamp, before["id"]))
    else:
        db.execute("INSERT INTO ratings (registration_id, assessor_id, exercise_id, competency, level, evidence,"
                   " version, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                   (registration_id, actor["id"], exercise_id, code, entry["level"], entry["evidence"], stamp))
    audit.record(db, actor, "rate", "rating", f"{registration_id}/{exercise_id}/{code}",
                 old={"level": before["level"], "evidence": before["evidence"]} if before else None,
                 new={"level": entry["level"], "evidence": entry["evidence"]})
    return 1


def missing_ratings(db: Database, assessor_id: int, registration_id: int) -> list[dict]:
    """Assigned exercise × competency cells the assessor has not rated yet."""
    return rows(db, """
        SELECT x.name AS exercise_name, c.name AS competency_name FROM assignments a
        JOIN exercise_competencies ec ON ec.exercise_id = a.exercise_id
        JOIN exercises x ON x.id = a.exercise_id JOIN competencies c ON c.code = ec.competency
        LEFT JOIN ratings t ON t.registration_id = a.registration_id AND t.assessor_id = a.assessor_id
             AND t.exercise_id = a.exercise_id AND t.competency = ec.competency
        WHERE a.assessor_id = ? AND a.registration_id = ? AND t.id IS NULL
        ORDER BY x.sort, c.sort""", (assessor_id, registration_id))


def submit(db: Database, actor: dict, registration_id: int) -> None:
    """Submit all of the actor's ratings of a candidate; afterwards they are read-only."""
    require(actor, "asesor")
    with transaction(db):
        reg = registration(db, registration_id)
        require_state({"state": reg["state"]}, *RATING_STATES)
        if not one(db, "SELECT 1 FROM assignments WHERE registration_id = ? AND assessor_id = ?",
                   (registration_id, actor["id"])):
            raise PermissionDenied("rating.not_assigned")
        if is_submitted(db, registration_id, actor["id"]):
            raise Conflict("rating.submitted")
        missing = missing_ratings(db, actor["id"], registration_id)
        if missing:
            raise ValidationError("rating.incomplete", n=len(missing))
        db.execute("INSERT INTO submissions (registration_id, assessor_id, submitted_at) VALUES (?, ?, ?)",
                   (registration_id, actor["id"], audit.now()))
        audit.record(db, actor, "submit", "submission", f"{registration_id}/{actor['id']}")


def is_open(db: Database, registration_id: int) -> bool:
    """Open for integration: has assessors, and every assigned assessor has submitted."""
    row = one(db, """SELECT count(DISTINCT a.assessor_id) AS assigned, count(DISTINCT s.assessor_id) AS submitted
                     FROM assignments a LEFT JOIN submissions s
                       ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
                     WHERE a.registration_id = ?""", (registration_id,))
    return row["assigned"] > 0 and row["assigned"] == row["submitted"]


def may_see_all_ratings(db: Database, actor: dict, registration_id: int) -> bool:
    """Admin and the event's assessors see everyone's ratings only once the candidate is open; pimpinan never."""
    if not actor or not actor.get("active", 1) or actor["role"] == "pimpinan":
        return False
    if not is_open(db, registration_id):
        return False
    if actor["role"] == "admin":
        return True
    event_id = registration(db, registration_id)["event_id"]
    return is_lead(db, actor["id"], event_id) or one(
        db, "SELECT 1 FROM event_assessors WHERE event_id = ? AND user_id = ?", (event_id, actor["id"])) is not None


def candidate_ratings(db: Database, actor: dict, registration_id: int) -> list[dict]:
    """Every rating of a candidate if the actor may see them all, otherwise only the actor's own."""
    if may_see_all_ratings(db, actor, registration_id):
        return rows(db, """SELECT t.*, u.full_name AS assessor_name, x.name AS exercise_name, x.sort AS exercise_sort
                           FROM ratings t JOIN users u ON u.id = t.assessor_id JOIN exercises x ON x.id = t.exercise_id
                           WHERE t.registration_id = ? ORDER BY t.competency, u.full_name, x.sort""",
                    (registration_id,))
    if actor and actor.get("role") == "asesor":
        return own_ratings(db, actor, registration_id)
    raise PermissionDenied("rating.blind")


def clean_reason(reason: str) -> str:
    return clean_text(reason, "audit.reason", required=True, max_len=500)
