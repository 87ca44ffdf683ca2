"""Benchmark of the assessment issue: one rating save, 30 concurrent writers, Penilaian and Integrasi pages.

    python bench/bench_assessment.py            # full run
    python bench/bench_assessment.py --quick    # smoke run for CI
"""

from __future__ import annotations

import threading

from common import demo_database, median_ms, page_runs, run_main, timed

OPEN_CELLS = """SELECT a.registration_id, a.exercise_id, a.assessor_id FROM assignments a
    LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
    JOIN registrations r ON r.id = a.registration_id JOIN events e ON e.id = r.event_id
    WHERE s.submitted_at IS NULL AND e.state = 'penilaian' ORDER BY a.id LIMIT ?"""


def save_first(conn, user: dict, cell, level: int, note: str) -> None:
    """Save the first competency of a cell from the version the form shows (as the page does)."""
    from core import rating

    form = rating.rating_form(conn, user, cell["registration_id"], cell["exercise_id"])
    comp = form["competencies"][0]
    entry = {"level": level, "evidence": note, "version": (comp["rating"] or {}).get("version", 0)}
    rating.save_ratings(conn, user, cell["registration_id"], cell["exercise_id"], {comp["code"]: entry})


def one_rating_save(path, repeat: int) -> float:
    """Median ms of ``save_ratings`` for one rating (a real transaction with fsync and its audit entry)."""
    from core import db, rating

    database = db.connect(path)
    cell = database.execute(OPEN_CELLS, (1,)).fetchone()
    user = dict(database.execute("SELECT * FROM users WHERE id = ?", (cell["assessor_id"],)).fetchone())
    samples = []
    for i in range(repeat):
        form = rating.rating_form(database, user, cell["registration_id"], cell["exercise_id"])
        comp = form["competencies"][0]
        entry = {comp["code"]: {"level": 1 + i % 5, "evidence": f"Catatan {i}",
                                "version": (comp["rating"] or {}).get("version", 0)}}
        samples += timed(lambda e=entry: rating.save_ratings(database, user, cell["registration_id"],
                                                              cell["exercise_id"], e), 1)
    return median_ms(samples)


def concurrent_writers(path, writers: int = 30, saves_each: int = 10) -> tuple[int, int]:
    """``writers`` threads, each with its own connection, save ratings at once; returns (errors, lost)."""
    from core import db

    database = db.connect(path)
    cells = database.execute(OPEN_CELLS, (writers,)).fetchall()
    assert len(cells) == writers, "the demo has too few open cells"
    errors, barrier = [], threading.Barrier(writers)

    def work(cell):
        conn = db.connect(path)
        user = dict(conn.execute("SELECT * FROM users WHERE id = ?", (cell["assessor_id"],)).fetchone())
        barrier.wait()
        for i in range(saves_each):
            try:
                save_first(conn, user, cell, 1 + i % 5, f"Uji beban {i}")
            except Exception as err:  # noqa: BLE001 — every failure is counted
                errors.append(err)
        conn.close()

    before = _versions(database, cells)
    threads = [threading.Thread(target=work, args=(c,)) for c in cells]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = _versions(database, cells)
    lost = sum(saves_each - (after[k] - before.get(k, 0)) for k in after) + (len(cells) - len(after))
    return len(errors), lost


def _versions(database, cells) -> dict:
    """Version of the first competency's rating per cell (each save of a changed value bumps it by one)."""
    out = {}
    for c in cells:
        row = database.execute("""SELECT t.version FROM ratings t JOIN competencies k ON k.code = t.competency
            WHERE t.registration_id = ? AND t.exercise_id = ? AND t.assessor_id = ? ORDER BY k.sort LIMIT 1""",
                               (c["registration_id"], c["exercise_id"], c["assessor_id"])).fetchone()
        if row:
            out[(c["registration_id"], c["exercise_id"], c["assessor_id"])] = row["version"]
    return out


def measure(quick: bool = False) -> list[tuple]:
    """The rows ``(what, bar, measured, ok)`` of this benchmark."""
    path = demo_database()
    save_ms = one_rating_save(path, 20 if quick else 200)
    errors, lost = concurrent_writers(path, 30, 3 if quick else 10)
    pages = page_runs(path, "asesor.rini", ["pages/akun.py", "pages/penilaian.py", "pages/integrasi.py"],
                      repeat=3 if quick else 9)
    trivial = pages["pages/akun.py"]
    rows = [("save one rating (median)", "<= 20 ms", f"{save_ms:.1f} ms", save_ms <= 20),
            ("30 concurrent writers", "0 errors, 0 lost", f"{errors} errors, {lost} lost", errors == 0 and lost == 0),
            ("trivial page (Akun saya)", "reference", f"{trivial:.0f} ms", True)]
    for page in ("pages/penilaian.py", "pages/integrasi.py"):
        ms = pages[page]
        rows.append((f"page {page} (median run)", "<= 250 ms, <= 5x trivial", f"{ms:.0f} ms = {ms / trivial:.1f}x",
                     ms <= 250 and ms <= 5 * trivial))
    return rows


if __name__ == "__main__":
    raise SystemExit(run_main(measure))
