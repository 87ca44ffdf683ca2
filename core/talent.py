"""Talent map of PermenPANRB 3/2020 as amended by 20/2025 (SPEC §4.6, public API §4.8). Pure functions.

The potential axis is a weighted mean of components (0–100) whose weights, bands, points tables and box
numbering form a *scheme* (``data/talent_schemes.json``); the performance axis comes from the SKP predikat
per year. A person whose scheme needs a missing value gets no box, only the list of what is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from core.i18n import t

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

POTENSI_CODES = tuple(f"P.0{i}" for i in range(1, 9))
COMPONENTS = ("penilaian_kompetensi", "potensi", "pengembangan_kompetensi", "pengalaman_jabatan",
              "pendidikan", "kesesuaian_bidang", "integritas")
RECORD_COMPONENTS = ("pengembangan_kompetensi", "pengalaman_jabatan", "pendidikan", "kesesuaian_bidang",
                     "integritas")
POTENTIALS = ("rendah", "menengah", "tinggi")
PERFORMANCES = ("di_bawah", "sesuai", "di_atas")
PERFORMANCE_OF = {"sangat_baik": "di_atas", "baik": "sesuai", "butuh_perbaikan": "di_bawah",
                  "kurang_misconduct": "di_bawah", "sangat_kurang": "di_bawah"}
DEFAULT_BOXES = {"tinggi": {"di_bawah": 6, "sesuai": 8, "di_atas": 9},
                 "menengah": {"di_bawah": 3, "sesuai": 5, "di_atas": 7},
                 "rendah": {"di_bawah": 1, "sesuai": 2, "di_atas": 4}}
CENT = Decimal("0.01")
JOB_CLASS_ORDER = ("pelaksana", "pengawas", "administrator", "jpt_pratama", "jpt_madya")  # low → high


@cache
def _read(name: str):
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def shipped_schemes() -> list[dict]:
    """The two schemes of SPEC §4.6 as shipped (``jpm_saja`` and ``terpadu``)."""
    return json.loads(json.dumps(_read("talent_schemes")["schemes"]))  # a deep copy: callers may edit


def shipped_scheme(key: str) -> dict:
    return next(s for s in shipped_schemes() if s["key"] == key)


def potensi_reference() -> dict:
    """data/potensi.json: the eight aspects, the scale 1 KS … 5 BS, the rekam jejak reference lists."""
    return _read("potensi")


def reference_codes(name: str) -> tuple[str, ...]:
    """Codes of a rekam jejak list: ``pendidikan``, ``hukuman_disiplin`` or ``kesesuaian_bidang``."""
    return tuple(item["code"] for item in _read("potensi")["rekam_jejak"][name])


def reference_names(name: str) -> dict[str, str]:
    """Code → name of a rekam jejak list, as the data file writes it (``kurang_sesuai`` → ``Kurang sesuai``)."""
    return {item["code"]: item["name"] for item in _read("potensi")["rekam_jejak"][name]}


def box_texts() -> dict[tuple[str, str], dict]:
    """(potential, performance) → label, action, succession flag (data/ninebox.json, by cell, not number)."""
    return {(r["potential"], r["performance"]): r for r in _read("ninebox")}


# The public API of SPEC §4.8 ---------------------------------------------------------------------------------

def potensi_index(levels: Mapping[str, int | None], scale_max: int = 5) -> float | None:
    """``100 × Σ levels / (scale_max × 8)`` over P.01–P.08; ``None`` when any of the eight is missing."""
    values = [levels.get(code) for code in POTENSI_CODES]
    if any(v is None for v in values):
        return None
    for v in values:
        if not 1 <= v <= scale_max:
            raise ValueError(f"potensi level {v!r} outside 1..{scale_max}")
    return 100.0 * sum(values) / (scale_max * len(POTENSI_CODES))


def potential_index(components: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """``Σ weight × component / Σ weight`` over the keys of ``weights``; ``None`` when a weighted one is missing."""
    used = {k: w for k, w in weights.items() if w}
    if not used:
        raise ValueError("no component has a weight")
    if any(components.get(k) is None for k in used):
        return None
    return math.fsum(w * components[k] for k, w in used.items()) / math.fsum(used.values())


def two_decimals(value: float) -> float:
    """An index as shown: two decimals, half up on the decimal value (92,625 → 92,63)."""
    return float(Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP))


def potential_level(index: float, bands: Mapping[str, float]) -> str:
    """``tinggi`` if index ≥ bands["tinggi"], ``menengah`` if ≥ bands["menengah"], else ``rendah``.

    The index is compared as shown (two decimals, half up), so 79,995 and 79.999999999 count as 80,00.
    """
    shown = two_decimals(index)
    return "tinggi" if shown >= bands["tinggi"] else "menengah" if shown >= bands["menengah"] else "rendah"


def performance_level(predikat: Sequence[str], years: int = 1) -> str | None:
    """Performance axis from SKP predikat codes, newest first; with ``years=2`` the lower of the two newest."""
    if years < 1:
        raise ValueError("years must be at least 1")
    newest = list(predikat[:years])
    if len(newest) < years or any(p is None for p in newest):
        return None
    levels = [PERFORMANCE_OF[p] for p in newest]  # an unknown code is a KeyError, never a guess
    return min(levels, key=PERFORMANCES.index)


def box(performance: str, potential: str, scheme: Mapping | None = None) -> int:
    """The box number of a cell; ``scheme`` is a scheme (with ``boxes``) or a numbering, default SPEC §4.6."""
    boxes = DEFAULT_BOXES if scheme is None else scheme.get("boxes", scheme)
    return int(boxes[potential][performance])


# Components from the rekam jejak through the scheme's points tables --------------------------------------------

def step_points(value: float, steps: Sequence[Mapping]) -> float:
    """Points of the first step whose ``min`` the value reaches (steps are tried from the highest ``min``)."""
    for step in sorted(steps, key=lambda s: s["min"], reverse=True):
        if value >= step["min"]:
            return float(step["points"])
    raise ValueError(f"{value!r} is below every step")


def hukdis_in_force(hukdis: str, hukdis_date: str | None, on: str, lookback_years: int | None) -> str:
    """The hukuman disiplin that counts on ``on``: one older than the lookback counts as ``none``."""
    if hukdis == "none" or not lookback_years or not hukdis_date:
        return hukdis
    taken = dt.date.fromisoformat(hukdis_date[:10])
    ref = dt.date.fromisoformat(on[:10])
    try:
        until = taken.replace(year=taken.year + lookback_years)
    except ValueError:  # 29 February
        until = dt.date(taken.year + lookback_years, 3, 1)
    return hukdis if ref < until else "none"


def component_points(component: str, record: Mapping | None, table: Mapping, on: str | None = None) -> float | None:
    """Points 0–100 of one rekam-jejak component; ``None`` when its input is missing."""
    if record is None:
        return None
    kind = table["kind"]
    if kind == "parts":
        values = [record.get(part["field"]) for part in table["parts"]]
        if any(v is None for v in values):
            return None
        total = math.fsum(p["weight"] for p in table["parts"])
        return math.fsum(p["weight"] * step_points(v, p["steps"]) for p, v in zip(table["parts"], values,
                                                                                   strict=True)) / total
    value = record.get(table["field"])
    if value is None or value == "":
        return None
    if kind == "steps":
        return step_points(value, table["steps"])
    if component == "integritas" and on:
        value = hukdis_in_force(value, record.get("hukuman_disiplin_date"), on, table.get("lookback_years"))
    return float(table["table"][value])


def components(person: Mapping, scheme: Mapping, on: str | None = None) -> dict[str, float | None]:
    """Every component of SPEC §4.6 for one person (``None`` where the input is missing)."""
    jpm = person.get("jpm")
    out: dict[str, float | None] = {
        "penilaian_kompetensi": None if jpm is None else min(float(jpm), 100.0),
        "potensi": potensi_index(person.get("potensi") or {}),
    }
    record = person.get("rekam_jejak")
    for name in RECORD_COMPONENTS:
        out[name] = component_points(name, record, scheme["points"][name], on)
    return out


def skp_years(year: int, years: int) -> list[int]:
    """The SKP years an assessment in ``year`` uses, newest first: the finished years before it."""
    return [year - 1 - i for i in range(years)]


def assess(person: Mapping, scheme: Mapping, year: int, on: str | None = None,
           years: int | None = None) -> dict:
    """One person's talent-map row: both axes' inputs and values, and the box or what is missing.

    ``person``: ``jpm`` (latest valid result, or None), ``potensi`` {code: level}, ``rekam_jejak`` {…} or None,
    ``skp`` {year: predikat code}. ``year`` is the year of the assessment (SKP of the years before it count).
    """
    years = years or scheme.get("performance_years", 1)
    comps = components(person, scheme, on)
    weights = scheme["weights"]
    missing = [name for name in COMPONENTS if weights.get(name) and comps[name] is None]
    skp = person.get("skp") or {}
    wanted = skp_years(year, years)
    predikat = [skp.get(y) for y in wanted]
    missing += [f"skp:{y}" for y, p in zip(wanted, predikat, strict=True) if p is None]
    index = potential_index(comps, weights)
    performance = performance_level(predikat, years)
    potential = None if index is None else potential_level(index, scheme["bands"])
    row = {"components": comps, "potential_index": index, "potential": potential, "skp_used": dict(
        zip(wanted, predikat, strict=True)), "performance": performance, "missing": missing, "box": None,
        "label": None, "action": None, "succession": False}
    if not missing:
        row["box"] = box(performance, potential, scheme)
        texts = box_texts()[(potential, performance)]
        row |= {"label": texts["label"], "action": texts["action"],
                "succession": row["box"] in scheme.get("succession_boxes", (7, 8, 9))}
    return row


def talent_map(people: Iterable[Mapping], scheme: Mapping, year: int, on: str | None = None,
               years: int | None = None) -> list[dict]:
    """:func:`assess` for each person; each row keeps the person's own keys (id, name, jenjang …) too."""
    inputs = ("potensi", "rekam_jejak", "skp")
    return [{k: v for k, v in p.items() if k not in inputs} | assess(p, scheme, year, on, years) for p in people]


