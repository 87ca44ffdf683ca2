"""Setting up an assessment (SPEC §2 step 1): exercises, matrix, assessors, conflicts, assignments, states."""

from collections import Counter, defaultdict

import pytest
from assessment_fixtures import (
    COMPETENCIES,
    build_event,
    count,
    error_key,
    event_state,
    finalise_all,
    open_rating,
    rate_candidate,
    )

from core import assessment, auth, integration, registry
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError


@pytest.fixture
def setup(fresh_db, admin):
    """An event in persiapan: 3 candidates, 2 exercises measuring all 9, 3 assessors with a lead; no assignments."""
    return build_event(fresh_db, admin)


@pytest.fixture
def assigned(fresh_db, admin, setup):
    """The set-up event with balanced assignments, still in persiapan."""
    assessment.auto_assign(fresh_db, admin, setup.event_id)
    return setup


@pytest.fixture
def event(fresh_db, admin, setup):
    """The event with rating open (penilaian)."""
    return open_rating(fresh_db, admin, setup)


@pytest.fixture
def empty_event(fresh_db, admin):
    """An event with nothing in it yet."""
    return registry.create_event(fresh_db, admin, "Pemetaan 2026", "pemetaan", "2026-12-01", "2026-12-03")


def failing(database, event_id) -> set[str]:
    return {check.key for check in assessment.setup_checks(database, event_id) if not check.ok}


def check(database, event_id, key) -> assessment.Check:
    return next(c for c in assessment.setup_checks(database, event_id) if c.key == key)


def all_triples(setup) -> list[tuple[int, int, int]]:
    """Two assessors (the first two) on every candidate × exercise."""
    return [(reg, ex, a["id"]) for reg in setup.registrations for ex in setup.exercises for a in setup.assessors[:2]]


# Exercises --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", assessment.EXERCISE_KINDS)
def test_create_exercise_of_each_kind(fresh_db, admin, empty_event, kind):
    exercise_id = assessment.create_exercise(fresh_db, admin, empty_event, f"Alat {kind}", kind)
    assert assessment.get_exercise(fresh_db, exercise_id)["kind"] == kind


def test_exercises_are_listed_in_creation_order(fresh_db, admin, empty_event):
    names = ["In-basket", "LGD", "Wawancara"]
    for name in names:
        assessment.create_exercise(fresh_db, admin, empty_event, name)
    assert [e["name"] for e in assessment.list_exercises(fresh_db, empty_event)] == names


@pytest.mark.parametrize("name", ["Latihan 1", "latihan 1", "  LATIHAN   1 "])
def test_duplicate_exercise_name_is_refused(fresh_db, admin, setup, name):
    assert error_key(assessment.create_exercise, fresh_db, admin, setup.event_id, name, error=Conflict) == \
        "exercise.duplicate"


def test_duplicate_exercise_name_writes_nothing(fresh_db, admin, setup):
    with pytest.raises(Conflict):
        assessment.create_exercise(fresh_db, admin, setup.event_id, "Latihan 1")
    assert len(assessment.list_exercises(fresh_db, setup.event_id)) == 2


def test_same_exercise_name_in_another_event_is_fine(fresh_db, admin, setup, empty_event):
    assert assessment.create_exercise(fresh_db, admin, empty_event, "Latihan 1")


@pytest.mark.parametrize("kind", ["", "tes_tertulis", "LGD", None])
def test_bad_exercise_kind_is_refused(fresh_db, admin, empty_event, kind):
    assert error_key(assessment.create_exercise, fresh_db, admin, empty_event, "Alat", kind,
                     error=ValidationError) == "exercise.bad_kind"


@pytest.mark.parametrize("name, key", [("", "form.required"), ("   ", "form.required"), ("x" * 101, "form.too_long")])
def test_bad_exercise_name_is_refused(fresh_db, admin, empty_event, name, key):
    assert error_key(assessment.create_exercise, fresh_db, admin, empty_event, name, error=ValidationError) == key


def test_exercises_only_change_in_persiapan(fresh_db, admin, event):
    assert error_key(assessment.create_exercise, fresh_db, admin, event.event_id, "Presentasi",
                     error=Conflict) == "event.wrong_state"


