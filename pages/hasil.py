"""Hasil: JPM, category, gaps, stages, final score, ranking per position, the three best names, robustness, ages
over the limit; for a pemetaan (never ranked) the peserta in number order with box and recommendation."""

import pandas as pd
import streamlit as st

from core import assessment, charts, eligibility, freshness, importer, outcomes, results, settings
from core.i18n import format_number
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    cached_competencies,
    cached_outcome,
    chart,
    database,
    event_for,
    fresh,
    guard,
    jpm_text,
    lang,
    petunjuk,
    plain_table,
    rerun,
    show_error,
    tr,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

db, user = guard("admin", "pimpinan", "asesor")
st.title(tr("hasil.title"))
event = event_for(user, db)
outcome = fresh(cached_outcome, db, event["id"])
petunjuk("hasil.help" if outcome.ranks else "hasil.help_mapping")


@st.cache_data(ttl=900, max_entries=8, show_spinner=False)
def cached_robustness(version: str, event_id: int) -> dict:
    return freshness.read_at(database(), version, results.robustness, event_id)


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_rankings(version: str, event_id: int, categories: tuple, cap: bool, language: str) -> dict[int, tuple]:
    """Per position, the ranking as shown and its warnings — formatted once per change, not every rerun."""
    return outcomes.ranking_tables(cached_outcome(version, event_id), categories, cap, language)


def chain_text() -> str:
    chain = results.tiebreak_chain(db, event["id"])
    primary = tr("hasil.primary_final") if outcome.stages else tr("hasil.primary_jpm")
    return tr("hasil.tiebreak", primary=primary, chain=", ".join(tr("tiebreak." + k) for k in chain))


def ranking_view() -> None:
    """Per position its ranking, warnings and robustness (a pemetaan: its list, never a ranking); one position
    picked adds its gap heat map."""
    positions = outcome.positions
    picked = st.selectbox(tr("field.position"), [0, *positions], key="hasil_position",
                          format_func=lambda p: positions.get(p, tr("hasil.all_positions")))
    categories = sorted(outcome.final["category"].dropna().unique())
    chosen = st.multiselect(tr("field.category"), categories, default=categories,  # keyed per event: one
                            format_func=lambda code: outcomes.category_text(code, lang()),
                            key=f"hasil_categories_{event['id']}")  # event's categories are not another's
    st.caption(chain_text() if outcome.ranks else tr("hasil.no_rank_note"))
    robust = fresh(cached_robustness, db, event["id"]) if outcome.ranks else None
    tables = fresh(cached_rankings, db, event["id"], tuple(chosen), settings.get(db, "jpm_display_cap"), lang())
    for position_id, name in positions.items():
        if not picked or position_id == picked:
            position_ranking(position_id, name, tables[position_id], robust)
    if picked:
        gap_heatmap(picked, chosen)


def position_ranking(position_id: int, name: str, shown: tuple, robust: dict | None) -> None:
    """One position: its warnings, its table, whether leaving out one assessor changes the top three (``robust``
    is None for a pemetaan: it has no top three)."""
    table, warnings = shown
    st.markdown(f"#### {escape_markdown(name)}")
    for warning in warnings:
        st.warning(escape_markdown(warning))
    st.dataframe(table, hide_index=True, width="stretch")
    if robust is None:
        return
    changed = {c["assessor_id"] for c in robust["changes"] if c["position_id"] == position_id}
    names = [a["full_name"] for a in assessment.list_assessors(db, event["id"]) if a["user_id"] in changed]
    st.caption(escape_markdown(tr("hasil.robust_changes", names=tr("common.or").join(names))) if changed
               else tr("hasil.robust_ok"))


def gap_heatmap(position_id: int, categories: list) -> None:
    final = outcome.final
    group = final[(final["position_id"] == position_id) & final["category"].isin(categories)]
    heat = outcomes.gap_cells(fresh(cached_competencies, db, event["id"]), group)
    if heat:
        chart(charts.gap_heatmap, rows=heat)


def candidate_view() -> None:
    """One finalised candidate: figures, the sentence, the radar and the competency table."""
    final = outcome.final
    people = {int(r["registration_id"]): outcomes.candidate_label(r) for r in final.to_dict("records")}
    reg_id = st.selectbox(tr("integrasi.pick"), list(people), format_func=people.get, key="hasil_candidate")
    person = final[final["registration_id"] == reg_id].iloc[0]
    competencies = fresh(cached_competencies, db, event["id"])
    candidate_figures(person)
    left, right = st.columns([3, 2])
    with left:
        chart(charts.radar, profile=outcomes.radar_profile(competencies, reg_id))
    with right:
        mine = competencies[competencies["registration_id"] == reg_id]
        plain_table([{tr("field.competency"): r["competency_name"], tr("field.standard"): str(r["standard"]),
                      tr("integrasi.consensus"): str(r["level"]), "Gap": f"{r['gap']:+d}"}
                     for r in mine.to_dict("records")])


