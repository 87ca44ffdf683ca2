"""Charts (Altair): one function per chart, plain data in, ``alt.Chart`` out. The same charts go
into the PDFs as PNG (vl-convert)."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.i18n import t
from core.reliability import LENIENCY_FLAG
from core.scoring import shipped_thresholds

FONT = "DejaVu Sans"
BLUE, ORANGE, GREY, RED, GREEN = "#0b5394", "#e69138", "#999999", "#cc0000", "#38761d"
LEVEL_DOMAIN = [0, 5]
NINEBOX_ROWS = ("tinggi", "menengah", "rendah")  # top to bottom, as on the printed 9-box
NINEBOX_COLUMNS = ("di_bawah", "sesuai", "di_atas")  # left to right
NINEBOX_FIELDS = ("box", "potential", "performance", "succession", "count", "label")  # what ninebox_grid reads


def _theme(chart: alt.Chart) -> alt.Chart:
    return chart.configure(font=FONT).configure_view(stroke=None).configure_axis(labelFontSize=11,
                                                                                 titleFontSize=12)


def profile_bars(profile: list[dict], title: str = "", lang: str = "id") -> alt.Chart:
    """Achieved level per competency as bars, the standard as a tick (SPEC §6.1 "chart against the standard").

    ``profile``: ``[{"competency": "Integritas", "level": 4, "standard": 4}, ...]``.
    """
    data = pd.DataFrame(profile)
    order = list(data["competency"])
    base = alt.Chart(data).encode(y=alt.Y("competency:N", sort=order, title=None))
    bars = base.mark_bar(color=BLUE, height=14).encode(
        x=alt.X("level:Q", scale=alt.Scale(domain=LEVEL_DOMAIN), title=t("chart.level", lang),
                axis=alt.Axis(tickCount=5)),
        tooltip=["competency:N", "level:Q", "standard:Q"])
    ticks = base.mark_tick(color=ORANGE, thickness=3, size=22).encode(x="standard:Q")
    return _theme((bars + ticks).properties(title=title, width=380, height=24 * len(order)))


def _polar(radius: float, i: int, n: int) -> tuple[float, float]:
    """Spoke ``i`` of ``n``, clockwise from the top."""
    angle = math.pi / 2 - 2 * math.pi * (i % n) / n
    return radius * math.cos(angle), radius * math.sin(angle)


def radar(profile: list[dict], title: str = "", lang: str = "id") -> alt.LayerChart:
    """Radar of the achieved level against the standard; polygons from computed coordinates.

    ``profile``: ``[{"competency": "Integritas", "level": 4, "standard": 4}, ...]``.
    """
    n = len(profile)
    scale = alt.Scale(domain=[-10, 10])  # room beyond the rings for labels of two lines, even in a narrow column
    x, y = alt.X("x:Q", scale=scale, axis=None), alt.Y("y:Q", scale=scale, axis=None)
    rings = pd.DataFrame([{"ring": r, "order": i, "x": _polar(r, i, n)[0], "y": _polar(r, i, n)[1]}
                          for r in range(1, 6) for i in range(n + 1)])
    web = alt.Chart(rings).mark_line(color="#dddddd", strokeWidth=1).encode(x=x, y=y, order="order:Q", detail="ring:N")
    standard, achieved = t("chart.standard", lang), t("chart.achieved", lang)
    series = pd.DataFrame([{"series": name, "order": i, "x": _polar(row[key], i, n)[0], "y": _polar(row[key], i, n)[1],
                            "competency": row["competency"], "value": row[key]}
                           for name, key in ((standard, "standard"), (achieved, "level"))
                           for i, row in enumerate(profile + profile[:1])])
    colour = alt.Color("series:N", scale=alt.Scale(domain=[standard, achieved], range=[ORANGE, BLUE]),
                       legend=alt.Legend(title=None, orient="bottom"))
    lines = alt.Chart(series).mark_line(point=True, strokeWidth=2.5).encode(
        x=x, y=y, order="order:Q", color=colour, detail="series:N", tooltip=["competency:N", "series:N", "value:Q"])
    labels = pd.DataFrame([{"label": _wrap(row["competency"]), "x": _polar(5.4, i, n)[0], "y": _polar(5.4, i, n)[1]}
                           for i, row in enumerate(profile)])
    # Labels on the right start at their spoke, on the left end at it: long names stay clear of each other.
    sides = [("left", labels["x"] > 0.5), ("right", labels["x"] < -0.5), ("center", labels["x"].abs() <= 0.5)]
    texts = [alt.Chart(labels[mask]).mark_text(fontSize=10, align=align, lineBreak="\n").encode(x=x, y=y,
                                                                                                 text="label:N")
             for align, mask in sides if mask.any()]
    return _theme(alt.layer(web, lines, *texts).properties(title=title, width=400, height=400))


def _wrap(name: str, width: int = 16) -> str:
    """Break a long competency name over lines of about ``width`` characters."""
    lines, current = [], ""
    for word in name.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return "\n".join([*lines, current])


def gap_heatmap(rows: list[dict], lang: str = "id") -> alt.Chart:
    """Gap (consensus − standard) per candidate × competency, red below the standard, green above.

    ``rows``: ``[{"candidate": "001 Nama", "competency": "Integritas", "gap": -1}, ...]``.
    """
    data = pd.DataFrame(rows)
    colour = alt.Color("gap:Q", scale=alt.Scale(domain=[-2, 0, 2], range=[RED, "#f7f7f7", GREEN]),
                       legend=alt.Legend(title=t("chart.gap", lang)))
    base = alt.Chart(data).encode(x=alt.X("competency:N", sort=None, title=None, axis=alt.Axis(labelAngle=-35)),
                                  y=alt.Y("candidate:N", sort=None, title=None))
    cells = base.mark_rect().encode(color=colour, tooltip=["candidate:N", "competency:N", "gap:Q"])
    text = base.mark_text(fontSize=11).encode(text="gap:Q")
    return _theme((cells + text).properties(width=alt.Step(70), height=alt.Step(24)))


def jpm_bars(rows: list[dict], title: str = "", line: float | None = None) -> alt.Chart:
    """JPM per candidate (the top three of a position), with a line at ``line`` (default: the lowest JPM
    of the highest category, MS, in ``data/categories.json``)."""
    line = shipped_thresholds("pengisian")[0][1] if line is None else line
    data = pd.DataFrame(rows)
    bars = alt.Chart(data).mark_bar(color=BLUE).encode(
        y=alt.Y("label:N", sort=None, title=None), x=alt.X("jpm:Q", title="JPM (%)", scale=alt.Scale(domain=[0, 120])),
        tooltip=["label:N", alt.Tooltip("jpm:Q", format=".2f")])
    text = bars.mark_text(align="left", dx=4, fontSize=14).encode(text="jpm_text:N")
    rule = alt.Chart(pd.DataFrame({"x": [line]})).mark_rule(color=ORANGE, strokeDash=[4, 3]).encode(x="x:Q")
    return _theme((bars + text + rule).properties(title=title, width=520, height=alt.Step(46)))


def ninebox_grid(boxes: list[dict], lang: str = "id") -> alt.Chart:
    """The 9-box: potential up, performance across; each box shows its number and head count.

    ``boxes``: ``[{"box": 9, "potential": "tinggi", "performance": "di_atas", "succession": 1, "count": 3,
    "label": "…"}, ...]`` — the rows of the ``ninebox`` table (``results.ninebox_summary``) with their counts.
    """
    data = pd.DataFrame(boxes)
    # The words of the printed 9-box (recap.ninebox.*): the screen and the paper name the boxes alike.
    word = {key: t(f"recap.ninebox.{key}", lang) for key in (*NINEBOX_ROWS, *NINEBOX_COLUMNS, "count",
                                                             "potential_axis", "performance_axis")}
    pool, others = t("chart.succession_pool", lang), t("chart.others", lang)
    data["text"] = data["box"].astype(str) + " · " + data["count"].astype(str) + " " + word["count"]
    data["pool"] = data["succession"].astype(bool).map({True: pool, False: others})
    data["performance_label"] = data["performance"].map(word)
    data["potential_label"] = data["potential"].map(word)
    x = alt.X("performance_label:N", sort=[word[k] for k in NINEBOX_COLUMNS], title=word["performance_axis"],
              axis=alt.Axis(labelAngle=0))
    y = alt.Y("potential_label:N", sort=[word[k] for k in NINEBOX_ROWS], title=word["potential_axis"])
    colour = alt.Color("pool:N", scale=alt.Scale(domain=[pool, others], range=["#cfe2f3", "#f3f3f3"]),
                       legend=alt.Legend(title=None, orient="bottom"))
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=3).encode(x=x, y=y, color=colour,
                                                                           tooltip=["box:Q", "label:N", "count:Q"])
    text = alt.Chart(data).mark_text(fontSize=15).encode(x=x, y=y, text="text:N")
    return _theme((cells + text).properties(width=alt.Step(150), height=alt.Step(95)))


def leniency_bars(rows: list[dict], flag: float = LENIENCY_FLAG, lang: str = "id") -> alt.Chart:
    """Leniency per assessor (mean of own score − consensus), flagged beyond ±0,5."""
    data = pd.DataFrame(rows)
    data["flagged"] = data["leniency"].abs() >= flag
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("assessor:N", sort="-x", title=None), x=alt.X("leniency:Q", title=t("chart.leniency", lang)),
        color=alt.Color("flagged:N", scale=alt.Scale(domain=[False, True], range=[BLUE, RED]), legend=None),
        tooltip=["assessor:N", alt.Tooltip("leniency:Q", format=".2f")])
    rules = alt.Chart(pd.DataFrame({"x": [-flag, flag]})).mark_rule(color=GREY, strokeDash=[4, 3]).encode(x="x:Q")
    return _theme((bars + rules).properties(width=480, height=alt.Step(26)))


def rwg_histogram(values: list[float], lang: str = "id") -> alt.Chart:
    """Distribution of r_wg over the cells of an event (1 = full agreement)."""
    data = pd.DataFrame({"rwg": values})
    return _theme(alt.Chart(data).mark_bar(color=BLUE).encode(
        x=alt.X("rwg:Q", bin=alt.Bin(extent=[0, 1], step=0.1), title="r_wg"),
        y=alt.Y("count():Q", title=t("chart.cells", lang))).properties(width=480, height=200))


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Render a chart to PNG with vl-convert (no browser, no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_json(), scale=scale)