def test_exercise_cannot_be_deleted_after_rating_opened(fresh_db, admin, event):
    assert error_key(assessment.delete_exercise, fresh_db, admin, event.exercises[0], error=Conflict) == \
        "event.wrong_state"


def test_delete_exercise_in_persiapan(fresh_db, admin, setup):
    assessment.delete_exercise(fresh_db, admin, setup.exercises[0])
    assert [e["id"] for e in assessment.list_exercises(fresh_db, setup.event_id)] == setup.exercises[1:]


def test_unknown_exercise_is_not_found(fresh_db):
    assert error_key(assessment.get_exercise, fresh_db, 999, error=NotFound) == "exercise.not_found"


def test_create_exercise_is_audited(fresh_db, admin, empty_event):
    exercise_id = assessment.create_exercise(fresh_db, admin, empty_event, "LGD", "lgd")
    entry = fresh_db.execute("SELECT action, entity_id FROM audit_log WHERE entity = 'exercise'"
                             " ORDER BY id DESC").fetchone()
    assert tuple(entry) == ("create", str(exercise_id))


# The exercise × competency matrix ------------------------------------------------------------

def test_matrix_round_trips(fresh_db, admin, setup):
    matrix = {setup.exercises[0]: {"M.01", "M.02"}, setup.exercises[1]: {"SK.01"}}
    assessment.set_matrix(fresh_db, admin, setup.event_id, matrix)
    assert assessment.get_matrix(fresh_db, setup.event_id) == matrix


def test_matrix_replaces_the_old_one(fresh_db, admin, setup):
    assessment.set_matrix(fresh_db, admin, setup.event_id, {setup.exercises[0]: {"M.03"}})
    assert assessment.get_matrix(fresh_db, setup.event_id) == {setup.exercises[0]: {"M.03"},
                                                               setup.exercises[1]: set()}


def test_matrix_of_the_fixture_measures_all_nine_twice(fresh_db, setup):
    assert all(codes == set(COMPETENCIES) for codes in assessment.get_matrix(fresh_db, setup.event_id).values())


@pytest.mark.parametrize("bad", ["unknown_competency", "unknown_exercise", "other_event"])
def test_bad_matrix_is_refused_and_changes_nothing(fresh_db, admin, setup, empty_event, bad):
    other = assessment.create_exercise(fresh_db, admin, empty_event, "Lain")
    matrix = {"unknown_competency": {setup.exercises[0]: {"M.01", "M.99"}},
              "unknown_exercise": {999: {"M.01"}},
              "other_event": {other: {"M.01"}}}[bad]
    before = assessment.get_matrix(fresh_db, setup.event_id)
    assert error_key(assessment.set_matrix, fresh_db, admin, setup.event_id, matrix, error=ValidationError) == \
        "exercise.bad_matrix"
    assert assessment.get_matrix(fresh_db, setup.event_id) == before


def test_matrix_only_changes_in_persiapan(fresh_db, admin, event):
    assert error_key(assessment.set_matrix, fresh_db, admin, event.event_id, {event.exercises[0]: {"M.01"}},
                     error=Conflict) == "event.wrong_state"


# Assessors and the Ketua Tim -------------------------------------------------------------------

def test_assessors_are_listed_lead_first(fresh_db, setup):
    listed = assessment.list_assessors(fresh_db, setup.event_id)
    assert [(a["user_id"], a["is_lead"]) for a in listed][0] == (setup.lead["id"], 1)
    assert {a["user_id"] for a in listed} == {a["id"] for a in setup.assessors}


def test_lead_of_the_event(fresh_db, setup):
    assert assessment.lead_of(fresh_db, setup.event_id) == setup.lead["id"]


def test_lead_can_change(fresh_db, admin, setup):
    ids = [a["id"] for a in setup.assessors]
    assessment.set_assessors(fresh_db, admin, setup.event_id, ids, ids[2])
    assert (assessment.lead_of(fresh_db, setup.event_id), auth.is_lead(fresh_db, ids[0], setup.event_id)) == \
        (ids[2], False)


@pytest.mark.parametrize("who", ["admin", "pimpinan", "missing"])
def test_non_asesor_cannot_be_an_assessor(fresh_db, admin, pimpinan, setup, who):
    user_id = {"admin": admin["id"], "pimpinan": pimpinan["id"], "missing": 999}[who]
    ids = [a["id"] for a in setup.assessors] + [user_id]
    assert error_key(assessment.set_assessors, fresh_db, admin, setup.event_id, ids, setup.lead["id"],
                     error=ValidationError) == "assessor.not_asesor"


