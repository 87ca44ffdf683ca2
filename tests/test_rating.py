"""Blind rating (SPEC §2 step 2, §4.1, §8): worklists, the form, drafts, versions, submission, blindness."""

import pytest
from assessment_fixtures import (
    COMPETENCIES,
    EVIDENCE,
    assessors_of,
    assigned_exercises,
    audit_entries,
    build_event,
    count,
    entries,
    error_key,
    finalise_all,
    open_rating,
    rate,
    rate_candidate,
    versions,
)

from core import assessment, integration, rating
from core.errors import Conflict, PermissionDenied, ValidationError


@pytest.fixture
def event(fresh_db, admin):
    """Rating open: 3 candidates × 2 exercises (all 9 competencies), 3 assessors, 2 per cell."""
    return open_rating(fresh_db, admin, build_event(fresh_db, admin))


@pytest.fixture
def reg(event):
    """The first candidate's registration."""
    return event.registrations[0]


@pytest.fixture
def cell(fresh_db, event, reg):
    """``(assessor, exercise)``: an assessor assigned to the first candidate and one of their exercises."""
    assessor = event.assessor(assessors_of(fresh_db, reg)[0])
    return assessor, assigned_exercises(fresh_db, reg, assessor["id"])[0]


@pytest.fixture
def assessor(cell):
    return cell[0]


@pytest.fixture
def exercise(cell):
    return cell[1]


@pytest.fixture
def others(fresh_db, event, reg, assessor):
    """The other assessors of the first candidate."""
    return [event.assessor(a) for a in assessors_of(fresh_db, reg) if a != assessor["id"]]


@pytest.fixture
def unassigned_exercise(fresh_db, event, reg, assessor):
    return next(ex for ex in event.exercises if ex not in assigned_exercises(fresh_db, reg, assessor["id"]))


def entry(level=3, evidence=EVIDENCE, version=0) -> dict:
    return {"level": level, "evidence": evidence, "version": version}


def stored(database, assessor, reg, exercise) -> dict[str, dict]:
    return {r["competency"]: r for r in rating.own_ratings(database, assessor, reg, exercise)}


def ratings_of(database, reg) -> int:
    return database.execute("SELECT count(*) FROM ratings WHERE registration_id = ?", (reg,)).fetchone()[0]


# Worklist ---------------------------------------------------------------------------------------

def test_worklist_shows_only_own_assignments(fresh_db, event):
    for assessor in event.assessors:
        mine = {(a["registration_id"], a["exercise_id"]) for a in assessment.list_assignments(fresh_db, event.event_id)
                if a["assessor_id"] == assessor["id"]}
        assert {(w["registration_id"], w["exercise_id"]) for w in rating.worklist(fresh_db, assessor, event.event_id)} \
            == mine


def test_worklist_of_an_assessor_from_outside_the_event_is_empty(fresh_db, asesor, event):
    assert rating.worklist(fresh_db, asesor, event.event_id) == []


def test_worklist_counts_progress(fresh_db, event, reg, assessor, exercise):
    four = entries(reg, exercise, assessor["id"], codes=COMPETENCIES[:4])
    rating.save_ratings(fresh_db, assessor, reg, exercise, four)
    row = next(w for w in rating.worklist(fresh_db, assessor, event.event_id)
               if (w["registration_id"], w["exercise_id"]) == (reg, exercise))
    assert (row["rated"], row["required"], row["submitted_at"]) == (4, 9, None)


@pytest.mark.parametrize("role", ["admin", "pimpinan"])
def test_worklist_is_for_assessors(fresh_db, admin, pimpinan, event, role):
    with pytest.raises(PermissionDenied):
        rating.worklist(fresh_db, {"admin": admin, "pimpinan": pimpinan}[role], event.event_id)


# The rating form --------------------------------------------------------------------------------

def test_form_lists_the_exercise_competencies(fresh_db, reg, assessor, exercise):
    form = rating.rating_form(fresh_db, assessor, reg, exercise)
    assert [c["code"] for c in form["competencies"]] == list(COMPETENCIES)


