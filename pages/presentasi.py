"""Presentasi: a read-only, large-type view for the Wali Kota — per position the three best names (pengisian) or
the talent map and the successors (pemetaan: no ranking, no top three, SPEC §4.6)."""

import streamlit as st

from core import charts, outcomes, registry, results, talent_views
from core.i18n import format_number
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
    petunjuk,
    plain_table,
    tr,
)

db, user = guard("admin", "pimpinan")
# Our own constant stylesheet (no user text): larger type for a projector; the names wrap whole, the score that
# decides the order is the largest thing on the card.
st.html("<style>[data-testid='stMain'] p, [data-testid='stMain'] li {font-size: 1.35rem;}"
        "[data-testid='stMetricLabel'], [data-testid='stMetricLabel'] * {white-space: normal !important;"
        " overflow: visible !important; text-overflow: clip !important; font-size: 1.6rem !important;"
        " line-height: 1.25; height: auto !important;}"
        "[data-testid='stMetricValue'], [data-testid='stMetricValue'] * {font-size: 4rem !important;"
        " font-weight: 700 !important; line-height: 1.1 !important;}</style>")
event = registry.get_event(db, need_event())
outcome = fresh(cached_outcome, db, event["id"])


def shown_name(name: str, hide: bool) -> str:
    return initials(name) if hide else name


def score_text(person: dict) -> str:
    """The number that decides the order: the final score when the event has stages, else JPM."""
    return format_number(person["final"], 2, lang()) if outcome.stages else jpm_text(db, person["jpm"])


def top_three(position_id: int, hide: bool) -> None:
    """The three best names of a position: one card each (rank, whole name, deciding score), warnings, charts."""
    best, warnings = results.top_three(outcome.final, position_id)
    st.header(tr("presentasi.top_three", position=escape_markdown(outcome.positions[position_id])))
    st.caption(tr("presentasi.ranked_by_final") if outcome.stages else tr("presentasi.ranked_by_jpm"))
    for warning in warnings:
        st.warning(tr("hasil.warn_" + warning))
    competencies = fresh(cached_competencies, db, event["id"])
    for column, person in zip(st.columns(max(len(best), 1)), best, strict=False):
        with column:
            card(person, hide)
            # Under its own card, so the radar needs no title of its own (a title would be cut in a narrow column).
            chart(charts.radar, width="stretch",
                  profile=outcomes.radar_profile(competencies, person["registration_id"]))
    if best and not outcome.stages:  # JPM bars only where JPM is what ranks them
        chart(charts.jpm_bars, rows=[{"label": f"{p['rank']}. {shown_name(p['name'], hide)}", "jpm": p["jpm"],
                                 "jpm_text": jpm_text(db, p["jpm"])} for p in best])


def card(person: dict, hide: bool) -> None:
    """Rank and whole name, the deciding score largest, the category; JPM beside a final score."""
    with st.container(border=True):
        st.metric(escape_markdown(f"{person['rank']}. {shown_name(person['name'], hide)}"), score_text(person),
                  tr(f"category.{person['category']}"), delta_color="off", delta_arrow="off")
        if outcome.stages:
            st.caption(f"JPM {jpm_text(db, person['jpm'])}")
        if not person["recommended"]:
            st.error(tr("presentasi.not_recommended"))


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
petunjuk("presentasi.help")
st.subheader(escape_markdown(event["name"]))
if outcome.final.empty:
    st.info(tr("hasil.none_final"))
    st.stop()
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
chosen = c1.selectbox(tr("field.position"), list(outcome.positions), format_func=outcome.positions.get,
                      key="presentasi_position")
hide_names = c2.toggle(tr("presentasi.initials"), key="presentasi_initials")
if not outcome.ranks:  # a pemetaan names no three best (scoring.ranks_people)
    talent_map(chosen, hide_names)
else:
    top_three(chosen, hide_names)
