"""The rule "every write invalidates": every kind of write gives a new data version; reads happen at one version."""

from __future__ import annotations

import pytest
from assessment_fixtures import (
    COMPETENCIES,
    agree,
    assigned_exercises,
    build_event,
    entries,
    make_nip,
    open_rating,
    rate_candidate,
)

from core import assessment, integration, rating, registry, results, settings, setup
from core.errors import ValidationError
from core.freshness import Stale, data_version, read_at


def register_one(database, admin, setup):
    candidate = registry.create_candidate(database, admin, make_nip(7), "Kandidat Baru, S.Sos.")
    return lambda: registry.register(database, admin, setup.event_id, candidate, setup.position_id)


def save_a_rating(database, admin, setup):
    open_rating(database, admin, setup)
    reg = setup.registrations[0]
    assessor = next(a for a in setup.assessors if assigned_exercises(database, reg, a["id"]))
    exercise = assigned_exercises(database, reg, assessor["id"])[0]
    return lambda: rating.save_ratings(database, assessor, reg, exercise,
                                       entries(reg, exercise, assessor["id"], 4, codes=COMPETENCIES[:1]))


def decide_a_consensus(database, admin, setup):
    open_rating(database, admin, setup)
    for reg in setup.registrations:
        rate_candidate(database, setup, reg)
    assessment.advance_state(database, admin, setup.event_id)
    return lambda: agree(database, setup.lead, setup.registrations[0])


def change_a_setting(database, admin, _setup):
    return lambda: settings.put(database, admin, "jpm_display_cap", True)


def enter_a_stage_score(database, admin, setup):
    results.set_stages(database, admin, setup.event_id, [{"name": "Assessment Center", "weight": 60, "is_ac": True},
                                                         {"name": "Wawancara", "weight": 40}])
    stage = next(s for s in results.list_stages(database, setup.event_id) if not s["is_ac"])
    return lambda: results.set_stage_scores(database, admin, setup.event_id,
                                            [(setup.registrations[0], stage["id"], 81.5)])


def finalise_a_result(database, admin, setup):
    decide = decide_a_consensus(database, admin, setup)
    decide()
    return lambda: integration.finalise(database, setup.lead, setup.registrations[0])


WRITES = [register_one, save_a_rating, decide_a_consensus, change_a_setting, enter_a_stage_score, finalise_a_result]


@pytest.mark.parametrize("prepare", WRITES, ids=[w.__name__ for w in WRITES])
def test_every_kind_of_write_gives_a_new_version(fresh_db, admin, prepare):
    write = prepare(fresh_db, admin, build_event(fresh_db, admin))
    before = data_version(fresh_db)
    write()
    assert data_version(fresh_db) != before


def test_a_refused_write_keeps_the_version(fresh_db, admin):
    setup = build_event(fresh_db, admin)
    before = data_version(fresh_db)
    with pytest.raises(ValidationError):
        results.set_stages(fresh_db, admin, setup.event_id, [{"name": "Wawancara", "weight": 101}])
    assert data_version(fresh_db) == before


def test_reading_changes_nothing(fresh_db, admin):
    setup = build_event(fresh_db, admin)
    before = data_version(fresh_db)
    results.event_results(fresh_db, setup.event_id)
    assert data_version(fresh_db) == before


def test_two_database_files_at_the_same_audit_id_have_different_versions(tmp_path):
    first, second = setup.open_database(tmp_path / "a.db"), setup.open_database(tmp_path / "b.db")
    assert data_version(first).split("#")[1] == data_version(second).split("#")[1]
    assert data_version(first) != data_version(second)


def test_read_at_computes_at_the_given_version(fresh_db, admin):
    setup = build_event(fresh_db, admin)
    got = read_at(fresh_db, data_version(fresh_db), registry.get_event, setup.event_id)
    assert got["id"] == setup.event_id
    assert not fresh_db.conn.in_transaction


def test_read_at_refuses_a_version_the_database_has_moved_past(fresh_db, admin):
    old = data_version(fresh_db)
    settings.put(fresh_db, admin, "jpm_display_cap", True)
    with pytest.raises(Stale):
        read_at(fresh_db, old, lambda _db: pytest.fail("computed at a stale version"))
    assert not fresh_db.conn.in_transaction


def test_read_at_sees_one_snapshot_while_another_connection_writes(db_path, fresh_db, admin):
    other = setup.open_database(db_path)

    def read_twice(database):
        first = settings.get(database, "jpm_display_cap")
        settings.put(other, admin, "jpm_display_cap", not first)  # another connection commits meanwhile
        return first, settings.get(database, "jpm_display_cap")

    first, second = read_at(fresh_db, data_version(fresh_db), read_twice)
    assert first == second is False
    assert settings.get(fresh_db, "jpm_display_cap") is True