def test_form_shows_five_levels_with_indicators(fresh_db, reg, assessor, exercise):
    for competency in rating.rating_form(fresh_db, assessor, reg, exercise)["competencies"]:
        assert [lvl["level"] for lvl in competency["levels"]] == [1, 2, 3, 4, 5]
        assert all(len(lvl["indicators"]) >= 2 and lvl["headline"] for lvl in competency["levels"])


def test_form_follows_the_matrix(fresh_db, admin):
    setup = build_event(fresh_db, admin, n_exercises=3)
    assessment.set_matrix(fresh_db, admin, setup.event_id, {setup.exercises[0]: {"M.03", "M.01"},
                                                            setup.exercises[1]: set(COMPETENCIES),
                                                            setup.exercises[2]: set(COMPETENCIES)})
    open_rating(fresh_db, admin, setup, [(r, e, a["id"]) for r in setup.registrations for e in setup.exercises
                                        for a in setup.assessors[:2]])
    form = rating.rating_form(fresh_db, setup.lead, setup.registrations[0], setup.exercises[0])
    assert [c["code"] for c in form["competencies"]] == ["M.01", "M.03"]


def test_form_shows_own_rating_and_is_editable(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.02": entry(4)})
    form = rating.rating_form(fresh_db, assessor, reg, exercise)
    by_code = {c["code"]: c["rating"] for c in form["competencies"]}
    assert (by_code["M.02"]["level"], by_code["M.01"], form["editable"], form["submitted"]) == (4, None, True, False)


def test_form_is_read_only_after_submit(fresh_db, reg, assessor, exercise):
    rate(fresh_db, assessor, reg)
    form = rating.rating_form(fresh_db, assessor, reg, exercise)
    assert (form["editable"], form["submitted"]) == (False, True)


def test_form_of_a_cell_not_assigned_is_refused(fresh_db, reg, assessor, unassigned_exercise):
    assert error_key(rating.rating_form, fresh_db, assessor, reg, unassigned_exercise, error=PermissionDenied) == \
        "rating.not_assigned"


@pytest.mark.parametrize("role", ["admin", "pimpinan"])
def test_form_is_for_assessors(fresh_db, admin, pimpinan, reg, exercise, role):
    with pytest.raises(PermissionDenied):
        rating.rating_form(fresh_db, {"admin": admin, "pimpinan": pimpinan}[role], reg, exercise)


# Saving drafts ----------------------------------------------------------------------------------

def test_draft_saves_part_of_the_form(fresh_db, reg, assessor, exercise):
    changed = rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3), "M.05": entry(None)})
    saved = stored(fresh_db, assessor, reg, exercise)
    assert changed == 2
    assert {code: (r["level"], r["version"]) for code, r in saved.items()} == {"M.01": (3, 1), "M.05": (None, 1)}


def test_draft_keeps_the_evidence_trimmed(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(evidence=f"  {EVIDENCE}  ")})
    assert stored(fresh_db, assessor, reg, exercise)["M.01"]["evidence"] == EVIDENCE


def test_saving_again_bumps_the_version(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    assert rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(4, version=1)}) == 1
    row = stored(fresh_db, assessor, reg, exercise)["M.01"]
    assert (row["level"], row["version"]) == (4, 2)


def test_saving_the_same_again_changes_nothing(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    assert rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3, version=1)}) == 0
    assert stored(fresh_db, assessor, reg, exercise)["M.01"]["version"] == 1


@pytest.mark.parametrize("level", [3, None])
@pytest.mark.parametrize("evidence", ["", "   ", None, "\n\t"])
def test_evidence_is_required_even_for_tb(fresh_db, reg, assessor, exercise, level, evidence):
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise,
                     {"M.01": entry(level, evidence)}, error=ValidationError) == "rating.evidence_required"
    assert ratings_of(fresh_db, reg) == 0


