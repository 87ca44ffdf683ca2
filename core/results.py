"""Results of an event (SPEC §4.4–§4.6): JPM, gaps, categories, stages, final scores, ranking, the
three best names, robustness, the 9-box. Vectorised over the event with pandas; the rules themselves
are the pure functions of :mod:`core.scoring`.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlite_utils import Database

from core import audit, importer, scoring, talent, talent_store
from core.db import one, rows, transaction
from core.errors import Conflict, ValidationError
from core.fields import clean_score, clean_text
from core.integration import cell_statistics, event_ratings, thresholds
from core.registry import get_event, require_state
from core.roles import require

STAGE_STATES = ("persiapan", "penilaian", "integrasi")
TIEBREAK_KEYS = scoring.TIEBREAK_DEFAULT


# Stages and weights (seleksi terbuka) -----------------------------------------------------------

def list_stages(db: Database, event_id: int) -> list[dict]:
    return rows(db, "SELECT * FROM stages WHERE event_id = ? ORDER BY sort, id", (event_id,))


def set_stages(db: Database, actor: dict, event_id: int, stages: list[dict], confirm_remove: bool = False) -> None:
    """Set the stages of a pengisian event: names, weights summing to 100, one Assessment Center stage.

    A stage given with its ``id`` keeps it (and its scores) whatever its new name; one without an id
    keeps the stage of the same name, or is new. Removing a stage that has scores needs
    ``confirm_remove=True``; every removed score goes to the audit log with its value.
    """
    require(actor, "admin")
    cleaned = [{"id": s.get("id"), "name": clean_text(s.get("name"), "field.stage", required=True, max_len=100),
                "weight": _weight(s.get("weight")), "is_ac": int(bool(s.get("is_ac")))} for s in stages]
    if cleaned:
        if len({s["name"].lower() for s in cleaned}) != len(cleaned):
            raise ValidationError("stage.duplicate")
        if sum(s["is_ac"] for s in cleaned) != 1:
            raise ValidationError("stage.one_ac")
        if abs(sum(s["weight"] for s in cleaned) - 100) > 1e-9:
            raise ValidationError("stage.weights_sum", total=_plain(sum(s["weight"] for s in cleaned)))
    with transaction(db):
        event = get_event(db, event_id)
        require_state(event, *STAGE_STATES)
        if event["purpose"] != "pengisian" and cleaned:
            raise Conflict("stage.only_pengisian")
        before = list_stages(db, event_id)
        matched = _match_stages(before, cleaned)
        removed = stage_removals(db, [s for s in before if s["id"] not in matched.values()])
        if removed and not confirm_remove:
            raise Conflict("stage.remove_needs_confirm", names=", ".join(r["name"] for r in removed),
                           n=sum(r["scores"] for r in removed))
        _replace_stages(db, actor, event_id, before, matched, cleaned)
        audit.record(db, actor, "update", "stages", event_id,
                     old=[{k: s[k] for k in ("id", "name", "weight", "is_ac")} for s in before],
                     new=[s | {"id": matched.get(i)} for i, s in enumerate(cleaned)])


def stage_removals(db: Database, stages: list[dict]) -> list[dict]:
    """Of ``stages`` (rows of ``stages``), those with scores: ``[{"id", "name", "scores"}]``."""
    counts = {r["stage_id"]: r["n"] for r in rows(db, f"""SELECT stage_id, count(*) AS n FROM stage_scores
        WHERE stage_id IN ({",".join("?" * len(stages))}) GROUP BY stage_id""", tuple(s["id"] for s in stages))}
    return [{"id": s["id"], "name": s["name"], "scores": counts[s["id"]]} for s in stages if counts.get(s["id"])]


def pending_removals(db: Database, event_id: int, stages: list[dict]) -> list[dict]:
    """The stages with scores that ``set_stages(db, …, event_id, stages)`` would remove (for the page to ask)."""
    before = list_stages(db, event_id)
    cleaned = [{"id": s.get("id"), "name": clean_text(s.get("name"), "field.stage", max_len=10**6)} for s in stages]
    matched = _match_stages(before, cleaned)
    return stage_removals(db, [s for s in before if s["id"] not in matched.values()])


def _match_stages(before: list[dict], cleaned: list[dict]) -> dict[int, int]:
    """Position in ``cleaned`` → id of the existing stage it keeps: by ``id`` first, else by name."""
    ids = {s["id"] for s in before}
    if any(s.get("id") is not None and s["id"] not in ids for s in cleaned):
        raise ValidationError("stage.not_found")
    matched = {i: s["id"] for i, s in enumerate(cleaned) if s.get("id") in ids}
    if len(set(matched.values())) != len(matched):
        raise ValidationError("stage.duplicate")
    free = {s["name"].lower(): s["id"] for s in before if s["id"] not in matched.values()}
    for i, stage in enumerate(cleaned):
        if i not in matched and stage.get("id") is None and stage["name"].lower() in free:
            matched[i] = free.pop(stage["name"].lower())
    return matched


def _replace_stages(db: Database, actor: dict, event_id: int, before: list[dict], matched: dict[int, int],
                    cleaned: list[dict]) -> None:
    """Update kept stages in place (ids and scores stay), insert new ones, drop the rest with audited scores."""
    for stage in before:
        if stage["id"] not in matched.values():
            for score in rows(db, "SELECT * FROM stage_scores WHERE stage_id = ?", (stage["id"],)):
                audit.record(db, actor, "delete", "stage_score", f"{score['registration_id']}/{stage['id']}",
                             old={"stage": stage["name"], "score": score["score"]})
            db.execute("DELETE FROM stage_scores WHERE stage_id = ?", (stage["id"],))
            db.execute("DELETE FROM stages WHERE id = ?", (stage["id"],))
    # Names are unique per event: park the kept ones on a name no one can type, so A ↔ B swaps work.
    db.execute("UPDATE stages SET is_ac = 0, sort = -id, name = char(1) || id WHERE event_id = ?", (event_id,))
    for sort, stage in enumerate(cleaned):
        values = {k: stage[k] for k in ("name", "weight", "is_ac")} | {"sort": sort}
        if sort in matched:
            db["stages"].update(matched[sort], values)
        else:
            db["stages"].insert(values | {"event_id": event_id})


def _weight(value) -> float:
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise ValidationError("stage.bad_weight") from None
    if not 0 < weight <= 100:
        raise ValidationError("stage.bad_weight")
    return weight


def _plain(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def set_stage_scores(db: Database, actor: dict, event_id: int, entries: list[tuple[int, int, float]]) -> int:
    """Admin saves many ``(registration_id, stage_id, score)`` at once: all or nothing; returns how many."""
    require(actor, "admin")
    cleaned = [(reg, stage, clean_score(score)) for reg, stage, score in entries]
    with transaction(db):
        registrations = {r["id"] for r in rows(db, "SELECT id FROM registrations WHERE event_id = ?", (event_id,))}
        stages = {}
        for reg, stage_id, score in cleaned:
            stage = stages.setdefault(stage_id, _entry_stage(db, stage_id))
            if stage["event_id"] != event_id or reg not in registrations:
                raise ValidationError("stage.registration_not_in_event")
            _write_score(db, actor, reg, stage_id, score)
    return len(cleaned)


def _entry_stage(db: Database, stage_id: int) -> dict:
    stage = one(db, "SELECT * FROM stages WHERE id = ?", (stage_id,))
    if not stage:
        raise ValidationError("stage.not_found")
    if stage["is_ac"]:
        raise ValidationError("stage.ac_is_computed")
    require_state(get_event(db, stage["event_id"]), *STAGE_STATES)
    return stage


def _write_score(db: Database, actor: dict, registration_id: int, stage_id: int, score: float) -> None:
    before = one(db, "SELECT score FROM stage_scores WHERE registration_id = ? AND stage_id = ?",
                 (registration_id, stage_id))
    if before and before["score"] == score:
        return
    db.execute("INSERT INTO stage_scores (registration_id, stage_id, score, updated_at) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (registration_id, stage_id) DO UPDATE SET score = excluded.score,"
               " updated_at = excluded.updated_at", (registration_id, stage_id, score, audit.now()))
    audit.record(db, actor, "score", "stage_score", f"{registration_id}/{stage_id}",
                 old=before["score"] if before else None, new=score)


def import_stage_scores(db: Database, actor: dict, event_id: int, filename: str, data: bytes):
    """All-or-nothing import of stage scores; returns the parse result with its row errors."""
    require(actor, "admin")
    stages = [s for s in list_stages(db, event_id) if not s["is_ac"]]
    if not stages:
        raise ValidationError("stage.none_to_import")
    registrations = {r["nip"]: r["registration_id"] for r in rows(db, """
        SELECT c.nip, r.id AS registration_id FROM registrations r JOIN candidates c ON c.id = r.candidate_id
        WHERE r.event_id = ?""", (event_id,))}
    result = importer.parse_stage_file(filename, data, [s["name"] for s in stages], registrations)
    if not result.ok:
        return result
    ids = {s["name"]: s["id"] for s in stages}
    with transaction(db):
        require_state(get_event(db, event_id), *STAGE_STATES)
        for row in result.rows:
            for name, score in row["scores"].items():
                _write_score(db, actor, row["registration_id"], ids[name], score)
        audit.record(db, actor, "import", "stage_score", event_id, new={"file": filename, "rows": len(result.rows)})
    return result


def set_tiebreak(db: Database, actor: dict, event_id: int, chain: list[str]) -> None:
    """The tie-break chain of an event, stored and printed under every ranking."""
    require(actor, "admin")
    if not chain or len(set(chain)) != len(chain) or set(chain) - set(TIEBREAK_KEYS):
        raise ValidationError("stage.bad_tiebreak")
    with transaction(db):
        event = get_event(db, event_id)
        require_state(event, *STAGE_STATES)
        db.execute("UPDATE events SET tiebreak = ?, updated_at = ? WHERE id = ?",
                   (json.dumps(chain), audit.now(), event_id))
        audit.record(db, actor, "update", "tiebreak", event_id, old=json.loads(event["tiebreak"]), new=chain)


# The results table of an event ----------------------------------------------------------------

def _frame(db: Database, sql: str, params: tuple) -> pd.DataFrame:
    cursor = db.execute(sql, params)
    return pd.DataFrame.from_records(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def standards(db: Database, event_id: int) -> pd.DataFrame:
    """Position × competency → standard level, as rows."""
    return _frame(db, """SELECT s.position_id, s.competency, s.level AS standard FROM position_standards s
                         JOIN positions p ON p.id = s.position_id WHERE p.event_id = ?""", (event_id,))


def registrations_frame(db: Database, event_id: int) -> pd.DataFrame:
    return _frame(db, """
        SELECT r.id AS registration_id, r.participant_no, r.position_id, p.name AS position_name,
               p.sort AS position_sort, p.job_class, c.id AS candidate_id, c.name, c.nip, c.tmt_cpns, c.golongan,
               g.rank AS golongan_rank,
               c.current_position, c.current_unit, r.skp_predikat, res.finalized_at, res.kekuatan,
               coalesce(r.assessment_date, e.end_date) AS assessment_date
        FROM registrations r JOIN candidates c ON c.id = r.candidate_id JOIN positions p ON p.id = r.position_id
        JOIN events e ON e.id = r.event_id
        LEFT JOIN golongan g ON g.code = c.golongan LEFT JOIN results res ON res.registration_id = r.id
        WHERE r.event_id = ?""", (event_id,))


def consensus_frame(db: Database, event_id: int) -> pd.DataFrame:
    """Consensus levels of finalised candidates only: a draft consensus is not a result."""
    return _frame(db, """SELECT cs.registration_id, cs.competency, cs.level FROM consensus cs
                         JOIN registrations r ON r.id = cs.registration_id
                         JOIN results res ON res.registration_id = r.id
                         WHERE r.event_id = ? AND res.finalized_at IS NOT NULL""", (event_id,))


def profile(levels: pd.DataFrame, regs: pd.DataFrame, stds: pd.DataFrame) -> pd.DataFrame:
    """Per registration: achieved and standard totals, JPM, number of competencies below standard.

    ``levels`` has registration_id, competency, level; only competencies of the position's standard count.
    """
    cells = regs[["registration_id", "position_id"]].merge(stds, on="position_id").merge(
        levels, on=["registration_id", "competency"], how="left")
    cells["below"] = cells["level"] < cells["standard"]
    grouped = cells.groupby("registration_id")
    out = pd.DataFrame({"achieved_total": grouped["level"].sum(min_count=1),
                        "standard_total": grouped["standard"].sum(),
                        "missing": grouped["level"].apply(lambda s: s.isna().sum()),
                        "below_standard": grouped["below"].sum()}).reset_index()
    complete = out["missing"] == 0
    out["jpm"] = (100.0 * out["achieved_total"] / out["standard_total"]).where(complete)
    return out.drop(columns="missing")


def event_results(db: Database, event_id: int, levels: pd.DataFrame | None = None,
                  talent_map: dict | None = None) -> pd.DataFrame:
    """The results table of an event: one row per registration, ranked per position when the event ranks
    (:func:`core.scoring.ranks_people`; a pemetaan keeps ``rank`` empty and ``top3`` false).

    ``levels`` replaces the finalised consensus (the robustness check passes suggestions here);
    ``talent_map`` is the event's talent map when the caller has built it already (a pemetaan's boxes).
    """
    event = get_event(db, event_id)
    regs = registrations_frame(db, event_id)
    if regs.empty:
        return regs
    levels = consensus_frame(db, event_id) if levels is None else levels
    table = regs.merge(profile(levels, regs, standards(db, event_id)), on="registration_id", how="left")
    table["category"] = _categories(table["jpm"], event["purpose"], thresholds(db, event["purpose"]))
    blocked = {r["code"] for r in rows(db, "SELECT code FROM categories WHERE recommended = 0")}
    table["recommended"] = [None if c is None else c not in blocked for c in table["category"]]
    table = _with_stages(db, event_id, table)
    table["service"] = [scoring.service_months(t, event["end_date"]) if t else None for t in table["tmt_cpns"]]
    if scoring.ranks_people(event["purpose"]):
        table = _ranked(table, json.loads(event["tiebreak"]), bool(list_stages(db, event_id)))
    else:  # a pemetaan never ranks (SPEC §4.6): no rank, no three best, in the order of the participant numbers
        table["rank"], table["top3"] = pd.Series(pd.NA, index=table.index, dtype="Int64"), False
    if event["purpose"] == "pemetaan":
        table["box"] = _boxes(db, event_id, table, talent_map)
    return table.sort_values(["position_sort", "rank", "participant_no"], na_position="last").reset_index(drop=True)


def _categories(jpm: pd.Series, purpose: str, table) -> list:
    return [scoring.category(v, purpose, table) if pd.notna(v) else None for v in jpm]


def _with_stages(db: Database, event_id: int, table: pd.DataFrame) -> pd.DataFrame:
    """Stage scores as columns ``stage_<id>``, the AC stage from JPM, and the final score."""
    stages = list_stages(db, event_id)
    if not stages:
        table["final"] = None
        return table
    scores = _frame(db, """SELECT ss.registration_id, ss.stage_id, ss.score FROM stage_scores ss
                           JOIN stages s ON s.id = ss.stage_id WHERE s.event_id = ?""", (event_id,))
    wide = scores.pivot(index="registration_id", columns="stage_id", values="score") if not scores.empty else None
    weights = {f"stage_{s['id']}": s["weight"] for s in stages}
    for stage in stages:
        column = f"stage_{stage['id']}"
        if stage["is_ac"]:
            table[column] = table["jpm"].clip(upper=100)
        elif wide is not None and stage["id"] in wide.columns:
            table[column] = table["registration_id"].map(wide[stage["id"]])
        else:
            table[column] = float("nan")
    # The same rule as scoring.final_score, row by row: half a cent rounds up (float round() would not).
    table["final"] = [scoring.final_score({c: _py(r[c]) for c in weights}, weights)
                      for r in table[list(weights)].to_dict("records")]
    return table


def _ranked(table: pd.DataFrame, chain: list[str], has_stages: bool) -> pd.DataFrame:
    """Rank per position among candidates with a result; the stored chain of SPEC §4.5 breaks ties."""
    primary = "final" if has_stages else "jpm"
    ranks: dict[int, int] = {}
    scored = table[table[primary].notna()]
    for _position, group in scored.groupby("position_id"):
        records = [{"registration_id": r["registration_id"], primary: r[primary], "jpm": _py(r["jpm"]),
                    "below_standard": _py(r["below_standard"]), "golongan": _py(r["golongan_rank"]),
                    "service": _py(r["service"])} for r in group.to_dict("records")]
        ranks |= {r["registration_id"]: r["rank"] for r in scoring.rank(records, chain, primary)}
    table["rank"] = table["registration_id"].map(ranks).astype("Int64")
    table["top3"] = table["rank"].fillna(99) <= 3
    return table


def _py(value):
    return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else value


def _boxes(db: Database, event_id: int, table: pd.DataFrame, built: dict | None = None) -> list:
    """The box of each registration on the event's talent scheme (SPEC §4.6); None while data are missing."""
    built = built or talent_store.event_talent_map(db, event_id)
    placed = {r["registration_id"]: r["box"] for r in built["rows"]}
    return [placed.get(registration_id) for registration_id in table["registration_id"]]


