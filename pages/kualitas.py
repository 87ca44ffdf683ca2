"""Kualitas Penilaian: how far the assessors' independent ratings agree (ICC, alpha, r_wg, leniency)."""

import streamlit as st

from core import integration, quality, reliability
from core.i18n import format_number
from core.textutil import escape_markdown
from pages.common import chart, database, event_for, guard, lang, petunjuk, tr

db, user = guard("admin", "asesor")
st.title(tr("kualitas.title"))
petunjuk("kualitas.help")
event = event_for(user, db)


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_quality(event_id: int, token: int) -> dict:
    return quality.event_quality(database(), event_id)


data = cached_quality(event["id"], integration.change_token(db))
not_enough = tr("kualitas.not_enough", n=data["minimum"])


def number(value, digits: int = 3) -> str:
    return not_enough if value is None else format_number(value, digits, lang())


st.markdown(f"#### {tr('kualitas.alpha')}")
c1, c2 = st.columns(2)
for column, key, label in ((c1, "alpha_ordinal", "kualitas.ordinal"), (c2, "alpha_interval", "kualitas.interval")):
    value = data[key]
    column.metric(tr(label), number(value))
    if value is not None:
        column.caption(tr("kualitas.verdict_" + reliability.alpha_verdict(value)))

st.markdown(f"#### {tr('kualitas.icc')}")
st.caption(tr("kualitas.icc_note"))
if data["pairs"]:
    st.dataframe([{tr("kualitas.pair"): f"{p['assessor_a']} – {p['assessor_b']}", "n": p["n"]}
                  | ({form: number(p[form]) for form in reliability.ICC_FORMS}
                     | {tr("kualitas.band"): tr("band." + p["band"]) if p.get("band") else "–"}
                     if p["enough"] else {"ICC(2,1)": not_enough}) for p in data["pairs"]],
                 hide_index=True, width="stretch")
else:
    st.info(not_enough)

st.markdown(f"#### {tr('kualitas.leniency')}")
lenient = [row for row in data["leniency"] if row["leniency"] is not None]
if lenient:
    chart("leniency_bars", rows=[{"assessor": r["assessor"], "leniency": r["leniency"]} for r in lenient])
    for row in lenient:
        if row["flag"]:
            st.warning(tr("kualitas.flag_lenient" if row["leniency"] > 0 else "kualitas.flag_harsh",
                          name=escape_markdown(row["assessor"]), value=format_number(row["leniency"], 2, lang())))
else:
    st.info(not_enough)

st.markdown(f"#### {tr('kualitas.rwg')}")
if data["rwg"]:
    chart("rwg_histogram", values=[round(v, 4) for v in data["rwg"]])
    low = sum(1 for v in data["rwg"] if v < 0.7)
    st.caption(tr("kualitas.rwg_note", low=low, total=len(data["rwg"])))
else:
    st.info(not_enough)
