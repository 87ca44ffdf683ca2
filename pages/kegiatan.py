"""Kegiatan: events with purpose, dates, venue and state."""

import datetime as dt

import streamlit as st

from core import assessment, pansel, registry, results, talent_store
from core.i18n import format_date
from core.textutil import escape_markdown
from pages.common import attempt, guard, lang, petunjuk, rerun, show_checks, tr

db, user = guard("admin")
st.title(tr("kegiatan.title"))
petunjuk("kegiatan.help")


def event_form(key: str, event: dict | None = None) -> dict | None:
    """The fields of an event; returns them when the form is submitted."""
    event = event or {}
    with st.form(key):
        name = st.text_input(tr("field.event_name"), value=event.get("name", ""), max_chars=300)
        purposes = list(registry.PURPOSES)
        purpose = st.radio(tr("field.purpose"), purposes, format_func=lambda p: tr("purpose." + p),
                           index=purposes.index(event.get("purpose", "pengisian")), horizontal=True,
                           disabled=event.get("state", "persiapan") != "persiapan")
        today = dt.date.today().isoformat()
        c1, c2 = st.columns(2)
        start = c1.date_input(tr("field.start_date"), format="DD/MM/YYYY",
                              value=dt.date.fromisoformat(event.get("start_date", today)))
        end = c2.date_input(tr("field.end_date"), format="DD/MM/YYYY",
                            value=dt.date.fromisoformat(event.get("end_date", today)))
        venue = st.text_input(tr("field.venue"), value=event.get("venue", ""), max_chars=300)
        organizer = st.text_input(tr("field.organizer"), value=event.get("organizer", ""), max_chars=300)
        if st.form_submit_button(tr("common.save"), type="primary"):
            return {"name": name, "purpose": purpose, "start_date": start, "end_date": end,
                    "venue": venue, "organizer": organizer}
    return None


def state_panel(event: dict) -> None:
    """The state, the checks that guard the next one, and the button that moves on."""
    st.markdown(f"#### {tr('kegiatan.state_title')}")
    states = registry.STATES
    st.markdown(" → ".join(f"**{tr('state.' + s)}**" if s == event["state"] else tr("state." + s) for s in states))
    target = assessment.NEXT_STATE.get(event["state"])
    if not target:
        return
    checks = assessment.state_checks(db, event["id"])
    show_checks(checks)
    ready = all(c.ok for c in checks)
    if st.button(tr("kegiatan.advance", state=tr("state." + target)), type="primary", disabled=not ready,
                 key=f"kegiatan_advance_{event['id']}"):
        if attempt(assessment.advance_state, db, user, event["id"]):
            rerun(tr("common.saved"))


def settings_panel(event: dict) -> None:
    """Consensus method and the must-discuss threshold (SPEC §4.2–§4.3)."""
    with st.expander(tr("kegiatan.settings")):
        with st.form(f"kegiatan_settings_{event['id']}"):
            methods = ["mean", "median"]
            method = st.radio(tr("kegiatan.method"), methods, index=methods.index(event["consensus_method"]),
                              format_func=lambda m: tr("method." + m), horizontal=True)
            threshold = st.number_input(tr("kegiatan.threshold"), 1.0, 4.0, float(event["discuss_threshold"]), 0.5)
            if st.form_submit_button(tr("common.save")):
                if attempt(registry.update_event_settings, db, user, event["id"], method, threshold):
                    rerun(tr("common.saved"))


def stage_id(value) -> int | None:
    """The hidden id of an edited row (the editor may hand it back as a float; a new row has none)."""
    return int(value) if isinstance(value, int | float) and value == value else None


def confirm_removals(event: dict, stages: list[dict]) -> bool:
    """Removing a stage that has scores removes them: say which, and ask before saving."""
    removals = results.pending_removals(db, event["id"], stages)
    if not removals:
        return False
    names = escape_markdown(", ".join(r["name"] for r in removals))
    st.warning(tr("kegiatan.remove_stages_warning", names=names, n=sum(r["scores"] for r in removals)))
    return st.checkbox(tr("kegiatan.remove_stages_confirm"), key=f"kegiatan_remove_ok_{event['id']}")


def stages_panel(event: dict) -> None:
    """Seleksi terbuka: stages with weights summing to 100, and the tie-break chain (SPEC §4.5)."""
    with st.expander(tr("kegiatan.stages")):
        stages = results.list_stages(db, event["id"])
        rows = [{"id": s["id"], tr("field.stage"): s["name"], tr("kegiatan.weight"): s["weight"],
                 "AC": bool(s["is_ac"])} for s in stages] or [
            {"id": None, tr("field.stage"): "Assessment Center", tr("kegiatan.weight"): 100.0, "AC": True}]
        edited = st.data_editor(rows, num_rows="dynamic", key=f"kegiatan_stages_{event['id']}", width="stretch",
                                column_config={"id": None})
        st.caption(tr("kegiatan.stages_note"))
        # The hidden id keeps a renamed stage (and its scores); a new row has none.
        new = [{"id": stage_id(r.get("id")), "name": r[tr("field.stage")],
                "weight": r[tr("kegiatan.weight")], "is_ac": r["AC"]} for r in edited if r.get(tr("field.stage"))]
        confirmed = confirm_removals(event, new)
        if st.button(tr("kegiatan.save_stages"), key=f"kegiatan_save_stages_{event['id']}"):
            if attempt(results.set_stages, db, user, event["id"], new, confirm_remove=confirmed):
                rerun(tr("common.saved"))
        chain = results.tiebreak_chain(db, event["id"])
        order = st.multiselect(tr("kegiatan.tiebreak"), list(results.TIEBREAK_KEYS), default=chain,
                               format_func=lambda k: tr("tiebreak." + k), key=f"kegiatan_tiebreak_{event['id']}")
        if order != chain and st.button(tr("kegiatan.save_tiebreak"), key=f"kegiatan_save_tb_{event['id']}"):
            if attempt(results.set_tiebreak, db, user, event["id"], order):
                rerun(tr("common.saved"))


