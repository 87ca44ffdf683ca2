"""Integrasi: the agenda by disagreement, the meeting view, consensus, narrative, finalise; reopening (admin)."""

import pandas as pd
import streamlit as st

from core import auth, freshness, integration, talent_store, talent_views
from core.errors import PermissionDenied
from core.i18n import format_number, format_percent, t
from core.textutil import escape_markdown
from pages.common import attempt, database, event_for, fresh, guard, lang, petunjuk, plain_table, rerun, tr

db, user = guard("admin", "asesor")
st.title(tr("integrasi.title"))
petunjuk("integrasi.help")
event = event_for(user, db)
is_admin = user["role"] == "admin"
# One view per run (tabs would render all three every time).
VIEWS = {"agenda": "integrasi.tab_agenda", "meeting": "integrasi.tab_meeting", "progress": "integrasi.tab_progress"}


def dash(value) -> str:
    """A level or spread as text; "–" where nothing was observed."""
    return "–" if value is None else str(value)


def is_open(p: dict) -> bool:
    """Every assigned assessor has submitted: the candidate is ready for the meeting."""
    return bool(p["assigned"]) and p["assigned"] == p["submitted"]


def agenda_of(database, event_id: int, user_id: int) -> list[dict]:
    return integration.agenda(database, auth.get_user(database, user_id), event_id)


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def agenda_table(version: str, event_id: int, user_id: int, language: str) -> pd.DataFrame:
    """The agenda as shown; recomputed only when something changed (``version``), core checks the user."""
    cells = freshness.read_at(database(), version, agenda_of, event_id, user_id)
    return pd.DataFrame([{
        t("field.participant_no", language): c["participant_no"], t("field.name", language): c["candidate_name"],
        t("field.competency", language): c["competency_name"], t("integrasi.spread", language): dash(c["spread"]),
        t("integrasi.sd", language): format_number(c["sd"], 2, language),
        t("integrasi.rwg", language): format_number(c["rwg"], 2, language),
        t("integrasi.suggested", language): dash(c["suggested"]),
        t("integrasi.consensus", language): dash(c["consensus"]),
        t("integrasi.must_discuss", language): "●" if c["must_discuss"] else ""} for c in cells])


def agenda_view(_progress: list[dict]) -> None:
    table = fresh(agenda_table, db, event["id"], user["id"], lang())
    only = st.toggle(tr("integrasi.only_discuss"), value=True, key="integrasi_only")
    shown = table[table[tr("integrasi.must_discuss")] == "●"] if only and not table.empty else table
    st.caption(tr("integrasi.agenda_note", n=len(shown), total=len(table)))
    st.dataframe(shown, hide_index=True, width="stretch", height=420, column_config=explained_columns())


def explained_columns() -> dict:
    """The statistics' headers carry a short explanation (shown when the pointer rests on them)."""
    return {tr(key): st.column_config.Column(help=tr(key + "_help"))
            for key in ("integrasi.spread", "integrasi.sd", "integrasi.rwg", "integrasi.suggested")}


def meeting_view(progress: list[dict]) -> None:
    """One open candidate: every competency with its ratings and consensus, the narrative, finalising."""
    # Candidates still to be finalised first: the meeting works down this list.
    choices = {p["registration_id"]: p for p in sorted(progress, key=lambda p: bool(p["finalized_at"]))
               if is_open(p)}
    if not choices:
        st.info(tr("integrasi.none_open"))
        return
    reg_id = st.selectbox(tr("integrasi.pick"), list(choices), key="integrasi_pick",
                          format_func=lambda r: f"{choices[r]['participant_no']} · {choices[r]['candidate_name']}"
                                                f" · {choices[r]['position_name']}")
    view = integration.meeting(db, user, reg_id)
    can_decide = not is_admin and not view["finalised"] and event["state"] in integration.CONSENSUS_STATES
    if view["finalised"]:
        st.success(tr("integrasi.finalised_note", jpm=format_percent(view["result"]["jpm"], lang()),
                      category=tr("category." + view["result"]["category"])))
    potensi_panel(view["registration"]["candidate_id"])
    cells = sorted(view["competencies"], key=lambda c: (not c["must_discuss"], c["consensus"] is not None))
    if can_decide:
        accept_box(reg_id, cells)
    for cell in cells:
        competency_panel(reg_id, cell, can_decide)
    narrative_form(reg_id, view["result"], can_decide)
    if can_decide:
        finalise_box(reg_id)
    if is_admin and view["finalised"]:
        reopen_result_form(reg_id)


