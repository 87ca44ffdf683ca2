"""Setting up the assessment (SPEC §2 step 1) and the event's states.

Exercises and their competency matrix, the assessors and the Ketua Tim, conflict-of-interest
declarations, assignments (assessor × candidate × exercise), the setup checks, and the moves
``persiapan → penilaian → integrasi → final → arsip``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlite_utils import Database

from core import audit
from core.db import one, one_or_raise, rows, transaction
from core.errors import Conflict, NotFound, ValidationError
from core.registry import clean_text, delete_unused, get_event, require_state
from core.roles import require

EXERCISE_KINDS = ("inbasket", "lgd", "analisis_kasus", "presentasi", "wawancara", "custom")
NEXT_STATE = {"persiapan": "penilaian", "penilaian": "integrasi", "integrasi": "final", "final": "arsip"}
MIN_EXERCISES = 2  # SPEC §2 step 1: every competency of a standard is measured by at least two exercises


# Exercises and the exercise × competency matrix -----------------------------------------------

def create_exercise(db: Database, actor: dict, event_id: int, name: str, kind: str = "custom") -> int:
    """Admin adds an exercise (alat ukur) to an event being set up."""
    require(actor, "admin")
    if kind not in EXERCISE_KINDS:
        raise ValidationError("exercise.bad_kind")
    name = clean_text(name, "field.exercise", required=True, max_len=100)
    with transaction(db):
        require_state(get_event(db, event_id), "persiapan")
        if one(db, "SELECT 1 FROM exercises WHERE event_id = ? AND name = ? COLLATE NOCASE", (event_id, name)):
            raise Conflict("exercise.duplicate", name=name)
        sort = db.execute("SELECT coalesce(max(sort), 0) + 1 FROM exercises WHERE event_id = ?",
                          (event_id,)).fetchone()[0]
        exercise_id = db["exercises"].insert({"event_id": event_id, "name": name, "kind": kind,
                                              "sort": sort}).last_pk
        audit.record(db, actor, "create", "exercise", exercise_id, new={"name": name, "kind": kind})
    return exercise_id


def delete_exercise(db: Database, actor: dict, exercise_id: int) -> None:
    """Only an exercise without ratings can go."""
    delete_unused(db, actor, "exercises", "exercise", get_exercise, exercise_id,
                  "SELECT 1 FROM ratings WHERE exercise_id = ?", Conflict("exercise.has_ratings"))


def get_exercise(db: Database, exercise_id: int) -> dict:
    return one_or_raise(db, "SELECT * FROM exercises WHERE id = ?", (exercise_id,), NotFound("exercise.not_found"))


def list_exercises(db: Database, event_id: int) -> list[dict]:
    return rows(db, "SELECT * FROM exercises WHERE event_id = ? ORDER BY sort, id", (event_id,))


def get_matrix(db: Database, event_id: int) -> dict[int, set[str]]:
    """Exercise id → the competency codes it measures."""
    matrix: dict[int, set[str]] = {e["id"]: set() for e in list_exercises(db, event_id)}
    for row in rows(db, """SELECT ec.exercise_id, ec.competency FROM exercise_competencies ec
                           JOIN exercises e ON e.id = ec.exercise_id WHERE e.event_id = ?""", (event_id,)):
        matrix[row["exercise_id"]].add(row["competency"])
    return matrix


def times_measured(matrix: dict[int, set[str]]) -> Counter:
    """Competency code → how many exercises of ``matrix`` measure it."""
    return Counter(code for codes in matrix.values() for code in codes)


def thinly_measured(matrix: dict[int, set[str]], codes: list[str]) -> list[str]:
    """Those of ``codes`` that fewer than :data:`MIN_EXERCISES` exercises measure, in the given order."""
    measured = times_measured(matrix)
    return [code for code in codes if measured[code] < MIN_EXERCISES]


def set_matrix(db: Database, actor: dict, event_id: int, matrix: dict[int, set[str]]) -> None:
    """Replace the exercise × competency matrix of an event being set up."""
    require(actor, "admin")
    known = {r["code"] for r in rows(db, "SELECT code FROM competencies")}
    with transaction(db):
        require_state(get_event(db, event_id), "persiapan")
        exercises = {e["id"] for e in list_exercises(db, event_id)}
        if set(matrix) - exercises or any(set(codes) - known for codes in matrix.values()):
            raise ValidationError("exercise.bad_matrix")
        before = {k: sorted(v) for k, v in get_matrix(db, event_id).items()}
        db.execute("DELETE FROM exercise_competencies WHERE exercise_id IN "
                   "(SELECT id FROM exercises WHERE event_id = ?)", (event_id,))
        db["exercise_competencies"].insert_all(
            {"exercise_id": ex, "competency": code} for ex, codes in matrix.items() for code in sorted(codes))
        audit.record(db, actor, "update", "exercise_matrix", event_id, old=before,
                     new={k: sorted(v) for k, v in matrix.items()})


# Assessors, the Ketua Tim, conflicts of interest ---------------------------------------------

def set_assessors(db: Database, actor: dict, event_id: int, user_ids: list[int], lead_id: int | None) -> None:
    """The assessors of an event and which of them is Ketua Tim."""
    require(actor, "admin")
    user_ids = sorted(set(user_ids))
    if lead_id is not None and lead_id not in user_ids:
        raise ValidationError("assessor.lead_not_member")
    with transaction(db):
        require_state(get_event(db, event_id), "persiapan")
        valid = {r["id"] for r in rows(db, "SELECT id FROM users WHERE role = 'asesor' AND active = 1")}
        if set(user_ids) - valid:
            raise ValidationError("assessor.not_asesor")
        before = list_assessors(db, event_id)
        removed = {a["user_id"] for a in before} - set(user_ids)
        if removed and one(db, f"""SELECT 1 FROM assignments a JOIN registrations r ON r.id = a.registration_id
                    WHERE r.event_id = ? AND a.assessor_id IN ({",".join("?" * len(removed))})""",
                           (event_id, *removed)):
            raise Conflict("assessor.has_assignments")
        db.execute("DELETE FROM event_assessors WHERE event_id = ?", (event_id,))
        db["event_assessors"].insert_all({"event_id": event_id, "user_id": uid, "is_lead": int(uid == lead_id)}
                                         for uid in user_ids)
        audit.record(db, actor, "update", "event_assessors", event_id,
                     old=[(a["user_id"], a["is_lead"]) for a in before],
                     new=[(uid, int(uid == lead_id)) for uid in user_ids])


def list_assessors(db: Database, event_id: int) -> list[dict]:
    return rows(db, """SELECT ea.user_id, ea.is_lead, u.username, u.full_name FROM event_assessors ea
                       JOIN users u ON u.id = ea.user_id WHERE ea.event_id = ?
                       ORDER BY ea.is_lead DESC, u.full_name""", (event_id,))


def lead_of(db: Database, event_id: int) -> int | None:
    row = one(db, "SELECT user_id FROM event_assessors WHERE event_id = ? AND is_lead = 1", (event_id,))
    return row["user_id"] if row else None


def declare_conflict(db: Database, actor: dict, event_id: int, assessor_id: int, candidate_id: int,
                     reason: str) -> None:
    """An assessor (for themself) or the admin records a conflict of interest with a candidate."""
    require(actor, "asesor", "admin")
    if actor["id"] != assessor_id:
        require(actor, "admin")
    else:
        require(actor, "asesor", "admin")
    reason = clean_text(reason, "audit.reason", required=True, max_len=500)
    with transaction(db):
        get_event(db, event_id)
        if not one(db, "SELECT 1 FROM event_assessors WHERE event_id = ? AND user_id = ?", (event_id, assessor_id)):
            raise ValidationError("assessor.not_in_event")
        before = one(db, "SELECT reason FROM conflicts WHERE event_id = ? AND assessor_id = ? AND candidate_id = ?",
                     (event_id, assessor_id, candidate_id))
        db.execute("INSERT INTO conflicts (event_id, assessor_id, candidate_id, reason, declared_at)"
                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET reason = excluded.reason",
                   (event_id, assessor_id, candidate_id, reason, audit.now()))
        audit.record(db, actor, "declare", "conflict", f"{event_id}/{assessor_id}/{candidate_id}",
                     old=before, new={"reason": reason})


def remove_conflict(db: Database, actor: dict, event_id: int, assessor_id: int, candidate_id: int) -> None:
    """Admin withdraws a declaration (e.g. made in error); the audit log keeps what it said."""
    require(actor, "admin")
    key = (event_id, assessor_id, candidate_id)
    with transaction(db):
        before = one(db, "SELECT * FROM conflicts WHERE event_id = ? AND assessor_id = ? AND candidate_id = ?", key)
        if not before:
            raise NotFound("conflict.not_found")
        db.execute("DELETE FROM conflicts WHERE event_id = ? AND assessor_id = ? AND candidate_id = ?", key)
        audit.record(db, actor, "delete", "conflict", "/".join(map(str, key)),
                     old={k: before[k] for k in ("reason", "declared_at")})


def list_conflicts(db: Database, event_id: int) -> list[dict]:
    return rows(db, """SELECT c.*, u.full_name AS assessor_name, k.name AS candidate_name, k.nip
                       FROM conflicts c JOIN users u ON u.id = c.assessor_id
                       JOIN candidates k ON k.id = c.candidate_id WHERE c.event_id = ?
                       ORDER BY u.full_name, k.name""", (event_id,))


# Assignments --------------------------------------------------------------------------------

def list_assignments(db: Database, event_id: int) -> list[dict]:
    return rows(db, """SELECT a.*, r.candidate_id FROM assignments a
                       JOIN registrations r ON r.id = a.registration_id WHERE r.event_id = ?""", (event_id,))


def set_assignments(db: Database, actor: dict, event_id: int, triples: list[tuple[int, int, int]]) -> None:
    """Replace all assignments of an event with ``(registration_id, exercise_id, assessor_id)`` triples."""
    require(actor, "admin")
    triples = sorted(set(triples))
    with transaction(db):
        require_state(get_event(db, event_id), "persiapan")
        _check_triples(db, event_id, triples)
        count_before = len(list_assignments(db, event_id))
        db.execute("DELETE FROM assignments WHERE registration_id IN "
                   "(SELECT id FROM registrations WHERE event_id = ?)", (event_id,))
        db["assignments"].insert_all({"registration_id": r, "exercise_id": e, "assessor_id": a}
                                     for r, e, a in triples)
        audit.record(db, actor, "update", "assignments", event_id,
                     old={"count": count_before}, new={"count": len(triples)})


def _check_triples(db: Database, event_id: int, triples) -> None:
    registrations = {r["id"] for r in rows(db, "SELECT id FROM registrations WHERE event_id = ?", (event_id,))}
    exercises = {e["id"] for e in list_exercises(db, event_id)}
    assessors = {a["user_id"] for a in list_assessors(db, event_id)}
    for registration_id, exercise_id, assessor_id in triples:
        if registration_id not in registrations or exercise_id not in exercises or assessor_id not in assessors:
            raise ValidationError("assignment.invalid")


def auto_assign(db: Database, actor: dict, event_id: int, per_cell: int = 2) -> int:
    """Balanced assignment: each candidate × exercise gets ``per_cell`` assessors, never a conflicted one.

    Greedy by current load, ties broken by a rotation so pairs vary; returns the number of triples.
    """
    require(actor, "admin")
    assessors = [a["user_id"] for a in list_assessors(db, event_id)]
    registrations = rows(db, "SELECT id, candidate_id FROM registrations WHERE event_id = ? ORDER BY id",
                         (event_id,))
    exercises = [e["id"] for e in list_exercises(db, event_id)]
    conflicted = {(c["assessor_id"], c["candidate_id"]) for c in list_conflicts(db, event_id)}
    load: Counter = Counter({a: 0 for a in assessors})
    triples = []
    for step, (reg, exercise) in enumerate((r, e) for r in registrations for e in exercises):
        eligible = [a for a in assessors if (a, reg["candidate_id"]) not in conflicted]
        if len(eligible) < per_cell:
            raise Conflict("assignment.not_enough_assessors")
        rotation = {a: (i - step) % len(assessors) for i, a in enumerate(assessors)}
        chosen = sorted(eligible, key=lambda a: (load[a], rotation[a]))[:per_cell]
        for assessor in chosen:
            load[assessor] += 1
            triples.append((reg["id"], exercise, assessor))
    set_assignments(db, actor, event_id, triples)
    return len(triples)


# Setup checks and states --------------------------------------------------------------------

@dataclass
class Check:
    """One line of the list shown before a state change: passes, or names what is wrong."""

    key: str
    ok: bool
    problems: list[str] = field(default_factory=list)


def setup_checks(db: Database, event_id: int) -> list[Check]:
    """SPEC §2 step 1: the checks that must pass before rating opens."""
    matrix = get_matrix(db, event_id)
    registrations = rows(db, """SELECT r.id, r.candidate_id, c.name FROM registrations r
                                JOIN candidates c ON c.id = r.candidate_id WHERE r.event_id = ?""", (event_id,))
    assignments = list_assignments(db, event_id)
    return [
        Check("check.has_exercises", bool(matrix)),
        Check("check.has_candidates", bool(registrations)),
        Check("check.has_lead", lead_of(db, event_id) is not None),
        _check_standard_coverage(db, event_id, matrix),
        _check_two_assessors(registrations, assignments),
        _check_every_exercise_assigned(registrations, assignments, matrix),
        _check_no_conflicts(db, event_id, assignments),
    ]


def _check_standard_coverage(db: Database, event_id: int, matrix: dict[int, set[str]]) -> Check:
    cells = rows(db, """
        SELECT p.name AS position, c.name AS competency, c.code FROM position_standards s
        JOIN positions p ON p.id = s.position_id JOIN competencies c ON c.code = s.competency
        WHERE p.event_id = ? ORDER BY p.sort, c.sort""", (event_id,))
    thin, measured = set(thinly_measured(matrix, [c["code"] for c in cells])), times_measured(matrix)
    problems = [f"{r['position']}: {r['competency']} ({measured[r['code']]}×)" for r in cells if r["code"] in thin]
    return Check("check.standard_measured_twice", not problems, problems)


def _check_two_assessors(registrations: list[dict], assignments: list[dict]) -> Check:
    per_candidate = defaultdict(set)
    for a in assignments:
        per_candidate[a["registration_id"]].add(a["assessor_id"])
    problems = [r["name"] for r in registrations if len(per_candidate[r["id"]]) < 2]
    return Check("check.two_assessors", not problems, problems)


def _check_every_exercise_assigned(registrations, assignments, matrix) -> Check:
    covered = {(a["registration_id"], a["exercise_id"]) for a in assignments}
    measuring = [ex for ex, codes in matrix.items() if codes]
    problems = sorted({r["name"] for r in registrations for ex in measuring if (r["id"], ex) not in covered})
    return Check("check.every_exercise_assigned", not problems, problems)


def _check_no_conflicts(db: Database, event_id: int, assignments: list[dict]) -> Check:
    conflicts = {(c["assessor_id"], c["candidate_id"]): c for c in list_conflicts(db, event_id)}
    problems = sorted({f"{conflicts[k]['assessor_name']} – {conflicts[k]['candidate_name']}"
                       for k in ((a["assessor_id"], a["candidate_id"]) for a in assignments) if k in conflicts})
    return Check("check.no_conflicts", not problems, problems)


def state_checks(db: Database, event_id: int) -> list[Check]:
    """The checks that guard the move to the next state."""
    event = get_event(db, event_id)
    if event["state"] == "persiapan":
        return setup_checks(db, event_id)
    if event["state"] == "penilaian":
        return [Check("check.all_submitted", *_pending_submissions(db, event_id))]
    if event["state"] == "integrasi":
        open_ = rows(db, """SELECT c.name FROM registrations r JOIN candidates c ON c.id = r.candidate_id
            LEFT JOIN results res ON res.registration_id = r.id
            WHERE r.event_id = ? AND res.finalized_at IS NULL ORDER BY c.name""", (event_id,))
        return [Check("check.all_finalised", not open_, [p["name"] for p in open_])]
    return []


def _pending_submissions(db: Database, event_id: int) -> tuple[bool, list[str]]:
    """Who has not submitted whom yet: one line per assessor, "Assessor (n): participant numbers" (numbers,
    not names: eight assessors with twenty-odd candidates each must stay readable)."""
    pending = rows(db, """SELECT u.full_name, r.participant_no FROM assignments a
        JOIN registrations r ON r.id = a.registration_id JOIN users u ON u.id = a.assessor_id
        LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
        WHERE r.event_id = ? AND s.submitted_at IS NULL
        GROUP BY u.id, r.id ORDER BY u.full_name, r.participant_no""", (event_id,))
    per_assessor = defaultdict(list)
    for p in pending:
        per_assessor[p["full_name"]].append(p["participant_no"])
    return not pending, [f"{who} ({len(numbers)}): {', '.join(numbers)}" for who, numbers in per_assessor.items()]


def advance_state(db: Database, actor: dict, event_id: int) -> str:
    """Admin moves the event to its next state once every check passes."""
    require(actor, "admin")
    with transaction(db):
        event = get_event(db, event_id)
        target = NEXT_STATE.get(event["state"])
        if target is None:
            raise Conflict("event.no_next_state")
        if not all(check.ok for check in state_checks(db, event_id)):
            raise Conflict("event.checks_failed")
        db.execute("UPDATE events SET state = ?, updated_at = ? WHERE id = ?", (target, audit.now(), event_id))
        audit.record(db, actor, "state", "event", event_id, old={"state": event["state"]}, new={"state": target})
    return target
