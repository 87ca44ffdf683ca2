"""Kandidat: the registry — search, add, edit, register to the event, import from XLSX/CSV."""

import datetime as dt
from typing import NamedTuple

import streamlit as st

from core import eligibility, external, importer, mappings, reader, refdata, registry, scoring, settings, talent_import
from core.errors import DomainError
from core.i18n import format_date, format_percent
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    guard,
    lang,
    petunjuk,
    plain_table,
    rerun,
    row_problems,
    selected_event_id,
    show_error,
    tr,
)
from pages.talent_forms import talent_import_kind, talent_section

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
        flag = eligibility.age_warnings(db, event["id"]).get(candidate["registration_id"])
        if flag:  # SPEC §3.3: a warning on the person's page too, never a block
            st.warning(escape_markdown(eligibility.age_note([candidate | {"age_flag": flag}], lang())),
                       icon=":material/warning:")
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


def external_history(candidate_id: int) -> None:
    """Results from other penyelenggara (SPEC §9): they count for the validity like the app's own."""
    found = external.list_for(db, user, candidate_id)
    if not found:
        return
    st.markdown(f"**{tr('external.history')}**")
    plain_table([{tr("external.col_provider"): r["provider"],
                  tr("field.date"): format_date(r["assessment_date"], lang()),
                  tr("field.position"): r["target_position"] or "–", "JPM": format_percent(r["jpm"], lang()),
                  tr("field.category"): r["category"] or "–",
                  tr("kandidat.validity"): tr("external.valid" if r["valid"] else "kandidat.expired")}
                 for r in found])
    remove_external(found)


def remove_external(found: list[dict]) -> None:
    """A wrongly imported external result can be removed, after a confirmation (the audit keeps it)."""
    with st.expander(tr("external.delete_title")):
        labels = {r["id"]: f"{format_date(r['assessment_date'], lang())} – {r['provider']}" for r in found}
        picked = st.selectbox(tr("external.delete_pick"), list(labels), format_func=labels.get,
                              key="kandidat_ext_delete_pick")
        reason = st.text_input(tr("external.delete_reason"), key="kandidat_ext_delete_reason", max_chars=300)
        sure = st.checkbox(tr("external.delete_confirm"), key="kandidat_ext_delete_sure")
        if st.button(tr("external.delete_go"), key="kandidat_ext_delete_go", disabled=not sure):
            if attempt(external.delete, db, user, picked, reason):
                rerun(tr("common.deleted"))


# --- import (SPEC §9): any supported file; columns mapped on screen when the synonyms do not find them ---

MAP_KEY = "kandidat_mapping"  # session state: the table waiting for the officer's mapping


class ImportKind(NamedTuple):
    """What differs between the page's imports: the core call, session/widget keys, the texts."""

    run: object  # (name, data, mapping, progress) -> ImportResult
    map_key: str
    prefix: str
    upload: str
    go: str
    done: str


IMPORTS = {
    "peserta": ImportKind(lambda name, data, mapping, progress: registry.import_candidates(
        db, user, name, data, event_id, mapping=mapping, progress=progress), MAP_KEY, "kandidat",
        "kandidat.upload", "kandidat.import_go", "kandidat.imported"),
    external.KIND: ImportKind(lambda name, data, mapping, progress: external.import_file(
        db, user, name, data, mapping=mapping, progress=progress), "kandidat_ext_mapping", "kandidat_ext",
        "external.upload", "external.import_go", "external.imported"),
    # Potensi, rekam jejak and SKP: the same reader, mapping screen and remembered mappings as the peserta file.
    **{kind: ImportKind(lambda name, data, mapping, progress, kind=kind: talent_import.import_file(
        db, user, kind, name, data, mapping=mapping, progress=progress), f"talent_{kind}_mapping", f"talent_{kind}",
        "talentform.upload", "talentform.import_go", "talentform.imported") for kind in talent_import.KINDS},
}


def import_error(err: Exception) -> None:
    """A refusal in the user's words, through the app's one place for messages (it escapes file text)."""
    show_error(err)


def run_import(name: str, data: bytes, mapping: dict | None = None, remembered: bool = False,
               kind: str = "peserta") -> None:
    """Import all-or-nothing with a progress bar; ask for a mapping when required columns are missing."""
    spec = IMPORTS[kind]
    bar = st.progress(0.0, text=tr("reader.progress", percent=format_percent(0.0, lang())))

    def progress(fraction: float) -> None:
        bar.progress(min(fraction, 1.0), text=tr("reader.progress", percent=format_percent(100 * fraction, lang())))

    try:
        result = spec.run(name, data, mapping, progress)
    except importer.MappingNeeded as need:
        bar.empty()
        saved = mappings.saved(db, kind, need.table.signature())
        if saved and mapping is None:
            return run_import(name, data, saved, remembered=True, kind=kind)
        # The form below shows the reason on every run, so it keeps its words while the officer chooses.
        st.session_state[spec.map_key] = {"name": name, "header": need.table.header, "reason": need,
                                     "signature": need.table.signature(), "auto": dict(need.table.mapping),
                                     "preview": [cells for _, cells in need.table.rows[:5]]}
        return None
    except Exception as err:  # noqa: BLE001 — file-level problems become one message
        bar.empty()
        import_error(err)
        return None
    bar.empty()
    st.session_state.pop(spec.map_key, None)
    if remembered:
        st.info(tr("reader.map.remembered"))
    if result.ok and mapping and not remembered:
        attempt(mappings.remember, db, user, kind, result.table.signature(), mapping)
    show_result(result, spec.done)
    return None