def test_inactive_asesor_cannot_be_an_assessor(fresh_db, admin, asesor, setup):
    auth.set_active(fresh_db, admin, asesor["id"], False)
    ids = [a["id"] for a in setup.assessors] + [asesor["id"]]
    assert error_key(assessment.set_assessors, fresh_db, admin, setup.event_id, ids, setup.lead["id"],
                     error=ValidationError) == "assessor.not_asesor"


def test_lead_must_be_a_member(fresh_db, admin, asesor, setup):
    ids = [a["id"] for a in setup.assessors]
    assert error_key(assessment.set_assessors, fresh_db, admin, setup.event_id, ids, asesor["id"],
                     error=ValidationError) == "assessor.lead_not_member"


def test_refused_assessor_change_keeps_the_old_team(fresh_db, admin, asesor, setup):
    with pytest.raises(ValidationError):
        assessment.set_assessors(fresh_db, admin, setup.event_id, [asesor["id"]], setup.lead["id"])
    assert {a["user_id"] for a in assessment.list_assessors(fresh_db, setup.event_id)} == \
        {a["id"] for a in setup.assessors}


def test_removing_an_assessor_with_assignments_is_refused(fresh_db, admin, assigned):
    keep = [a["id"] for a in assigned.assessors[:2]]
    assert error_key(assessment.set_assessors, fresh_db, admin, assigned.event_id, keep, keep[0],
                     error=Conflict) == "assessor.has_assignments"
    assert len(assessment.list_assessors(fresh_db, assigned.event_id)) == 3


def test_removing_an_assessor_without_assignments_is_fine(fresh_db, admin, setup):
    assessment.set_assignments(fresh_db, admin, setup.event_id, all_triples(setup))
    keep = [a["id"] for a in setup.assessors[:2]]
    assessment.set_assessors(fresh_db, admin, setup.event_id, keep, keep[0])
    assert {a["user_id"] for a in assessment.list_assessors(fresh_db, setup.event_id)} == set(keep)


def test_adding_an_assessor_keeps_the_assignments(fresh_db, admin, asesor, assigned):
    before = count(fresh_db, "assignments")
    ids = [a["id"] for a in assigned.assessors] + [asesor["id"]]
    assessment.set_assessors(fresh_db, admin, assigned.event_id, ids, assigned.lead["id"])
    assert count(fresh_db, "assignments") == before


def test_assessors_only_change_in_persiapan(fresh_db, admin, event):
    ids = [a["id"] for a in event.assessors]
    assert error_key(assessment.set_assessors, fresh_db, admin, event.event_id, ids, ids[1], error=Conflict) == \
        "event.wrong_state"


# Conflicts of interest ---------------------------------------------------------------------------

def conflicts(database, event_id) -> set[tuple[int, int]]:
    return {(c["assessor_id"], c["candidate_id"]) for c in assessment.list_conflicts(database, event_id)}


def test_assessor_declares_their_own_conflict(fresh_db, setup):
    me = setup.assessors[1]
    assessment.declare_conflict(fresh_db, me, setup.event_id, me["id"], setup.candidates[0], "Atasan langsung")
    assert conflicts(fresh_db, setup.event_id) == {(me["id"], setup.candidates[0])}


def test_admin_declares_a_conflict_for_an_assessor(fresh_db, admin, setup):
    assessor_id = setup.assessors[2]["id"]
    assessment.declare_conflict(fresh_db, admin, setup.event_id, assessor_id, setup.candidates[1], "Saudara")
    assert conflicts(fresh_db, setup.event_id) == {(assessor_id, setup.candidates[1])}


def test_asesor_cannot_declare_for_another_assessor(fresh_db, setup):
    me, other = setup.assessors[1], setup.assessors[2]
    assert error_key(assessment.declare_conflict, fresh_db, me, setup.event_id, other["id"], setup.candidates[0],
                     "Atasan", error=PermissionDenied) == "auth.forbidden"
    assert conflicts(fresh_db, setup.event_id) == set()


