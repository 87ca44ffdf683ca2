"""The integration meeting (SPEC §2 step 3, §4.2–§4.4): agenda, meeting view, consensus, finalise, reopen."""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from core import audit, narrative, scoring
from core.db import one, rows, transaction
from core.errors import Conflict, PermissionDenied, ValidationError
from core.rating import candidate_ratings, clean_reason, is_open, registration
from core.registry import clean_text, get_event, get_standard, require_state
from core.reliability import rwg
from core.roles import is_lead, require
from core.textutil import strip_controls

CONSENSUS_STATES = ("penilaian", "integrasi")
NARRATIVE_FIELDS = ("kekuatan", "area_pengembangan", "saran_pengembangan", "saran_penempatan")
MAX_NARRATIVE = 4000


# Who may do what ----------------------------------------------------------------------------

def require_viewer(db: Database, actor: dict, event_id: int) -> None:
    """The meeting is chaired by the Ketua Tim; the admin may watch."""
    if actor and actor.get("role") == "admin" and actor.get("active", 1):
        return
    require(actor, "asesor")
    if not is_lead(db, actor["id"], event_id):
        raise PermissionDenied("integration.lead_only")


def require_lead(db: Database, actor: dict, event_id: int) -> None:
    require(actor, "asesor")
    if not is_lead(db, actor["id"], event_id):
        raise PermissionDenied("integration.lead_only")


# Statistics of the cells, vectorised over the whole event ------------------------------------

def open_registrations(db: Database, event_id: int) -> set[int]:
    """Registrations whose every assigned assessor has submitted."""
    return {r["registration_id"] for r in rows(db, """
        SELECT a.registration_id FROM assignments a JOIN registrations r ON r.id = a.registration_id
        LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
        WHERE r.event_id = ? GROUP BY a.registration_id
        HAVING count(DISTINCT a.assessor_id) = count(DISTINCT s.assessor_id)""", (event_id,))}


def cell_statistics(ratings: pd.DataFrame, method: str = "mean") -> pd.DataFrame:
    """Per (registration, competency): n, spread, SD, r_wg, mean and the suggested consensus (§4.2–§4.3).

    ``ratings`` has columns registration_id, competency, level (NaN = TB). Vectorised: one groupby.
    """
    seen = ratings.dropna(subset=["level"])
    grouped = seen.groupby(["registration_id", "competency"])["level"]
    stats = grouped.agg(n="count", total="sum", low="min", high="max", mean="mean", median="median",
                        sd="std").reset_index()  # pandas' std is the sample SD (ddof=1)
    stats["sd"] = stats["sd"].fillna(0.0)
    stats["spread"] = (stats["high"] - stats["low"]).astype(int)
    # r_wg with the observed (sample) variance against the uniform null of a 5-point scale.
    stats["rwg"] = (1 - stats["sd"] ** 2 / 2.0).clip(lower=0, upper=1)
    if method == "median":  # half up on an exact half: (2·median + 1) // 2
        stats["suggested"] = ((2 * stats["median"]).round().astype(int) + 1) // 2
    else:  # half up on the exact fraction total/n: floor((2·total + n) / (2n))
        stats["suggested"] = (2 * stats["total"].astype(int) + stats["n"]) // (2 * stats["n"])
    return stats.drop(columns=["total", "low", "high", "median"])


def event_ratings(db: Database, event_id: int, registration_ids: set[int] | None = None) -> pd.DataFrame:
    """All individual ratings of an event as a frame (internal: callers enforce blindness)."""
    columns = ["registration_id", "assessor_id", "exercise_id", "competency", "level"]
    cursor = db.execute("""SELECT t.registration_id, t.assessor_id, t.exercise_id, t.competency, t.level
                           FROM ratings t JOIN registrations r ON r.id = t.registration_id
                           WHERE r.event_id = ?""", (event_id,))
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    frame["level"] = frame["level"].astype(float)
    if registration_ids is not None:
        frame = frame[frame["registration_id"].isin(registration_ids)]
    return frame


