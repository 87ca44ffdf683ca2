"""What the result pages show (Hasil, Talenta, Presentasi, Laporan), computed here once instead of in each page:
the finalised rows, the positions, the 9-box, the ranking tables, the chart inputs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlite_utils import Database

from core import charts, eligibility, registry, results, scoring, talent_store
from core.i18n import format_number, format_percent, t


@dataclass(frozen=True)
class Outcome:
    """The results of one event as the pages read them."""

    table: pd.DataFrame  # one row per registration, ranked (results.event_results)
    final: pd.DataFrame  # the finalised rows only: a draft is not a result
    positions: dict[int, str]  # positions with a finalised candidate, in the table's order
    boxes: list[dict]  # the 9-box summary of a pemetaan event; [] otherwise
    stages: list[dict]  # the selection stages with their weights; [] when the AC alone ranks
    talent: dict | None = None  # the talent map of a pemetaan event (talent_store.event_talent_map)
    successors: list[dict] = field(default_factory=list)  # per post of a pemetaan event, its succession pool
    ranks: bool = True  # scoring.ranks_people: a pemetaan lists by number with box and recommendation, never ranks
    ages: dict[int, dict] = field(default_factory=dict)  # registration → over the age limit (eligibility)


def outcome(db: Database, event_id: int) -> Outcome:
    """The one results computation a page needs for an event (a pemetaan's talent map built once)."""
    ranks = scoring.ranks_people(registry.get_event(db, event_id)["purpose"])
    built = None if ranks else talent_store.event_talent_map(db, event_id)
    table = results.event_results(db, event_id, talent_map=built)
    final, stages = finalised(table), results.list_stages(db, event_id)
    if built is None:
        return Outcome(table, final, positions(final), [], stages, ages=eligibility.age_warnings(db, event_id))
    return Outcome(table, final, positions(final), results.ninebox_summary(db, event_id, built), stages, built,
                   talent_store.event_successors(db, event_id, built["rows"], built["scheme"]["definition"]),
                   ranks=False)


def finalised(table: pd.DataFrame) -> pd.DataFrame:
    """The rows with a finalised result."""
    return table[table["finalized_at"].notna()] if not table.empty else table


def positions(table: pd.DataFrame) -> dict[int, str]:
    """Position id → name of the positions in ``table``, in its order."""
    if table.empty:
        return {}
    pairs = table[["position_id", "position_name"]].drop_duplicates().itertuples(index=False)
    return {int(p): n for p, n in pairs}


def candidate_label(row: dict) -> str:
    """How a registration is named in a picker: number · name · position."""
    return f"{row['participant_no']} · {row['name']} · {row['position_name']}"


def jpm_text(value, cap: bool, language: str) -> str:
    """JPM with a decimal comma (``88,89%``), capped at 100 when the admin's setting says so."""
    return format_percent(scoring.displayed_jpm(value, cap), language)


def ninebox_cells(boxes: list[dict]) -> list[dict]:
    """The input of the 9-box chart: position, head count and label of each box."""
    return [{k: b[k] for k in charts.NINEBOX_FIELDS} for b in boxes]


def succession_pool(boxes: list[dict]) -> list[dict]:
    """The people in the boxes that feed the succession pool."""
    return [p for b in boxes if b["succession"] for p in b["people"]]


def radar_profile(competencies: pd.DataFrame, registration_id: int) -> list[dict]:
    """The input of the radar chart of one registration: level and standard per competency."""
    rows = competencies[competencies["registration_id"] == registration_id]
    return [{"competency": r["competency_name"], "level": int(r["level"]), "standard": int(r["standard"])}
            for r in rows.to_dict("records")]


def gap_cells(competencies: pd.DataFrame, group: pd.DataFrame) -> list[dict]:
    """The input of the gap heat map: one cell per candidate of ``group`` × competency."""
    shown = competencies[competencies["registration_id"].isin(group["registration_id"])]
    labels = dict(zip(group["registration_id"], group["participant_no"] + " " + group["name"], strict=True))
    return [{"candidate": labels[r["registration_id"]], "competency": r["competency_name"], "gap": int(r["gap"])}
            for r in shown.to_dict("records")]


def _number(value, language: str) -> str:
    return format_number(value, 2, language) if pd.notna(value) else "–"


def ranking_rows(group: pd.DataFrame, stages: list[dict], cap: bool, language: str,
                 ages: dict[int, dict] | None = None) -> list[dict]:
    """The ranking table of one position as shown (decimal commas, stage columns, top-three mark).

    The rank, the ★ and the score that decides the order (the final score when there are stages, else
    JPM) come first: at a laptop's width the reader sees why rank 3 stands above rank 4. ``ages``: who is over
    the age limit (eligibility.age_warnings); when anyone is, an age column carries the mark."""
    out = []
    for r in group.sort_values(["rank", "participant_no"]).to_dict("records"):
        row = {t("hasil.rank", language): "–" if pd.isna(r["rank"]) else str(int(r["rank"])),
               t("hasil.top3", language): "★" if r["top3"] else ""}
        if stages:
            row[t("hasil.final_score", language)] = _number(r["final"], language)
        row |= {"JPM": jpm_text(r["jpm"], cap, language), t("field.name", language): r["name"]}
        if ages:
            row[t("recap.col.age", language)] = eligibility.age_mark(ages.get(int(r["registration_id"])), language)
        row |= {t("field.participant_no", language): r["participant_no"],
                t("field.category", language): category_text(r["category"], language),
                t("hasil.below", language): str(r["below_standard"])}
        for s in stages:
            row[f"{s['name']} ({format_number(s['weight'], 0, language)}%)"] = _number(r.get(f"stage_{s['id']}"),
                                                                                      language)
        out.append(row)
    return out


def category_text(code, language: str = "id") -> str:
    """A category as a reader knows it: "Memenuhi Syarat (MS)"; "–" when there is none yet."""
    if not isinstance(code, str) or not code:
        return "–"
    return f"{t('category.' + code, language)} ({code})"


def mapping_rows(group: pd.DataFrame, boxes: list[dict], cap: bool, language: str) -> list[dict]:
    """The results of one position of a pemetaan as shown: in number order, JPM, category, box and its
    recommended action (the pemetaan recap's view, core.report_recap.mapping_view); no rank, no ★."""
    texts = {int(b["box"]): b for b in boxes}
    out = []
    for r in group.sort_values("participant_no").to_dict("records"):
        box = texts.get(int(r["box"])) if pd.notna(r.get("box")) else None
        out.append({t("field.participant_no", language): r["participant_no"], t("field.name", language): r["name"],
                    "JPM": jpm_text(r["jpm"], cap, language),
                    t("field.category", language): category_text(r["category"], language),
                    t("recap.col.box", language): str(box["box"]) if box else "–",
                    t("recap.col.recommendation", language): box["action"] if box else t("recap.mapping.no_box",
                                                                                           language)})
    return out


def ranking_tables(result: Outcome, categories: tuple, cap: bool,
                   language: str) -> dict[int, tuple[pd.DataFrame, list[str]]]:
    """Per position: the table as shown (only ``categories``) and its warnings in words. A selection: the
    ranking, the warnings of its three best names and who is over the age limit; a pemetaan (never ranked,
    scoring.ranks_people): number order with box and recommendation, and no warnings about three names."""
    final = result.final
    shown = final[final["category"].isin(categories)]
    tables = {}
    for p in result.positions:
        group = shown[shown["position_id"] == p]
        if not result.ranks:
            tables[p] = (pd.DataFrame(mapping_rows(group, result.boxes, cap, language)), [])
            continue
        warnings = [t("hasil.warn_" + w, language) for w in results.top_three(final, p)[1]]
        aged = [r | {"age_flag": result.ages[int(r["registration_id"])]}
                for r in final[final["position_id"] == p].sort_values("participant_no").to_dict("records")
                if int(r["registration_id"]) in result.ages]
        tables[p] = (pd.DataFrame(ranking_rows(group, result.stages, cap, language, result.ages)),
                     warnings + ([eligibility.age_note(aged, language)] if aged else []))
    return tables
