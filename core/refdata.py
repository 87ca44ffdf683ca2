"""Reference data of SPEC §3, shipped in ``data/`` and loaded on first start."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from sqlite_utils import Database

from core.db import rows, transaction

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@cache
def read(name: str):
    """Parse ``data/<name>.json`` (cached: the files never change at run time)."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def competency_rows() -> tuple[list[dict], list[dict]]:
    """The dictionary as rows for ``competencies`` and ``competency_levels``."""
    competencies, levels = [], []
    for sort, comp in enumerate(read("competencies")["competencies"], start=1):
        competencies.append({k: comp[k] for k in ("code", "name", "kind", "definition")} | {"sort": sort})
        for lvl in comp["levels"]:
            levels.append({"competency": comp["code"], "level": lvl["level"],
                           "headline": lvl["headline"],
                           "indicators": json.dumps(lvl["indicators"], ensure_ascii=False)})
    return competencies, levels


def load(db: Database) -> None:
    """Fill empty reference tables and missing settings; never overwrite an admin's edits."""
    competencies, levels = competency_rows()
    tables = {
        "competencies": competencies,
        "competency_levels": levels,
        "job_classes": [r | {"sort": i} for i, r in enumerate(read("job_classes"))],
        "golongan": [r | {"rank": i} for i, r in enumerate(read("golongan"), start=1)],
        "skp_predikat": [r | {"sort": i} for i, r in enumerate(read("skp_predikat"))],
        "categories": read("categories"),
        "ninebox": read("ninebox"),
    }
    with transaction(db):
        for table, records in tables.items():
            if not db[table].count:
                db[table].insert_all(records)
        for key, value in read("settings").items():
            db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                       (key, json.dumps(value, ensure_ascii=False)))


def competencies(db: Database) -> list[dict]:
    """The nine competencies in dictionary order."""
    return rows(db, "SELECT * FROM competencies ORDER BY sort")


def competency_levels(db: Database, code: str) -> list[dict]:
    """Level headlines and indicators of one competency, for the rating form."""
    levels = rows(db, "SELECT * FROM competency_levels WHERE competency = ? ORDER BY level", (code,))
    return [lvl | {"indicators": json.loads(lvl["indicators"])} for lvl in levels]


def level_names() -> dict[int, str]:
    """1 → 'Paham/dalam pengembangan' … 5 → 'Ahli'."""
    return {int(k): v for k, v in read("competencies")["level_names"].items()}


def job_classes(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM job_classes ORDER BY sort")


def golongan(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM golongan ORDER BY rank")


def skp_predikat(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM skp_predikat ORDER BY sort")


def categories(db: Database, purpose: str | None = None) -> list[dict]:
    """Category thresholds, highest first."""
    sql = "SELECT * FROM categories" + (" WHERE purpose = ?" if purpose else "")
    return rows(db, sql + " ORDER BY purpose, min_jpm DESC", (purpose,) if purpose else ())


def ninebox(db: Database) -> list[dict]:
    return rows(db, "SELECT * FROM ninebox ORDER BY box DESC")


def default_standard(db: Database, job_class: str) -> dict[str, int]:
    """SPEC §3.2: the default level per competency for a job class."""
    jc = db.execute("SELECT * FROM job_classes WHERE code = ?", (job_class,)).fetchone()
    return {c["code"]: jc["manajerial_level"] if c["kind"] == "manajerial" else jc["sosial_kultural_level"]
            for c in competencies(db)}


def set_thresholds(db: Database, actor: dict, purpose: str, minimums: dict[str, float]) -> None:
    """Admin edits the JPM lower bounds of a purpose's categories (highest category first, lowest at 0)."""
    from core import audit
    from core.auth import require
    from core.errors import ValidationError

    require(actor, "admin")
    current = {c["code"]: c["min_jpm"] for c in categories(db, purpose)}
    if set(minimums) != set(current) or any(not isinstance(v, int | float) or not 0 <= v <= 200
                                            for v in minimums.values()):
        raise ValidationError("settings.bad_thresholds")
    ordered = sorted(current, key=current.get, reverse=True)  # the categories keep their order
    values = [float(minimums[c]) for c in ordered]
    if values[-1] != 0 or any(a <= b for a, b in zip(values, values[1:], strict=False)):
        raise ValidationError("settings.bad_thresholds")
    with transaction(db):
        for code in ordered:
            db.execute("UPDATE categories SET min_jpm = ? WHERE purpose = ? AND code = ?",
                       (float(minimums[code]), purpose, code))
        audit.record(db, actor, "update", "categories", purpose, old=current, new=dict(minimums))


def set_potential_bands(db: Database, actor: dict, tinggi: float, menengah: float) -> None:
    """Admin edits the 9-box potential bands (JPM ≥ tinggi; ≥ menengah; below that rendah)."""
    from core import settings
    from core.errors import ValidationError

    if not 0 < menengah < tinggi <= 200:
        raise ValidationError("settings.bad_bands")
    settings.put(db, actor, "potential_bands", {"tinggi": float(tinggi), "menengah": float(menengah)})
