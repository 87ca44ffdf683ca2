"""Hasil: JPM, category, gaps, stages, final score, ranking per position, the three best names, robustness."""

import pandas as pd
import streamlit as st

from core import integration, results
from core.i18n import format_number
from core.textutil import escape_markdown
from pages.common import (
    attempt,
    cached_competencies,
    cached_results,
    chart,
    database,
    event_for,
    guard,
    jpm_text,
    lang,
    petunjuk,
    plain_table,
    rerun,
    show_error,
    tr,
)

db, user = guard("admin", "pimpinan", "asesor")
st.title(tr("hasil.title"))
petunjuk("hasil.help")
event = event_for(user, db)
token = integration.change_token(db)



@st.cache_data(ttl=900, max_entries=8, show_spinner=False)
def cached_robustness(event_id: int, token: int) -> dict:
    return results.robustness(database(), event_id)


table = cached_results(event["id"], token)
stages = results.list_stages(db, event["id"])
views = ["ranking", "candidate"] + (["stages"] if user["role"] == "admin" and stages else [])
view = st.segmented_control(tr("common.view"), views, format_func=lambda v: tr(f"hasil.view_{v}"),
                            default="ranking", key="hasil_view") or "ranking"
final = table[table["finalized_at"].notna()] if not table.empty else table
if final.empty and view != "stages":
    st.info(tr("hasil.none_final"))
    st.stop()

positions = {int(p): n for p, n in final[["position_id", "position_name"]].drop_duplicates().itertuples(index=False)}


def chain_text() -> str:
    chain = results.tiebreak_chain(db, event["id"])
    primary = tr("hasil.primary_final") if stages else tr("hasil.primary_jpm")
    return tr("hasil.tiebreak", primary=primary, chain=", ".join(tr("tiebreak." + k) for k in chain))


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def ranking_tables(event_id: int, token: int, language: str, categories: tuple) -> dict[int, tuple]:
    """Per position, the ranking as shown and its warnings — formatted once per change, not every rerun."""
    shown = final[final["category"].isin(categories)]
    return {int(p): (pd.DataFrame(ranking_rows(shown[shown["position_id"] == p])), results.top_three(final, p)[1])
            for p in positions}


def ranking_rows(group: pd.DataFrame) -> list[dict]:
    """The ranking table of one position as shown (decimal commas, stage columns, top-three mark)."""
    out = []
    for r in group.sort_values(["rank", "participant_no"]).to_dict("records"):
        row = {tr("hasil.rank"): "–" if pd.isna(r["rank"]) else str(int(r["rank"])),
               tr("field.participant_no"): r["participant_no"],
               tr("field.name"): r["name"], "JPM": jpm_text(db, r["jpm"]),
               tr("field.category"): r["category"], tr("hasil.below"): str(r["below_standard"])}
        for s in stages:
            value = r.get(f"stage_{s['id']}")
            row[f"{s['name']} ({format_number(s['weight'], 0, lang())}%)"] = format_number(
                value, 2, lang()) if pd.notna(value) else "–"
        if stages:
            row[tr("hasil.final_score")] = format_number(r["final"], 2, lang()) if pd.notna(r["final"]) else "–"
        row[tr("hasil.top3")] = "★" if r["top3"] else ""
        out.append(row)
    return out