def test_pimpinan_cannot_declare_a_conflict(fresh_db, pimpinan, setup):
    with pytest.raises(PermissionDenied):
        assessment.declare_conflict(fresh_db, pimpinan, setup.event_id, setup.lead["id"], setup.candidates[0], "x")


def test_conflict_needs_a_reason(fresh_db, setup):
    me = setup.assessors[1]
    assert error_key(assessment.declare_conflict, fresh_db, me, setup.event_id, me["id"], setup.candidates[0], " ",
                     error=ValidationError) == "form.required"


def test_conflict_of_a_non_member_is_refused(fresh_db, asesor, setup):
    assert error_key(assessment.declare_conflict, fresh_db, asesor, setup.event_id, asesor["id"],
                     setup.candidates[0], "Atasan", error=ValidationError) == "assessor.not_in_event"


def test_declaring_twice_updates_the_reason(fresh_db, setup):
    me = setup.assessors[1]
    for reason in ("Atasan", "Saudara kandung"):
        assessment.declare_conflict(fresh_db, me, setup.event_id, me["id"], setup.candidates[0], reason)
    assert [c["reason"] for c in assessment.list_conflicts(fresh_db, setup.event_id)] == ["Saudara kandung"]


def test_admin_removes_a_conflict(fresh_db, admin, setup):
    me = setup.assessors[1]
    assessment.declare_conflict(fresh_db, me, setup.event_id, me["id"], setup.candidates[0], "Atasan")
    assessment.remove_conflict(fresh_db, admin, setup.event_id, me["id"], setup.candidates[0])
    assert conflicts(fresh_db, setup.event_id) == set()


def test_removing_a_conflict_audits_what_it_said(fresh_db, admin, setup):
    """Issue 10 item 6: the audit log keeps the withdrawn declaration's reason."""
    from assessment_fixtures import audit_entries

    me = setup.assessors[1]
    assessment.declare_conflict(fresh_db, me, setup.event_id, me["id"], setup.candidates[0], "Atasan")
    declared = assessment.list_conflicts(fresh_db, setup.event_id)[0]["declared_at"]
    assessment.remove_conflict(fresh_db, admin, setup.event_id, me["id"], setup.candidates[0])
    last = audit_entries(fresh_db, "conflict", "delete")[-1]
    assert last["entity_id"] == f"{setup.event_id}/{me['id']}/{setup.candidates[0]}"
    assert last["old"] == {"reason": "Atasan", "declared_at": declared}


def test_removing_a_conflict_that_is_not_there_changes_nothing(fresh_db, admin, setup):
    me = setup.assessors[1]
    before = count(fresh_db, "audit_log")
    assert error_key(assessment.remove_conflict, fresh_db, admin, setup.event_id, me["id"], setup.candidates[0],
                     error=NotFound) == "conflict.not_found"
    assert count(fresh_db, "audit_log") == before


def test_declaring_again_audits_the_old_reason(fresh_db, setup):
    from assessment_fixtures import audit_entries

    me = setup.assessors[1]
    for reason in ("Atasan", "Saudara kandung"):
        assessment.declare_conflict(fresh_db, me, setup.event_id, me["id"], setup.candidates[0], reason)
    first, second = audit_entries(fresh_db, "conflict", "declare")[-2:]
    assert (first["old"], second["old"], second["new"]) == (None, {"reason": "Atasan"}, {"reason": "Saudara kandung"})


@pytest.mark.parametrize(("matrix", "thin"), [
    ({1: {"A", "B"}, 2: {"A"}}, ["B", "C"]),
    ({1: {"A", "B", "C"}, 2: {"A", "B", "C"}}, []),
    ({1: {"A"}, 2: {"A"}, 3: {"A"}}, ["B", "C"]),
    ({}, ["A", "B", "C"]),
])
def test_thinly_measured_is_fewer_than_two_exercises(matrix, thin):
    assert assessment.MIN_EXERCISES == 2
    assert assessment.thinly_measured(matrix, ["A", "B", "C"]) == thin


# Assignments ------------------------------------------------------------------------------------

def pairs_per_cell(database, event_id) -> dict[tuple[int, int], list[int]]:
    cells = defaultdict(list)
    for a in assessment.list_assignments(database, event_id):
        cells[(a["registration_id"], a["exercise_id"])].append(a["assessor_id"])
    return cells


