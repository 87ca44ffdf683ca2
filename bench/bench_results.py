"""Benchmark of the results issue (SPEC §8):

- JPM + consensus suggestion + ranking + 9-box for a whole event at provinsi scale
  (10 events, 2,000 candidates, ~200,000 individual ratings): ≤ 1 s;
- rater statistics (ICC, alpha, r_wg, leniency) for one event at kota scale: ≤ 1 s;
- Hasil, Talenta, Kualitas Penilaian, Presentasi at kota scale: ≤ 250 ms a run and ≤ 5× a trivial page.

    python bench/bench_results.py            # full run
    python bench/bench_results.py --quick    # smoke run for CI (1 provinsi event instead of 10)

The provinsi data set is written with bulk SQL (it is data to compute on, not a workflow to
exercise): 10 events × 200 candidates × 5 exercises × 2 assessors × 9 competencies + 1 kota demo.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from common import demo_database, median_ms, page_runs, run_main, timed

CANDIDATES_PER_EVENT = 200
EXERCISES = 5
ASSESSORS = 10


def provinsi_database(events: int, seed: int = 7) -> Path:
    """A database with ``events`` finalised pemetaan events of 200 candidates each (~20,000 ratings/event)."""
    from core import auth, demo, refdata
    from core.db import transaction
    from core.setup import open_database

    path = Path(tempfile.mkdtemp(prefix="dasbor-provinsi-")) / "dasbor.db"
    database = open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin Benchmark", "rahasia123")
    assessors = [auth.create_user(database, admin, f"asesor{i:02d}", f"Asesor {i}", "asesor", "rahasia123")["id"]
                 for i in range(ASSESSORS)]
    codes = [c["code"] for c in refdata.competencies(database)]
    people = demo.demo_candidates(events * CANDIDATES_PER_EVENT, seed=seed)
    rng = random.Random(seed)
    with transaction(database):
        for e in range(events):
            _event(database, admin, e, people[e * CANDIDATES_PER_EVENT:(e + 1) * CANDIDATES_PER_EVENT],
                   assessors, codes, rng)
    database.close()
    return path


def _event(database, admin, index: int, people: list[dict], assessors: list[int], codes: list[str], rng) -> None:
    from core import audit, registry

    event_id = registry.create_event(database, admin, f"Pemetaan Provinsi {index + 1}", "pemetaan",
                                     "2026-03-01", "2026-03-05")
    positions = [registry.create_position(database, admin, event_id, f"Jabatan {index}-{p}", "Unit",
                                          "administrator") for p in range(10)]
    exercises = [database["exercises"].insert({"event_id": event_id, "name": f"Alat {x}", "kind": "custom",
                                               "sort": x}).last_pk for x in range(EXERCISES)]
    database["exercise_competencies"].insert_all({"exercise_id": x, "competency": c} for x in exercises for c in codes)
    database["event_assessors"].insert_all({"event_id": event_id, "user_id": a, "is_lead": int(i == 0)}
                                           for i, a in enumerate(assessors))
    stamp = audit.now()
    for n, person in enumerate(people):
        nip = person["nip"]
        derived = {"birth_date": f"{nip[:4]}-{nip[4:6]}-{nip[6:8]}", "gender": "L" if nip[14] == "1" else "P",
                   "tmt_cpns": f"{nip[8:12]}-{nip[12:14]}", "created_at": stamp, "updated_at": stamp}
        candidate_id = database["candidates"].insert(person | derived).last_pk
        reg = database["registrations"].insert({"event_id": event_id, "candidate_id": candidate_id,
                                                "position_id": positions[n % 10], "participant_no": f"{n + 1:03d}",
                                                "skp_predikat": rng.choice(["sangat_baik", "baik", "butuh_perbaikan"]),
                                                "created_at": stamp}).last_pk
        _rate(database, reg, exercises, rng.sample(assessors, 2), codes, rng, stamp)


def _rate(database, reg: int, exercises, pair, codes, rng, stamp) -> None:
    truth = {c: rng.gauss(3.1, 0.6) for c in codes}
    database.conn.executemany(
        "INSERT INTO ratings (registration_id, assessor_id, exercise_id, competency, level, evidence, version,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 'Bukti perilaku (data uji beban).', 1, ?)",
        [(reg, a, x, c, min(5, max(1, round(truth[c] + rng.gauss(0, 0.5)))), stamp)
         for x in exercises for a in pair for c in codes])
    database.conn.executemany("INSERT INTO assignments (registration_id, assessor_id, exercise_id) VALUES (?, ?, ?)",
                              [(reg, a, x) for x in exercises for a in pair])
    database.conn.executemany("INSERT INTO submissions (registration_id, assessor_id, submitted_at) VALUES (?, ?, ?)",
                              [(reg, a, stamp) for a in pair])


def event_pipeline(path: Path, event_id: int) -> None:
    """Consensus suggestion for every cell, JPM, category, ranking and 9-box of one event."""
    from core import db, results
    from core.integration import event_ratings

    database = db.connect(path)
    levels = results.suggested_levels(event_ratings(database, event_id), "mean")
    table = results.event_results(database, event_id, levels)
    assert table["jpm"].notna().all() and "box" in table  # boxes need SKP and the scheme's data (talent map)
    database.close()


def measure(quick: bool = False) -> list[tuple]:
    """The rows ``(what, bar, measured, ok)`` of this benchmark."""
    events = 1 if quick else 10
    provinsi = provinsi_database(events)
    from core import db, quality

    count = db.connect(provinsi).execute("SELECT count(*) FROM ratings").fetchone()[0]
    per_event = median_ms(timed(lambda: event_pipeline(provinsi, 1), 3 if quick else 7))
    all_events = median_ms(timed(lambda: [event_pipeline(provinsi, e) for e in range(1, events + 1)], 1 if quick
                                 else 3))
    kota = demo_database()
    stats_ms = median_ms(timed(lambda: quality.event_quality(db.connect(kota), 1), 3 if quick else 7))
    pages = page_runs(kota, "admin", ["pages/akun.py", "pages/hasil.py", "pages/kualitas.py", "pages/presentasi.py"],
                      repeat=3 if quick else 9)
    talenta = page_runs(kota, "admin", ["pages/akun.py", "pages/talenta.py"], repeat=3 if quick else 9, event=2)
    trivial = pages["pages/akun.py"]
    rows = [(f"data set: {events} events, {count:,} ratings", "provinsi: 200,000", f"{count:,}", True),
            ("JPM+consensus+ranking+9-box, one event", "<= 1 s", f"{per_event:.0f} ms", per_event <= 1000),
            (f"same, all {events} events", "(reported)", f"{all_events:.0f} ms", True),
            ("rater statistics, one kota event", "<= 1 s", f"{stats_ms:.0f} ms", stats_ms <= 1000),
            ("trivial page (Akun saya)", "reference", f"{trivial:.0f} ms", True)]
    for page, ms in list(pages.items())[1:] + [("pages/talenta.py", talenta["pages/talenta.py"])]:
        rows.append((f"page {page}", "<= 250 ms, <= 5x trivial", f"{ms:.0f} ms = {ms / trivial:.1f}x",
                     ms <= 250 and ms <= 5 * trivial))
    return rows


if __name__ == "__main__":
    raise SystemExit(run_main(measure))