def test_every_competency_without_evidence_is_named_at_once(fresh_db, reg, assessor, exercise):
    """An assessor who set eight levels and no notes hears of all of them, not of M.01 on this save, M.02 on
    the next (found on the assessment day's screens)."""
    entries = {"M.01": entry(3, ""), "M.02": entry(4), "M.03": entry(2, " "), "M.04": entry(None, None)}
    with pytest.raises(ValidationError) as refused:
        rating.save_ratings(fresh_db, assessor, reg, exercise, entries)
    assert refused.value.key == "rating.evidence_required" and refused.value.params["code"] == "M.01, M.03, M.04"
    assert ratings_of(fresh_db, reg) == 0


def test_evidence_has_a_maximum_length(fresh_db, reg, assessor, exercise):
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise,
                     {"M.01": entry(evidence="x" * (rating.MAX_EVIDENCE + 1))}, error=ValidationError) == \
        "rating.evidence_too_long"


@pytest.mark.parametrize("level", [0, 6, -1, "3", True, False, 3.0, 2.5, "TB"])
def test_bad_level_is_refused(fresh_db, reg, assessor, exercise, level):
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise, {"M.01": entry(level)},
                     error=ValidationError) == "rating.bad_level"
    assert ratings_of(fresh_db, reg) == 0


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5, None])
def test_every_level_and_tb_is_accepted(fresh_db, reg, assessor, exercise, level):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(level)})
    assert stored(fresh_db, assessor, reg, exercise)["M.01"]["level"] == level


def test_a_bad_entry_writes_none_of_the_call(fresh_db, reg, assessor, exercise):
    with pytest.raises(ValidationError):
        rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3), "M.02": entry(9)})
    assert ratings_of(fresh_db, reg) == 0


def test_competency_not_measured_by_the_exercise_is_refused(fresh_db, reg, assessor, exercise):
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise, {"M.99": entry()},
                     error=ValidationError) == "rating.not_measured"


def test_saving_a_cell_not_assigned_is_refused(fresh_db, reg, assessor, unassigned_exercise):
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, unassigned_exercise, {"M.01": entry()},
                     error=PermissionDenied) == "rating.not_assigned"
    assert ratings_of(fresh_db, reg) == 0


def test_assessor_from_outside_the_event_cannot_save(fresh_db, asesor, reg, exercise):
    assert error_key(rating.save_ratings, fresh_db, asesor, reg, exercise, {"M.01": entry()},
                     error=PermissionDenied) == "rating.not_assigned"


@pytest.mark.parametrize("role", ["admin", "pimpinan"])
def test_only_assessors_save(fresh_db, admin, pimpinan, reg, exercise, role):
    with pytest.raises(PermissionDenied):
        rating.save_ratings(fresh_db, {"admin": admin, "pimpinan": pimpinan}[role], reg, exercise, {"M.01": entry()})
    assert ratings_of(fresh_db, reg) == 0


# Versions: stale forms and second tabs --------------------------------------------------------

def test_stale_version_is_refused(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise, {"M.01": entry(4, version=0)},
                     error=Conflict) == "rating.stale"
    assert stored(fresh_db, assessor, reg, exercise)["M.01"]["level"] == 3


@pytest.mark.parametrize("version", [0, 2, 7])
def test_any_version_but_the_stored_one_is_stale(fresh_db, reg, assessor, exercise, version):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    with pytest.raises(Conflict) as caught:
        rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(4, version=version)})
    assert caught.value.key == "rating.stale"


def test_version_for_a_new_rating_must_be_zero(fresh_db, reg, assessor, exercise):
    with pytest.raises(Conflict) as caught:
        rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(4, version=1)})
    assert caught.value.key == "rating.stale"


def test_stale_save_writes_nothing_of_the_call(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    audit_before = count(fresh_db, "audit_log")
    # The fresh entries come first: they would be written before the stale one is met.
    call = {"M.02": entry(4), "M.03": entry(None), "M.01": entry(5, version=0)}
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise, call, error=Conflict) == "rating.stale"
    assert {c: (r["level"], r["version"]) for c, r in stored(fresh_db, assessor, reg, exercise).items()} == \
        {"M.01": (3, 1)}
    assert count(fresh_db, "audit_log") == audit_before


