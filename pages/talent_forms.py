"""Peserta page sections for a person's talent data (SPEC §3.4, §3.5, §3.3): potensi with its uraian, rekam
jejak, SKP predikat per year — shown and entered. Who may read or write is decided in core (potensi is
confidential); every write is one audited transaction there."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import refdata, talent, talent_import, talent_store, talent_views
from pages.common import attempt, lang, plain_table, rerun, tr

REFERENCE = talent.potensi_reference()
SCALE = {s["level"]: f"{s['level']} ({s['code']}) {s['name']}" for s in REFERENCE["scale"]}


def talent_section(db, user: dict, candidate_id: int) -> None:
    """The three parts, folded: a data editor and forms are costly, most visits do not need them."""
    with st.expander(tr("talentform.talent_title")):
        potensi_part(db, user, candidate_id)
        rekam_jejak_part(db, user, candidate_id)
        skp_part(db, user, candidate_id)


def potensi_part(db, user: dict, candidate_id: int) -> None:
    st.markdown(f"**{tr('talentform.potensi')}**")
    current = attempt(talent_store.read_potensi, db, user, candidate_id)
    if current is None:
        return
    if current:
        first = next(iter(current.values()))
        st.caption(tr("talentform.potensi_source", source=first["source"] or "–", date=first["assessed_on"] or "–"))
        plain_table(talent_views.potensi_rows(current, lang()))
    potensi_form(db, user, candidate_id, current)


def potensi_form(db, user: dict, candidate_id: int, current: dict) -> None:
    """Level (or empty) and uraian per aspect; an empty level removes the aspect."""
    with st.form(f"peserta_potensi_{candidate_id}"):
        levels, notes = {}, {}
        for aspect in REFERENCE["aspects"]:
            code, old = aspect["code"], current.get(aspect["code"], {})
            left, right = st.columns([2, 3])
            levels[code] = left.selectbox(aspect["name"], [None, *SCALE], format_func=lambda v: SCALE.get(v, "–"),
                                          index=[None, *SCALE].index(old.get("level")), key=f"pp_{candidate_id}_{code}")
            notes[code] = right.text_input(tr("talenta.col.uraian"), value=old.get("uraian", ""), max_chars=1000,
                                           key=f"pu_{candidate_id}_{code}")
        first = next(iter(current.values()), {})
        c1, c2 = st.columns(2)
        source = c1.text_input(tr("talentform.source"), value=first.get("source", ""), max_chars=200)
        on = c2.date_input(tr("talentform.assessed_on"), value=_date(first.get("assessed_on")), format="DD/MM/YYYY")
        if st.form_submit_button(tr("talentform.save_potensi")):
            if attempt(talent_store.set_potensi, db, user, candidate_id, levels, notes, source or "entri",
                       on.isoformat() if on else None):
                rerun(tr("common.saved"))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _choice(label: str, name: str, old, key: str):
    """A rekam jejak list (data/potensi.json) as a selectbox with an empty choice."""
    names = {item["code"]: item["name"] for item in REFERENCE["rekam_jejak"][name]}
    options = [None, *names]
    return st.selectbox(label, options, index=options.index(old) if old in options else 0,
                        format_func=lambda v: names.get(v, "–"), key=key)


def rekam_jejak_part(db, user: dict, candidate_id: int) -> None:
    """Pendidikan, pelatihan JP, pengalaman jabatan, hukuman disiplin, kesesuaian bidang (SPEC §3.5)."""
    st.markdown(f"**{tr('talentform.rekam_jejak')}**")
    old = talent_store.rekam_jejak_of(db, candidate_id) or {}
    with st.form(f"peserta_rekam_{candidate_id}"):
        c1, c2, c3 = st.columns(3)
        with c1:
            pendidikan = _choice(tr("talent.component.pendidikan"), "pendidikan", old.get("pendidikan"),
                                 f"pr_pend_{candidate_id}")
        jp = c2.number_input(tr("talentform.jp"), 0, 2000, old.get("pelatihan_jp"), 1)
        months = c3.number_input(tr("talentform.months"), 0, 600, old.get("months_in_jenjang"), 1)
        posts = c1.number_input(tr("talentform.posts"), 0, 100, old.get("posts_count"), 1)
        with c2:
            hukdis = _choice(tr("talent.component.integritas"), "hukuman_disiplin", old.get("hukuman_disiplin"),
                             f"pr_huk_{candidate_id}")
        hukdis_date = c3.date_input(tr("talentform.hukdis_date"), value=_date(old.get("hukuman_disiplin_date")),
                                    format="DD/MM/YYYY")
        with c1:
            fit = _choice(tr("talent.component.kesesuaian_bidang"), "kesesuaian_bidang", old.get("kesesuaian_bidang"),
                          f"pr_fit_{candidate_id}")
        as_of = c2.date_input(tr("talentform.as_of"), value=_date(old.get("as_of")), format="DD/MM/YYYY")
        if st.form_submit_button(tr("talentform.save_rekam_jejak")):
            values = {"pendidikan": pendidikan, "pelatihan_jp": jp, "months_in_jenjang": months, "posts_count": posts,
                      "hukuman_disiplin": hukdis, "kesesuaian_bidang": fit,
                      "hukuman_disiplin_date": hukdis_date.isoformat() if hukdis_date else None,
                      "as_of": as_of.isoformat() if as_of else None}
            if attempt(talent_store.set_rekam_jejak, db, user, candidate_id, values):
                rerun(tr("common.saved"))


def skp_part(db, user: dict, candidate_id: int) -> None:
    """The SKP predikat per year (PermenPANRB 6/2022): the years on record, and one year set or removed."""
    st.markdown(f"**{tr('talentform.skp')}**")
    names = {p["code"]: p["name"] for p in refdata.skp_predikat(db)}
    on_record = talent_store.skp_of(db, candidate_id)
    if on_record:
        plain_table([{tr("talentform.year"): str(year), "SKP": names.get(code, code)}
                     for year, code in on_record.items()])
    with st.form(f"peserta_skp_{candidate_id}"):
        c1, c2 = st.columns(2)
        year = c1.number_input(tr("talentform.year"), 2000, 2100, dt.date.today().year - 1, 1)
        predikat = c2.selectbox("SKP", [None, *names], format_func=lambda v: names.get(v, tr("talentform.skp_remove")))
        if st.form_submit_button(tr("talentform.save_skp")):
            if attempt(talent_store.set_skp, db, user, candidate_id, year, predikat):
                rerun(tr("common.saved"))


def talent_import_kind() -> str:
    """Which talent file the officer brings: potensi, rekam jejak or SKP (read by the peserta page's import)."""
    st.divider()
    st.markdown(f"#### {tr('talentform.import_title')}")
    kind = st.radio(tr("talentform.import_kind"), talent_import.KINDS, horizontal=True, key="talent_import_kind",
                    format_func=lambda k: tr(f"talentform.kind.{k}"))
    st.caption(tr(f"talentform.import_help.{kind}"))
    return kind