def agenda(db: Database, actor: dict, event_id: int) -> list[dict]:
    """Every candidate × standard competency cell of the candidates open for integration, by disagreement."""
    require_viewer(db, actor, event_id)
    event = get_event(db, event_id)
    opened = open_registrations(db, event_id)
    stats = cell_statistics(event_ratings(db, event_id, opened), event["consensus_method"])
    cells = pd.DataFrame(rows(db, """
        SELECT r.id AS registration_id, r.participant_no, c.name AS candidate_name, p.name AS position_name,
               s.competency, k.name AS competency_name, k.sort, s.level AS standard,
               cs.level AS consensus, res.finalized_at
        FROM registrations r JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
        JOIN position_standards s ON s.position_id = p.id JOIN competencies k ON k.code = s.competency
        LEFT JOIN consensus cs ON cs.registration_id = r.id AND cs.competency = s.competency
        LEFT JOIN results res ON res.registration_id = r.id
        WHERE r.event_id = ?""", (event_id,)))
    if cells.empty:
        return []
    if stats.empty:  # nothing observed at all yet: the cells are still on the agenda, unflagged
        stats = pd.DataFrame(columns=["registration_id", "competency", "n", "mean", "sd", "spread", "rwg",
                                      "suggested"])
    merged = cells[cells["registration_id"].isin(opened)].merge(stats, on=["registration_id", "competency"],
                                                                 how="left")
    merged["must_discuss"] = (merged["spread"] >= event["discuss_threshold"]).fillna(False).astype(bool)
    merged = merged.sort_values(["spread", "sd", "participant_no", "sort"], ascending=[False, False, True, True])
    for column in ("spread", "suggested", "consensus", "standard", "n"):  # levels are whole numbers
        merged[column] = merged[column].astype("Int64")
    return merged.astype(object).where(merged.notna(), None).to_dict("records")


# The meeting view of one candidate -------------------------------------------------------------

def meeting(db: Database, actor: dict, registration_id: int) -> dict:
    """Per competency: every assessor's ratings per exercise with evidence, scores, suggestion, consensus."""
    reg = registration(db, registration_id)
    require_viewer(db, actor, reg["event_id"])
    if not is_open(db, registration_id):
        raise Conflict("integration.not_open")
    ratings = candidate_ratings(db, actor, registration_id)
    standard = get_standard(db, reg["position_id"])
    consensus = {c["competency"]: c for c in rows(db, "SELECT * FROM consensus WHERE registration_id = ?",
                                                  (registration_id,))}
    names = {c["code"]: c["name"] for c in rows(db, "SELECT code, name FROM competencies")}
    competencies = [_meeting_cell(code, names[code], standard[code], [r for r in ratings if r["competency"] == code],
                                  reg["consensus_method"], reg["discuss_threshold"], consensus.get(code))
                    for code in standard]
    result = one(db, "SELECT * FROM results WHERE registration_id = ?", (registration_id,)) or {}
    return {"registration": reg, "competencies": competencies, "result": result,
            "finalised": bool(result.get("finalized_at"))}


def _meeting_cell(code, name, standard, ratings, method, threshold, consensus) -> dict:
    levels = [r["level"] for r in ratings]
    by_assessor: dict[str, list] = {}
    for r in ratings:
        by_assessor.setdefault(r["assessor_name"], []).append(r)
    spread, seen = scoring.spread(levels), scoring.observed(levels)
    return {"code": code, "name": name, "standard": standard, "ratings": ratings,
            "assessor_scores": {a: scoring.competency_score([r["level"] for r in rs]) for a, rs in by_assessor.items()},
            "spread": spread, "sd": scoring.sd(levels), "rwg": rwg(seen) if seen else None,
            "suggested": scoring.suggested_consensus(levels, method),
            "must_discuss": scoring.must_discuss(spread, threshold), "consensus": consensus}


# Decisions of the Ketua Tim ------------------------------------------------------------------

def _open_for_decisions(db: Database, actor: dict, registration_id: int) -> dict:
    reg = registration(db, registration_id)
    require_lead(db, actor, reg["event_id"])
    require_state({"state": reg["state"]}, *CONSENSUS_STATES)
    if not is_open(db, registration_id):
        raise Conflict("integration.not_open")
    if one(db, "SELECT 1 FROM results WHERE registration_id = ? AND finalized_at IS NOT NULL", (registration_id,)):
        raise Conflict("integration.finalised")
    return reg


def set_consensus(db: Database, actor: dict, registration_id: int, code: str, level: int,
                  rationale: str = "", expected_version: int | None = None) -> None:
    """Record the consensus level; a departure from the suggestion needs a written rationale."""
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
        raise ValidationError("consensus.bad_level")
    rationale = clean_text(rationale, "audit.reason", max_len=2000)
    with transaction(db):
        reg = _open_for_decisions(db, actor, registration_id)
        if code not in get_standard(db, reg["position_id"]):
            raise ValidationError("consensus.not_in_standard")
        levels = [r["level"] for r in rows(db, "SELECT level FROM ratings WHERE registration_id = ? AND competency = ?",
                                           (registration_id, code))]
        suggested = scoring.suggested_consensus(levels, reg["consensus_method"])
        if level != suggested and not rationale:
            raise ValidationError("consensus.rationale_required", suggested=suggested or "–")
        before = one(db, "SELECT * FROM consensus WHERE registration_id = ? AND competency = ?",
                     (registration_id, code))
        if expected_version is not None and (before["version"] if before else 0) != expected_version:
            raise Conflict("consensus.stale")
        _write_consensus(db, actor, registration_id, code, level, suggested, rationale, before)


