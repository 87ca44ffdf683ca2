"""Kegiatan: events with purpose, dates, venue and state."""

import datetime as dt

import streamlit as st

from core import registry
from core.i18n import format_date
from pages.common import attempt, guard, lang, petunjuk, tr

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


events = registry.list_events(db)
tab_list, tab_new = st.tabs([tr("kegiatan.tab_list"), tr("kegiatan.tab_new")])
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
        if values and attempt(registry.update_event, db, user, chosen, **values, success=tr("common.saved")):
            st.rerun()
with tab_new:
    values = event_form("kegiatan_new")
    if values:
        new_id = attempt(registry.create_event, db, user, **values, success=tr("kegiatan.created"))
        if new_id:
            st.session_state["pending_event_id"] = new_id
            st.rerun()