def scheme_panel(event: dict) -> None:
    """Pemetaan: the talent scheme its 9-box uses (SPEC §4.6); the schemes themselves are edited in Pengaturan."""
    with st.expander(tr("kegiatan.scheme")):
        schemes = {s["id"]: s["name"] for s in talent_store.list_schemes(db)}
        current = talent_store.event_scheme(db, event["id"])["id"]
        with st.form(f"kegiatan_scheme_{event['id']}"):
            chosen = st.selectbox(tr("kegiatan.scheme_pick"), list(schemes), index=list(schemes).index(current),
                                  format_func=schemes.get)
            st.caption(tr("kegiatan.scheme_note"))
            if st.form_submit_button(tr("common.save")):
                if attempt(talent_store.set_event_scheme, db, user, event["id"], chosen):
                    rerun(tr("common.saved"))


def pansel_panel(event: dict) -> None:
    """The Pansel of a seleksi terbuka: the SK that formed it, its heading and numbering, its members (SPEC §6.3)."""
    with st.expander(tr("kegiatan.pansel")):
        record = pansel.get_pansel(db, event["id"]) or {"number_format": pansel.DEFAULT_NUMBER_FORMAT, "members": []}
        with st.form(f"kegiatan_pansel_{event['id']}"):
            fields = {key: st.text_input(tr(f"pansel.field.{key}"), value=record.get(key, ""), max_chars=300)
                      for key in ("heading", "sk_number", "ppk", "number_format")}
            fields["sk_date"] = st.date_input(tr("pansel.field.sk_date"), format="DD/MM/YYYY",
                                              value=dt.date.fromisoformat(record.get("sk_date") or event["start_date"]))
            if st.form_submit_button(tr("common.save")) and attempt(pansel.save_pansel, db, user, event["id"], fields):
                rerun(tr("common.saved"))
        members_editor(event, record["members"])


def members_editor(event: dict, members: list[dict]) -> None:
    """Members in signing order: name, NIP, Ketua / Sekretaris / Anggota."""
    name, nip_col, role = tr("pansel.field.member_name"), tr("pansel.field.nip"), tr("pansel.field.role")
    roles = {tr(f"pansel.role.{r}"): r for r in pansel.ROLES}
    rows = [{name: m["name"], nip_col: m["nip"], role: tr(f"pansel.role.{m['role']}")} for m in members] or [
        {name: "", nip_col: "", role: tr("pansel.role.ketua")}]
    edited = st.data_editor(rows, num_rows="dynamic", key=f"kegiatan_pansel_members_{event['id']}", width="stretch",
                            column_config={role: st.column_config.SelectboxColumn(role, options=list(roles))})
    st.caption(tr("kegiatan.pansel_members_note"))
    if st.button(tr("kegiatan.pansel_save_members"), key=f"kegiatan_pansel_save_{event['id']}"):
        new = [{"name": r[name], "nip": r[nip_col], "role": roles.get(r[role], r[role])}
               for r in edited if r.get(name) or r.get(nip_col)]
        if attempt(pansel.set_members, db, user, event["id"], new):
            rerun(tr("common.saved"))


events = registry.list_events(db)
tab_list, tab_new = st.tabs([tr("kegiatan.tab_list"), tr("kegiatan.tab_new")], key="kegiatan_tabs")  # kept on rerun
with tab_list:
    if not events:
        st.info(tr("beranda.no_events"))
    st.dataframe([{tr("field.event_name"): e["name"], tr("field.purpose"): tr("purpose." + e["purpose"]),
                   tr("field.dates"): f"{format_date(e['start_date'], lang())} – {format_date(e['end_date'], lang())}",
                   tr("field.venue"): e["venue"], tr("beranda.state"): tr("state." + e["state"]),
                   tr("beranda.positions"): e["n_positions"], tr("beranda.candidates"): e["n_candidates"]}
                  for e in events], hide_index=True, width="stretch")
    if events:
        names = {e["id"]: e["name"] for e in events}
        chosen = st.selectbox(tr("kegiatan.edit_which"), list(names), format_func=names.get, key="kegiatan_edit_id")
        event = registry.get_event(db, chosen)
        st.caption(tr("kegiatan.state_note", state=tr("state." + event["state"])))
        values = event_form(f"kegiatan_edit_{chosen}", event)
        if values and attempt(registry.update_event, db, user, chosen, **values):
            rerun(tr("common.saved"))
        state_panel(event)
        settings_panel(event)
        if event["purpose"] == "pengisian":
            stages_panel(event)
            pansel_panel(event)
        else:
            scheme_panel(event)
with tab_new:
    values = event_form("kegiatan_new")
    if values:
        new_id = attempt(registry.create_event, db, user, **values)
        if new_id:
            st.session_state["pending_event_id"] = new_id
            rerun(tr("kegiatan.created"))