if view == "ranking":
    picked = st.selectbox(tr("field.position"), [0, *positions], key="hasil_position",
                          format_func=lambda p: positions.get(p, tr("hasil.all_positions")))
    categories = sorted(final["category"].dropna().unique())
    chosen = st.multiselect(tr("field.category"), categories, default=categories, key="hasil_categories")
    st.caption(chain_text())
    robust = cached_robustness(event["id"], token)
    tables = ranking_tables(event["id"], token, lang(), tuple(chosen))
    for position_id, name in positions.items():
        if picked and position_id != picked:
            continue
        st.markdown(f"#### {escape_markdown(name)}")
        shown_table, warnings = tables[position_id]
        for warning in warnings:
            st.warning(tr("hasil.warn_" + warning))
        st.dataframe(shown_table, hide_index=True, width="stretch")
        changed = [c for c in robust["changes"] if c["position_id"] == position_id]
        if changed:
            st.caption(tr("hasil.robust_changes", n=len({c["assessor_id"] for c in changed})))
        else:
            st.caption(tr("hasil.robust_ok"))
        if picked:
            gaps = cached_competencies(event["id"], token)
            group = final[(final["position_id"] == position_id) & final["category"].isin(chosen)]
            gaps = gaps[gaps["registration_id"].isin(group["registration_id"])]
            labels = dict(zip(group["registration_id"], group["participant_no"] + " " + group["name"], strict=True))
            heat = [{"candidate": labels[r["registration_id"]], "competency": r["competency_name"],
                     "gap": int(r["gap"])} for r in gaps.to_dict("records")]
            if heat:
                chart("gap_heatmap", rows=heat)

if view == "candidate":
    people = {int(r["registration_id"]): f"{r['participant_no']} · {r['name']} · {r['position_name']}"
              for r in final.to_dict("records")}
    reg_id = st.selectbox(tr("integrasi.pick"), list(people), format_func=people.get, key="hasil_candidate")
    person = final[final["registration_id"] == reg_id].iloc[0]
    profile = cached_competencies(event["id"], token)
    profile = profile[profile["registration_id"] == reg_id]
    c1, c2, c3 = st.columns(3)
    c1.metric("JPM", jpm_text(db, person["jpm"]))
    c2.metric(tr("field.category"), person["category"])
    c3.metric(tr("hasil.rank"), "–" if pd.isna(person["rank"]) else int(person["rank"]))
    st.markdown(tr("hasil.sentence", name=escape_markdown(person["name"]), achieved=int(person["achieved_total"]),
                   standard=int(person["standard_total"]), jpm=jpm_text(db, person["jpm"]),
                   category=tr(f"category.{person['category']}")))
    left, right = st.columns([3, 2])
    with left:
        chart("radar", profile=[{"competency": r["competency_name"], "level": int(r["level"]),
                                 "standard": int(r["standard"])} for r in profile.to_dict("records")])
    with right:
        plain_table([{tr("field.competency"): r["competency_name"], tr("field.standard"): str(r["standard"]),
                      tr("integrasi.consensus"): str(r["level"]), "Gap": f"{r['gap']:+d}"}
                     for r in profile.to_dict("records")])

if view == "stages":
    st.caption(tr("hasil.stages_note"))
    entry = [s for s in stages if not s["is_ac"]]
    regs = table.sort_values(["position_sort", "participant_no"])
    grid = [{"reg": int(r["registration_id"]), tr("field.participant_no"): r["participant_no"],
             tr("field.name"): r["name"]}
            | {s["name"]: (None if pd.isna(r.get(f"stage_{s['id']}")) else float(r[f"stage_{s['id']}"])) for s in entry}
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
    st.markdown(f"**{tr('hasil.import_title')}**")
    from core import importer

    people = [(r["participant_no"], r["nip"], r["name"]) for r in regs.to_dict("records")]
    st.download_button(tr("hasil.template"), importer.stage_template_xlsx([s["name"] for s in entry], people),
                       "templat_nilai_tahap.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    upload = st.file_uploader(tr("kandidat.upload"), key="hasil_stage_upload")  # the reader checks the type
    if upload is not None and st.button(tr("kandidat.import_go"), key="hasil_stage_import"):
        try:
            result = results.import_stage_scores(db, user, event["id"], upload.name, upload.getvalue())
        except Exception as err:  # noqa: BLE001 — file-level problems become one message
            show_error(err)
        else:
            if result.ok:
                rerun(tr("hasil.imported", n=len(result.rows)))
            st.error(tr("kandidat.import_rejected", n=len(result.errors)))
            plain_table([{tr("import.col_row"): e.row, tr("import.col_column"): e.column or "–",
                          tr("import.col_problem"): e.text(lang())} for e in result.errors])
