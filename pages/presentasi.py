"""Presentasi: a read-only, large-type view for the Wali Kota — per position the three best names."""

import streamlit as st

from core import integration, registry, results
from core.textutil import escape_markdown, initials
from pages.common import cached_competencies, cached_results, chart, guard, jpm_text, need_event, tr

db, user = guard("admin", "pimpinan")
# Our own constant stylesheet (no user text): larger type for a projector.
st.html("<style>[data-testid='stMain'] p, [data-testid='stMain'] li {font-size: 1.35rem;}"
        "[data-testid='stMetricValue'] {font-size: 2.6rem;}</style>")
event = registry.get_event(db, need_event())



token = integration.change_token(db)
table = cached_results(event["id"], token)
final = table[table["finalized_at"].notna()] if not table.empty else table
st.title(tr("presentasi.title"))
st.subheader(escape_markdown(event["name"]))
if final.empty:
    st.info(tr("hasil.none_final"))
    st.stop()

positions = {int(p): n for p, n in final[["position_id", "position_name"]].drop_duplicates().itertuples(index=False)}
c1, c2 = st.columns([3, 1])
position_id = c1.selectbox(tr("field.position"), list(positions), format_func=positions.get, key="presentasi_position")
hide = c2.toggle(tr("presentasi.initials"), key="presentasi_initials")


def shown_name(name: str) -> str:
    return initials(name) if hide else name


best, warnings = results.top_three(final, position_id)
st.header(tr("presentasi.top_three", position=escape_markdown(positions[position_id])))
for warning in warnings:
    st.warning(tr("hasil.warn_" + warning))
cols = st.columns(max(len(best), 1))
for column, person in zip(cols, best, strict=False):
    with column:
        st.metric(escape_markdown(f"{person['rank']}. {shown_name(person['name'])}"), jpm_text(db, person["jpm"]),
                  tr(f"category.{person['category']}"), delta_color="off", delta_arrow="off")
        if not person["recommended"]:
            st.error(tr("presentasi.not_recommended"))
bars = [{"label": f"{p['rank']}. {shown_name(p['name'])}", "jpm": p["jpm"],
         "jpm_text": jpm_text(db, p["jpm"])} for p in best]
if bars:
    chart("jpm_bars", rows=bars)

profiles = cached_competencies(event["id"], token)
radar_cols = st.columns(max(len(best), 1))
for column, person in zip(radar_cols, best, strict=False):
    rows = profiles[profiles["registration_id"] == person["registration_id"]]
    with column:
        chart("radar", width="stretch", title=shown_name(person["name"]),
              profile=[{"competency": r["competency_name"], "level": int(r["level"]), "standard": int(r["standard"])}
                       for r in rows.to_dict("records")])

if event["purpose"] == "pemetaan":
    st.header(tr("talenta.title"))
    summary = results.ninebox_summary(db, event["id"])
    chart("ninebox_grid", boxes=[{k: b[k] for k in ("box", "potential", "performance", "count", "label")}
                                 for b in summary])