def test_second_tab_is_refused_after_the_first_saved(fresh_db, reg, assessor, exercise):
    drawn = versions(fresh_db, assessor, reg, exercise)  # both tabs draw the form now
    first_tab = entries(reg, exercise, assessor["id"], 4, drawn)
    second_tab = entries(reg, exercise, assessor["id"], 2, drawn)
    assert rating.save_ratings(fresh_db, assessor, reg, exercise, first_tab) == 9
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise, second_tab, error=Conflict) == \
        "rating.stale"
    assert {r["level"] for r in stored(fresh_db, assessor, reg, exercise).values()} == {4}


def test_second_tab_after_reloading_may_save(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, entries(reg, exercise, assessor["id"], 4))
    reloaded = entries(reg, exercise, assessor["id"], 2, versions(fresh_db, assessor, reg, exercise))
    assert rating.save_ratings(fresh_db, assessor, reg, exercise, reloaded) == 9


# States -----------------------------------------------------------------------------------------

def test_saving_in_persiapan_is_refused(fresh_db, admin):
    setup = build_event(fresh_db, admin)
    assessment.auto_assign(fresh_db, admin, setup.event_id)
    reg = setup.registrations[0]
    who = setup.assessor(assessors_of(fresh_db, reg)[0])
    exercise = assigned_exercises(fresh_db, reg, who["id"])[0]
    assert error_key(rating.save_ratings, fresh_db, who, reg, exercise, {"M.01": entry()}, error=Conflict) == \
        "event.wrong_state"
    assert ratings_of(fresh_db, reg) == 0


def test_saving_in_final_is_refused(fresh_db, admin, event, reg, assessor, exercise):
    finalise_all(fresh_db, admin, event)
    current = versions(fresh_db, assessor, reg, exercise)
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise,
                     {"M.01": entry(5, version=current["M.01"])}, error=Conflict) == "event.wrong_state"


def test_submitting_in_persiapan_is_refused(fresh_db, admin):
    setup = build_event(fresh_db, admin)
    assessment.auto_assign(fresh_db, admin, setup.event_id)
    assert error_key(rating.submit, fresh_db, setup.lead, setup.registrations[0], error=Conflict) == \
        "event.wrong_state"


# Submitting -------------------------------------------------------------------------------------

def test_submit_refused_while_ratings_are_missing(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, entries(reg, exercise, assessor["id"],
                                                                   codes=COMPETENCIES[:8]))
    assert error_key(rating.submit, fresh_db, assessor, reg, error=ValidationError) == "rating.incomplete"
    assert not rating.is_submitted(fresh_db, reg, assessor["id"])


def test_submit_refused_before_any_rating(fresh_db, reg, assessor):
    with pytest.raises(ValidationError) as caught:
        rating.submit(fresh_db, assessor, reg)
    assert caught.value.key == "rating.incomplete"


def test_missing_ratings_name_every_open_cell(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, entries(reg, exercise, assessor["id"],
                                                                   codes=COMPETENCIES[1:]))
    n_exercises = len(assigned_exercises(fresh_db, reg, assessor["id"]))
    assert len(rating.missing_ratings(fresh_db, assessor["id"], reg)) == 1 + 9 * (n_exercises - 1)


def test_submit_works_once_complete(fresh_db, reg, assessor):
    rate(fresh_db, assessor, reg, submit=False)
    rating.submit(fresh_db, assessor, reg)
    assert rating.is_submitted(fresh_db, reg, assessor["id"])


def test_submit_counts_tb_as_rated(fresh_db, reg, assessor):
    rate(fresh_db, assessor, reg, level=None)
    assert rating.is_submitted(fresh_db, reg, assessor["id"])


def test_saving_after_submit_is_refused(fresh_db, reg, assessor, exercise):
    rate(fresh_db, assessor, reg)
    current = versions(fresh_db, assessor, reg, exercise)
    assert error_key(rating.save_ratings, fresh_db, assessor, reg, exercise,
                     {"M.01": entry(5, version=current["M.01"])}, error=Conflict) == "rating.submitted"
    assert stored(fresh_db, assessor, reg, exercise)["M.01"]["level"] == 3