def show_result(result, done: str = "kandidat.imported") -> None:
    """How many rows were imported, which were left out and why, which columns were ignored."""
    table = result.table
    if result.ok:
        st.success(tr(done, n=len(result.rows)))
    else:
        st.error(tr("kandidat.import_rejected", n=len(result.errors)))
        row_problems(result.errors)
    if table is None:
        return
    sheet = escape_markdown(table.sheet)
    where = tr("reader.report.sheet", sheet=sheet) if table.sheet else tr("reader.report.file")
    st.caption(tr("reader.report.read", where=where, row=table.header_row))
    if table.ignored:
        st.caption(tr("reader.report.ignored", columns=escape_markdown(", ".join(table.ignored))))
    if table.left_out:
        st.caption(tr("reader.report.left_out", n=len(table.left_out)))
        plain_table([{tr("import.col_row"): item.row, tr("reader.report.col_reason"): tr(item.reason),
                      tr("reader.report.col_content"): item.text or "–"} for item in table.left_out])


def mapping_form(pending: dict, data: bytes, kind: str = "peserta") -> None:
    """A choice of file column for each field, and the first rows as they would be imported."""
    header = pending["header"]
    prefix = IMPORTS[kind].prefix
    fields = reader.fields_of(kind)
    import_error(pending["reason"])
    options = [-1, *range(len(header))]
    shown = {-1: tr("reader.map.none")} | {i: f"{i + 1}. {name or '–'}" for i, name in enumerate(header)}
    st.markdown(f"**{tr('reader.map.title')}**")
    chosen = {}
    columns = st.columns(3)
    for number, key in enumerate(fields):
        label = importer.field_label(key) + (" *" if fields[key].get("required") else "")
        default = pending["auto"].get(key, -1)
        picked = columns[number % 3].selectbox(label, options, index=options.index(default),
                                               format_func=shown.get, key=f"{prefix}_map_{key}")
        if picked >= 0:
            chosen[key] = picked
    st.caption(tr("reader.map.preview"))
    plain_table([{importer.field_label(k): reader.cell_text(cells[i]) if i < len(cells) else ""
                  for k, i in chosen.items()} for cells in pending["preview"]])
    if st.button(tr("reader.map.go"), type="primary", key=f"{prefix}_map_go"):
        try:
            clean = mappings.check(kind, header, chosen)
        except DomainError as err:
            import_error(err)
            return
        run_import(pending["name"], data, clean, kind=kind)


def import_section(kind: str = "peserta") -> None:
    """The uploader takes every supported type; the extension is checked here, in Indonesian."""
    spec = IMPORTS[kind]
    upload = st.file_uploader(tr(spec.upload), key=f"{spec.prefix}_upload")
    if upload is None:
        st.session_state.pop(spec.map_key, None)
        return
    try:
        reader.check_extension(upload.name)
    except DomainError as err:
        import_error(err)
        return
    pending = st.session_state.get(spec.map_key)
    if pending and pending["name"] != upload.name:
        st.session_state.pop(spec.map_key, None)
        pending = None
    go = st.button(tr(spec.go), type="primary", key=f"{spec.prefix}_import_go")
    # One slot for the import's outcome on every run: the mapping form below keeps its place in the page,
    # so a choice in it redraws the same widgets instead of leaving stale twins for a moment.
    outcome = st.container()
    if go:
        st.session_state.pop(spec.map_key, None)
        with outcome:
            run_import(upload.name, upload.getvalue(), kind=kind)
        pending = st.session_state.get(spec.map_key)
    if pending:
        mapping_form(pending, upload.getvalue(), kind)


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
    external_history(candidate["id"])
    talent_section(db, user, candidate["id"])


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


def external_import() -> None:
    """Results of assessments by another penyelenggara (SPEC §9), with their template."""
    st.divider()
    st.markdown(f"**{tr('external.import_title')}**")
    st.caption(tr("external.import_intro"))
    c1, c2 = st.columns(2)
    c1.download_button(tr("external.template_xlsx"), external.template_xlsx(), "templat_hasil_eksternal.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button(tr("external.template_csv"), external.template_csv(), "templat_hasil_eksternal.csv",
                       mime="text/csv")
    import_section(external.KIND)



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
    import_section()
    external_import()
    import_section(talent_import_kind())
