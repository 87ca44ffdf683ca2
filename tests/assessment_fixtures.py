"""Builders for assessment tests: a small event made through core functions only, and rating helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from core import assessment, audit, auth, integration, rating, registry

PASSWORD = "rahasia123"
COMPETENCIES = ("M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01")
NIPS = ("197501012000031001", "198203152006042003", "198807212012121002")
NAMES = ("Budi Santoso, S.Kom.", "Siti Rahayu, S.E., M.M.", "Dedi Kurniawan, S.T.")
EVIDENCE = "Peserta menyusun rencana kerja yang runtut dan menyampaikannya dengan jelas."

Level = int | None
LevelRule = Level | Callable[[int, int, int, str], Level]  # (registration, exercise, assessor, code) → level


def make_nip(index: int) -> str:
    """A valid NIP for any index: the three fixed ones, then born 1980-01-dd, TMT 2005-01, male."""
    if index < len(NIPS):
        return NIPS[index]
    return f"1980{1 + index // 28:02d}{1 + index % 28:02d}200501{1}{index:03d}"


@dataclass
class EventSetup:
    """An event built through core: ids of everything, the assessor accounts, the Ketua Tim."""

    event_id: int
    position_id: int
    candidates: list[int]
    registrations: list[int]
    exercises: list[int]
    assessors: list[dict]

    @property
    def lead(self) -> dict:
        return self.assessors[0]

    def assessor(self, user_id: int) -> dict:
        return next(a for a in self.assessors if a["id"] == user_id)


def make_assessors(db, admin, n: int, prefix: str = "asesor") -> list[dict]:
    return [auth.create_user(db, admin, f"{prefix}.{i + 1:02d}", f"Asesor Nomor {i + 1}, S.Psi.", "asesor",
                             PASSWORD) for i in range(n)]


def build_event(db, admin, *, n_candidates: int = 3, n_exercises: int = 2, n_assessors: int = 3,
                purpose: str = "pengisian") -> EventSetup:
    """An event in persiapan: 1 jpt_pratama position, candidates, exercises measuring all 9, assessors + lead.

    No assignments yet.
    """
    event_id = registry.create_event(db, admin, "Seleksi Terbuka JPT Pratama 2026", purpose,
                                     "2026-11-16", "2026-11-20", "Gedung AC", "BKPSDM")
    position_id = registry.create_position(db, admin, event_id, "Kepala Dinas Pendidikan", "Dinas Pendidikan",
                                           "jpt_pratama")
    candidates = [registry.create_candidate(db, admin, make_nip(i), NAMES[i] if i < len(NAMES) else
                                            f"Kandidat Nomor {i + 1}") for i in range(n_candidates)]
    registrations = [registry.register(db, admin, event_id, c, position_id) for c in candidates]
    exercises = [assessment.create_exercise(db, admin, event_id, f"Latihan {i + 1}", "custom")
                 for i in range(n_exercises)]
    assessment.set_matrix(db, admin, event_id, {ex: set(COMPETENCIES) for ex in exercises})
    assessors = make_assessors(db, admin, n_assessors)
    assessment.set_assessors(db, admin, event_id, [a["id"] for a in assessors], assessors[0]["id"])
    return EventSetup(event_id, position_id, candidates, registrations, exercises, assessors)


def open_rating(db, admin, setup: EventSetup, triples=None) -> EventSetup:
    """Assign (balanced, or the given triples) and move the event to penilaian."""
    if triples is None:
        assessment.auto_assign(db, admin, setup.event_id)
    else:
        assessment.set_assignments(db, admin, setup.event_id, triples)
    assessment.advance_state(db, admin, setup.event_id)
    return setup


# Rating ---------------------------------------------------------------------------------------

def assigned_exercises(db, registration_id: int, assessor_id: int) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT exercise_id FROM assignments WHERE registration_id = ? AND assessor_id = ? ORDER BY exercise_id",
        (registration_id, assessor_id)).fetchall()]


def assessors_of(db, registration_id: int) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT DISTINCT assessor_id FROM assignments WHERE registration_id = ? ORDER BY assessor_id",
        (registration_id,)).fetchall()]


def versions(db, actor: dict, registration_id: int, exercise_id: int) -> dict[str, int]:
    return {r["competency"]: r["version"] for r in rating.own_ratings(db, actor, registration_id, exercise_id)}


def entries(registration_id: int, exercise_id: int, assessor_id: int, level: LevelRule = 3,
            current: dict[str, int] | None = None, codes=COMPETENCIES) -> dict[str, dict]:
    """Form entries for every competency; ``level`` is a level, ``None`` (TB) or a rule."""
    current = current or {}
    return {code: {"level": level(registration_id, exercise_id, assessor_id, code) if callable(level) else level,
                   "evidence": EVIDENCE, "version": current.get(code, 0)} for code in codes}


def rate(db, assessor: dict, registration_id: int, level: LevelRule = 3, submit: bool = True) -> None:
    """Rate every assigned exercise of a candidate for one assessor, then (optionally) submit."""
    for exercise_id in assigned_exercises(db, registration_id, assessor["id"]):
        current = versions(db, assessor, registration_id, exercise_id)
        rating.save_ratings(db, assessor, registration_id, exercise_id,
                            entries(registration_id, exercise_id, assessor["id"], level, current))
    if submit:
        rating.submit(db, assessor, registration_id)


def rate_candidate(db, setup: EventSetup, registration_id: int, level: LevelRule = 3, submit: bool = True) -> None:
    """Every assigned assessor rates (and submits) the candidate: it opens for integration."""
    for assessor_id in assessors_of(db, registration_id):
        rate(db, setup.assessor(assessor_id), registration_id, level, submit)


def agree(db, lead: dict, registration_id: int) -> None:
    """The Ketua Tim takes every suggestion (the standard's level where nothing was observed)."""
    for cell in integration.meeting(db, lead, registration_id)["competencies"]:
        level = cell["suggested"] or cell["standard"]
        rationale = "" if cell["suggested"] else "Tidak ada bukti; tim memakai standar."
        integration.set_consensus(db, lead, registration_id, cell["code"], level, rationale)


def finalise_all(db, admin, setup: EventSetup, level: LevelRule = 3) -> None:
    """Rate, submit, agree and finalise every candidate; the event ends in 'final'."""
    for registration_id in setup.registrations:
        rate_candidate(db, setup, registration_id, level)
    assessment.advance_state(db, admin, setup.event_id)
    for registration_id in setup.registrations:
        agree(db, setup.lead, registration_id)
        integration.finalise(db, setup.lead, registration_id)
    assessment.advance_state(db, admin, setup.event_id)


# Reading back -----------------------------------------------------------------------------------

def event_state(db, event_id: int) -> str:
    return registry.get_event(db, event_id)["state"]


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def audit_entries(db, entity: str, action: str | None = None) -> list[dict]:
    """Audit entries of one kind of record, oldest first, with ``old``/``new`` decoded."""
    found = [e | {"old": json.loads(e["old_value"] or "null"), "new": json.loads(e["new_value"] or "null")}
             for e in audit.entries(db, entity, limit=100_000)]
    return [e for e in reversed(found) if action is None or e["action"] == action]


def error_key(call, *args, error=Exception, **kwargs) -> str:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value.key


def slots(db, registration_id: int) -> list[tuple[int, int]]:
    """The (exercise, assessor) pairs that rate each competency of a candidate, in a fixed order."""
    return sorted((r[0], r[1]) for r in db.execute(
        "SELECT exercise_id, assessor_id FROM assignments WHERE registration_id = ?", (registration_id,)))


def cell_rule(db, registration_id: int, cells: dict[str, list[Level]], default: Level = 3) -> LevelRule:
    """A level rule giving the listed levels (one per slot, in :func:`slots` order) to a candidate's cells."""
    order = slots(db, registration_id)

    def rule(reg: int, exercise_id: int, assessor_id: int, code: str) -> Level:
        if reg == registration_id and code in cells:
            return cells[code][order.index((exercise_id, assessor_id))]
        return default
    return rule