def top_three(table: pd.DataFrame, position_id: int) -> tuple[list[dict], list[str]]:
    """The three best names of a position with the warnings of SPEC §4.5.

    Whether a category is recommended comes from the ``categories`` table, via the ``recommended``
    column of :func:`event_results`.
    """
    ranked = table[(table["position_id"] == position_id) & table["rank"].notna()].sort_values("rank")
    records = [{k: _py(v) for k, v in r.items()} for r in ranked.to_dict("records")]
    return scoring.top_three(records, {r["category"] for r in records if r["category"] and not r["recommended"]})


# Robustness: leave one assessor out --------------------------------------------------------------

def suggested_levels(ratings: pd.DataFrame, method: str) -> pd.DataFrame:
    """The suggested consensus of every cell, as the levels a result would be computed from."""
    if ratings.empty:
        return pd.DataFrame(columns=["registration_id", "competency", "level"])
    stats = cell_statistics(ratings, method)
    return stats[["registration_id", "competency"]].assign(level=stats["suggested"])


def robustness(db: Database, event_id: int) -> dict:
    """Would any position's top three change if one assessor were left out? (SPEC §4.5)

    Baseline and variants both use the suggested consensus of the finalised candidates' ratings,
    so the comparison isolates the assessor's influence from the meeting's decisions.
    """
    event = get_event(db, event_id)
    if not scoring.ranks_people(event["purpose"]):  # no top three to change
        return {"positions": {}, "changes": []}
    final_ids = set(consensus_frame(db, event_id)["registration_id"])
    ratings = event_ratings(db, event_id, final_ids)
    if ratings.empty:
        return {"positions": {}, "changes": []}
    baseline = _top_sets(event_results(db, event_id, suggested_levels(ratings, event["consensus_method"])))
    changes = []
    for assessor_id in sorted(ratings["assessor_id"].unique()):
        variant = event_results(db, event_id, suggested_levels(ratings[ratings["assessor_id"] != assessor_id],
                                                               event["consensus_method"]))
        for position_id, names in _top_sets(variant).items():
            if names != baseline.get(position_id):
                changes.append({"assessor_id": int(assessor_id), "position_id": position_id,
                                "before": baseline.get(position_id, frozenset()), "after": names})
    return {"positions": baseline, "changes": changes}


