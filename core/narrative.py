"""Draft of the report's narrative from the consensus profile (SPEC §6.1): strengths are never below the
standard, the lowest gaps are the ones named for development. The Ketua Tim edits the draft; the phrases are
data (``data/narrative.json``). A pemetaan's placement (section VI) follows the person's box on the talent
map (SPEC §4.6), the same row the pemetaan recap shows, not the category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core import talent
from core.i18n import t
from core.refdata import read

MAX_POINTS = 3  # strengths named; every competency below the standard is named for development


def strengths(profile: Sequence[dict]) -> list[dict]:
    """Competencies at or above the standard, the largest gap (then the highest level) first."""
    reached = [c for c in profile if c["level"] is not None and c["level"] >= c["standard"]]
    return sorted(reached, key=lambda c: (c["standard"] - c["level"], -c["level"]))[:MAX_POINTS]


def development_areas(profile: Sequence[dict]) -> list[dict]:
    """Every competency below the standard, most negative gap first, none left out (a cap cut ties at −1
    arbitrarily); when none is below, the lowest one."""
    rated = sorted((c for c in profile if c["level"] is not None), key=lambda c: (c["level"] - c["standard"],
                                                                                  c["level"]))
    below = [c for c in rated if c["level"] < c["standard"]]
    return below or rated[:1]


def _line(template: str, cell: dict) -> str:
    gap = cell["level"] - cell["standard"]
    return template.format(name=cell["name"], level=cell["level"], standard=cell["standard"],
                           gap=f"−{-gap}" if gap < 0 else str(gap))


def draft(profile: Sequence[dict], purpose: str) -> dict[str, str]:
    """``profile``: ``[{"code", "name", "level", "standard"}]`` from the consensus; one point per line."""
    phrases = read("narrative")
    strong, weak = strengths(profile), development_areas(profile)
    kekuatan = [_line(phrases["strength"]["above" if c["level"] > c["standard"] else "meets"], c) for c in strong]
    area = [_line(phrases["development"]["below" if c["level"] < c["standard"] else "relative"], c) for c in weak]
    plan = [phrases["development_plan"].format(name=c["name"], method=phrases["method"].get(c["code"], ""))
            for c in weak if c["level"] < c["standard"]] or [phrases["keep_up"]]
    texts = {"kekuatan": "\n".join(kekuatan) or phrases["no_strength"], "area_pengembangan": "\n".join(area),
             "saran_pengembangan": "\n".join(plan)}
    if purpose == "pemetaan":
        texts["saran_penempatan"] = ""  # the box and its recommendation are printed from the talent map
    return texts


def placement(row: Mapping | None, note: str = "", lang: str = "id") -> str:
    """Section VI of a pemetaan report, one point per line: the box of the person's talent-map row
    (:func:`core.talent.assess`) and its recommended action, or which data are missing for a box; then the
    Ketua Tim's own note, unless it is one of the category sentences earlier drafts filled in unedited."""
    if row and row.get("box") is not None:
        points = [t("report.placement.box", lang, box=row["box"], label=row["label"]),
                  t("report.placement.action", lang, action=row["action"])]
    else:
        points = [t("report.placement.incomplete", lang, missing=talent.missing_text((row or {}).get("missing")
                                                                                    or ["penilaian_kompetensi"], lang))]
    earlier = {text for key, text in read("narrative")["earlier_placement_drafts"].items() if key != "note"}
    note = (note or "").strip()
    return "\n".join(points + ([note] if note and note not in earlier else []))