def test_auto_assign_returns_the_number_of_triples(fresh_db, admin, setup):
    assert assessment.auto_assign(fresh_db, admin, setup.event_id) == 3 * 2 * 2


def test_auto_assign_gives_every_cell_two_distinct_assessors(fresh_db, assigned):
    cells = pairs_per_cell(fresh_db, assigned.event_id)
    assert set(cells) == {(r, e) for r in assigned.registrations for e in assigned.exercises}
    assert all(len(ids) == 2 and len(set(ids)) == 2 for ids in cells.values())


@pytest.mark.parametrize("n_candidates, n_exercises, n_assessors", [(3, 2, 3), (5, 3, 4), (7, 2, 5), (4, 5, 3)])
def test_auto_assign_balances_the_load(fresh_db, admin, n_candidates, n_exercises, n_assessors):
    setup = build_event(fresh_db, admin, n_candidates=n_candidates, n_exercises=n_exercises,
                        n_assessors=n_assessors)
    assessment.auto_assign(fresh_db, admin, setup.event_id)
    load = Counter(a["assessor_id"] for a in assessment.list_assignments(fresh_db, setup.event_id))
    assert set(load) == {a["id"] for a in setup.assessors}
    assert max(load.values()) - min(load.values()) <= 1


@pytest.mark.parametrize("per_cell", [1, 2, 3])
def test_auto_assign_per_cell(fresh_db, admin, setup, per_cell):
    assessment.auto_assign(fresh_db, admin, setup.event_id, per_cell=per_cell)
    assert {len(set(ids)) for ids in pairs_per_cell(fresh_db, setup.event_id).values()} == {per_cell}


def test_auto_assign_never_pairs_a_conflicted_assessor(fresh_db, admin, setup):
    conflicted = {(setup.assessors[0]["id"], setup.candidates[0]), (setup.assessors[1]["id"], setup.candidates[2])}
    for assessor_id, candidate_id in conflicted:
        assessment.declare_conflict(fresh_db, admin, setup.event_id, assessor_id, candidate_id, "Atasan langsung")
    assessment.auto_assign(fresh_db, admin, setup.event_id)
    made = {(a["assessor_id"], a["candidate_id"]) for a in assessment.list_assignments(fresh_db, setup.event_id)}
    assert made & conflicted == set()
    assert all(len(ids) == 2 for ids in pairs_per_cell(fresh_db, setup.event_id).values())


def test_auto_assign_without_enough_eligible_assessors_is_refused(fresh_db, admin, setup):
    for assessor in setup.assessors[:2]:
        assessment.declare_conflict(fresh_db, admin, setup.event_id, assessor["id"], setup.candidates[1], "Kerabat")
    assert error_key(assessment.auto_assign, fresh_db, admin, setup.event_id, error=Conflict) == \
        "assignment.not_enough_assessors"
    assert count(fresh_db, "assignments") == 0


def test_auto_assign_with_one_assessor_is_refused(fresh_db, admin):
    setup = build_event(fresh_db, admin, n_assessors=1)
    assert error_key(assessment.auto_assign, fresh_db, admin, setup.event_id, error=Conflict) == \
        "assignment.not_enough_assessors"


def test_auto_assign_replaces_earlier_assignments(fresh_db, admin, assigned):
    assessment.auto_assign(fresh_db, admin, assigned.event_id)
    assert count(fresh_db, "assignments") == 12


def test_set_assignments_stores_the_triples(fresh_db, admin, setup):
    triples = all_triples(setup)
    assessment.set_assignments(fresh_db, admin, setup.event_id, triples + triples[:3])  # duplicates collapse
    stored = {(a["registration_id"], a["exercise_id"], a["assessor_id"])
              for a in assessment.list_assignments(fresh_db, setup.event_id)}
    assert stored == set(triples)


@pytest.mark.parametrize("bad", ["registration", "exercise", "assessor"])
def test_set_assignments_refuses_a_foreign_id(fresh_db, admin, asesor, setup, bad):
    reg, ex, who = setup.registrations[0], setup.exercises[0], setup.lead["id"]
    triple = {"registration": (999, ex, who), "exercise": (reg, 999, who), "assessor": (reg, ex, asesor["id"])}[bad]
    assert error_key(assessment.set_assignments, fresh_db, admin, setup.event_id, all_triples(setup) + [triple],
                     error=ValidationError) == "assignment.invalid"
    assert count(fresh_db, "assignments") == 0


