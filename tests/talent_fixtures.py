"""Builders for the talent tests: a pemetaan event with people, finalised results, complete talent data."""

from __future__ import annotations

from assessment_fixtures import COMPETENCIES, make_nip

from core import audit, db, registry, talent, talent_store

PASSWORD = "rahasia123"
FOURS = dict.fromkeys(talent.POTENSI_CODES, 4)
RECORD = {"pendidikan": "S1", "pelatihan_jp": 40, "months_in_jenjang": 48, "posts_count": 4,
          "hukuman_disiplin": "none", "kesesuaian_bidang": "sesuai"}


def finalise(database, actor, registration_id: int, level: int, assessed: str | None = None) -> None:
    """Test set-up: a finalised result with every consensus level at ``level`` (standard 3 → JPM 100·level/3)."""
    with db.transaction(database):
        for code in COMPETENCIES:
            database.execute("INSERT INTO consensus (registration_id, competency, level, suggested_level,"
                             " decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                             (registration_id, code, level, level, actor["id"], audit.now()))
        database.execute("INSERT INTO results (registration_id, achieved_total, standard_total, jpm, finalized_at,"
                         " finalized_by) VALUES (?, ?, ?, ?, ?, ?)",
                         (registration_id, 9 * level, 27, 100 * level / 3, audit.now(), actor["id"]))
        if assessed:
            database.execute("UPDATE registrations SET assessment_date = ? WHERE id = ?", (assessed, registration_id))


def make_event(fresh_db, admin) -> dict:
    """A pemetaan event (March 2026): an administrator post and a pengawas post, four people."""
    event_id = registry.create_event(fresh_db, admin, "Pemetaan Talenta 2026", "pemetaan", "2026-03-02", "2026-03-06")
    posts = {jc: registry.create_position(fresh_db, admin, event_id, f"Jabatan {jc}", "Unit", jc)
             for jc in ("administrator", "pengawas")}
    people = []
    for i, jc in enumerate(("pengawas", "pengawas", "pengawas", "administrator")):
        cid = registry.create_candidate(fresh_db, admin, make_nip(i), f"Peserta {i + 1}")
        reg = registry.register(fresh_db, admin, event_id, cid, posts[jc])
        people.append({"candidate_id": cid, "registration_id": reg})
    return {"id": event_id, "posts": posts, "people": people}


def complete(database, admin, person, potensi=FOURS, skp=(("2025", "sangat_baik"),)):
    talent_store.set_potensi(database, admin, person["candidate_id"], potensi)
    talent_store.set_rekam_jejak(database, admin, person["candidate_id"], RECORD)
    for year, predikat in skp:
        talent_store.set_skp(database, admin, person["candidate_id"], year, predikat)
