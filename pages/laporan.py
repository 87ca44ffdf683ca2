"""Laporan: the official PDFs and spreadsheets (SPEC §6) — generate, then download."""

import datetime as dt
import re

import streamlit as st

from core import exports, letterhead, outcomes, pansel, report_pansel, report_recap, reports, settings, siasn
from core.i18n import local_date
from pages.common import attempt, cached_outcome, database, event_for, fresh, guard, petunjuk, show_error, tr

db, user = guard("admin", "pimpinan", "asesor")
st.title(tr("laporan.title"))
petunjuk("laporan.help")
event = event_for(user, db)
PDF, ZIP = "application/pdf", "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def base_url() -> str:
    """The address the QR code opens: the setting, or the address this browser used to reach the server."""
    configured = letterhead.current(db).get("server_url", "")
    host = st.context.headers.get("host") if st.context.headers else None
    if host and (not configured or "localhost" in configured):
        return f"http://{host}"
    return configured


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "laporan"


def offer(label_key: str, make, filename: str, mime: str, key: str) -> None:
    """A "make" button; the made file stays offered for download until the page changes."""
    if st.button(tr(label_key), key=f"make_{key}"):
        with st.spinner(tr("laporan.working")):
            try:
                st.session_state[f"file_{key}"] = (make(), filename, mime)
            except Exception as err:  # noqa: BLE001 — shown as a message, never a traceback
                show_error(err)
    made = st.session_state.get(f"file_{key}")
    if made:
        st.download_button(tr("laporan.download", name=made[1]), made[0], made[1], made[2], key=f"dl_{key}",
                           type="primary", icon=":material/download:")


def office_today() -> dt.date:
    """Today in the office's zone (WIB/WITA/WIT): a Pansel paper may be dated no later (core checks it)."""
    return local_date(None, settings.time_zone(db))


def person_label(row: dict) -> str:
    return outcomes.candidate_label(row) + ("" if row["finalized_at"] else f" ({tr('laporan.not_final')})")


def pansel_papers(final) -> None:
    """The Pansel's papers (SPEC §6.3): the admin issues them with the meeting's date and place; anyone who
    reads reports may print an issued paper again, exactly as issued."""
    st.markdown(f"**{tr('laporan.pansel_title')}**")
    positions = {int(p): n for p, n in final[["position_id", "position_name"]].drop_duplicates()
                 .itertuples(index=False)} if len(final) else {}
    if user["role"] == "admin" and positions:
        with st.form("laporan_pansel_issue"):
            kind = st.radio(tr("laporan.pansel_kind"), pansel.KINDS, format_func=lambda k: tr(f"pansel.paper.{k}"),
                            horizontal=True)
            position_id = st.selectbox(tr("laporan.pansel_position"), list(positions), format_func=positions.get)
            day = st.date_input(tr("pansel.field.meeting_date"), value=office_today(), format="DD/MM/YYYY")
            place = st.text_input(tr("pansel.field.place"), max_chars=150, help=tr("laporan.pansel_place_help"))
            if st.form_submit_button(tr("laporan.pansel_issue"), type="primary"):
                issued = attempt(report_pansel.issue_berita_acara, database(), user, event["id"], position_id, day,
                                 place) if kind == "berita_acara" else attempt(
                    report_pansel.issue_pengantar, database(), user, event["id"], day)
                if issued:
                    st.session_state["laporan_pansel_pick"] = issued[0]["id"]
    papers = {p["id"]: f"{p['number']} · {tr('pansel.paper.' + p['kind'])}" + (f" · {p['position']}" if p["position"]
              else "") for p in pansel.list_papers(db, event["id"])}
    if not papers:
        st.caption(tr("laporan.pansel_none"))
        return
    picked = st.selectbox(tr("laporan.pansel_issued"), list(papers), format_func=papers.get, key="laporan_pansel_pick")
    offer("laporan.pansel_print", lambda: report_pansel.reprint(database(), user, picked),
          f"pansel_{slug(papers[picked])}.pdf", PDF, f"pansel_{picked}")



