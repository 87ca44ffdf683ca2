"""Crash safety (SPEC §8): kill -9 the writing process mid-flight; the file stays intact and every
acknowledged write is there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assessment_fixtures import build_event, open_rating

from core import db

WRITER = Path(__file__).resolve().parent / "crash_writer.py"
THREADS = 8


def run_and_kill(path: Path, acks_wanted: int, timeout: float = 60) -> list[list[str]]:
    """Start the writer, read ACK lines until ``acks_wanted``, then SIGKILL it; return the ACKs."""
    process = subprocess.Popen([sys.executable, str(WRITER), str(path), str(THREADS)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    acks, deadline = [], time.monotonic() + timeout
    try:
        while len(acks) < acks_wanted and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("ACK"):
                acks.append(line.split()[1:])
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert len(acks) >= acks_wanted, process.stderr.read()[-2000:]
    return acks


def test_kill_9_during_writes_loses_no_acknowledged_write(fresh_db, admin, db_path):
    open_rating(fresh_db, admin, build_event(fresh_db, admin, n_candidates=4, n_exercises=2, n_assessors=3))
    acks = run_and_kill(db_path, acks_wanted=300)
    database = db.connect(db_path)  # a new process's view, after the crash
    db.check_integrity(database)  # raises on integrity_check or foreign_key_check problems
    last = {}
    for reg, exercise, assessor, code, level, version in acks:
        last[(int(reg), int(exercise), int(assessor), code)] = (int(level), int(version))
    for (reg, exercise, assessor, code), (level, version) in last.items():
        row = database.execute("SELECT level, version FROM ratings WHERE registration_id = ? AND exercise_id = ?"
                               " AND assessor_id = ? AND competency = ?", (reg, exercise, assessor, code)).fetchone()
        assert row is not None and row["version"] >= version
        if row["version"] == version:
            assert row["level"] == level
    audit = database.execute("SELECT count(*) FROM audit_log WHERE entity = 'rating'").fetchone()[0]
    assert audit >= len(acks)  # every acknowledged save wrote its audit entry in the same transaction