def potensi_panel(candidate_id: int) -> None:
    """The peserta's potensi, read-only, so the Ketua Tim sees the whole person (confidential: core decides who)."""
    try:
        potensi = talent_store.read_potensi(db, user, candidate_id)
    except PermissionDenied:
        return
    with st.expander(tr("integrasi.potensi_title", n=len(potensi))):
        if potensi:
            plain_table(talent_views.potensi_rows(potensi, lang()))
        else:
            st.caption(tr("integrasi.potensi_none"))


def accept_box(reg_id: int, cells: list[dict]) -> None:
    """The cells that need no discussion take their suggestions in one action; the rest are for the meeting."""
    easy = [c for c in cells if not c["must_discuss"] and c["consensus"] is None and c["suggested"] is not None]
    discuss = sum(c["must_discuss"] and c["consensus"] is None for c in cells)
    st.caption(tr("integrasi.to_decide", discuss=discuss, easy=len(easy)))
    if easy and st.button(tr("integrasi.accept_all", n=len(easy)), type="primary", key=f"ig_accept_{reg_id}",
                          icon=":material/done_all:"):
        done = attempt(integration.accept_suggestions, db, user, reg_id)
        if done:
            rerun(tr("integrasi.accepted", n=len(done)))


def competency_panel(reg_id: int, cell: dict, can_decide: bool) -> None:
    """One competency: the ratings with their evidence, the statistics, the consensus (and its form).
    Open only while it needs discussion and is undecided: the meeting sees where to talk."""
    flag = " · ⚠ " + tr("integrasi.must_discuss") if cell["must_discuss"] else ""
    current = cell["consensus"]
    with st.expander(f"{cell['code']} {cell['name']} — {tr('integrasi.suggested')} {dash(cell['suggested'])}"
                     f" · {tr('integrasi.spread')} {dash(cell['spread'])}"
                     f" · {tr('integrasi.consensus')} {dash((current or {}).get('level'))}{flag}",
                     expanded=cell["must_discuss"] and not current,
                     # Keyed by candidate and decision: another candidate, or a decision made, draws it afresh.
                     key=f"ig_panel_{reg_id}_{cell['code'].replace('.', '_')}_{'done' if current else 'open'}"):
        # A table, not a grid: the evidence notes wrap and can be read whole during the meeting.
        plain_table([{tr("field.assessor"): r["assessor_name"], tr("field.exercise"): r["exercise_name"],
                      tr("penilaian.level"): "TB" if r["level"] is None else str(r["level"]),
                      tr("penilaian.evidence"): r["evidence"]} for r in cell["ratings"]])
        scores = ", ".join(f"{a}: {format_number(s, 2, lang())}" for a, s in cell["assessor_scores"].items())
        st.caption(escape_markdown(
            f"{tr('integrasi.scores')}: {scores} · {tr('integrasi.sd')} {format_number(cell['sd'], 2, lang())}"
            f" · {tr('integrasi.rwg')} {format_number(cell['rwg'], 2, lang())}"
            f" · {tr('field.standard')} {cell['standard']}"))
        if current:
            st.markdown(tr("integrasi.current", level=current["level"]) +
                        (f" — {escape_markdown(current['rationale'])}" if current["rationale"] else ""))
        if can_decide:
            consensus_form(reg_id, cell)


