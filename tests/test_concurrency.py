"""Concurrent writers (SPEC §8): 30 assessors saving at once lose nothing; a race on one rating has one winner."""

import threading

import pytest
from assessment_fixtures import build_event, count, entries, open_rating, versions

from core import auth, db, rating
from core.errors import Conflict
from core.setup import open_database

THREADS = 30
SAVES_PER_CELL = 3
N_COMPETENCIES = 9


def make_big_event(database, admin):
    """Rating open: 10 candidates × 3 exercises, 3 assessors each assigned to every candidate × exercise."""
    setup = build_event(database, admin, n_candidates=10, n_exercises=3, n_assessors=3)
    triples = [(reg, ex, a["id"]) for reg in setup.registrations for ex in setup.exercises for a in setup.assessors]
    return open_rating(database, admin, setup, triples)


def all_cells(setup) -> list[tuple[int, int, dict]]:
    """Every (registration, exercise, assessor) cell: 90 of them."""
    return [(reg, ex, a) for reg in setup.registrations for ex in setup.exercises for a in setup.assessors]


def run_together(path, work, n: int) -> tuple[list, list[BaseException]]:
    """Run ``work(i, connection)`` in ``n`` threads released at once, each with its own connection to ``path``."""
    barrier = threading.Barrier(n)
    results, errors, lock = [], [], threading.Lock()

    def target(i: int) -> None:
        connection = db.connect(path)
        try:
            barrier.wait()
            outcome = work(i, connection)
            with lock:
                results.append(outcome)
        except BaseException as error:  # noqa: BLE001 — every failure is collected and asserted on
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def save_cell_repeatedly(connection, registration_id: int, exercise_id: int, assessor: dict) -> int:
    """Save a whole cell several times, each time from the versions just read (as a reloaded form would)."""
    changed = 0
    for level in range(3, 3 + SAVES_PER_CELL):
        current = versions(connection, assessor, registration_id, exercise_id)
        changed += rating.save_ratings(connection, assessor, registration_id, exercise_id,
                                       entries(registration_id, exercise_id, assessor["id"], level, current))
    return changed


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Once per module: 30 threads at once, each saving its own 3 cells 3 times over.

    Returns ``(database, setup, results, errors)``.
    """
    path = tmp_path_factory.mktemp("concurrency") / "dasbor.db"
    database = open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", "rahasia123")
    setup = make_big_event(database, admin)
    per_thread = [all_cells(setup)[i::THREADS] for i in range(THREADS)]

    def work(i, connection):
        return sum(save_cell_repeatedly(connection, reg, ex, assessor) for reg, ex, assessor in per_thread[i])
    results, errors = run_together(path, work, THREADS)
    yield database, setup, results, errors
    database.close()


@pytest.fixture
def written_db(written):
    return written[0]


@pytest.fixture
def cells(written) -> list[tuple[int, int, dict]]:
    return all_cells(written[1])


def test_thirty_writers_make_no_errors(written):
    assert written[3] == []


def test_thirty_writers_report_every_change(written, cells):
    assert sum(written[2]) == len(cells) * N_COMPETENCIES * SAVES_PER_CELL


def test_every_thread_finished(written):
    assert len(written[2]) + len(written[3]) == THREADS


def test_thirty_writers_lose_no_rating(written_db, cells):
    assert count(written_db, "ratings") == len(cells) * N_COMPETENCIES == 810


def test_thirty_writers_lose_no_update(written_db):
    final = written_db.execute("SELECT DISTINCT version, level FROM ratings").fetchall()
    assert [tuple(row) for row in final] == [(SAVES_PER_CELL, 2 + SAVES_PER_CELL)]


def test_thirty_writers_are_all_audited(written_db, cells):
    audited = written_db.execute("SELECT count(*) FROM audit_log WHERE entity = 'rating'").fetchone()[0]
    assert audited == len(cells) * N_COMPETENCIES * SAVES_PER_CELL


def test_each_cell_belongs_to_its_assessor(written_db, written):
    for assessor in written[1].assessors:
        mine = written_db.execute("SELECT count(*) FROM ratings WHERE assessor_id = ?",
                                  (assessor["id"],)).fetchone()[0]
        assert mine == 10 * 3 * N_COMPETENCIES


def test_the_database_is_intact_after_concurrent_writes(written_db):
    assert db.check_integrity(written_db) == []


# One rating, two writers ------------------------------------------------------------------------

@pytest.fixture
def cell(fresh_db, admin):
    """``(registration, exercise, assessor)`` of one assigned cell of a fresh big event."""
    setup = make_big_event(fresh_db, admin)
    return setup.registrations[0], setup.exercises[0], setup.assessors[1]


@pytest.fixture(params=["new", "existing"])
def start_version(request, fresh_db, cell) -> int:
    """The version both tabs drew the form at: before the first save (0) or after it (1)."""
    if request.param == "existing":
        reg, ex, assessor = cell
        rating.save_ratings(fresh_db, assessor, reg, ex, {"M.01": {"level": 3, "evidence": "Awal.", "version": 0}})
        return 1
    return 0


@pytest.fixture
def race(db_path, cell, start_version):
    """Two threads, same assessor, same rating, same version, released together: ``(results, errors)``."""
    reg, ex, assessor = cell

    def work(i, connection):
        entry = {"level": 4 + i, "evidence": f"Catatan dari tab {i + 1}.", "version": start_version}
        rating.save_ratings(connection, assessor, reg, ex, {"M.01": entry})
        return 4 + i
    return run_together(db_path, work, 2)


def test_race_has_exactly_one_winner(race):
    results, errors = race
    assert len(results) == 1 and len(errors) == 1


def test_race_loser_gets_stale(race):
    [error] = race[1]
    assert isinstance(error, Conflict) and error.key == "rating.stale"


def test_race_keeps_the_winner(fresh_db, cell, start_version, race):
    reg, ex, assessor = cell
    [winner] = race[0]
    [stored] = rating.own_ratings(fresh_db, assessor, reg, ex)
    assert (stored["level"], stored["version"]) == (winner, start_version + 1)
