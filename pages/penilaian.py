"""Penilaian: the assessor's own worklist and the blind rating form (level descriptors at hand)."""

import streamlit as st

from core import rating, refdata, registry
from core.textutil import escape_markdown
from pages.common import attempt, guard, need_event, petunjuk, plain_table, rerun, tr

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


def ordered(work: list[dict]) -> list[dict]:
    """Open work first (in worklist order), the submitted cells after it."""
    return sorted(work, key=lambda w: bool(w["submitted_at"]))


def is_open(w: dict) -> bool:
    """Still to be rated: not submitted and not every competency has a level yet."""
    return not w["submitted_at"] and w["rated"] < w["required"]


def label(w: dict) -> str:
    # No status in the label: a label that changes after a save would reset the choice.
    return f"{w['participant_no']} · {w['candidate_name']} · {w['exercise_name']}"


def worklist(work: list[dict]) -> tuple[int, int]:
    """The progress bar, the filter and the table of this assessor's cells; returns the picked one."""
    done = sum(min(w["rated"], w["required"]) for w in work)
    total = sum(w["required"] for w in work) or 1
    st.progress(done / total, text=tr("penilaian.progress", done=done, total=total))
    shown = ordered(work)
    if st.toggle(tr("penilaian.only_open"), value=True, key="penilaian_only_open"):
        shown = [w for w in shown if not w["submitted_at"]] or shown
    st.dataframe([{tr("field.status"): status(w), tr("field.participant_no"): w["participant_no"],
                   tr("field.name"): w["candidate_name"], tr("field.exercise"): w["exercise_name"],
                   tr("field.position"): w["position_name"]} for w in shown],
                 hide_index=True, width="stretch", height=260)
    cells = {(w["registration_id"], w["exercise_id"]): w for w in shown}
    if st.session_state.get("penilaian_pick") not in cells:  # start on the first open cell, not a submitted one
        st.session_state["penilaian_pick"] = next(iter(cells))
    return st.selectbox(tr("penilaian.pick"), list(cells), key="penilaian_pick", format_func=lambda k: label(cells[k]))


def next_open(work: list[dict], cell: tuple[int, int]) -> dict | None:
    """The open cell after ``cell`` in worklist order (wrapping round), if any."""
    keys = [(w["registration_id"], w["exercise_id"]) for w in work]
    start = keys.index(cell) + 1 if cell in keys else 0
    return next((w for w in work[start:] + work[:start] if is_open(w) and (w["registration_id"], w["exercise_id"])
                 != cell), None)


def go_to(cell: tuple[int, int]) -> None:
    st.session_state["penilaian_pick"] = cell


def feedback_here(work: list[dict], cell: tuple[int, int]) -> None:
    """The result of the last save, where the button was pressed, and the way on to the next open cell."""
    note = st.session_state.get("penilaian_feedback")
    if not note or note[0] != cell:
        return
    del st.session_state["penilaian_feedback"]
    st.success(note[1], icon=":material/check_circle:")
    current = next((w for w in work if (w["registration_id"], w["exercise_id"]) == cell), None)
    following = next_open(work, cell)
    if current and current["rated"] >= current["required"] and following:
        target = (following["registration_id"], following["exercise_id"])
        st.button(tr("penilaian.next", cell=label(following)), type="primary", icon=":material/arrow_forward:",
                  key="penilaian_next", on_click=go_to, args=(target,))


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


def rate_cell(work: list[dict], cell: tuple[int, int], exercise_name: str) -> None:
    """One candidate × exercise: the form, its save, and reloading what is stored."""
    form = rating.rating_form(db, user, *cell)
    st.subheader(escape_markdown(f"{form['registration']['candidate_name']} · {exercise_name}"))
    if form["submitted"]:
        read_only(form)
        return
    version_key = f"penilaian_versions_{cell[0]}_{cell[1]}"
    versions = kept_versions(form, version_key)
    saved, entries, unlevelled = rating_form(form, cell, versions)
    if saved and unlevelled:
        st.error(tr("penilaian.level_missing", codes=", ".join(unlevelled)))
    elif saved and attempt(rating.save_ratings, db, user, *cell, entries) is not None:
        del st.session_state[version_key]
        st.session_state["penilaian_feedback"] = (cell, tr("penilaian.saved"))
        st.rerun()
    feedback_here(work, cell)
    if st.button(tr("penilaian.reload"), key="penilaian_reload", help=tr("penilaian.reload_help")):
        st.session_state.pop(version_key, None)
        for comp in form["competencies"]:
            st.session_state.pop(widget_key("pn_lvl", cell, comp["code"]), None)
            st.session_state.pop(widget_key("pn_ev", cell, comp["code"]), None)
        st.rerun()
    submit_box(cell[0], exercise_name)


def read_only(form: dict) -> None:
    """A submitted cell: what was given, compact (the full form with its descriptors is for rating)."""
    st.success(tr("penilaian.read_only"))
    plain_table([{tr("field.competency"): f"{c['code']} {c['name']}",
                  tr("penilaian.level"): "–" if not c["rating"] else
                  "TB" if c["rating"]["level"] is None else str(c["rating"]["level"]),
                  tr("penilaian.evidence"): (c["rating"] or {}).get("evidence", "")} for c in form["competencies"]])


def missing_text(missing: list[dict], exercise_name: str) -> str:
    """Where the missing ratings are: per exercise, this one named as such."""
    per_exercise: dict[str, int] = {}
    for m in missing:
        per_exercise[m["exercise_name"]] = per_exercise.get(m["exercise_name"], 0) + 1
    where = "; ".join(tr("penilaian.missing_in_this" if name == exercise_name else "penilaian.missing_in",
                         exercise=name, n=n) for name, n in per_exercise.items())
    return tr("penilaian.missing_where", n=len(missing), where=where)


def submit_box(registration_id: int, exercise_name: str) -> None:
    st.divider()
    st.markdown(f"#### {tr('penilaian.submit_title')}")
    missing = rating.missing_ratings(db, user["id"], registration_id)
    if missing:
        st.caption(escape_markdown(missing_text(missing, exercise_name)))
        return
    sure = st.checkbox(tr("penilaian.confirm_submit"), key=f"penilaian_sure_{registration_id}")
    if st.button(tr("penilaian.submit"), disabled=not sure, key="penilaian_submit"):
        if attempt(rating.submit, db, user, registration_id):
            rerun(tr("penilaian.submitted"))  # the page moves on to open work; the toast says what happened


work = rating.worklist(db, user, event["id"])
if not work:
    st.info(tr("penilaian.no_work"))
    st.stop()
picked = worklist(work)
rate_cell(work, picked, next(w["exercise_name"] for w in work if (w["registration_id"], w["exercise_id"]) == picked))
