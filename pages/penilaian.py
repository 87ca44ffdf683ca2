"""Penilaian: the assessor's own worklist and the blind rating form (level descriptors at hand)."""

import streamlit as st

from core import rating, refdata, registry
from core.textutil import escape_markdown
from pages.common import attempt, guard, need_event, petunjuk, rerun, tr

db, user = guard("asesor")
st.title(tr("penilaian.title"))
petunjuk("penilaian.help")
event = registry.get_event(db, need_event())
OPTIONS = ["1", "2", "3", "4", "5", "TB"]
level_names = refdata.level_names()


def status(w: dict) -> str:
    if w["submitted_at"]:
        return tr("penilaian.status_submitted")
    return tr("penilaian.status_draft", n=w["rated"], m=w["required"]) if w["rated"] else tr("penilaian.status_new")


def worklist(work: list[dict]) -> tuple[int, int]:
    """The progress bar and the table of this assessor's cells; returns the picked (registration, exercise)."""
    done = sum(min(w["rated"], w["required"]) for w in work)
    total = sum(w["required"] for w in work) or 1
    st.progress(done / total, text=tr("penilaian.progress", done=done, total=total))
    st.dataframe([{tr("field.participant_no"): w["participant_no"], tr("field.name"): w["candidate_name"],
                   tr("field.position"): w["position_name"], tr("field.exercise"): w["exercise_name"],
                   tr("field.status"): status(w)} for w in work], hide_index=True, width="stretch", height=260)
    cells = {(w["registration_id"], w["exercise_id"]): w for w in work}
    return st.selectbox(tr("penilaian.pick"), list(cells), key="penilaian_pick",
                        # No status in the label: a label that changes after a save would reset the choice.
                        format_func=lambda k: f"{cells[k]['participant_no']} · {cells[k]['candidate_name']} · "
                                              f"{cells[k]['exercise_name']}")


def widget_key(prefix: str, cell: tuple[int, int], code: str) -> str:
    """Stable, CSS-safe keys per candidate × exercise × competency (``M.01`` → ``M_01``)."""
    return f"{prefix}_{cell[0]}_{cell[1]}_{code.replace('.', '_')}"


def option_of(level_row: dict) -> int | None:
    """The radio index of a stored rating (TB is stored as a NULL level)."""
    if not level_row:
        return None
    return OPTIONS.index("TB" if level_row["level"] is None else str(level_row["level"]))


def kept_versions(form: dict, version_key: str) -> dict:
    """The versions the form was drawn from, kept until a successful save, so a save from a stale
    tab is refused by core instead of silently overwriting the other tab's work."""
    if version_key not in st.session_state:
        st.session_state[version_key] = {c["code"]: (c["rating"] or {}).get("version", 0)
                                         for c in form["competencies"]}
    return st.session_state[version_key]


def descriptors(comp: dict) -> None:
    st.markdown(f"##### {comp['code']} {escape_markdown(comp['name'])}")
    with st.expander(tr("penilaian.descriptors")):
        st.caption(comp["definition"])
        for lvl in comp["levels"]:
            st.markdown(f"**{lvl['level']} – {level_names[lvl['level']]}:** {escape_markdown(lvl['headline'])}")
            st.markdown("\n".join(f"- {escape_markdown(i)}" for i in lvl["indicators"]))


def competency_input(comp: dict, cell: tuple[int, int], editable: bool) -> tuple[str | None, str]:
    """The level radio and the evidence of one competency; returns (choice, evidence)."""
    current = comp["rating"] or {}
    descriptors(comp)
    choice = st.radio(tr("penilaian.level"), OPTIONS, horizontal=True, key=widget_key("pn_lvl", cell, comp["code"]),
                      index=option_of(current), format_func=lambda v: v if v == "TB" else f"{v} {level_names[int(v)]}",
                      disabled=not editable, help=tr("penilaian.tb_help"))
    evidence = st.text_area(tr("penilaian.evidence"), value=current.get("evidence", ""), height=80,
                            key=widget_key("pn_ev", cell, comp["code"]), disabled=not editable, max_chars=2000)
    return choice, evidence


def rating_form(form: dict, cell: tuple[int, int], versions: dict) -> tuple[bool, dict, list]:
    """The blind form; returns (saved, entries, codes with evidence but no level)."""
    with st.form(f"penilaian_form_{cell[0]}_{cell[1]}"):
        answers = {comp["code"]: competency_input(comp, cell, form["editable"]) for comp in form["competencies"]}
        saved = st.form_submit_button(tr("penilaian.save_draft"), type="primary", disabled=not form["editable"])
    return saved, *entries_of(answers, versions)


def entries_of(answers: dict[str, tuple], versions: dict) -> tuple[dict, list]:
    """What to save (a level or TB, with its evidence) and the codes with evidence but no level."""
    entries, unlevelled = {}, []
    for code, (choice, evidence) in answers.items():
        if choice is not None:
            level = None if choice == "TB" else int(choice)
            entries[code] = {"level": level, "evidence": evidence, "version": versions.get(code, 0)}
        elif evidence.strip():
            unlevelled.append(code)
    return entries, unlevelled


def rate_cell(cell: tuple[int, int], exercise_name: str) -> None:
    """One candidate × exercise: the form, its save, and reloading what is stored."""
    form = rating.rating_form(db, user, *cell)
    version_key = f"penilaian_versions_{cell[0]}_{cell[1]}"
    versions = kept_versions(form, version_key)
    st.subheader(escape_markdown(f"{form['registration']['candidate_name']} · {exercise_name}"))
    if form["submitted"]:
        st.success(tr("penilaian.read_only"))
    saved, entries, unlevelled = rating_form(form, cell, versions)
    if saved and unlevelled:
        st.error(tr("penilaian.level_missing", codes=", ".join(unlevelled)))
    elif saved and attempt(rating.save_ratings, db, user, *cell, entries) is not None:
        del st.session_state[version_key]
        rerun(tr("penilaian.saved"))
    if st.button(tr("penilaian.reload"), key="penilaian_reload", help=tr("penilaian.reload_help")):
        st.session_state.pop(version_key, None)
        for comp in form["competencies"]:
            st.session_state.pop(widget_key("pn_lvl", cell, comp["code"]), None)
            st.session_state.pop(widget_key("pn_ev", cell, comp["code"]), None)
        st.rerun()
    submit_box(cell[0], form["submitted"])


def submit_box(registration_id: int, submitted: bool) -> None:
    st.divider()
    st.markdown(f"#### {tr('penilaian.submit_title')}")
    missing = rating.missing_ratings(db, user["id"], registration_id)
    if submitted or missing:
        st.caption(tr("penilaian.already_submitted") if submitted else tr("penilaian.missing", n=len(missing)))
        return
    sure = st.checkbox(tr("penilaian.confirm_submit"), key=f"penilaian_sure_{registration_id}")
    if st.button(tr("penilaian.submit"), disabled=not sure, key="penilaian_submit"):
        if attempt(rating.submit, db, user, registration_id):
            rerun(tr("penilaian.submitted"))


work = rating.worklist(db, user, event["id"])
if not work:
    st.info(tr("penilaian.no_work"))
    st.stop()
picked = worklist(work)
rate_cell(picked, next(w["exercise_name"] for w in work if (w["registration_id"], w["exercise_id"]) == picked))