def candidate_figures(person: pd.Series) -> None:
    decided_by_final = bool(outcome.ranks and outcome.stages and pd.notna(person.get("final")))
    columns = st.columns(4 if decided_by_final else 3)
    if decided_by_final:  # the score the rank follows comes first, as in the ranking table
        columns.pop(0).metric(tr("hasil.final_score"), format_number(person["final"], 2, lang()))
    c1, c2, c3 = columns
    c1.metric("JPM", jpm_text(db, person["jpm"]))
    c2.metric(tr("field.category"), outcomes.category_text(person["category"], lang()))
    if outcome.ranks:
        c3.metric(tr("hasil.rank"), "–" if pd.isna(person["rank"]) else int(person["rank"]))
    else:  # a pemetaan: the box, never a rank
        c3.metric(tr("recap.col.box"), "–" if pd.isna(person["box"]) else int(person["box"]))
    flag = outcome.ages.get(int(person["registration_id"]))
    if flag:
        st.warning(escape_markdown(eligibility.age_note([dict(person) | {"age_flag": flag}], lang())))
    st.markdown(tr("hasil.sentence", name=escape_markdown(person["name"]), achieved=int(person["achieved_total"]),
                   standard=int(person["standard_total"]), jpm=jpm_text(db, person["jpm"]),
                   category=tr(f"category.{person['category']}")))


def stages_view() -> None:
    """Admin: the scores of the stages other than the Assessment Center, typed in or imported."""
    st.caption(tr("hasil.stages_note"))
    entry = [s for s in outcome.stages if not s["is_ac"]]
    regs = outcome.table.sort_values(["position_sort", "participant_no"])
    stage_grid(entry, regs)
    st.markdown(f"**{tr('hasil.import_title')}**")
    people = [(r["participant_no"], r["nip"], r["name"]) for r in regs.to_dict("records")]
    st.download_button(tr("hasil.template"), importer.stage_template_xlsx([s["name"] for s in entry], people),
                       "templat_nilai_tahap.xlsx", mime=XLSX)
    upload = st.file_uploader(tr("kandidat.upload"), key="hasil_stage_upload")  # the reader checks the type
    if upload is not None and st.button(tr("kandidat.import_go"), key="hasil_stage_import"):
        stage_import(upload)


def score_or_none(row: dict, stage: dict) -> float | None:
    value = row.get(f"stage_{stage['id']}")
    return None if pd.isna(value) else float(value)


def stage_grid(entry: list[dict], regs: pd.DataFrame) -> None:
    grid = [{"reg": int(r["registration_id"]), tr("field.participant_no"): r["participant_no"],
             tr("field.name"): r["name"]} | {s["name"]: score_or_none(r, s) for s in entry}
            for r in regs.to_dict("records")]
    edited = st.data_editor(grid, key=f"hasil_stage_grid_{event['id']}", hide_index=True, height=420, width="stretch",
                            column_config={"reg": None} | {s["name"]: st.column_config.NumberColumn(
                                min_value=0.0, max_value=100.0, step=0.01, format="%.2f") for s in entry},
                            disabled=[tr("field.participant_no"), tr("field.name")])
    if st.button(tr("common.save"), type="primary", key="hasil_save_stages"):
        entered = [(row["reg"], s["id"], row[s["name"]]) for row in edited for s in entry
                   if row[s["name"]] is not None and row[s["name"]] == row[s["name"]]]
        if attempt(results.set_stage_scores, db, user, event["id"], entered):
            rerun(tr("common.saved"))


def stage_import(upload) -> None:
    try:
        result = results.import_stage_scores(db, user, event["id"], upload.name, upload.getvalue())
    except Exception as err:  # noqa: BLE001 — file-level problems become one message
        show_error(err)
        return
    if result.ok:
        rerun(tr("hasil.imported", n=len(result.rows)))
    st.error(tr("kandidat.import_rejected", n=len(result.errors)))
    plain_table([{tr("import.col_row"): e.row, tr("import.col_column"): e.column or "–",
                  tr("import.col_problem"): e.text(lang())} for e in result.errors])


VIEWS = {"ranking": ranking_view, "candidate": candidate_view, "stages": stages_view}
views = ["ranking", "candidate"] + (["stages"] if user["role"] == "admin" and outcome.stages else [])
label = {"ranking": "hasil.view_ranking" if outcome.ranks else "hasil.view_mapping"}
view = st.segmented_control(tr("common.view"), views, format_func=lambda v: tr(label.get(v, f"hasil.view_{v}")),
                            default="ranking", key="hasil_view") or "ranking"
if outcome.final.empty and view != "stages":
    st.info(tr("hasil.none_final"))
    st.stop()
VIEWS[view]()