def consensus_form(reg_id: int, cell: dict) -> None:
    current = cell["consensus"] or {}
    with st.form(f"integrasi_cs_{reg_id}_{cell['code']}"):
        default = current.get("level") or cell["suggested"] or cell["standard"]
        code_key = f"{reg_id}_{cell['code'].replace('.', '_')}"
        level = st.radio(tr("integrasi.consensus"), [1, 2, 3, 4, 5], index=default - 1, horizontal=True,
                         key=f"ig_lvl_{code_key}")
        rationale = st.text_area(tr("integrasi.rationale"), value=current.get("rationale", ""),
                                 help=tr("integrasi.rationale_help"), height=70, max_chars=2000,
                                 key=f"ig_why_{code_key}")
        if st.form_submit_button(tr("integrasi.save_consensus"), key=f"ig_save_{code_key}"):
            if attempt(integration.set_consensus, db, user, reg_id, cell["code"], level, rationale,
                       current.get("version", 0)):
                rerun(tr("common.saved"))


def narrative_form(reg_id: int, result: dict, can_decide: bool) -> None:
    st.markdown(f"#### {tr('integrasi.narrative')}")
    with st.form(f"integrasi_narrative_{reg_id}"):
        texts = {f: st.text_area(tr("narrative." + f), value=result.get(f, "") or "", height=90,
                                 disabled=not can_decide, max_chars=integration.MAX_NARRATIVE)
                 for f in integration.NARRATIVE_FIELDS if f != "saran_penempatan" or event["purpose"] == "pemetaan"}
        if st.form_submit_button(tr("common.save"), disabled=not can_decide):
            if attempt(integration.save_narrative, db, user, reg_id, **texts):
                rerun(tr("common.saved"))


def finalise_box(reg_id: int) -> None:
    sure = st.checkbox(tr("integrasi.confirm_final"), key=f"integrasi_sure_{reg_id}")
    if st.button(tr("integrasi.finalise"), type="primary", disabled=not sure, key="integrasi_final"):
        if attempt(integration.finalise, db, user, reg_id):
            rerun(tr("integrasi.finalised"))


def reopen_result_form(reg_id: int) -> None:
    with st.form(f"integrasi_reopen_{reg_id}"):
        reason = st.text_input(tr("integrasi.reopen_reason"), max_chars=500)
        if st.form_submit_button(tr("integrasi.reopen_result")):
            if attempt(integration.reopen_result, db, user, reg_id, reason):
                rerun(tr("common.saved"))


def progress_view(progress: list[dict]) -> None:
    """Who has submitted for whom; the admin may reopen one assessor's submission."""
    st.dataframe([{tr("field.participant_no"): p["participant_no"], tr("field.name"): p["candidate_name"],
                   tr("field.position"): p["position_name"],
                   tr("integrasi.submitted_of"): f"{p['submitted']}/{p['assigned']}",
                   tr("field.status"): tr("integrasi.final") if p["finalized_at"] else
                   (tr("integrasi.open") if is_open(p) else "–")}
                  for p in progress], hide_index=True, width="stretch", height=360)
    if is_admin and event["state"] in integration.CONSENSUS_STATES:
        st.markdown(f"**{tr('integrasi.reopen_submission')}**")
        reopen_submission_form()


def reopen_submission_form() -> None:
    submitted = integration.submissions(db, event["id"])
    if not submitted:
        return
    labels = {(s["registration_id"], s["assessor_id"]): f"{s['participant_no']} · {s['candidate_name']} · "
              f"{s['assessor_name']}" for s in submitted}
    with st.form("integrasi_reopen_sub"):
        key = st.selectbox(tr("integrasi.pick_submission"), list(labels), format_func=labels.get)
        reason = st.text_input(tr("integrasi.reopen_reason"), max_chars=500)
        if st.form_submit_button(tr("integrasi.reopen_submission")):
            if attempt(integration.reopen_submission, db, user, key[0], key[1], reason):
                rerun(tr("common.saved"))


def figures(progress: list[dict]) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("integrasi.candidates"), len(progress))
    c2.metric(tr("integrasi.open"), sum(is_open(p) for p in progress))
    c3.metric(tr("integrasi.final"), sum(bool(p["finalized_at"]) for p in progress))


if is_admin:
    st.info(tr("integrasi.admin_view"))
progress = integration.progress(db, event["id"])
figures(progress)
view_key = st.segmented_control(tr("common.view"), list(VIEWS), format_func=lambda v: tr(VIEWS[v]),
                                default="agenda", key="integrasi_view") or "agenda"
{"agenda": agenda_view, "meeting": meeting_view, "progress": progress_view}[view_key](progress)