def missing_labels(missing: Sequence[str], lang: str = "id") -> list[str]:
    """``["potensi", "skp:2025"]`` → ``["potensi", "SKP 2025"]`` in the reader's language."""
    return [t("talent.skp_year", lang, year=m[4:]) if m.startswith("skp:") else t(f"talent.component.{m}", lang)
            for m in missing]


def missing_text(missing: Sequence[str], lang: str = "id") -> str:
    """``data belum lengkap: potensi, SKP 2025``."""
    return t("talent.incomplete", lang, items=", ".join(missing_labels(missing, lang)))


def jenjang_below(job_class: str) -> str | None:
    """The jenjang one below a post's (pengawas below administrator); ``None`` for pelaksana."""
    i = JOB_CLASS_ORDER.index(job_class)
    return JOB_CLASS_ORDER[i - 1] if i else None


def successors(rows: Iterable[Mapping], target_job_class: str, scheme: Mapping) -> list[dict]:
    """The succession pool for a post (SPEC §4.6, UU 20/2023 Pasal 46).

    People in the succession boxes whose current jenjang (``job_class``) is the one below the post's and
    whose competency result is valid (``jpm`` not None), ordered by box (the scheme's ``succession_boxes``
    order, 9, 8, 7), then potential index, then performance (names only break the remaining ties).
    """
    below = jenjang_below(target_job_class)
    order = list(scheme.get("succession_boxes", (9, 8, 7)))
    pool = [r for r in rows if below and r.get("job_class") == below and r.get("box") in order
            and r.get("jpm") is not None]
    return sorted(pool, key=lambda r: (order.index(r["box"]), -r["potential_index"],
                                       -PERFORMANCES.index(r["performance"]), str(r.get("name", ""))))


