"""Benchmark of the talent issue (issue 12, SPEC §8): the talent map of a provinsi-scale pemetaan event.

- 2,000 people on the integrated scheme (JPM, potensi, rekam jejak, SKP of two years), a few incomplete:
  the query of every input, the map (both axes, the box or what is missing) and the successors per post,
  ≤ 1 s;
- the same for the SIASN export rows (reported).

    python bench/bench_talent.py            # full run (7 repeats)
    python bench/bench_talent.py --quick    # smoke run (3 repeats)

The data set is written with bulk SQL: it is data to compute on, not a workflow to exercise.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from common import median_ms, run_main, timed

PEOPLE = 2_000
POSTS = {"administrator": 20, "pengawas": 80, "pelaksana": 40}
SKP = ["sangat_baik", "baik", "baik", "butuh_perbaikan"]


def provinsi_talent_database(seed: int = 11) -> tuple[Path, int]:
    """One pemetaan event of 2,000 people with finalised results and talent data; 1 in 25 lacks something."""
    from core import audit, auth, demo, registry, setup, talent, talent_store
    from core.db import transaction

    path = Path(tempfile.mkdtemp(prefix="dasbor-talenta-")) / "dasbor.db"
    database = setup.open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin Benchmark", "rahasia123")
    event_id = registry.create_event(database, admin, "Pemetaan Talenta Provinsi", "pemetaan",
                                     "2026-03-02", "2026-03-20")
    terpadu = next(s for s in talent_store.list_schemes(database) if s["key"] == "terpadu")
    talent_store.set_event_scheme(database, admin, event_id, terpadu["id"])
    positions = [(registry.create_position(database, admin, event_id, f"{jc} {i + 1}", "Unit", jc), jc)
                 for jc, n in POSTS.items() for i in range(n)]
    rng = random.Random(seed)
    stamp = audit.now()
    with transaction(database):
        for n, person in enumerate(demo.demo_candidates(PEOPLE, seed=seed)):
            nip = person["nip"]
            derived = {"birth_date": f"{nip[:4]}-{nip[4:6]}-{nip[6:8]}", "gender": "L" if nip[14] == "1" else "P",
                       "tmt_cpns": f"{nip[8:12]}-{nip[12:14]}", "created_at": stamp, "updated_at": stamp}
            cid = database["candidates"].insert(person | derived).last_pk
            reg = database["registrations"].insert({"event_id": event_id, "candidate_id": cid,
                                                    "position_id": positions[n % len(positions)][0],
                                                    "participant_no": f"{n + 1:04d}", "created_at": stamp}).last_pk
            _person(database, rng, n, cid, reg, admin["id"], stamp, talent.POTENSI_CODES)
    database.close()
    return path, event_id


def _person(database, rng, n, cid, reg, admin_id, stamp, codes) -> None:
    levels = [min(5, max(1, round(rng.gauss(3.4, 0.8)))) for _ in range(9)]
    database.conn.executemany(
        "INSERT INTO consensus (registration_id, competency, level, suggested_level, decided_by, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(reg, code, lvl, lvl, admin_id, stamp) for code, lvl in zip(
            ("M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01"), levels, strict=True)])
    database.execute("INSERT INTO results (registration_id, achieved_total, standard_total, jpm, finalized_at,"
                     " finalized_by) VALUES (?, ?, 27, ?, ?, ?)",
                     (reg, sum(levels), 100 * sum(levels) / 27, stamp, admin_id))
    if n % 25 != 1:  # every 25th person has no potensi
        database.conn.executemany(
            "INSERT INTO potensi_scores (candidate_id, aspect, level, uraian, source, entered_by, entered_at)"
            " VALUES (?, ?, ?, '', 'bench', ?, ?)",
            [(cid, code, min(5, max(1, round(rng.gauss(3.5, 0.8)))), admin_id, stamp) for code in codes])
    database.execute(
        "INSERT INTO rekam_jejak (candidate_id, pendidikan, pelatihan_jp, months_in_jenjang, posts_count,"
        " hukuman_disiplin, hukuman_disiplin_date, kesesuaian_bidang, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cid, rng.choice(["D3", "S1", "S1", "S2"]), rng.randint(0, 60), rng.randint(0, 96), rng.randint(1, 6),
         "ringan" if n % 50 == 3 else "none", "2024-05-01" if n % 50 == 3 else None,
         rng.choice(["sesuai", "sesuai", "kurang_sesuai"]), stamp))
    for year in (2025, 2024) if n % 25 != 2 else (2024,):  # every 25th person lacks SKP 2025
        database.execute("INSERT INTO skp_annual (candidate_id, year, predikat, updated_at) VALUES (?, ?, ?, ?)",
                         (cid, year, rng.choice(SKP), stamp))


def talent_map_and_successors(path: Path, event_id: int) -> dict:
    from core import db, talent_store

    database = db.connect(path)
    built = talent_store.event_talent_map(database, event_id)
    posts = talent_store.event_successors(database, event_id, built["rows"], built["scheme"]["definition"])
    database.close()
    return {"rows": built["rows"], "posts": posts}


def siasn_rows(path: Path, event_id: int) -> list[dict]:
    from core import db, siasn

    database = db.connect(path)
    admin = db.one(database, "SELECT * FROM users WHERE username = 'admin'")
    records = siasn.export_rows(database, admin, event_id)
    database.close()
    return records


def _cpu(fn) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def measure(quick: bool = False) -> list[tuple]:
    """The rows ``(what, bar, measured, ok)`` of this benchmark."""
    path, event_id = provinsi_talent_database()
    repeat = 3 if quick else 7
    result = talent_map_and_successors(path, event_id)
    placed = sum(r["box"] is not None for r in result["rows"])
    pool = sum(len(p["successors"]) for p in result["posts"])
    map_ms = median_ms(timed(lambda: talent_map_and_successors(path, event_id), repeat))
    export_ms = median_ms(timed(lambda: siasn_rows(path, event_id), repeat))
    cpu_ms = statistics.median(_cpu(lambda: talent_map_and_successors(path, event_id)) for _ in range(repeat))
    return [(f"data set: {len(result['rows']):,} people", "provinsi: 2,000", f"{placed:,} placed, "
             f"{len(result['rows']) - placed} incomplete", len(result["rows"]) == PEOPLE),
            ("talent map + successors (query + pure)", "<= 1 s", f"{map_ms:.0f} ms", map_ms <= 1000),
            ("same, CPU time of the process (load-independent)", "(reported)", f"{cpu_ms:.0f} ms", True),
            (f"successors listed over {len(result['posts'])} posts", "(reported)", f"{pool:,}", True),
            ("SIASN export rows, same event", "(reported)", f"{export_ms:.0f} ms", True)]


if __name__ == "__main__":
    raise SystemExit(run_main(measure))