def _top_sets(table: pd.DataFrame) -> dict[int, frozenset]:
    if table.empty:
        return {}
    top = table[table["top3"]]
    return {int(p): frozenset(g["registration_id"]) for p, g in top.groupby("position_id")}


def competency_table(db: Database, event_id: int) -> pd.DataFrame:
    """Finalised consensus per registration × competency with its standard and gap (for heat maps, radars)."""
    cells = _frame(db, """
        SELECT r.id AS registration_id, r.position_id, s.competency, k.name AS competency_name, k.sort,
               s.level AS standard
        FROM registrations r JOIN position_standards s ON s.position_id = r.position_id
        JOIN competencies k ON k.code = s.competency WHERE r.event_id = ?""", (event_id,))
    table = cells.merge(consensus_frame(db, event_id), on=["registration_id", "competency"])
    table["gap"] = table["level"] - table["standard"]
    return table.sort_values(["registration_id", "sort"]).reset_index(drop=True)


def tiebreak_chain(db: Database, event_id: int) -> list[str]:
    return json.loads(get_event(db, event_id)["tiebreak"])


def set_skp_predikat(db: Database, actor: dict, event_id: int, values: dict[int, str | None],
                     year: int | None = None) -> None:
    """Admin records the SKP predikat of the event's people for one year (default: the year before the event,
    the SKP the talent map uses); kept per person and year, each change audited."""
    with transaction(db):
        event = get_event(db, event_id)
        year = year or talent.skp_years(int(event["end_date"][:4]), 1)[0]
        set_skp_years(db, actor, event_id, {reg: {year: value} for reg, value in values.items()})