def test_assignments_only_change_in_persiapan(fresh_db, admin, event):
    assert error_key(assessment.set_assignments, fresh_db, admin, event.event_id, all_triples(event),
                     error=Conflict) == "event.wrong_state"


# Setup checks -----------------------------------------------------------------------------------

def test_all_checks_pass_on_the_good_fixture(fresh_db, assigned):
    assert failing(fresh_db, assigned.event_id) == set()


def test_checks_are_named(fresh_db, assigned):
    assert [c.key for c in assessment.setup_checks(fresh_db, assigned.event_id)] == [
        "check.has_exercises", "check.has_candidates", "check.has_lead", "check.standard_measured_twice",
        "check.two_assessors", "check.every_exercise_assigned", "check.no_conflicts"]


def test_check_no_exercises(fresh_db, admin):
    setup = build_event(fresh_db, admin, n_exercises=0)
    assert "check.has_exercises" in failing(fresh_db, setup.event_id)


def test_check_no_candidates(fresh_db, admin):
    setup = build_event(fresh_db, admin, n_candidates=0)
    assert failing(fresh_db, setup.event_id) == {"check.has_candidates"}


def test_check_no_lead(fresh_db, admin, assigned):
    assessment.set_assessors(fresh_db, admin, assigned.event_id, [a["id"] for a in assigned.assessors], None)
    assert failing(fresh_db, assigned.event_id) == {"check.has_lead"}


def test_check_competency_measured_once(fresh_db, admin, assigned):
    assessment.set_matrix(fresh_db, admin, assigned.event_id,
                          {assigned.exercises[0]: set(COMPETENCIES), assigned.exercises[1]: set(COMPETENCIES[:-2])})
    found = check(fresh_db, assigned.event_id, "check.standard_measured_twice")
    assert failing(fresh_db, assigned.event_id) == {"check.standard_measured_twice"}
    assert found.problems == ["Kepala Dinas Pendidikan: Pengambilan Keputusan (1×)",
                              "Kepala Dinas Pendidikan: Perekat Bangsa (1×)"]


def test_check_competency_not_measured_at_all(fresh_db, admin, assigned):
    assessment.set_matrix(fresh_db, admin, assigned.event_id,
                          {assigned.exercises[0]: set(COMPETENCIES[1:]), assigned.exercises[1]: set(COMPETENCIES[1:])})
    assert check(fresh_db, assigned.event_id, "check.standard_measured_twice").problems == \
        ["Kepala Dinas Pendidikan: Integritas (0×)"]


def test_check_candidate_with_one_assessor(fresh_db, admin, setup):
    lone = setup.registrations[1]
    triples = [t for t in all_triples(setup) if t[0] != lone or t[2] == setup.lead["id"]]
    assessment.set_assignments(fresh_db, admin, setup.event_id, triples)
    assert failing(fresh_db, setup.event_id) == {"check.two_assessors"}
    assert check(fresh_db, setup.event_id, "check.two_assessors").problems == ["Siti Rahayu, S.E., M.M."]


def test_check_exercise_without_assessor(fresh_db, admin, setup):
    triples = [t for t in all_triples(setup) if not (t[0] == setup.registrations[2] and t[1] == setup.exercises[1])]
    assessment.set_assignments(fresh_db, admin, setup.event_id, triples)
    assert failing(fresh_db, setup.event_id) == {"check.every_exercise_assigned"}
    assert check(fresh_db, setup.event_id, "check.every_exercise_assigned").problems == ["Dedi Kurniawan, S.T."]


def test_check_conflicted_assignment(fresh_db, admin, setup):
    assessor = setup.assessors[1]
    assessment.declare_conflict(fresh_db, assessor, setup.event_id, assessor["id"], setup.candidates[0], "Atasan")
    assessment.set_assignments(fresh_db, admin, setup.event_id, all_triples(setup))
    assert failing(fresh_db, setup.event_id) == {"check.no_conflicts"}
    assert check(fresh_db, setup.event_id, "check.no_conflicts").problems == \
        ["Asesor Nomor 2, S.Psi. – Budi Santoso, S.Kom."]