def accept_suggestions(db: Database, actor: dict, registration_id: int) -> list[str]:
    """One action for the cells that need no discussion: each one without a consensus yet takes its
    suggestion as the consensus (no rationale needed: it is the suggestion). Cells flagged "harus
    dibahas", and cells already decided, are left to the meeting. Returns the codes set."""
    with transaction(db):
        reg = _open_for_decisions(db, actor, registration_id)
        decided = {r["competency"] for r in rows(db, "SELECT competency FROM consensus WHERE registration_id = ?",
                                                 (registration_id,))}
        ratings = rows(db, "SELECT competency, level FROM ratings WHERE registration_id = ?", (registration_id,))
        accepted = []
        for code in get_standard(db, reg["position_id"]):
            levels = [r["level"] for r in ratings if r["competency"] == code]
            suggested = scoring.suggested_consensus(levels, reg["consensus_method"])
            if code in decided or suggested is None or scoring.must_discuss(scoring.spread(levels),
                                                                            reg["discuss_threshold"]):
                continue
            _write_consensus(db, actor, registration_id, code, suggested, suggested, "", None)
            accepted.append(code)
    return accepted


def _write_consensus(db, actor, registration_id, code, level, suggested, rationale, before) -> None:
    stamp = audit.now()
    db.execute("""INSERT INTO consensus (registration_id, competency, level, suggested_level, rationale,
                                         decided_by, decided_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                  ON CONFLICT (registration_id, competency) DO UPDATE SET level = excluded.level,
                    suggested_level = excluded.suggested_level, rationale = excluded.rationale,
                    decided_by = excluded.decided_by, decided_at = excluded.decided_at, version = version + 1""",
               (registration_id, code, level, suggested, rationale, actor["id"], stamp))
    audit.record(db, actor, "consensus", "consensus", f"{registration_id}/{code}",
                 old={"level": before["level"], "rationale": before["rationale"]} if before else None,
                 new={"level": level, "suggested": suggested, "rationale": rationale})


def save_narrative(db: Database, actor: dict, registration_id: int, **texts: str) -> None:
    """Kekuatan, area pengembangan, saran pengembangan, saran penempatan."""
    if set(texts) - set(NARRATIVE_FIELDS):
        raise ValidationError("integration.bad_field")
    cleaned = {k: strip_controls(str(v or "")).strip()[:MAX_NARRATIVE] for k, v in texts.items()}
    with transaction(db):
        _open_for_decisions(db, actor, registration_id)
        before = one(db, "SELECT * FROM results WHERE registration_id = ?", (registration_id,))
        if before is None:
            db["results"].insert({"registration_id": registration_id} | cleaned)
        else:
            db["results"].update(registration_id, cleaned | {"version": before["version"] + 1})
        audit.record(db, actor, "narrative", "result", registration_id,
                     old={k: before[k] for k in cleaned} if before else None, new=cleaned)


def narrative_draft(db: Database, actor: dict, registration_id: int) -> dict[str, str]:
    """Kekuatan, area pengembangan and saran drafted from the consensus (the suggestion where none is set yet),
    for the Ketua Tim to edit: the narrative then agrees with the report's own profile table."""
    view = meeting(db, actor, registration_id)
    profile = [{"code": c["code"], "name": c["name"], "standard": c["standard"],
                "level": (c["consensus"] or {}).get("level") or c["suggested"]} for c in view["competencies"]]
    return narrative.draft(profile, view["registration"]["purpose"])


def thresholds(db: Database, purpose: str) -> list[tuple[str, float]]:
    """Category thresholds of a purpose as stored (admin-editable)."""
    return [(r["code"], r["min_jpm"]) for r in rows(db, "SELECT code, min_jpm FROM categories WHERE purpose = ?",
                                                    (purpose,))]