# Scheme validation (used before a scheme is stored) ----------------------------------------------------------

def scheme_problems(scheme: Mapping) -> list[str]:
    """Catalog keys of what is wrong with a scheme; empty when it may be stored."""
    problems = []
    weights = scheme.get("weights") or {}
    try:
        values = [float(weights.get(c, 0) or 0) for c in COMPONENTS]
    except (TypeError, ValueError):
        return ["talent.scheme.bad_weight"]
    if set(weights) - set(COMPONENTS) or any(v < 0 or v > 100 for v in values):
        problems.append("talent.scheme.bad_weight")
    elif not math.isclose(math.fsum(values), 100.0, abs_tol=1e-9):
        problems.append("talent.scheme.weights_sum")
    bands = scheme.get("bands") or {}
    try:
        if not 0 <= float(bands["menengah"]) < float(bands["tinggi"]) <= 100:
            problems.append("talent.scheme.bad_bands")
    except (KeyError, TypeError, ValueError):
        problems.append("talent.scheme.bad_bands")
    boxes = scheme.get("boxes") or {}
    try:
        numbers = sorted(int(boxes[p][q]) for p in POTENTIALS for q in PERFORMANCES)
    except (KeyError, TypeError, ValueError):
        numbers = []
    if numbers != list(range(1, 10)):
        problems.append("talent.scheme.bad_boxes")
    if scheme.get("performance_years", 1) not in (1, 2):
        problems.append("talent.scheme.bad_years")
    if not str(scheme.get("name", "")).strip():
        problems.append("talent.scheme.no_name")
    points = scheme.get("points") or {}
    if any(c not in points for c in RECORD_COMPONENTS) or not _points_ok(points):
        problems.append("talent.scheme.bad_points")
    return problems


def _points_ok(points: Mapping) -> bool:
    def steps_ok(steps) -> bool:
        return bool(steps) and all(0 <= float(s["points"]) <= 100 for s in steps) and min(
            float(s["min"]) for s in steps) <= 0

    try:
        for name in RECORD_COMPONENTS:
            table = points[name]
            if table["kind"] == "steps" and not steps_ok(table["steps"]):
                return False
            if table["kind"] == "parts" and not all(steps_ok(p["steps"]) and float(p["weight"]) > 0
                                                    for p in table["parts"]):
                return False
            if table["kind"] == "table" and not all(0 <= float(v) <= 100 for v in table["table"].values()):
                return False
            if table["kind"] not in ("steps", "parts", "table"):
                return False
    except (KeyError, TypeError, ValueError):
        return False
    return True
