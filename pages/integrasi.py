"""Integrasi: the agenda by disagreement, the meeting view, consensus, narrative, finalise; reopening (admin)."""

import pandas as pd
import streamlit as st

from core import auth, integration
from core.i18n import format_number, format_percent, t
from core.textutil import escape_markdown
from pages.common import attempt, database, event_for, guard, lang, petunjuk, plain_table, rerun, tr

db, user = guard("admin", "asesor")
st.title(tr("integrasi.title"))
petunjuk("integrasi.help")
event = event_for(user, db)
is_admin = user["role"] == "admin"
if is_admin:
    st.info(tr("integrasi.admin_view"))

progress = integration.progress(db, event["id"])
opened = [p for p in progress if p["assigned"] and p["assigned"] == p["submitted"]]
final = [p for p in progress if p["finalized_at"]]
c1, c2, c3 = st.columns(3)
c1.metric(tr("integrasi.candidates"), len(progress))
c2.metric(tr("integrasi.open"), len(opened))
c3.metric(tr("integrasi.final"), len(final))

# One view per run (tabs would render all three every time).
VIEWS = {"agenda": "integrasi.tab_agenda", "meeting": "integrasi.tab_meeting", "progress": "integrasi.tab_progress"}
view_key = st.segmented_control(tr("common.view"), list(VIEWS), format_func=lambda v: tr(VIEWS[v]),
                                default="agenda", key="integrasi_view") or "agenda"


def dash(value) -> str:
    """A level or spread as text; "–" where nothing was observed."""
    return "–" if value is None else str(value)


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def agenda_table(event_id: int, user_id: int, language: str, token: int) -> pd.DataFrame:
    """The agenda as shown; recomputed only when something changed (``token``), core checks the user."""
    fresh = database()
    cells = integration.agenda(fresh, auth.get_user(fresh, user_id), event_id)
    return pd.DataFrame([{
        t("field.participant_no", language): c["participant_no"], t("field.name", language): c["candidate_name"],
        t("field.competency", language): c["competency_name"], t("integrasi.spread", language): dash(c["spread"]),
        "SD": format_number(c["sd"], 2, language), "r_wg": format_number(c["rwg"], 2, language),
        t("integrasi.suggested", language): dash(c["suggested"]),
        t("integrasi.consensus", language): dash(c["consensus"]),
        t("integrasi.must_discuss", language): "●" if c["must_discuss"] else ""} for c in cells])


if view_key == "agenda":
    table = agenda_table(event["id"], user["id"], lang(), integration.change_token(db))
    only = st.toggle(tr("integrasi.only_discuss"), value=True, key="integrasi_only")
    shown = table[table[tr("integrasi.must_discuss")] == "●"] if only and not table.empty else table
    st.caption(tr("integrasi.agenda_note", n=len(shown), total=len(table)))
    st.dataframe(shown, hide_index=True, width="stretch", height=420)