def test_conflict_with_an_unassigned_candidate_passes(fresh_db, admin, setup):
    assessor = setup.assessors[2]  # all_triples uses only the first two assessors
    assessment.declare_conflict(fresh_db, admin, setup.event_id, assessor["id"], setup.candidates[0], "Atasan")
    assessment.set_assignments(fresh_db, admin, setup.event_id, all_triples(setup))
    assert failing(fresh_db, setup.event_id) == set()


# States -----------------------------------------------------------------------------------------

def test_advance_refused_while_a_check_fails(fresh_db, admin, setup):
    assert error_key(assessment.advance_state, fresh_db, admin, setup.event_id, error=Conflict) == \
        "event.checks_failed"
    assert event_state(fresh_db, setup.event_id) == "persiapan"


BROKEN_SETUPS = {
    "no_assignments": lambda db, admin, s: None,
    "measured_once": lambda db, admin, s: (
        assessment.set_assignments(db, admin, s.event_id, all_triples(s)),
        assessment.set_matrix(db, admin, s.event_id, {s.exercises[0]: set(COMPETENCIES), s.exercises[1]: {"M.01"}})),
    "one_assessor": lambda db, admin, s: assessment.set_assignments(
        db, admin, s.event_id, [(r, e, s.lead["id"]) for r in s.registrations for e in s.exercises]),
    "conflicted": lambda db, admin, s: (
        assessment.declare_conflict(db, admin, s.event_id, s.lead["id"], s.candidates[2], "Atasan langsung"),
        assessment.set_assignments(db, admin, s.event_id, all_triples(s))),
    "no_lead": lambda db, admin, s: (
        assessment.set_assignments(db, admin, s.event_id, all_triples(s)),
        assessment.set_assessors(db, admin, s.event_id, [a["id"] for a in s.assessors], None)),
}


@pytest.mark.parametrize("broken", BROKEN_SETUPS)
def test_advance_refused_for_each_failing_check(fresh_db, admin, setup, broken):
    BROKEN_SETUPS[broken](fresh_db, admin, setup)
    assert failing(fresh_db, setup.event_id)
    assert error_key(assessment.advance_state, fresh_db, admin, setup.event_id, error=Conflict) == \
        "event.checks_failed"
    assert event_state(fresh_db, setup.event_id) == "persiapan"


def test_advance_opens_rating(fresh_db, admin, assigned):
    assert assessment.advance_state(fresh_db, admin, assigned.event_id) == "penilaian"
    assert event_state(fresh_db, assigned.event_id) == "penilaian"


def test_advance_is_audited(fresh_db, admin, assigned):
    assessment.advance_state(fresh_db, admin, assigned.event_id)
    entry = fresh_db.execute("SELECT old_value, new_value FROM audit_log WHERE entity = 'event' AND action = 'state'"
                             " ORDER BY id DESC").fetchone()
    assert tuple(entry) == ('{"state": "persiapan"}', '{"state": "penilaian"}')


def test_state_checks_in_penilaian_name_who_has_not_submitted_whom(fresh_db, event):
    rate_candidate(fresh_db, event, event.registrations[0])
    [pending] = assessment.state_checks(fresh_db, event.event_id)
    waiting = "(2): 002, 003"
    assert (pending.key, pending.ok, pending.problems) == \
        ("check.all_submitted", False, [f"Asesor Nomor {n}, S.Psi. {waiting}" for n in (1, 2, 3)])


def test_integrasi_only_when_all_submitted(fresh_db, admin, event):
    for reg in event.registrations[:2]:
        rate_candidate(fresh_db, event, reg)
    rate_candidate(fresh_db, event, event.registrations[2], submit=False)
    assert error_key(assessment.advance_state, fresh_db, admin, event.event_id, error=Conflict) == \
        "event.checks_failed"
    assert event_state(fresh_db, event.event_id) == "penilaian"


def test_integrasi_once_all_submitted(fresh_db, admin, event):
    for reg in event.registrations:
        rate_candidate(fresh_db, event, reg)
    assert assessment.advance_state(fresh_db, admin, event.event_id) == "integrasi"


