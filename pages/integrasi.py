"""Integrasi: the agenda by disagreement, the meeting view, consensus, narrative, finalise; reopening (admin)."""

import streamlit as st

from core import auth, integration, registry
from core.i18n import format_number, format_percent
from core.textutil import escape_markdown
from pages.common import attempt, database, guard, lang, need_event, petunjuk, tr

db, user = guard("admin", "asesor")
st.title(tr("integrasi.title"))
petunjuk("integrasi.help")
event = registry.get_event(db, need_event())
is_admin = user["role"] == "admin"
if not is_admin and not auth.is_lead(db, user["id"], event["id"]):
    st.error(tr("integration.lead_only"))
    st.stop()
if is_admin:
    st.info(tr("integrasi.admin_view"))

progress = integration.progress(db, event["id"])
opened = [p for p in progress if p["assigned"] and p["assigned"] == p["submitted"]]
final = [p for p in progress if p["finalized_at"]]
c1, c2, c3 = st.columns(3)
c1.metric(tr("integrasi.candidates"), len(progress))
c2.metric(tr("integrasi.open"), len(opened))
c3.metric(tr("integrasi.final"), len(final))

tab_agenda, tab_meeting, tab_progress = st.tabs([tr("integrasi.tab_agenda"), tr("integrasi.tab_meeting"),
                                                 tr("integrasi.tab_progress")])


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_agenda(event_id: int, user_id: int, token: int) -> list[dict]:
    """The agenda is recomputed only when something changed (``token``); core checks the user each time."""
    fresh = database()
    return integration.agenda(fresh, auth.get_user(fresh, user_id), event_id)


with tab_agenda:
    cells = cached_agenda(event["id"], user["id"], integration.change_token(db))
    only = st.toggle(tr("integrasi.only_discuss"), value=True, key="integrasi_only")
    shown = [c for c in cells if c["must_discuss"] or not only]
    st.caption(tr("integrasi.agenda_note", n=len(shown), total=len(cells)))
    st.dataframe([{tr("field.participant_no"): c["participant_no"], tr("field.name"): c["candidate_name"],
                   tr("field.competency"): c["competency_name"], tr("integrasi.spread"): c["spread"],
                   "SD": format_number(c["sd"], 2, lang()), "r_wg": format_number(c["rwg"], 2, lang()),
                   tr("integrasi.suggested"): str(c["suggested"]),
                   tr("integrasi.consensus"): str(c["consensus"] or "–"),
                   tr("integrasi.must_discuss"): "●" if c["must_discuss"] else ""} for c in shown],
                 hide_index=True, width="stretch", height=420)

with tab_meeting:
    if not opened:
        st.info(tr("integrasi.none_open"))
    else:
        choices = {p["registration_id"]: p for p in opened}
        reg_id = st.selectbox(tr("integrasi.pick"), list(choices), key="integrasi_pick",
                              format_func=lambda r: f"{choices[r]['participant_no']} · {choices[r]['candidate_name']}"
                                                    f" · {choices[r]['position_name']}"
                                                    + (" ✓" if choices[r]["finalized_at"] else ""))
        view = integration.meeting(db, user, reg_id)
        can_decide = not is_admin and not view["finalised"] and event["state"] in integration.CONSENSUS_STATES
        if view["finalised"]:
            result = view["result"]
            st.success(tr("integrasi.finalised_note", jpm=format_percent(result["jpm"], lang()),
                          category=result["category"]))
        for cell in view["competencies"]:
            flag = " · ⚠ " + tr("integrasi.must_discuss") if cell["must_discuss"] else ""
            with st.expander(f"{cell['code']} {cell['name']} — {tr('integrasi.suggested')} {cell['suggested']}"
                             f" · {tr('integrasi.spread')} {cell['spread']}{flag}", expanded=cell["must_discuss"]):
                st.dataframe([{tr("field.assessor"): r["assessor_name"], tr("field.exercise"): r["exercise_name"],
                               tr("field.level"): "TB" if r["level"] is None else r["level"],
                               tr("penilaian.evidence"): r["evidence"]} for r in cell["ratings"]],
                             hide_index=True, width="stretch")
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
                        level = st.radio(tr("integrasi.consensus"), [1, 2, 3, 4, 5], index=default - 1, horizontal=True)
                        rationale = st.text_area(tr("integrasi.rationale"), value=(current or {}).get("rationale", ""),
                                                 help=tr("integrasi.rationale_help"), height=70, max_chars=2000)
                        if st.form_submit_button(tr("integrasi.save_consensus")):
                            if attempt(integration.set_consensus, db, user, reg_id, cell["code"], level, rationale,
                                       (current or {}).get("version", 0), success=tr("common.saved")):
                                st.rerun()
        st.markdown(f"#### {tr('integrasi.narrative')}")
        result = view["result"]
        with st.form(f"integrasi_narrative_{reg_id}"):
            texts = {f: st.text_area(tr("narrative." + f), value=result.get(f, "") or "", height=90,
                                     disabled=not can_decide, max_chars=integration.MAX_NARRATIVE)
                     for f in integration.NARRATIVE_FIELDS
                     if f != "saran_penempatan" or event["purpose"] == "pemetaan"}
            if st.form_submit_button(tr("common.save"), disabled=not can_decide):
                if attempt(integration.save_narrative, db, user, reg_id, **texts, success=tr("common.saved")):
                    st.rerun()
        if can_decide:
            sure = st.checkbox(tr("integrasi.confirm_final"), key=f"integrasi_sure_{reg_id}")
            if st.button(tr("integrasi.finalise"), type="primary", disabled=not sure, key="integrasi_final"):
                if attempt(integration.finalise, db, user, reg_id, success=tr("integrasi.finalised")):
                    st.rerun()
        if is_admin and view["finalised"]:
            with st.form(f"integrasi_reopen_{reg_id}"):
                reason = st.text_input(tr("integrasi.reopen_reason"), max_chars=500)
                if st.form_submit_button(tr("integrasi.reopen_result")):
                    if attempt(integration.reopen_result, db, user, reg_id, reason, success=tr("common.saved")):
                        st.rerun()

with tab_progress:
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
                    if attempt(integration.reopen_submission, db, user, key[0], key[1], reason,
                               success=tr("common.saved")):
                        st.rerun()
