"""Kandidat: the registry — search, add, edit, register to the event, import from XLSX/CSV."""

import datetime as dt

import streamlit as st

from core import importer, refdata, registry, scoring, settings
from core.i18n import format_date, format_percent
from core.textutil import escape_markdown
from pages.common import attempt, guard, lang, petunjuk, plain_table, rerun, selected_event_id, show_error, tr

db, user = guard("admin")
st.title(tr("kandidat.title"))
petunjuk("kandidat.help")
event_id = selected_event_id()
event = registry.get_event(db, event_id) if event_id else None
golongan = [""] + [g["code"] for g in refdata.golongan(db)]
pangkat = {g["code"]: f"{g['code']} – {g['pangkat']}" for g in refdata.golongan(db)} | {"": "–"}


def candidate_form(key: str, candidate: dict | None = None) -> dict | None:
    """Fields of a candidate; returns them when submitted."""
    c = candidate or {}
    # Never cleared on submit: a refused save (a wrong NIP) keeps what was typed, to be corrected.
    with st.form(key):
        col1, col2 = st.columns(2)
        nip = col1.text_input(tr("field.nip"), value=c.get("nip", ""), max_chars=30, help=tr("kandidat.nip_help"))
        name = col2.text_input(tr("field.full_name_titles"), value=c.get("name", ""), max_chars=300)
        gol = col1.selectbox(tr("field.golongan"), golongan, format_func=pangkat.get,
                             index=golongan.index(c.get("golongan") or ""))
        current_position = col2.text_input(tr("field.current_position"), value=c.get("current_position", ""))
        current_unit = col1.text_input(tr("field.unit"), value=c.get("current_unit", ""))
        email = col2.text_input(tr("field.email"), value=c.get("email", ""))
        phone = col1.text_input(tr("field.phone"), value=c.get("phone", ""))
        if st.form_submit_button(tr("common.save"), type="primary"):
            return {"nip_text": nip, "name": name, "golongan": gol, "current_position": current_position,
                    "current_unit": current_unit, "email": email, "phone": phone}
    return None


def registration_box(candidate: dict, where: str = "find") -> None:
    """Register the chosen candidate to a position of the current event (``where``: the tab, for unique keys)."""
    if not event:
        return
    if candidate.get("registration_id"):
        st.info(tr("kandidat.registered_as", no=escape_markdown(candidate["participant_no"]),
                   position=escape_markdown(candidate["position_name"])))
        if event["state"] == "persiapan" and st.button(tr("kandidat.unregister"), key=f"kandidat_unreg_{where}"):
            if attempt(registry.unregister, db, user, candidate["registration_id"]):
                rerun(tr("common.deleted"))
        return
    if event["state"] != "persiapan":  # registration is part of the setup: say so instead of a refused form
        st.caption(tr("kandidat.register_closed", event=escape_markdown(event["name"]),
                      state=tr("state." + event["state"])))
        return
    positions = {p["id"]: p["name"] for p in registry.list_positions(db, event["id"])}
    if not positions:
        st.caption(tr("kandidat.no_positions"))
        return
    with st.form("kandidat_register" if where == "find" else f"kandidat_register_{where}"):
        position_id = st.selectbox(tr("field.position"), list(positions), format_func=positions.get)
        number = st.text_input(tr("field.participant_no"), placeholder=registry.next_participant_no(db, event["id"]))
        if st.form_submit_button(tr("kandidat.register", event=escape_markdown(event["name"]))):
            if attempt(registry.register, db, user, event["id"], candidate["id"], position_id, number):
                rerun(tr("kandidat.registered"))


def history(candidate_id: int) -> None:
    """Earlier events of the candidate, with results still valid (SPEC §4.4: 3 years)."""
    past = registry.candidate_registrations(db, candidate_id)
    if past:
        st.markdown(f"**{tr('kandidat.history')}**")
        today = dt.date.today().isoformat()
        st.dataframe([{tr("field.event_name"): p["event_name"], tr("field.position"): p["position_name"],
                       tr("field.date"): format_date(p["assessment_date"], lang()),
                       "JPM": format_percent(p["jpm"], lang()) if p["finalized_at"] else "–",
                       tr("field.category"): p["category"] or "–",
                       tr("kandidat.validity"): validity(p, today)} for p in past], hide_index=True)


def validity(past: dict, today: str) -> str:
    """SPEC §4.4: a final result may be reused for 3 years for a post of the same job class."""
    if not past["finalized_at"]:
        return "–"
    if scoring.is_valid(past["assessment_date"], today, settings.get(db, "result_validity_years")):
        return tr("kandidat.valid", job_class=past["job_class"].replace("_", " ").title())
    return tr("kandidat.expired")


