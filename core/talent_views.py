"""What the Talenta, Peserta and Integrasi pages show of the talent map (SPEC §4.6, §5): rows as the officer
reads them, in the reader's language. Pure functions over the rows of :func:`core.talent_store.event_talent_map`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core import talent
from core.i18n import format_date, format_number, format_percent, t

RECORD_NAMES = {name: {item["code"]: item["name"] for item in items}
                for name, items in talent.potensi_reference()["rekam_jejak"].items()}


def skp_text(skp_used: Mapping, predikat_names: Mapping[str, str]) -> str:
    """``SKP 2025: Baik`` for each year the axis uses (a missing year as –)."""
    return "; ".join(f"{year}: {predikat_names.get(code, '–') if code else '–'}" for year, code in skp_used.items())


def _index(value: float | None, lang: str) -> str:
    return "–" if value is None else format_number(talent.two_decimals(value), 2, lang)


def person_rows(people: Sequence[Mapping], predikat_names: Mapping[str, str], lang: str = "id") -> list[dict]:
    """One row per person with both axes' inputs: JPM, potensi, the potential index and level, SKP, performance."""
    return [{t("field.participant_no", lang): p["participant_no"], t("field.name", lang): p["name"],
             t("field.position", lang): p["position_name"], "JPM": format_percent(p["jpm"], lang),
             t("talenta.col.potensi", lang): _index(p["components"]["potensi"], lang),
             t("talenta.col.index", lang): _index(p["potential_index"], lang),
             t("talenta.col.potential", lang): _level("potential", p["potential"], lang),
             "SKP": skp_text(p["skp_used"], predikat_names),
             t("talenta.col.performance", lang): _level("performance", p["performance"], lang)} for p in people]


def _level(axis: str, value: str | None, lang: str) -> str:
    return t(f"talenta.{axis}.{value}", lang) if value else "–"


def incomplete_rows(rows: Sequence[Mapping], lang: str = "id") -> list[dict]:
    """The "data belum lengkap" list: who has no box and which data are missing."""
    return [{t("field.participant_no", lang): r["participant_no"], t("field.name", lang): r["name"],
             t("field.position", lang): r["position_name"],
             t("talenta.col.missing", lang): ", ".join(talent.missing_labels(r["missing"], lang))}
            for r in rows if r["missing"]]


def _record_input(component: str, record: Mapping | None, lang: str) -> str:
    """The rekam jejak value a component's points come from, as the officer entered it."""
    if not record:
        return "–"
    if component == "pengembangan_kompetensi":
        return t("talenta.input.jp", lang, n=record["pelatihan_jp"]) if record["pelatihan_jp"] is not None else "–"
    if component == "pengalaman_jabatan":
        return t("talenta.input.experience", lang, months=_or_dash(record["months_in_jenjang"]),
                 posts=_or_dash(record["posts_count"]))
    if component == "integritas":
        name = RECORD_NAMES["hukuman_disiplin"].get(record["hukuman_disiplin"], "–")
        date = record.get("hukuman_disiplin_date")
        return f"{name} ({format_date(date, lang)})" if date else name
    return RECORD_NAMES[component].get(record[component], "–")


def _or_dash(value) -> str:
    return "–" if value is None else str(value)


def component_input(component: str, row: Mapping, potensi: Mapping, record: Mapping | None, lang: str) -> str:
    """What one component of the potential axis was computed from."""
    if component == "penilaian_kompetensi":
        return "JPM " + format_percent(row["jpm"], lang)
    if component == "potensi":
        levels = [potensi.get(code, {}).get("level") for code in talent.POTENSI_CODES]
        return " · ".join("–" if v is None else str(v) for v in levels)
    return _record_input(component, record, lang)


def component_name(component: str, lang: str = "id") -> str:
    """A component's name as a label (the catalog's text is written to sit inside a sentence)."""
    name = t(f"talent.component.{component}", lang)
    return name[:1].upper() + name[1:]


def explanation(row: Mapping, scheme: Mapping, potensi: Mapping, record: Mapping | None,
                lang: str = "id") -> list[dict]:
    """Why a person is where they are: per weighted component its input, points, weight and share of the index."""
    weights = {c: w for c, w in scheme["weights"].items() if w}
    total = sum(weights.values())
    out = []
    for component in talent.COMPONENTS:
        if component not in weights:
            continue
        points = row["components"][component]
        out.append({t("talenta.col.component", lang): component_name(component, lang),
                    t("talenta.col.input", lang): component_input(component, row, potensi, record, lang),
                    t("talenta.col.points", lang): _index(points, lang),
                    t("talenta.col.weight", lang): format_number(weights[component], 0, lang),
                    t("talenta.col.share", lang): _index(None if points is None else
                                                         points * weights[component] / total, lang)})
    return out


def verdict(row: Mapping, scheme: Mapping, predikat_names: Mapping[str, str], lang: str = "id") -> list[str]:
    """The two axes and the box in sentences: index against the bands, SKP to performance, the box."""
    if row["missing"]:
        return [talent.missing_text(row["missing"], lang)]
    bands = scheme["bands"]
    return [t("talenta.why.potential", lang, index=_index(row["potential_index"], lang),
              level=t(f"talenta.potential.{row['potential']}", lang),
              tinggi=format_number(bands["tinggi"], 2, lang), menengah=format_number(bands["menengah"], 2, lang)),
            t("talenta.why.performance", lang, skp=skp_text(row["skp_used"], predikat_names),
              level=t(f"talenta.performance.{row['performance']}", lang)),
            t("talenta.why.box", lang, box=row["box"], label=row["label"])]


def successor_groups(posts: Sequence[Mapping]) -> list[dict]:
    """Posts of one jenjang share one succession pool (SPEC §4.6): ``[{posts: [names], job_class, successors}]``."""
    groups: dict[str, dict] = {}
    for post in posts:
        group = groups.setdefault(post["job_class"], {"posts": [], "job_class": post["job_class"],
                                                      "successors": post["successors"]})
        group["posts"].append(post["name"])
    return list(groups.values())


def successor_rows(successors: Sequence[Mapping], lang: str = "id") -> list[dict]:
    """The succession pool of one post as shown: in the order of SPEC §4.6 (box, potential index, performance)."""
    return [{t("field.name", lang): s["name"], t("talenta.col.current_post", lang): s["position_name"],
             t("talenta.col.box", lang): s["box"], t("talenta.col.index", lang): _index(s["potential_index"], lang),
             t("talenta.col.performance", lang): _level("performance", s["performance"], lang)} for s in successors]


def potensi_rows(potensi: Mapping[str, Mapping], lang: str = "id") -> list[dict]:
    """The eight aspects of one person: level with its scale name, and the uraian (read-only views)."""
    reference = talent.potensi_reference()
    scale = {s["level"]: f"{s['level']} ({s['code']}) {s['name']}" for s in reference["scale"]}
    return [{t("talenta.col.aspect", lang): a["name"],
             t("talenta.col.level", lang): scale.get(potensi.get(a["code"], {}).get("level"), "–"),
             t("talenta.col.uraian", lang): potensi.get(a["code"], {}).get("uraian") or ""}
            for a in reference["aspects"]]
