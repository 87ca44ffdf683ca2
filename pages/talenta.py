"""Talenta: the 9-box talent map (JPM × SKP predikat) with counts, names, labels, actions, succession pool."""

import streamlit as st

from core import integration, refdata, registry, results
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    cached_results,
    chart,
    database,
    guard,
    jpm_text,
    need_event,
    petunjuk,
    plain_table,
    rerun,
    tr,
)

db, user = guard("admin", "pimpinan")
st.title(tr("talenta.title"))
petunjuk("talenta.help")
event = registry.get_event(db, need_event())



@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_boxes(event_id: int, token: int) -> list[dict]:
    fresh = database()
    return results.ninebox_summary(fresh, event_id)


token = integration.change_token(db)
table = cached_results(event["id"], token)
predikat = {p["code"]: p["name"] for p in refdata.skp_predikat(db)}
if event["purpose"] != "pemetaan":
    st.info(tr("talenta.only_pemetaan"))
    st.stop()

summary = cached_boxes(event["id"], token)
placed = sum(b["count"] for b in summary)
missing = table[table["finalized_at"].notna() & table["skp_predikat"].isna()] if not table.empty else table
st.caption(tr("talenta.placed", n=placed, total=len(table)))
if len(missing):
    st.warning(tr("talenta.missing_skp", n=len(missing)))
chart("ninebox_grid", boxes=[{k: b[k] for k in ("box", "potential", "performance", "count", "label")}
                             for b in summary])

pool = [p for b in summary if b["succession"] for p in b["people"]]
st.markdown(f"#### {tr('talenta.pool', n=len(pool))}")
if pool:
    plain_table([{tr("field.name"): p["name"], tr("field.position"): p["position_name"], "JPM": jpm_text(db, p["jpm"]),
                  "SKP": predikat.get(next(iter(p["skp_used"].values()), None), "–")} for p in pool])

st.markdown(f"#### {tr('talenta.boxes')}")
labels = {b["box"]: f"{b['box']} · {b['label']} ({b['count']})" for b in summary}
box = st.selectbox(tr("talenta.pick_box"), list(labels), format_func=labels.get, key="talenta_box")
chosen = next(b for b in summary if b["box"] == box)
st.info(f"**{tr('talenta.action')}:** {escape_markdown(chosen['action'])}")
if chosen["people"]:
    plain_table([{tr("field.participant_no"): p["participant_no"], tr("field.name"): p["name"],
                  tr("field.position"): p["position_name"], "JPM": jpm_text(db, p["jpm"]),
                  "SKP": predikat.get(next(iter(p["skp_used"].values()), None), "–")} for p in chosen["people"]])

# The editor only when asked for: a data editor is the costliest element of this page.
if user["role"] == "admin" and st.toggle(tr("talenta.edit_skp"), key="talenta_edit"):
    with st.container(border=True):
        grid = [{"reg": int(r["registration_id"]), tr("field.participant_no"): r["participant_no"],
                 tr("field.name"): r["name"], "SKP": predikat.get(r["skp_predikat"])}
                for r in table.sort_values("participant_no").to_dict("records")]
        edited = st.data_editor(grid, key=f"talenta_skp_{event['id']}", hide_index=True, width="stretch",
                                column_config={"reg": None, "SKP": st.column_config.SelectboxColumn(
                                    options=list(predikat.values()))},
                                disabled=[tr("field.participant_no"), tr("field.name")])
        if st.button(tr("common.save"), key="talenta_save_skp"):
            by_name = {v: k for k, v in predikat.items()}
            values = {row["reg"]: by_name.get(row["SKP"]) for row in edited}
            if attempt(results.set_skp_predikat, db, user, event["id"], values):
                rerun(tr("common.saved"))
