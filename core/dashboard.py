"""Beranda figures (SPEC §5): progress of an event and what needs attention next."""

from __future__ import annotations

from sqlite_utils import Database

from core import assessment
from core.db import rows
from core.registry import get_event


def assessor_progress(db: Database, event_id: int) -> list[dict]:
    """Per assessor of the event: candidates assigned and submitted (counts only, never ratings)."""
    return rows(db, """
        SELECT ea.user_id, u.full_name, ea.is_lead, count(DISTINCT a.registration_id) AS assigned,
               count(DISTINCT s.registration_id) AS submitted
        FROM event_assessors ea JOIN users u ON u.id = ea.user_id
        LEFT JOIN assignments a ON a.assessor_id = ea.user_id
             AND a.registration_id IN (SELECT id FROM registrations WHERE event_id = ea.event_id)
        LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
        WHERE ea.event_id = ? GROUP BY ea.user_id ORDER BY ea.is_lead DESC, u.full_name""", (event_id,))


def candidate_counts(db: Database, event_id: int) -> dict[str, int]:
    """Registered, open for integration (all assessors submitted), finalised."""
    row = rows(db, """
        WITH per AS (
          SELECT r.id, count(DISTINCT a.assessor_id) AS assigned, count(DISTINCT s.assessor_id) AS submitted,
                 max(res.finalized_at IS NOT NULL) AS final
          FROM registrations r LEFT JOIN assignments a ON a.registration_id = r.id
          LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
          LEFT JOIN results res ON res.registration_id = r.id
          WHERE r.event_id = ? GROUP BY r.id)
        SELECT count(*) AS registered, coalesce(sum(assigned > 0 AND assigned = submitted), 0) AS open,
               coalesce(sum(final), 0) AS finalised FROM per""", (event_id,))[0]
    return {k: int(v) for k, v in row.items()}


def next_steps(db: Database, event_id: int) -> list[tuple[str, dict]]:
    """Catalog keys (with parameters) of what needs attention next, by the event's state."""
    event = get_event(db, event_id)
    counts = candidate_counts(db, event_id)
    if event["state"] == "persiapan":
        failing = [c for c in assessment.setup_checks(db, event_id) if not c.ok]
        return [("next.setup_check", {"check": c.key}) for c in failing] or [("next.open_rating", {})]
    if event["state"] == "penilaian":
        waiting = counts["registered"] - counts["open"]
        steps = [("next.waiting_ratings", {"n": waiting})] if waiting else [("next.start_integration", {})]
        pending = counts["open"] - counts["finalised"]
        return steps + ([("next.integrate", {"n": pending})] if pending else [])
    if event["state"] == "integrasi":
        pending = counts["registered"] - counts["finalised"]
        return [("next.integrate", {"n": pending})] if pending else [("next.finish", {})]
    return [("next.reports", {})]


def position_progress(db: Database, event_id: int) -> list[dict]:
    """Per position: candidates, how many are open for integration and how many are final."""
    return rows(db, """
        WITH per AS (
          SELECT r.id, r.position_id, count(DISTINCT a.assessor_id) AS assigned,
                 count(DISTINCT s.assessor_id) AS submitted, max(res.finalized_at IS NOT NULL) AS final
          FROM registrations r LEFT JOIN assignments a ON a.registration_id = r.id
          LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
          LEFT JOIN results res ON res.registration_id = r.id
          WHERE r.event_id = ? GROUP BY r.id)
        SELECT p.id, p.name, j.name AS job_class_name, count(per.id) AS candidates,
               coalesce(sum(per.assigned > 0 AND per.assigned = per.submitted), 0) AS open,
               coalesce(sum(per.final), 0) AS final
        FROM positions p JOIN job_classes j ON j.code = p.job_class LEFT JOIN per ON per.position_id = p.id
        WHERE p.event_id = ? GROUP BY p.id ORDER BY p.sort, p.name""", (event_id, event_id))
