"""Kualitas Penilaian: how far the assessors' independent ratings agree (ICC, alpha, r_wg, leniency)."""

import streamlit as st

from core import charts, freshness, quality, reliability, settings
from core.i18n import format_number
from core.textutil import escape_markdown
from pages.common import chart, database, event_for, fresh, guard, lang, petunjuk, tr


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_quality(version: str, event_id: int) -> dict:
    """``quality.event_quality`` read at the data version it is cached under (every write moves it on)."""
    return freshness.read_at(database(), version, quality.event_quality, event_id)


def number(value, not_enough: str, digits: int = 3) -> str:
    return not_enough if value is None else format_number(value, digits, lang())


def alpha_section(data: dict, not_enough: str) -> None:
    """Krippendorff's alpha, ordinal and interval, with its verdict."""
    st.markdown(f"#### {tr('kualitas.alpha')}")
    columns = st.columns(2)
    for column, key, label in zip(columns, ("alpha_ordinal", "alpha_interval"), ("kualitas.ordinal",
                                                                                 "kualitas.interval"), strict=True):
        column.metric(tr(label), number(data[key], not_enough))
        if data[key] is not None:
            column.caption(tr("kualitas.verdict_" + reliability.alpha_verdict(data[key])))


def icc_section(data: dict, not_enough: str) -> None:
    """ICC per pair of assessors, with the Koo & Li band."""
    st.markdown(f"#### {tr('kualitas.icc')}")
    st.caption(tr("kualitas.icc_note"))
    if not data["pairs"]:
        st.info(not_enough)
        return
    st.dataframe([{tr("kualitas.pair"): f"{p['assessor_a']} – {p['assessor_b']}", "n": p["n"]}
                  | ({form: number(p[form], not_enough) for form in reliability.ICC_FORMS}
                     | {tr("kualitas.band"): tr("band." + p["band"]) if p.get("band") else "–"}
                     if p["enough"] else {"ICC(2,1)": not_enough}) for p in data["pairs"]],
                 hide_index=True, width="stretch")


def leniency_section(data: dict, not_enough: str) -> None:
    """Each assessor's leniency against the consensus; flagged ones named."""
    st.markdown(f"#### {tr('kualitas.leniency')}")
    lenient = [row for row in data["leniency"] if row["leniency"] is not None]
    if not lenient:
        st.info(not_enough)
        return
    chart(charts.leniency_bars, rows=[{"assessor": r["assessor"], "leniency": r["leniency"]} for r in lenient])
    for row in lenient:
        if row["flag"]:
            st.warning(tr("kualitas.flag_lenient" if row["leniency"] > 0 else "kualitas.flag_harsh",
                          name=escape_markdown(row["assessor"]), value=format_number(row["leniency"], 2, lang())))


def rwg_section(data: dict, not_enough: str, minimum: float) -> None:
    """The spread of r_wg over the cells and how many fall below the agreement minimum."""
    st.markdown(f"#### {tr('kualitas.rwg')}")
    if not data["rwg"]:
        st.info(not_enough)
        return
    chart(charts.rwg_histogram, values=[round(v, 4) for v in data["rwg"]])
    st.caption(tr("kualitas.rwg_note", low=reliability.low_agreement(data["rwg"], minimum), total=len(data["rwg"]),
                  minimum=format_number(minimum, 2, lang())))


db, user = guard("admin", "asesor")
st.title(tr("kualitas.title"))
petunjuk("kualitas.help")
event = event_for(user, db)
data = fresh(cached_quality, db, event["id"])
not_enough = tr("kualitas.not_enough", n=data["minimum"])
alpha_section(data, not_enough)
icc_section(data, not_enough)
leniency_section(data, not_enough)
rwg_section(data, not_enough, settings.get(db, "rwg_agreement_min"))
