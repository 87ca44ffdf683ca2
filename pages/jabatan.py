"""Jabatan: target positions of the event, their job class and competency standard."""

import streamlit as st

from core import refdata, registry
from pages.common import attempt, editable_in_setup, guard, need_event, petunjuk, rerun, tr

db, user = guard("admin")
st.title(tr("jabatan.title"))
petunjuk("jabatan.help")
event = registry.get_event(db, need_event())
editable = editable_in_setup(event, "jabatan.locked")
job_classes = {j["code"]: j["name"] for j in refdata.job_classes(db)}


def new_position_form() -> None:
    with st.form("jabatan_new", clear_on_submit=True):
        name = st.text_input(tr("field.position"), max_chars=300)
        unit = st.text_input(tr("field.unit"), max_chars=300)
        job_class = st.selectbox(tr("field.job_class"), list(job_classes), index=1, format_func=job_classes.get)
        st.caption(tr("jabatan.default_note"))
        if st.form_submit_button(tr("common.add"), type="primary"):
            if attempt(registry.create_position, db, user, event["id"], name, unit, job_class):
                rerun(tr("jabatan.created"))


def standard_view(positions: list[dict]) -> None:
    """The competency standard of the chosen position; while setting up, save, reset, edit or delete."""
    st.markdown(f"#### {tr('jabatan.standard_title')}")
    names = {p["id"]: p["name"] for p in positions}
    position_id = st.selectbox(tr("field.position"), list(names), format_func=names.get, key="jabatan_pick")
    position = registry.get_position(db, position_id)
    edited = standard_editor(position_id)
    if editable:
        standard_buttons(position, edited)
        with st.expander(tr("jabatan.edit")):
            edit_position(position)


def standard_editor(position_id: int) -> list[dict]:
    standard = registry.get_standard(db, position_id)
    table = [{"code": c["code"], tr("field.competency"): c["name"], tr("field.level"): standard.get(c["code"], 1)}
             for c in refdata.competencies(db)]
    return st.data_editor(
        table, key=f"jabatan_std_{position_id}", hide_index=True, disabled=not editable,
        column_config={"code": st.column_config.TextColumn(tr("field.code"), disabled=True),
                       tr("field.competency"): st.column_config.TextColumn(disabled=True),
                       tr("field.level"): st.column_config.NumberColumn(min_value=1, max_value=5, step=1,
                                                                         required=True)},
        width="stretch")


def standard_buttons(position: dict, edited: list[dict]) -> None:
    c1, c2 = st.columns(2)
    if c1.button(tr("jabatan.save_standard"), type="primary", key="jabatan_save_std"):
        new = {row["code"]: int(row[tr("field.level")]) for row in edited}
        if attempt(registry.set_standard, db, user, position["id"], new):
            rerun(tr("common.saved"))
    if c2.button(tr("jabatan.reset_standard"), key="jabatan_reset_std"):
        default = refdata.default_standard(db, position["job_class"])
        if attempt(registry.set_standard, db, user, position["id"], default, reason="default"):
            st.session_state.pop(f"jabatan_std_{position['id']}", None)
            rerun(tr("common.saved"))


def edit_position(position: dict) -> None:
    with st.form(f"jabatan_edit_{position['id']}"):
        name = st.text_input(tr("field.position"), value=position["name"], max_chars=300)
        unit = st.text_input(tr("field.unit"), value=position["unit"], max_chars=300)
        codes = list(job_classes)
        job_class = st.selectbox(tr("field.job_class"), codes, index=codes.index(position["job_class"]),
                                 format_func=job_classes.get)
        if st.form_submit_button(tr("common.save")):
            if attempt(registry.update_position, db, user, position["id"], name, unit, job_class):
                rerun(tr("common.saved"))
    if st.button(tr("jabatan.delete"), key="jabatan_delete"):
        if attempt(registry.delete_position, db, user, position["id"]):
            rerun(tr("common.deleted"))


positions = registry.list_positions(db, event["id"])
st.dataframe([{tr("field.position"): p["name"], tr("field.unit"): p["unit"],
               tr("field.job_class"): p["job_class_name"], tr("beranda.candidates"): p["n_candidates"]}
              for p in positions], hide_index=True, width="stretch")
if editable:
    with st.expander(tr("jabatan.add"), expanded=not positions):
        new_position_form()
if positions:
    standard_view(positions)
