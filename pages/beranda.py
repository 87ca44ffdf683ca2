"""Beranda: the event being worked on, its first figures, and what to do next."""

import streamlit as st

from core import dashboard, demo, registry
from core.i18n import format_date
from core.textutil import escape_markdown
from pages.common import attempt, guard, lang, petunjuk, selected_event_id, tr

db, user = guard("admin", "asesor", "pimpinan")
st.title(tr("beranda.title"))
petunjuk("beranda.help")


def no_events() -> None:
    """An empty install: the admin may create an event or load the demo data."""
    st.info(tr("beranda.no_events"))
    if user["role"] != "admin":
        return
    st.page_link("pages/kegiatan.py", label=tr("beranda.create_event"), icon=":material/add:")
    if st.button(tr("beranda.load_demo"), key="beranda_demo", help=tr("mulai.with_demo_help")):
        with st.spinner(tr("demo.loading")):
            credentials = attempt(demo.load, db, user)
        if credentials:
            st.session_state["demo_credentials"] = credentials
            st.rerun()


def demo_credentials(credentials: dict) -> None:
    st.success(tr("demo.loaded"))
    st.caption(tr("demo.credentials_note"))
    st.dataframe([{tr("field.username"): u, tr("field.password"): p} for u, p in credentials.items()],
                 hide_index=True)


def event_figures(event: dict) -> None:
    """Name, purpose, dates and venue; state, positions, candidates, open and finalised."""
    st.subheader(escape_markdown(event["name"]))
    st.caption(f"{tr('purpose.' + event['purpose'])} · {format_date(event['start_date'], lang())} – "
               f"{format_date(event['end_date'], lang())} · {escape_markdown(event['venue']) or '–'}")
    counts = dashboard.candidate_counts(db, event["id"])
    cols = st.columns(5)
    cols[0].metric(tr("beranda.state"), tr("state." + event["state"]))
    cols[1].metric(tr("beranda.positions"), len(registry.list_positions(db, event["id"])))
    cols[2].metric(tr("beranda.candidates"), counts["registered"])
    cols[3].metric(tr("beranda.open"), counts["open"])
    cols[4].metric(tr("beranda.finalised"), counts["finalised"])
    if counts["registered"]:
        st.progress(counts["finalised"] / counts["registered"])


def next_steps(event_id: int) -> None:
    st.markdown(f"#### {tr('beranda.attention')}")
    for key, params in dashboard.next_steps(db, event_id):
        st.info(tr(key, **{k: tr(v) if k == "check" else v for k, v in params.items()}))


def assessors_progress(event_id: int) -> None:
    progress = dashboard.assessor_progress(db, event_id)
    if progress:
        st.markdown(f"#### {tr('beranda.progress')}")
        st.dataframe([{tr("field.assessor"): p["full_name"] + (" ★" if p["is_lead"] else ""),
                       tr("beranda.assigned"): p["assigned"], tr("beranda.submitted"): p["submitted"]}
                      for p in progress], hide_index=True, width="stretch")


def my_progress(event_id: int) -> None:
    mine = [p for p in dashboard.assessor_progress(db, event_id) if p["user_id"] == user["id"]]
    if mine:
        st.info(tr("beranda.my_progress", done=mine[0]["submitted"], total=mine[0]["assigned"]))


def positions_table(event_id: int) -> None:
    st.markdown(f"#### {tr('beranda.positions_table')}")
    st.dataframe([{tr("field.position"): p["name"], tr("field.job_class"): p["job_class_name"],
                   tr("beranda.candidates"): p["candidates"], tr("beranda.open"): p["open"],
                   tr("beranda.finalised"): p["final"],
                   tr("field.status"): tr("beranda.position_done") if p["candidates"] and p["final"] == p["candidates"]
                   else tr("beranda.position_running")} for p in dashboard.position_progress(db, event_id)],
                 hide_index=True, width="stretch")


if not registry.list_events(db):
    no_events()
    st.stop()
if st.session_state.get("demo_credentials"):
    demo_credentials(st.session_state["demo_credentials"])
event = registry.get_event(db, selected_event_id())
event_figures(event)
if user["role"] == "admin":
    next_steps(event["id"])
if user["role"] in ("admin", "pimpinan"):
    assessors_progress(event["id"])
if user["role"] == "asesor":
    my_progress(event["id"])
positions_table(event["id"])
