"""Talenta: the 9-box on the event's talent scheme (SPEC §4.6): the grid, who lacks which data, each box with
both axes' inputs, why one person is where they are, and the successors per target post."""

import streamlit as st

from core import charts, outcomes, refdata, registry, results, talent, talent_store, talent_views
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    cached_outcome,
    chart,
    fresh,
    guard,
    lang,
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
    """The scheme, how many are placed, and the grid."""
    rows = outcome.talent["rows"]
    st.caption(tr("talenta.scheme", name=escape_markdown(outcome.talent["scheme"]["name"])))
    st.caption(tr("talenta.placed", n=sum(r["box"] is not None for r in rows), total=len(rows)))
    chart(charts.ninebox_grid, boxes=outcomes.ninebox_cells(outcome.boxes))


def incomplete() -> None:
    """Data belum lengkap: who has no box yet and what is missing (never a guessed box)."""
    rows = talent_views.incomplete_rows(outcome.talent["rows"], lang())
    if rows:
        st.markdown(f"#### {tr('talenta.incomplete_title')}")
        st.warning(tr("talenta.incomplete_n", n=len(rows)))
        plain_table(rows)


def pool() -> None:
    people = outcomes.succession_pool(outcome.boxes)
    st.markdown(f"#### {tr('talenta.pool', n=len(people))}")
    if people:
        plain_table(talent_views.person_rows(people, predikat, lang()))


def one_box() -> None:
    """The chosen box: its recommended action and its people with both axes' inputs."""
    st.markdown(f"#### {tr('talenta.boxes')}")
    labels = {b["box"]: f"{b['box']} · {b['label']} ({b['count']})" for b in outcome.boxes}
    box = st.selectbox(tr("talenta.pick_box"), list(labels), format_func=labels.get, key="talenta_box")
    chosen = next(b for b in outcome.boxes if b["box"] == box)
    st.info(f"**{tr('talenta.action')}:** {escape_markdown(chosen['action'])}")
    if chosen["people"]:
        plain_table(talent_views.person_rows(chosen["people"], predikat, lang()))


def why() -> None:
    """One person: every component of the potential axis with its input, and the SKP behind the performance."""
    st.markdown(f"#### {tr('talenta.why_title')}")
    rows = {r["registration_id"]: r for r in outcome.talent["rows"]}
    labels = {k: outcomes.candidate_label(r) for k, r in rows.items()}
    chosen = rows[st.selectbox(tr("talenta.pick_person"), list(labels), format_func=labels.get, key="talenta_why")]
    scheme = outcome.talent["scheme"]["definition"]
    potensi = attempt(talent_store.read_potensi, db, user, chosen["candidate_id"]) or {}
    record = talent_store.rekam_jejak_of(db, chosen["candidate_id"])
    plain_table(talent_views.explanation(chosen, scheme, potensi, record, lang()))
    for line in talent_views.verdict(chosen, scheme, predikat, lang()):
        st.markdown(escape_markdown(line))


def successors() -> None:
    """Per target post the people of the succession pool one jenjang below it (SPEC §4.6, UU 20/2023 Pasal 46);
    posts of one jenjang share their pool, so they share one table."""
    st.markdown(f"#### {tr('talenta.successors_title')}")
    st.caption(tr("talenta.successors_help"))
    for group in talent_views.successor_groups(outcome.successors):
        st.markdown(f"**{escape_markdown(', '.join(group['posts']))}**")
        if group["successors"]:
            plain_table(talent_views.successor_rows(group["successors"], lang()))
        else:
            below = jenjang_name(talent.jenjang_below(group["job_class"]))
            st.caption(tr("talenta.no_successors", jenjang=escape_markdown(below)))


def jenjang_name(code: str | None) -> str:
    return next((j["name"] for j in refdata.job_classes(db) if j["code"] == code), "–")


def skp_editor() -> None:
    """Admin: the SKP predikat the event's scheme reads (one or two years before the event) for everyone."""
    scheme = outcome.talent["scheme"]["definition"]
    years = talent.skp_years(int(event["end_date"][:4]), scheme.get("performance_years", 1))
    st.caption(tr("talenta.skp_years", years=", ".join(map(str, years))))
    grid = [{"reg": r["registration_id"], tr("field.participant_no"): r["participant_no"],
             tr("field.name"): r["name"]} | {f"SKP {y}": predikat.get(r["skp_used"].get(y)) for y in years}
            for r in outcome.talent["rows"]]
    column = st.column_config.SelectboxColumn(options=list(predikat.values()))
    edited = st.data_editor(grid, key=f"talenta_skp_{event['id']}", hide_index=True, width="stretch",
                            column_config={"reg": None} | {f"SKP {y}": column for y in years},
                            disabled=[tr("field.participant_no"), tr("field.name")])
    if st.button(tr("common.save"), key="talenta_save_skp"):
        by_name = {v: k for k, v in predikat.items()}
        values = {row["reg"]: {y: by_name.get(row[f"SKP {y}"]) for y in years} for row in edited}
        if attempt(results.set_skp_years, db, user, event["id"], values):
            rerun(tr("common.saved"))


if event["purpose"] != "pemetaan":
    st.info(tr("talenta.only_pemetaan"))
    st.stop()
overview()
incomplete()
pool()
one_box()
why()
successors()
# The editor only when asked for: a data editor is the costliest element of this page.
if user["role"] == "admin" and st.toggle(tr("talenta.edit_skp"), key="talenta_edit"):
    with st.container(border=True):
        skp_editor()