if view_key == "meeting":
    if not opened:
        st.info(tr("integrasi.none_open"))
    else:
        choices = {p["registration_id"]: p for p in opened}
        reg_id = st.selectbox(tr("integrasi.pick"), list(choices), key="integrasi_pick",
                              format_func=lambda r: f"{choices[r]['participant_no']} · {choices[r]['candidate_name']}"
                                                    f" · {choices[r]['position_name']}")
        view = integration.meeting(db, user, reg_id)
        can_decide = not is_admin and not view["finalised"] and event["state"] in integration.CONSENSUS_STATES
        if view["finalised"]:
            result = view["result"]
            st.success(tr("integrasi.finalised_note", jpm=format_percent(result["jpm"], lang()),
                          category=result["category"]))
        for cell in view["competencies"]:
            flag = " · ⚠ " + tr("integrasi.must_discuss") if cell["must_discuss"] else ""
            with st.expander(f"{cell['code']} {cell['name']} — {tr('integrasi.suggested')} {dash(cell['suggested'])}"
                             f" · {tr('integrasi.spread')} {dash(cell['spread'])}"
                             f" · {tr('integrasi.consensus')} {dash((cell['consensus'] or {}).get('level'))}{flag}",
                             expanded=cell["must_discuss"] or (can_decide and not cell["consensus"])):
                # A table, not a grid: the evidence notes wrap and can be read whole during the meeting.
                plain_table([{tr("field.assessor"): r["assessor_name"], tr("field.exercise"): r["exercise_name"],
                              tr("penilaian.level"): "TB" if r["level"] is None else str(r["level"]),
                              tr("penilaian.evidence"): r["evidence"]} for r in cell["ratings"]])
                scores = ", ".join(f"{a}: {format_number(s, 2, lang())}" for a, s in cell["assessor_scores"].items())
                st.caption(escape_markdown(
                    f"{tr('integrasi.scores')}: {scores} · SD {format_number(cell['sd'], 2, lang())}"
                    f" · r_wg {format_number(cell['rwg'], 2, lang())} · {tr('field.standard')} {cell['standard']}"))
                current = cell["consensus"]
                if current:
                    st.markdown(tr("integrasi.current", level=current["level"]) +
                                (f" — {escape_markdown(current['rationale'])}" if current["rationale"] else ""))
                if can_decide:
                    with st.form(f"integrasi_cs_{reg_id}_{cell['code']}"):
                        default = (current or {}).get("level") or cell["suggested"] or cell["standard"]
                        code_key = f"{reg_id}_{cell['code'].replace('.', '_')}"
                        level = st.radio(tr("integrasi.consensus"), [1, 2, 3, 4, 5], index=default - 1, horizontal=True,
                                         key=f"ig_lvl_{code_key}")
                        rationale = st.text_area(tr("integrasi.rationale"), value=(current or {}).get("rationale", ""),
                                                 help=tr("integrasi.rationale_help"), height=70, max_chars=2000,
                                                 key=f"ig_why_{code_key}")
                        if st.form_submit_button(tr("integrasi.save_consensus"), key=f"ig_save_{code_key}"):
                            if attempt(integration.set_consensus, db, user, reg_id, cell["code"], level, rationale,
                                       (current or {}).get("version", 0)):
                                rerun(tr("common.saved"))
        st.markdown(f"#### {tr('integrasi.narrative')}")
        result = view["result"]
        with st.form(f"integrasi_narrative_{reg_id}"):
            texts = {f: st.text_area(tr("narrative." + f), value=result.get(f, "") or "", height=90,
                                     disabled=not can_decide, max_chars=integration.MAX_NARRATIVE)
                     for f in integration.NARRATIVE_FIELDS
                     if f != "saran_penempatan" or event["purpose"] == "pemetaan"}
            if st.form_submit_button(tr("common.save"), disabled=not can_decide):
                if attempt(integration.save_narrative, db, user, reg_id, **texts):
                    rerun(tr("common.saved"))
        if can_decide:
            sure = st.checkbox(tr("integrasi.confirm_final"), key=f"integrasi_sure_{reg_id}")
            if st.button(tr("integrasi.finalise"), type="primary", disabled=not sure, key="integrasi_final"):
                if attempt(integration.finalise, db, user, reg_id):
                    rerun(tr("integrasi.finalised"))
        if is_admin and view["finalised"]:
            with st.form(f"integrasi_reopen_{reg_id}"):
                reason = st.text_input(tr("integrasi.reopen_reason"), max_chars=500)
                if st.form_submit_button(tr("integrasi.reopen_result")):
                    if attempt(integration.reopen_result, db, user, reg_id, reason):
                        rerun(tr("common.saved"))

if view_key == "progress":
    st.dataframe([{tr("field.participant_no"): p["participant_no"], tr("field.name"): p["candidate_name"],
                   tr("field.position"): p["position_name"],
                   tr("integrasi.submitted_of"): f"{p['submitted']}/{p['assigned']}",
                   tr("field.status"): tr("integrasi.final") if p["finalized_at"] else
                   (tr("integrasi.open") if p["assigned"] and p["assigned"] == p["submitted"] else "–")}
                  for p in progress], hide_index=True, width="stretch", height=360)
    if is_admin and event["state"] in integration.CONSENSUS_STATES:
        st.markdown(f"**{tr('integrasi.reopen_submission')}**")
        submitted = integration.submissions(db, event["id"])
        if submitted:
            labels = {(s["registration_id"], s["assessor_id"]): f"{s['participant_no']} · {s['candidate_name']} · "
                      f"{s['assessor_name']}" for s in submitted}
            with st.form("integrasi_reopen_sub"):
                key = st.selectbox(tr("integrasi.pick_submission"), list(labels), format_func=labels.get)
                reason = st.text_input(tr("integrasi.reopen_reason"), max_chars=500)
                if st.form_submit_button(tr("integrasi.reopen_submission")):
                    if attempt(integration.reopen_submission, db, user, key[0], key[1], reason):
                        rerun(tr("common.saved"))