def test_submitting_twice_is_refused(fresh_db, reg, assessor):
    rate(fresh_db, assessor, reg)
    assert error_key(rating.submit, fresh_db, assessor, reg, error=Conflict) == "rating.submitted"


def test_submit_by_an_assessor_not_assigned_is_refused(fresh_db, asesor, reg):
    assert error_key(rating.submit, fresh_db, asesor, reg, error=PermissionDenied) == "rating.not_assigned"


@pytest.mark.parametrize("role", ["admin", "pimpinan"])
def test_only_assessors_submit(fresh_db, admin, pimpinan, reg, role):
    with pytest.raises(PermissionDenied):
        rating.submit(fresh_db, {"admin": admin, "pimpinan": pimpinan}[role], reg)


def test_submission_opens_the_candidate_only_when_all_submitted(fresh_db, event, reg, assessor, others):
    rate(fresh_db, assessor, reg)
    rate(fresh_db, others[0], reg)
    opened_early = rating.is_open(fresh_db, reg)
    rate(fresh_db, others[1], reg)
    assert (opened_early, rating.is_open(fresh_db, reg)) == (False, True)


# Blind rating, enforced in core ------------------------------------------------------------------

@pytest.fixture
def half_rated(fresh_db, reg, assessor, others):
    """The first candidate: two assessors submitted, the last one has a draft only."""
    rate(fresh_db, assessor, reg)
    rate(fresh_db, others[0], reg)
    rate(fresh_db, others[1], reg, level=2, submit=False)
    return reg


@pytest.mark.parametrize("who", [0, 1, 2])
def test_assessor_sees_only_own_ratings_before_all_submitted(fresh_db, half_rated, assessor, others, who):
    actor = [assessor, *others][who]
    seen = rating.candidate_ratings(fresh_db, actor, half_rated)
    assert seen and {r["assessor_id"] for r in seen} == {actor["id"]}


def test_own_ratings_are_all_of_them(fresh_db, half_rated, others):
    seen = rating.candidate_ratings(fresh_db, others[1], half_rated)
    assert len(seen) == 9 * len(assigned_exercises(fresh_db, half_rated, others[1]["id"]))


def test_assessor_from_outside_the_event_sees_nothing(fresh_db, asesor, half_rated):
    assert rating.candidate_ratings(fresh_db, asesor, half_rated) == []


def test_nobody_may_see_all_before_all_submitted(fresh_db, admin, pimpinan, event, half_rated):
    actors = [admin, pimpinan, event.lead, *event.assessors]
    assert [rating.may_see_all_ratings(fresh_db, a, half_rated) for a in actors] == [False] * len(actors)


def test_lead_who_submitted_still_sees_only_own(fresh_db, event, half_rated):
    seen = rating.candidate_ratings(fresh_db, event.lead, half_rated)
    assert {r["assessor_id"] for r in seen} <= {event.lead["id"]}


@pytest.mark.parametrize("role", ["admin", "pimpinan"])
def test_non_assessors_get_nothing_before_all_submitted(fresh_db, admin, pimpinan, half_rated, role):
    actor = {"admin": admin, "pimpinan": pimpinan}[role]
    assert error_key(rating.candidate_ratings, fresh_db, actor, half_rated, error=PermissionDenied) == \
        "rating.blind"


@pytest.fixture
def open_reg(fresh_db, event, reg):
    """The first candidate with every assessor submitted: open for integration."""
    rate_candidate(fresh_db, event, reg)
    return reg


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_lead_and_admin_see_all_once_open(fresh_db, admin, event, open_reg, role):
    actor = {"admin": admin, "lead": event.lead}[role]
    seen = rating.candidate_ratings(fresh_db, actor, open_reg)
    assert rating.may_see_all_ratings(fresh_db, actor, open_reg)
    assert {r["assessor_id"] for r in seen} == set(assessors_of(fresh_db, open_reg))
    assert len(seen) == ratings_of(fresh_db, open_reg) == 4 * 9


