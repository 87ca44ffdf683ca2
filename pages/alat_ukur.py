"""Alat Ukur & Penugasan: exercises, the exercise × competency matrix, assessors, conflicts, assignments, checks."""

import streamlit as st

from core import assessment, auth, refdata, registry
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    editable_in_setup,
    guard,
    need_event,
    petunjuk,
    plain_table,
    rerun,
    show_checks,
    tr,
)

# One view per run: the assignment grid alone has a row per candidate × exercise.
VIEWS = ["exercises", "matrix", "assessors", "assignments", "checks"]


def exercises_view(event: dict, editable: bool) -> None:
    """The exercises of the event; add one, delete one."""
    exercises = assessment.list_exercises(db, event["id"])
    st.dataframe([{tr("field.exercise"): e["name"], tr("field.kind"): tr("exercise_kind." + e["kind"])}
                  for e in exercises], hide_index=True, width="stretch")
    if not editable:
        return
    with st.form("alat_new_exercise", clear_on_submit=True):
        kind = st.selectbox(tr("field.kind"), assessment.EXERCISE_KINDS, format_func=lambda k: tr("exercise_kind." + k))
        name = st.text_input(tr("field.exercise"), help=tr("alat.name_help"), max_chars=100)
        if st.form_submit_button(tr("common.add"), type="primary"):
            label = name or (tr("exercise_kind." + kind) if kind != "custom" else "")
            if attempt(assessment.create_exercise, db, user, event["id"], label, kind):
                rerun(tr("common.saved"))
    if exercises:
        names = {e["id"]: e["name"] for e in exercises}
        chosen = st.selectbox(tr("alat.delete_which"), list(names), format_func=names.get, key="alat_del_pick")
        if st.button(tr("alat.delete_exercise"), key="alat_del"):
            if attempt(assessment.delete_exercise, db, user, chosen):
                rerun(tr("common.deleted"))


def matrix_view(event: dict, editable: bool) -> None:
    """Which exercise measures which competency; competencies measured too thinly are named."""
    exercises = assessment.list_exercises(db, event["id"])
    if not exercises:
        st.info(tr("alat.no_exercises"))
        return
    competencies = refdata.competencies(db)
    matrix = assessment.get_matrix(db, event["id"])
    grid = [{"code": c["code"], tr("field.competency"): c["name"]}
            | {e["name"]: c["code"] in matrix[e["id"]] for e in exercises} for c in competencies]
    edited = st.data_editor(grid, key=f"alat_matrix_{event['id']}", hide_index=True, width="stretch",
                            disabled=not editable or ["code", tr("field.competency")])
    new = {e["id"]: {row["code"] for row in edited if row[e["name"]]} for e in exercises}
    thin = set(assessment.thinly_measured(new, [c["code"] for c in competencies]))
    if thin:
        names = ", ".join(c["name"] for c in competencies if c["code"] in thin)
        st.warning(tr("alat.matrix_thin", names=escape_markdown(names), n=assessment.MIN_EXERCISES))
    if editable and st.button(tr("alat.save_matrix"), type="primary", key="alat_save_matrix"):
        if attempt(assessment.set_matrix, db, user, event["id"], new):
            rerun(tr("common.saved"))


def assessors_view(event: dict, editable: bool) -> None:
    """The assessors and the Ketua Tim, then the conflicts of interest."""
    pool = [u for u in auth.list_users(db, user) if u["role"] == "asesor" and u["active"]]
    names = {u["id"]: u["full_name"] for u in pool}
    current = [a["user_id"] for a in assessment.list_assessors(db, event["id"]) if a["user_id"] in names]
    lead = assessment.lead_of(db, event["id"])
    with st.form("alat_assessors"):
        chosen = st.multiselect(tr("alat.assessors"), list(names), default=current, format_func=names.get,
                                disabled=not editable)
        lead_pick = st.selectbox(tr("alat.lead"), [None, *names], format_func=lambda i: names.get(i, "–"),
                                 index=([None, *names].index(lead) if lead in names else 0), disabled=not editable)
        if st.form_submit_button(tr("common.save"), disabled=not editable):
            if attempt(assessment.set_assessors, db, user, event["id"], chosen, lead_pick):
                rerun(tr("common.saved"))
    conflicts_panel(event)


