"""Presentasi: a read-only, large-type view for the Wali Kota — per position the three best names (pengisian) or
the talent map and the successors (pemetaan: no ranking, no top three, SPEC §4.6)."""

import streamlit as st

from core import charts, outcomes, registry, results, talent_views
from core.textutil import escape_markdown, initials
from pages.common import (
    cached_competencies,
    cached_outcome,
    chart,
    fresh,
    guard,
    jpm_text,
    lang,
    need_event,
    plain_table,
    tr,
)

db, user = guard("admin", "pimpinan")
# Our own constant stylesheet (no user text): larger type for a projector.
st.html("<style>[data-testid='stMain'] p, [data-testid='stMain'] li {font-size: 1.35rem;}"
        "[data-testid='stMetricValue'] {font-size: 2.6rem;}</style>")
event = registry.get_event(db, need_event())
outcome = fresh(cached_outcome, db, event["id"])


def shown_name(name: str, hide: bool) -> str:
    return initials(name) if hide else name


def top_three(position_id: int, hide: bool) -> None:
    """The three best names of a position: metrics, warnings, bars and one radar each."""
    best, warnings = results.top_three(outcome.final, position_id)
    st.header(tr("presentasi.top_three", position=escape_markdown(outcome.positions[position_id])))
    for warning in warnings:
        st.warning(tr("hasil.warn_" + warning))
    for column, person in zip(st.columns(max(len(best), 1)), best, strict=False):
        with column:
            st.metric(escape_markdown(f"{person['rank']}. {shown_name(person['name'], hide)}"),
                      jpm_text(db, person["jpm"]), tr(f"category.{person['category']}"), delta_color="off",
                      delta_arrow="off")
            if not person["recommended"]:
                st.error(tr("presentasi.not_recommended"))
    if best:
        chart(charts.jpm_bars, rows=[{"label": f"{p['rank']}. {shown_name(p['name'], hide)}", "jpm": p["jpm"],
                                 "jpm_text": jpm_text(db, p["jpm"])} for p in best])
    radars(best, hide)


def radars(best: list[dict], hide: bool) -> None:
    competencies = fresh(cached_competencies, db, event["id"])
    for column, person in zip(st.columns(max(len(best), 1)), best, strict=False):
        with column:
            chart(charts.radar, width="stretch", title=shown_name(person["name"], hide),
                  profile=outcomes.radar_profile(competencies, person["registration_id"]))


def talent_map(position_id: int, hide: bool) -> None:
    """Pemetaan: the 9-box of the event and the successors of the chosen post."""
    st.header(tr("talenta.title"))
    rows = outcome.talent["rows"]
    st.caption(tr("talenta.placed", n=sum(r["box"] is not None for r in rows), total=len(rows)))
    chart(charts.ninebox_grid, boxes=outcomes.ninebox_cells(outcome.boxes))
    post = next(p for p in outcome.successors if p["position_id"] == position_id)
    st.header(tr("presentasi.successors", position=escape_markdown(post["name"])))
    shown = [s | {"name": shown_name(s["name"], hide)} for s in post["successors"]]
    if shown:
        plain_table(talent_views.successor_rows(shown, lang()))
    else:
        st.info(tr("presentasi.no_successors"))


st.title(tr("presentasi.title"))
st.subheader(escape_markdown(event["name"]))
if outcome.final.empty:
    st.info(tr("hasil.none_final"))
    st.stop()
c1, c2 = st.columns([3, 1])
chosen = c1.selectbox(tr("field.position"), list(outcome.positions), format_func=outcome.positions.get,
                      key="presentasi_position")
hide_names = c2.toggle(tr("presentasi.initials"), key="presentasi_initials")
if event["purpose"] == "pemetaan":
    talent_map(chosen, hide_names)
else:
    top_three(chosen, hide_names)