def find_tab() -> None:
    """Search the registry; the picked row opens its registration, its form and its history."""
    query = st.text_input(tr("kandidat.search"), key="kandidat_q", placeholder=tr("kandidat.search_hint"))
    found = registry.search_candidates(db, query, event_id)
    st.caption(tr("kandidat.found", n=len(found), total=registry.count_candidates(db)))
    table = [{tr("field.nip"): c["nip"], tr("field.name"): c["name"], tr("field.golongan"): c["golongan"] or "–",
              tr("field.unit"): c["current_unit"], tr("field.participant_no"): c["participant_no"] or "–",
              tr("field.position"): c["position_name"] or "–"} for c in found]
    # The query is part of the key: a new search starts with no selection (old row numbers are void).
    picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                          selection_mode="single-row", key=f"kandidat_table_{query}")
    if picked.selection.rows and picked.selection.rows[0] < len(found):
        detail(found[picked.selection.rows[0]])


def detail(candidate: dict) -> None:
    st.markdown(f"#### {tr('kandidat.detail')}")
    st.caption(tr("kandidat.derived", birth=format_date(candidate["birth_date"], lang()),
                  gender=tr("gender." + candidate["gender"]), tmt=candidate["tmt_cpns"]))
    registration_box(candidate)
    values = candidate_form(f"kandidat_edit_{candidate['id']}", candidate)
    if values and attempt(registry.update_candidate, db, user, candidate["id"], **values):
        rerun(tr("common.saved"))
    history(candidate["id"])


def new_tab() -> None:
    """Add a person; a refused save keeps the fields, a saved one offers the registration at once."""
    added = st.session_state.get("kandidat_added")
    if added:
        added_box(added)
    form_no = st.session_state.get("kandidat_new_no", 0)  # a new number draws an empty form after a save
    values = candidate_form(f"kandidat_new_{form_no}" if form_no else "kandidat_new")
    if values:
        new_id = attempt(registry.create_candidate, db, user, **values)
        if new_id:
            st.session_state["kandidat_added"] = new_id
            st.session_state["kandidat_new_no"] = form_no + 1
            st.rerun()


def added_box(candidate_id: int) -> None:
    """The person just added: say so, and offer to register them to the event and a position."""
    found = [c for c in registry.search_candidates(db, registry.get_candidate(db, candidate_id)["nip"], event_id)
             if c["id"] == candidate_id]
    if not found:
        return
    with st.container(border=True):
        st.success(tr("kandidat.created_named", name=escape_markdown(found[0]["name"])),
                   icon=":material/check_circle:")
        registration_box(found[0], "new")
        if st.button(tr("kandidat.add_another"), key="kandidat_add_another"):
            del st.session_state["kandidat_added"]
            st.rerun()


# Keyed: a confirmation drawn above the tabs after a save must not send the officer back to the first tab.
tab_find, tab_new, tab_import = st.tabs([tr("kandidat.tab_find"), tr("kandidat.tab_new"), tr("kandidat.tab_import")],
                                        key="kandidat_tabs")
with tab_find:
    find_tab()
with tab_new:
    new_tab()
with tab_import:
    st.markdown(tr("kandidat.import_intro", mb=importer.MAX_BYTES // (1024 * 1024), rows=importer.MAX_ROWS))
    c1, c2 = st.columns(2)
    c1.download_button(tr("kandidat.template_xlsx"), importer.template_xlsx(), "templat_kandidat.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button(tr("kandidat.template_csv"), importer.template_csv(), "templat_kandidat.csv", mime="text/csv")
    if event:
        st.caption(tr("kandidat.import_event", event=escape_markdown(event["name"])))
    upload = st.file_uploader(tr("kandidat.upload"), type=["xlsx", "csv"], key="kandidat_upload")
    if upload is not None and st.button(tr("kandidat.import_go"), type="primary", key="kandidat_import_go"):
        try:
            result = registry.import_candidates(db, user, upload.name, upload.getvalue(), event_id)
        except Exception as err:  # noqa: BLE001 — file-level problems become one message
            show_error(err)
        else:
            if result.ok:
                st.success(tr("kandidat.imported", n=len(result.rows)))
            else:
                st.error(tr("kandidat.import_rejected", n=len(result.errors)))
                plain_table([{tr("import.col_row"): e.row, tr("import.col_column"): e.column or "–",
                              tr("import.col_problem"): e.text(lang())} for e in result.errors])