def conflicts_panel(event: dict) -> None:
    """Declared conflicts of interest: the list, declaring one, withdrawing one (audited with what it said)."""
    st.markdown(f"**{tr('alat.conflicts')}**")
    conflicts = assessment.list_conflicts(db, event["id"])
    if conflicts:
        plain_table([{tr("field.assessor"): c["assessor_name"], tr("field.name"): c["candidate_name"],
                      tr("audit.reason"): c["reason"]} for c in conflicts])
    else:
        st.caption(tr("alat.no_conflicts"))
    assessors = assessment.list_assessors(db, event["id"])
    registrations = registry.list_registrations(db, event["id"])
    if assessors and registrations:
        with st.form("alat_conflict", clear_on_submit=True):
            a_names = {a["user_id"]: a["full_name"] for a in assessors}
            c_names = {r["id"]: f"{r['participant_no']} – {r['name']}" for r in registrations}
            who = st.selectbox(tr("field.assessor"), list(a_names), format_func=a_names.get)
            whom = st.selectbox(tr("field.name"), list(c_names), format_func=c_names.get)
            reason = st.text_input(tr("audit.reason"), max_chars=500)
            if st.form_submit_button(tr("alat.declare_conflict")):
                if attempt(assessment.declare_conflict, db, user, event["id"], who, whom, reason):
                    rerun(tr("common.saved"))
    if conflicts:
        pairs = {(c["assessor_id"], c["candidate_id"]): f"{c['assessor_name']} – {c['candidate_name']}"
                 for c in conflicts}
        pick = st.selectbox(tr("alat.remove_conflict_which"), list(pairs), format_func=pairs.get,
                            key="alat_conflict_pick")
        if st.button(tr("alat.remove_conflict"), key="alat_conflict_remove"):
            if attempt(assessment.remove_conflict, db, user, event["id"], *pick):
                rerun(tr("common.deleted"))


def assignments_view(event: dict, editable: bool) -> None:
    """Who rates whom in which exercise: automatic or by hand, with each assessor's load."""
    assessors = assessment.list_assessors(db, event["id"])
    assignments = assessment.list_assignments(db, event["id"])
    st.caption(tr("alat.assignment_count", n=len(assignments)))
    if editable and st.button(tr("alat.auto_assign"), type="primary", key="alat_auto",
                              help=tr("alat.auto_assign_help")):
        if attempt(assessment.auto_assign, db, user, event["id"]):
            rerun(tr("common.saved"))
    load = {a["user_id"]: 0 for a in assessors}
    for a in assignments:
        load[a["assessor_id"]] = load.get(a["assessor_id"], 0) + 1
    st.dataframe([{tr("field.assessor"): a["full_name"], tr("alat.load"): load[a["user_id"]]} for a in assessors],
                 hide_index=True)
    assignment_grid(event, editable, assessors, assignments)


def assignment_grid(event: dict, editable: bool, assessors: list[dict], assignments: list[dict]) -> None:
    """One row per candidate × exercise, one tick column per assessor."""
    exercises = assessment.list_exercises(db, event["id"])
    registrations = registry.list_registrations(db, event["id"])
    if not (exercises and registrations and assessors):
        return
    given = {(a["registration_id"], a["exercise_id"], a["assessor_id"]) for a in assignments}
    grid = [{"reg": r["id"], "ex": e["id"], tr("field.participant_no"): r["participant_no"],
             tr("field.name"): r["name"], tr("field.exercise"): e["name"]}
            | {a["username"]: (r["id"], e["id"], a["user_id"]) in given for a in assessors}
            for r in registrations for e in exercises]
    labels = {a["username"]: st.column_config.CheckboxColumn(a["full_name"]) for a in assessors}
    edited = st.data_editor(grid, key=f"alat_assign_{event['id']}", hide_index=True, height=420, width="stretch",
                            column_config={"reg": None, "ex": None} | labels,
                            disabled=not editable or ["reg", "ex", tr("field.participant_no"), tr("field.name"),
                                                      tr("field.exercise")])
    if editable and st.button(tr("alat.save_assignments"), key="alat_save_assign"):
        triples = [(row["reg"], row["ex"], a["user_id"]) for row in edited for a in assessors if row[a["username"]]]
        if attempt(assessment.set_assignments, db, user, event["id"], triples):
            rerun(tr("common.saved"))


def checks_view(event: dict, editable: bool) -> None:
    """The setup checks that guard the start of rating."""
    show_checks(assessment.setup_checks(db, event["id"]))
    if editable:
        st.caption(tr("alat.checks_note"))


db, user = guard("admin")
st.title(tr("alat.title"))
petunjuk("alat.help")
event = registry.get_event(db, need_event())
editable = editable_in_setup(event, "alat.locked")
view = st.segmented_control(tr("common.view"), VIEWS, format_func=lambda v: tr(f"alat.tab_{v}"),
                            default="exercises", key="alat_view") or "exercises"
{"exercises": exercises_view, "matrix": matrix_view, "assessors": assessors_view,
 "assignments": assignments_view, "checks": checks_view}[view](event, editable)
