"""Talenta: the 9-box talent map (JPM × SKP predikat) with counts, names, labels, actions, succession pool."""

import streamlit as st

from core import outcomes, refdata, registry, results
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    cached_outcome,
    chart,
    fresh,
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
outcome = fresh(cached_outcome, db, event["id"])
predikat = {p["code"]: p["name"] for p in refdata.skp_predikat(db)}


def overview() -> None:
    """How many are placed, who lacks an SKP predikat, and the grid."""
    st.caption(tr("talenta.placed", n=sum(b["count"] for b in outcome.boxes), total=len(outcome.table)))
    missing = outcomes.missing_skp(outcome.table)
    if len(missing):
        st.warning(tr("talenta.missing_skp", n=len(missing)))
    chart("ninebox_grid", boxes=outcomes.ninebox_cells(outcome.boxes))


def pool() -> None:
    people = outcomes.succession_pool(outcome.boxes)
    st.markdown(f"#### {tr('talenta.pool', n=len(people))}")
    if people:
        plain_table([{tr("field.name"): p["name"], tr("field.position"): p["position_name"],
                      "JPM": jpm_text(db, p["jpm"]), "SKP": predikat.get(p["skp_predikat"], "–")} for p in people])


def one_box() -> None:
    """The chosen box: its recommended action and its people."""
    st.markdown(f"#### {tr('talenta.boxes')}")
    labels = {b["box"]: f"{b['box']} · {b['label']} ({b['count']})" for b in outcome.boxes}
    box = st.selectbox(tr("talenta.pick_box"), list(labels), format_func=labels.get, key="talenta_box")
    chosen = next(b for b in outcome.boxes if b["box"] == box)
    st.info(f"**{tr('talenta.action')}:** {escape_markdown(chosen['action'])}")
    if chosen["people"]:
        plain_table([{tr("field.participant_no"): p["participant_no"], tr("field.name"): p["name"],
                      tr("field.position"): p["position_name"], "JPM": jpm_text(db, p["jpm"]),
                      "SKP": predikat.get(p["skp_predikat"], "–")} for p in chosen["people"]])


def skp_editor() -> None:
    """Admin: the SKP predikat of every registration (the performance axis)."""
    grid = [{"reg": int(r["registration_id"]), tr("field.participant_no"): r["participant_no"],
             tr("field.name"): r["name"], "SKP": predikat.get(r["skp_predikat"])}
            for r in outcome.table.sort_values("participant_no").to_dict("records")]
    edited = st.data_editor(grid, key=f"talenta_skp_{event['id']}", hide_index=True, width="stretch",
                            column_config={"reg": None, "SKP": st.column_config.SelectboxColumn(
                                options=list(predikat.values()))},
                            disabled=[tr("field.participant_no"), tr("field.name")])
    if st.button(tr("common.save"), key="talenta_save_skp"):
        by_name = {v: k for k, v in predikat.items()}
        values = {row["reg"]: by_name.get(row["SKP"]) for row in edited}
        if attempt(results.set_skp_predikat, db, user, event["id"], values):
            rerun(tr("common.saved"))


if event["purpose"] != "pemetaan":
    st.info(tr("talenta.only_pemetaan"))
    st.stop()
overview()
pool()
one_box()
# The editor only when asked for: a data editor is the costliest element of this page.
if user["role"] == "admin" and st.toggle(tr("talenta.edit_skp"), key="talenta_edit"):
    with st.container(border=True):
        skp_editor()