def test_final_only_when_all_finalised(fresh_db, admin, event):
    for reg in event.registrations:
        rate_candidate(fresh_db, event, reg)
    assessment.advance_state(fresh_db, admin, event.event_id)
    for cell in integration.meeting(fresh_db, event.lead, event.registrations[0])["competencies"]:
        integration.set_consensus(fresh_db, event.lead, event.registrations[0], cell["code"], cell["suggested"])
    integration.finalise(fresh_db, event.lead, event.registrations[0])
    assert error_key(assessment.advance_state, fresh_db, admin, event.event_id, error=Conflict) == \
        "event.checks_failed"
    assert event_state(fresh_db, event.event_id) == "integrasi"


def test_final_once_all_finalised_then_arsip(fresh_db, admin, event):
    finalise_all(fresh_db, admin, event)
    assert event_state(fresh_db, event.event_id) == "final"
    assert assessment.advance_state(fresh_db, admin, event.event_id) == "arsip"
    assert error_key(assessment.advance_state, fresh_db, admin, event.event_id, error=Conflict) == \
        "event.no_next_state"


# Only the admin writes --------------------------------------------------------------------------

WRITES = {
    "create_exercise": lambda db, actor, s: assessment.create_exercise(db, actor, s.event_id, "Presentasi"),
    "delete_exercise": lambda db, actor, s: assessment.delete_exercise(db, actor, s.exercises[0]),
    "set_matrix": lambda db, actor, s: assessment.set_matrix(db, actor, s.event_id, {s.exercises[0]: {"M.01"}}),
    "set_assessors": lambda db, actor, s: assessment.set_assessors(db, actor, s.event_id,
                                                                   [a["id"] for a in s.assessors], None),
    "declare_conflict_for_other": lambda db, actor, s: assessment.declare_conflict(
        db, actor, s.event_id, s.assessors[2]["id"], s.candidates[0], "Atasan"),
    "remove_conflict": lambda db, actor, s: assessment.remove_conflict(db, actor, s.event_id, s.assessors[2]["id"],
                                                                       s.candidates[0]),
    "set_assignments": lambda db, actor, s: assessment.set_assignments(db, actor, s.event_id, all_triples(s)),
    "auto_assign": lambda db, actor, s: assessment.auto_assign(db, actor, s.event_id),
    "advance_state": lambda db, actor, s: assessment.advance_state(db, actor, s.event_id),
}


@pytest.mark.parametrize("role", ["asesor", "lead", "pimpinan"])
@pytest.mark.parametrize("write", WRITES)
def test_writes_refuse_non_admins(fresh_db, admin, pimpinan, assigned, write, role):
    actor = {"asesor": assigned.assessors[1], "lead": assigned.lead, "pimpinan": pimpinan}[role]
    before = (count(fresh_db, "audit_log"), count(fresh_db, "assignments"), count(fresh_db, "exercises"))
    with pytest.raises(PermissionDenied) as caught:
        WRITES[write](fresh_db, actor, assigned)
    assert caught.value.key == "auth.forbidden"
    assert (count(fresh_db, "audit_log"), count(fresh_db, "assignments"), count(fresh_db, "exercises")) == before


@pytest.mark.parametrize("write", WRITES)
def test_writes_refuse_an_inactive_admin(fresh_db, admin, assigned, write):
    with pytest.raises(PermissionDenied):
        WRITES[write](fresh_db, admin | {"active": 0}, assigned)


def test_alat_page_withdraws_a_conflict_through_the_one_audited_path(fresh_db, admin, setup):
    from apptest_helpers import open_page
    from assessment_fixtures import audit_entries

    from core.i18n import t

    me = setup.assessors[1]
    assessment.declare_conflict(fresh_db, me, setup.event_id, me["id"], setup.candidates[0], "Atasan")
    at = open_page(fresh_db, admin, "pages/alat_ukur.py")
    at = at.segmented_control(key="alat_view").set_value("assessors").run()
    assert at.selectbox(key="alat_conflict_pick").value == (me["id"], setup.candidates[0])
    at = at.button(key="alat_conflict_remove").click().run()
    assert not at.exception and t("common.deleted") in [s.value for s in at.success]
    assert conflicts(fresh_db, setup.event_id) == set()
    assert audit_entries(fresh_db, "conflict", "delete")[-1]["old"]["reason"] == "Atasan"
