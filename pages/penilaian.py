"""Penilaian: the assessor's own worklist and the blind rating form (level descriptors at hand)."""

import streamlit as st

from core import rating, refdata, registry
from core.textutil import escape_markdown
from pages.common import attempt, guard, need_event, petunjuk, rerun, tr

db, user = guard("asesor")
st.title(tr("penilaian.title"))
petunjuk("penilaian.help")
event = registry.get_event(db, need_event())
work = rating.worklist(db, user, event["id"])
if not work:
    st.info(tr("penilaian.no_work"))
    st.stop()

done = sum(min(w["rated"], w["required"]) for w in work)
total = sum(w["required"] for w in work) or 1
st.progress(done / total, text=tr("penilaian.progress", done=done, total=total))


def status(w: dict) -> str:
    if w["submitted_at"]:
        return tr("penilaian.status_submitted")
    return tr("penilaian.status_draft", n=w["rated"], m=w["required"]) if w["rated"] else tr("penilaian.status_new")


st.dataframe([{tr("field.participant_no"): w["participant_no"], tr("field.name"): w["candidate_name"],
               tr("field.position"): w["position_name"], tr("field.exercise"): w["exercise_name"],
               tr("field.status"): status(w)} for w in work], hide_index=True, width="stretch", height=260)

cells = {(w["registration_id"], w["exercise_id"]): w for w in work}
pick = st.selectbox(tr("penilaian.pick"), list(cells), key="penilaian_pick",
                    # No status in the label: a label that changes after a save would reset the choice.
                    format_func=lambda k: f"{cells[k]['participant_no']} · {cells[k]['candidate_name']} · "
                                          f"{cells[k]['exercise_name']}")
registration_id, exercise_id = pick
form = rating.rating_form(db, user, registration_id, exercise_id)
level_names = refdata.level_names()
# The versions the form was drawn from are kept until a successful save, so a save from a stale
# tab is refused by core instead of silently overwriting the other tab's work.
version_key = f"penilaian_versions_{registration_id}_{exercise_id}"
if version_key not in st.session_state:
    st.session_state[version_key] = {c["code"]: (c["rating"] or {}).get("version", 0) for c in form["competencies"]}
versions = st.session_state[version_key]

st.subheader(escape_markdown(f"{form['registration']['candidate_name']} · {cells[pick]['exercise_name']}"))
if form["submitted"]:
    st.success(tr("penilaian.read_only"))
OPTIONS = ["1", "2", "3", "4", "5", "TB"]


def widget_key(prefix: str, code: str) -> str:
    """Stable, CSS-safe keys per candidate × exercise × competency (``M.01`` → ``M_01``)."""
    return f"{prefix}_{registration_id}_{exercise_id}_{code.replace('.', '_')}"


def option_of(level_row: dict) -> int | None:
    """The radio index of a stored rating (TB is stored as a NULL level)."""
    if not level_row:
        return None
    return OPTIONS.index("TB" if level_row["level"] is None else str(level_row["level"]))


with st.form(f"penilaian_form_{registration_id}_{exercise_id}"):
    entries, unlevelled = {}, []
    for comp in form["competencies"]:
        current = comp["rating"] or {}
        st.markdown(f"##### {comp['code']} {escape_markdown(comp['name'])}")
        with st.expander(tr("penilaian.descriptors")):
            st.caption(comp["definition"])
            for lvl in comp["levels"]:
                st.markdown(f"**{lvl['level']} – {level_names[lvl['level']]}:** {escape_markdown(lvl['headline'])}")
                st.markdown("\n".join(f"- {escape_markdown(i)}" for i in lvl["indicators"]))
        choice = st.radio(tr("penilaian.level"), OPTIONS, horizontal=True, key=widget_key("pn_lvl", comp["code"]),
                          index=option_of(current),
                          format_func=lambda v: v if v == "TB" else f"{v} {level_names[int(v)]}",
                          disabled=not form["editable"], help=tr("penilaian.tb_help"))
        evidence = st.text_area(tr("penilaian.evidence"), value=current.get("evidence", ""), height=80,
                                key=widget_key("pn_ev", comp["code"]), disabled=not form["editable"], max_chars=2000)
        if choice is None and evidence.strip():
            unlevelled.append(comp["code"])
        elif choice is not None:
            level = None if choice == "TB" else int(choice)
            entries[comp["code"]] = {"level": level, "evidence": evidence, "version": versions.get(comp["code"], 0)}
    saved = st.form_submit_button(tr("penilaian.save_draft"), type="primary", disabled=not form["editable"])

if saved and unlevelled:
    st.error(tr("penilaian.level_missing", codes=", ".join(unlevelled)))
elif saved:
    if attempt(rating.save_ratings, db, user, registration_id, exercise_id, entries) is not None:
        del st.session_state[version_key]
        rerun(tr("penilaian.saved"))
if st.button(tr("penilaian.reload"), key="penilaian_reload", help=tr("penilaian.reload_help")):
    st.session_state.pop(version_key, None)
    for comp in form["competencies"]:
        st.session_state.pop(widget_key("pn_lvl", comp["code"]), None)
        st.session_state.pop(widget_key("pn_ev", comp["code"]), None)
    st.rerun()

st.divider()
st.markdown(f"#### {tr('penilaian.submit_title')}")
missing = rating.missing_ratings(db, user["id"], registration_id)
if form["submitted"]:
    st.caption(tr("penilaian.already_submitted"))
elif missing:
    st.caption(tr("penilaian.missing", n=len(missing)))
else:
    sure = st.checkbox(tr("penilaian.confirm_submit"), key=f"penilaian_sure_{registration_id}")
    if st.button(tr("penilaian.submit"), disabled=not sure, key="penilaian_submit"):
        if attempt(rating.submit, db, user, registration_id):
            rerun(tr("penilaian.submitted"))
