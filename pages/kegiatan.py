"""Kegiatan: events with purpose, dates, venue and state."""

import datetime as dt

import streamlit as st

from core import assessment, registry, results
from core.i18n import format_date
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


def stages_panel(event: dict) -> None:
    """Seleksi terbuka: stages with weights summing to 100, and the tie-break chain (SPEC §4.5)."""
    with st.expander(tr("kegiatan.stages")):
        stages = results.list_stages(db, event["id"])
        rows = [{tr("field.stage"): s["name"], tr("kegiatan.weight"): s["weight"], "AC": bool(s["is_ac"])}
                for s in stages] or [{tr("field.stage"): "Assessment Center", tr("kegiatan.weight"): 100.0, "AC": True}]
        edited = st.data_editor(rows, num_rows="dynamic", key=f"kegiatan_stages_{event['id']}", width="stretch")
        st.caption(tr("kegiatan.stages_note"))
        if st.button(tr("kegiatan.save_stages"), key=f"kegiatan_save_stages_{event['id']}"):
            new = [{"name": r[tr("field.stage")], "weight": r[tr("kegiatan.weight")], "is_ac": r["AC"]}
                   for r in edited if r.get(tr("field.stage"))]
            if attempt(results.set_stages, db, user, event["id"], new):
                rerun(tr("common.saved"))
        chain = results.tiebreak_chain(db, event["id"])
        order = st.multiselect(tr("kegiatan.tiebreak"), list(results.TIEBREAK_KEYS), default=chain,
                               format_func=lambda k: tr("tiebreak." + k), key=f"kegiatan_tiebreak_{event['id']}")
        if order != chain and st.button(tr("kegiatan.save_tiebreak"), key=f"kegiatan_save_tb_{event['id']}"):
            if attempt(results.set_tiebreak, db, user, event["id"], order):
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
with tab_new:
    values = event_form("kegiatan_new")
    if values:
        new_id = attempt(registry.create_event, db, user, **values)
        if new_id:
            st.session_state["pending_event_id"] = new_id
            rerun(tr("kegiatan.created"))