def test_pimpinan_never_sees_ratings(fresh_db, pimpinan, open_reg):
    assert not rating.may_see_all_ratings(fresh_db, pimpinan, open_reg)
    assert error_key(rating.candidate_ratings, fresh_db, pimpinan, open_reg, error=PermissionDenied) == \
        "rating.blind"


def test_another_candidate_stays_blind(fresh_db, event, open_reg):
    other = event.registrations[1]
    rate(fresh_db, event.assessor(assessors_of(fresh_db, other)[0]), other)
    assert not rating.may_see_all_ratings(fresh_db, event.lead, other)


def test_reopened_submission_makes_the_candidate_blind_again(fresh_db, admin, event, open_reg, assessor):
    integration.reopen_submission(fresh_db, admin, open_reg, assessor["id"], "Bukti perlu dilengkapi")
    seen = rating.candidate_ratings(fresh_db, assessor, open_reg)
    assert {r["assessor_id"] for r in seen} == {assessor["id"]}
    assert not rating.may_see_all_ratings(fresh_db, admin, open_reg)


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_meeting_refuses_a_candidate_not_open(fresh_db, admin, event, half_rated, role):
    actor = {"admin": admin, "lead": event.lead}[role]
    assert error_key(integration.meeting, fresh_db, actor, half_rated, error=Conflict) == "integration.not_open"


def test_meeting_of_an_open_candidate_shows_every_assessor(fresh_db, event, open_reg):
    view = integration.meeting(fresh_db, event.lead, open_reg)
    names = {r["assessor_name"] for cell in view["competencies"] for r in cell["ratings"]}
    assert names == {event.assessor(a)["full_name"] for a in assessors_of(fresh_db, open_reg)}


@pytest.mark.parametrize("role", ["asesor", "pimpinan"])
def test_meeting_is_for_the_lead_and_admin(fresh_db, pimpinan, event, open_reg, role):
    actor = {"asesor": event.assessors[1], "pimpinan": pimpinan}[role]
    with pytest.raises(PermissionDenied):
        integration.meeting(fresh_db, actor, open_reg)


def test_agenda_never_contains_candidates_not_open(fresh_db, admin, event, half_rated):
    open_reg = event.registrations[1]
    rate_candidate(fresh_db, event, open_reg)
    rows = integration.agenda(fresh_db, admin, event.event_id)
    assert {r["registration_id"] for r in rows} == {open_reg}
    assert len(rows) == 9


def test_agenda_is_empty_while_nobody_is_open(fresh_db, event, half_rated):
    assert integration.agenda(fresh_db, event.lead, event.event_id) == []


# Audit ------------------------------------------------------------------------------------------

def test_every_rating_change_is_audited_with_old_and_new(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(None, "Tidak muncul.", version=1)})
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(5, version=2)})
    trail = [(e["old"] and e["old"]["level"], e["new"]["level"]) for e in audit_entries(fresh_db, "rating", "rate")
             if e["entity_id"] == f"{reg}/{exercise}/M.01"]
    assert trail == [(None, 3), (3, None), (None, 5)]


def test_rating_audit_names_the_assessor(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    last = audit_entries(fresh_db, "rating", "rate")[-1]
    assert (last["user_id"], last["username"], last["old"], last["new"]) == \
        (assessor["id"], assessor["username"], None, {"level": 3, "evidence": EVIDENCE})


def test_unchanged_save_is_not_audited(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3)})
    rating.save_ratings(fresh_db, assessor, reg, exercise, {"M.01": entry(3, version=1)})
    assert len(audit_entries(fresh_db, "rating", "rate")) == 1


def test_one_audit_entry_per_rating_written(fresh_db, reg, assessor, exercise):
    rating.save_ratings(fresh_db, assessor, reg, exercise, entries(reg, exercise, assessor["id"]))
    assert len(audit_entries(fresh_db, "rating", "rate")) == 9


def test_submit_is_audited(fresh_db, reg, assessor):
    rate(fresh_db, assessor, reg)
    assert audit_entries(fresh_db, "submission", "submit")[-1]["entity_id"] == f"{reg}/{assessor['id']}"