def individual_view() -> None:
    """One person's report (official once final, a draft always), and the ZIP of every final one."""
    table = outcome.table
    st.caption(tr("laporan.individual_note", n=len(outcome.final), total=len(table)))
    people = {int(r["registration_id"]): person_label(r) for r in table.to_dict("records")}
    if people:
        reg_id = st.selectbox(tr("integrasi.pick"), list(people), format_func=people.get, key="laporan_person")
        individual_files(table[table["registration_id"] == reg_id].iloc[0], reg_id)
    st.divider()
    st.markdown(f"**{tr('laporan.zip_title')}**")
    if len(outcome.final):
        offer("laporan.make_zip", make_zip, f"laporan_individu_{slug(event['name'])}.zip", ZIP, f"zip_{event['id']}")
    else:
        st.caption(tr("hasil.none_final"))


def individual_files(row, reg_id: int) -> None:
    name = f"{row['participant_no']}_{slug(row['name'])}"
    if row["finalized_at"]:
        offer("laporan.make_official", lambda: reports.issue_individual(database(), user, reg_id, base_url())[0],
              f"laporan_{name}.pdf", PDF, f"ind_{reg_id}")
    offer("laporan.make_draft", lambda: reports.draft_individual(database(), user, reg_id),
          f"DRAF_laporan_{name}.pdf", PDF, f"draft_{reg_id}")


def make_zip() -> bytes:
    """The ZIP, with a bar that counts the reports as they are built; gone when the ZIP is ready."""
    bar = st.progress(0.0, text=tr("laporan.working"))
    made = reports.zip_individual(database(), user, event["id"], base_url(), progress=lambda i, n: bar.progress(
        i / n, text=tr("report.zip_progress", done=i, total=n)))
    bar.empty()
    return made


def recap_view() -> None:
    """The recapitulation as PDF and spreadsheet; for a seleksi, the berita acara of a position."""
    offer("laporan.make_recap_pdf", lambda: report_recap.recap_pdf(database(), user, event["id"]),
          f"rekapitulasi_{slug(event['name'])}.pdf", PDF, f"recap_pdf_{event['id']}")
    offer("laporan.make_recap_xlsx", lambda: exports.recap_xlsx(database(), user, event["id"]),
          f"rekapitulasi_{slug(event['name'])}.xlsx", XLSX, f"recap_xlsx_{event['id']}")
    if outcome.ranks and len(outcome.final):  # the Pansel's three names only where the event ranks
        pansel_papers(outcome.final)


def export_view() -> None:
    st.caption(tr("laporan.export_note"))
    offer("laporan.make_export", lambda: exports.full_export_xlsx(database(), user, event["id"]),
          f"data_lengkap_{slug(event['name'])}.xlsx", XLSX, f"export_{event['id']}")


def siasn_view() -> None:
    """Data for the national system (SPEC §6.6): one row per peserta keyed by NIP, as XLSX and JSON."""
    st.caption(tr("laporan.siasn_note"))
    name = f"siasn_{slug(event['name'])}"
    offer("laporan.make_siasn_xlsx", lambda: siasn.to_xlsx(siasn.export_rows(database(), user, event["id"])),
          f"{name}.xlsx", XLSX, f"siasn_xlsx_{event['id']}")
    offer("laporan.make_siasn_json", lambda: siasn.to_json(siasn.export_rows(database(), user, event["id"]), event),
          f"{name}.json", "application/json", f"siasn_json_{event['id']}")


outcome = fresh(cached_outcome, db, event["id"])
VIEWS = {"individual": individual_view, "recap": recap_view, "export": export_view, "siasn": siasn_view}
views = ["individual", "recap"] + (["export", "siasn"] if user["role"] == "admin" else [])
view = st.segmented_control(tr("common.view"), views, format_func=lambda v: tr(f"laporan.view_{v}"),
                            default="individual", key="laporan_view") or "individual"
VIEWS[view]()