def set_skp_years(db: Database, actor: dict, event_id: int, values: dict[int, dict[int, str | None]]) -> None:
    """Admin records SKP predikat per person and year ({registration: {year: predikat or None}}) in one
    transaction: a scheme that reads two years is edited in one save. Each change audited."""
    require(actor, "admin")
    with transaction(db):
        event = get_event(db, event_id)
        people = {r["id"]: r["candidate_id"] for r in rows(
            db, "SELECT id, candidate_id FROM registrations WHERE event_id = ?", (event_id,))}
        for reg, years in values.items():
            if reg not in people:
                raise ValidationError("stage.registration_not_in_event")
            for year, value in years.items():
                talent_store.set_skp(db, actor, people[reg], year, value, source=event["name"])


def ninebox_summary(db: Database, event_id: int, built: dict | None = None) -> list[dict]:
    """The nine boxes of the event's scheme, highest number first: cell, label, action, succession flag, head
    count and the people placed (talent-map rows, in the event's order). ``built``: an event_talent_map."""
    built = built or talent_store.event_talent_map(db, event_id)
    scheme = built["scheme"]["definition"]
    pool = scheme.get("succession_boxes", (7, 8, 9))
    boxes = []
    for (potential, performance), texts in talent.box_texts().items():
        number = talent.box(performance, potential, scheme)
        people = [r for r in built["rows"] if r["box"] == number]
        boxes.append({"box": number, "potential": potential, "performance": performance, "label": texts["label"],
                      "action": texts["action"], "succession": number in pool, "count": len(people),
                      "people": people})
    return sorted(boxes, key=lambda b: -b["box"])
