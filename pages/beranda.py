"""Beranda: the event being worked on, its first figures, and what to do next."""

import streamlit as st

from core import registry
from core.i18n import format_date
from pages.common import attempt, guard, lang, petunjuk, selected_event_id, tr

db, user = guard("admin", "asesor", "pimpinan")
st.title(tr("beranda.title"))
petunjuk("beranda.help")

events = registry.list_events(db)
if not events:
    st.info(tr("beranda.no_events"))
    if user["role"] == "admin":
        st.page_link("pages/kegiatan.py", label=tr("beranda.create_event"), icon=":material/add:")
        if st.button(tr("beranda.load_demo"), key="beranda_demo", help=tr("mulai.with_demo_help")):
            from core import demo

            with st.spinner(tr("demo.loading")):
                credentials = attempt(demo.load, db, user)
            if credentials:
                st.session_state["demo_credentials"] = credentials
                st.rerun()
    st.stop()

if st.session_state.get("demo_credentials"):
    st.success(tr("demo.loaded"))
    st.caption(tr("demo.credentials_note"))
    st.dataframe([{tr("field.username"): u, tr("field.password"): p}
                  for u, p in st.session_state["demo_credentials"].items()], hide_index=True)

event = registry.get_event(db, selected_event_id())
st.subheader(event["name"])
st.caption(f"{tr('purpose.' + event['purpose'])} · {format_date(event['start_date'], lang())} – "
           f"{format_date(event['end_date'], lang())} · {event['venue'] or '–'}")
positions = registry.list_positions(db, event["id"])
cols = st.columns(4)
cols[0].metric(tr("beranda.state"), tr("state." + event["state"]))
cols[1].metric(tr("beranda.positions"), len(positions))
cols[2].metric(tr("beranda.candidates"), sum(p["n_candidates"] for p in positions))
cols[3].metric(tr("beranda.registry"), registry.count_candidates(db))

st.markdown(f"#### {tr('beranda.positions_table')}")
st.dataframe([{tr("field.position"): p["name"], tr("field.job_class"): p["job_class_name"],
               tr("beranda.candidates"): p["n_candidates"]} for p in positions],
             hide_index=True, width="stretch")