def finalise(db: Database, actor: dict, registration_id: int) -> dict:
    """Lock the candidate's results: refuses while a rating set is open or a consensus is missing."""
    with transaction(db):
        reg = _open_for_decisions(db, actor, registration_id)
        standard = get_standard(db, reg["position_id"])
        consensus = {c["competency"]: c["level"] for c in rows(
            db, "SELECT competency, level FROM consensus WHERE registration_id = ?", (registration_id,))}
        missing = [code for code in standard if code not in consensus]
        if missing:
            raise Conflict("integration.consensus_missing", codes=", ".join(missing))
        value = scoring.jpm(consensus, standard)
        result = {"achieved_total": sum(consensus[c] for c in standard), "standard_total": sum(standard.values()),
                  "jpm": value, "category": scoring.category(value, reg["purpose"], thresholds(db, reg["purpose"])),
                  "finalized_at": audit.now(), "finalized_by": actor["id"]}
        before = one(db, "SELECT * FROM results WHERE registration_id = ?", (registration_id,))
        if before is None:
            db["results"].insert({"registration_id": registration_id} | result)
        else:
            db["results"].update(registration_id, result | {"version": before["version"] + 1})
        audit.record(db, actor, "finalise", "result", registration_id, new=result)
    return result


# Reopening: admin only, with a reason, in the audit log -------------------------------------

def reopen_submission(db: Database, actor: dict, registration_id: int, assessor_id: int, reason: str) -> None:
    """Give an assessor's submitted rating set back for editing."""
    require(actor, "admin")
    reason = clean_reason(reason)
    with transaction(db):
        reg = registration(db, registration_id)
        require_state({"state": reg["state"]}, *CONSENSUS_STATES)
        if one(db, "SELECT 1 FROM results WHERE registration_id = ? AND finalized_at IS NOT NULL", (registration_id,)):
            raise Conflict("integration.reopen_result_first")
        before = one(db, "SELECT * FROM submissions WHERE registration_id = ? AND assessor_id = ?",
                     (registration_id, assessor_id))
        if not before:
            raise Conflict("integration.not_submitted")
        db.execute("DELETE FROM submissions WHERE registration_id = ? AND assessor_id = ?",
                   (registration_id, assessor_id))
        audit.record(db, actor, "reopen", "submission", f"{registration_id}/{assessor_id}",
                     old={"submitted_at": before["submitted_at"]}, new={"submitted_at": None}, reason=reason)


def reopen_result(db: Database, actor: dict, registration_id: int, reason: str) -> None:
    """Unlock a finalised result; a final event goes back to integrasi."""
    require(actor, "admin")
    reason = clean_reason(reason)
    with transaction(db):
        reg = registration(db, registration_id)
        if reg["state"] == "arsip":
            raise Conflict("event.archived")
        before = one(db, "SELECT * FROM results WHERE registration_id = ? AND finalized_at IS NOT NULL",
                     (registration_id,))
        if not before:
            raise Conflict("integration.not_finalised")
        db.execute("UPDATE results SET finalized_at = NULL, finalized_by = NULL, version = version + 1"
                   " WHERE registration_id = ?", (registration_id,))
        if reg["state"] == "final":
            db.execute("UPDATE events SET state = 'integrasi', updated_at = ? WHERE id = ?",
                       (audit.now(), reg["event_id"]))
            audit.record(db, actor, "state", "event", reg["event_id"], old={"state": "final"},
                         new={"state": "integrasi"}, reason=reason)
        audit.record(db, actor, "reopen", "result", registration_id,
                     old={k: before[k] for k in ("jpm", "category", "finalized_at")},
                     new={"finalized_at": None}, reason=reason)


def progress(db: Database, event_id: int) -> list[dict]:
    """Per candidate: assessors assigned and submitted, open, finalised (for Beranda and the admin)."""
    return rows(db, """
        SELECT r.id AS registration_id, r.participant_no, c.name AS candidate_name, p.name AS position_name,
               count(DISTINCT a.assessor_id) AS assigned, count(DISTINCT s.assessor_id) AS submitted,
               res.finalized_at, res.jpm, res.category
        FROM registrations r JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
        LEFT JOIN assignments a ON a.registration_id = r.id
        LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
        LEFT JOIN results res ON res.registration_id = r.id
        WHERE r.event_id = ? GROUP BY r.id ORDER BY p.sort, r.participant_no""", (event_id,))


def submissions(db: Database, event_id: int) -> list[dict]:
    """Submitted rating sets of an event (what an admin may reopen)."""
    return rows(db, """
        SELECT s.registration_id, s.assessor_id, s.submitted_at, r.participant_no, c.name AS candidate_name,
               u.full_name AS assessor_name
        FROM submissions s JOIN registrations r ON r.id = s.registration_id
        JOIN candidates c ON c.id = r.candidate_id JOIN users u ON u.id = s.assessor_id
        WHERE r.event_id = ? ORDER BY r.participant_no, u.full_name""", (event_id,))
