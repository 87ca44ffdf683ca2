"""A writer process for the crash test: threads save ratings through core and print an ACK after each commit.

    python tests/crash_writer.py DB_PATH THREADS

Each ACK line is ``reg exercise assessor competency level version``; the parent kills this process
with SIGKILL mid-way and checks that every acknowledged write survived.
"""

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import db, rating  # noqa: E402

print_lock = threading.Lock()


def writer(path: str, cell: tuple, code: str) -> None:
    registration_id, exercise_id, assessor_id = cell
    conn = db.connect(path)
    actor = dict(conn.execute("SELECT * FROM users WHERE id = ?", (assessor_id,)).fetchone())
    version, n = 0, 0
    while True:  # until the parent kills the process
        n += 1
        level = 1 + n % 5
        rating.save_ratings(conn, actor, registration_id, exercise_id,
                            {code: {"level": level, "evidence": f"Catatan ke-{n}", "version": version}})
        version += 1
        with print_lock:
            print(f"ACK {registration_id} {exercise_id} {assessor_id} {code} {level} {version}", flush=True)


def main() -> None:
    path, threads = sys.argv[1], int(sys.argv[2])
    conn = db.connect(path)
    cells = [tuple(r) for r in conn.execute(
        "SELECT registration_id, exercise_id, assessor_id FROM assignments ORDER BY id LIMIT ?", (threads,))]
    codes = [r[0] for r in conn.execute("SELECT code FROM competencies ORDER BY sort")]
    for i, cell in enumerate(cells):
        threading.Thread(target=writer, args=(path, cell, codes[i % len(codes)]), daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
