"""Charts (core/charts.py): each returns an Altair chart whose Vega-Lite spec has the data and encodings shown."""

from __future__ import annotations

import json

import altair as alt
import pytest

from core import charts

PROFILE = [{"competency": "Integritas", "level": 4, "standard": 4},
           {"competency": "Kerjasama", "level": 3, "standard": 4},
           {"competency": "Komunikasi", "level": 5, "standard": 3},
           {"competency": "Orientasi pada Hasil", "level": 2, "standard": 4}]
BOXES = [{"box": b, "potential": p, "performance": f, "succession": int(b >= 7), "count": b % 4, "label": f"Kotak {b}"}
         for b, p, f in [(9, "tinggi", "di_atas"), (8, "tinggi", "sesuai"), (6, "tinggi", "di_bawah"),
                         (7, "menengah", "di_atas"), (5, "menengah", "sesuai"), (3, "menengah", "di_bawah"),
                         (4, "rendah", "di_atas"), (2, "rendah", "sesuai"), (1, "rendah", "di_bawah")]]


def layers(spec: dict) -> list[tuple[dict, list[dict]]]:
    """Each layer (or the chart itself) with the rows it draws."""
    parts = spec.get("layer", [spec])
    found = []
    for part in parts:
        data = part.get("data") or spec.get("data")
        found.append((part, spec["datasets"][data["name"]] if data else []))
    return found


def marks(spec: dict, kind: str) -> list[tuple[dict, list[dict]]]:
    return [(part, rows) for part, rows in layers(spec) if part["mark"]["type"] == kind]


def test_profile_bars_draw_level_and_standard():
    spec = charts.profile_bars(PROFILE, "Profil").to_dict()
    [(bars, rows)] = marks(spec, "bar")
    [(ticks, _)] = marks(spec, "tick")
    assert rows == PROFILE
    assert (bars["encoding"]["x"]["field"], ticks["encoding"]["x"]["field"]) == ("level", "standard")
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 5]
    assert bars["encoding"]["y"]["sort"] == [p["competency"] for p in PROFILE]


def test_radar_has_standard_and_achieved_closed_polygons():
    spec = charts.radar(PROFILE, "Calon").to_dict()
    [web, (series, rows)] = marks(spec, "line")
    n = len(PROFILE)
    for name, key in (("Standar", "standard"), ("Capaian", "level")):
        points = sorted((r for r in rows if r["series"] == name), key=lambda r: r["order"])
        assert len(points) == n + 1
        assert [p["value"] for p in points] == [p[key] for p in PROFILE + PROFILE[:1]]
        assert (points[0]["x"], points[0]["y"]) == pytest.approx((points[-1]["x"], points[-1]["y"]))
    assert series["encoding"]["color"]["scale"]["domain"] == ["Standar", "Capaian"]
    assert {r["ring"] for r in web[1]} == {1, 2, 3, 4, 5}
    labels = [r["label"] for _, rows in marks(spec, "text") for r in rows]
    assert sorted(labels) == sorted(charts._wrap(p["competency"]) for p in PROFILE)
    assert "Orientasi pada\nHasil" in labels  # long names are wrapped


def test_radar_point_radius_is_the_level():
    spec = charts.radar(PROFILE).to_dict()
    [(_, rows)] = marks(spec, "line")[1:]
    for r in rows:
        assert (r["x"] ** 2 + r["y"] ** 2) ** 0.5 == pytest.approx(r["value"])


def test_gap_heatmap_colour_domain_and_cells():
    rows = [{"candidate": "001 Budi", "competency": "Integritas", "gap": -1},
            {"candidate": "001 Budi", "competency": "Kerjasama", "gap": 2},
            {"candidate": "002 Siti", "competency": "Integritas", "gap": 0}]
    spec = charts.gap_heatmap(rows).to_dict()
    [(cells, data)] = marks(spec, "rect")
    [(text, _)] = marks(spec, "text")
    assert data == rows
    assert cells["encoding"]["color"]["field"] == "gap"
    assert cells["encoding"]["color"]["scale"]["domain"] == [-2, 0, 2]
    assert text["encoding"]["text"]["field"] == "gap"


def test_jpm_bars_have_the_ms_rule_at_80():
    rows = [{"label": "1. Budi", "jpm": 97.22, "jpm_text": "97,22%"},
            {"label": "2. Siti", "jpm": 88.89, "jpm_text": "88,89%"}]
    spec = charts.jpm_bars(rows, "Kepala Dinas").to_dict()
    [(bars, data)] = marks(spec, "bar")
    [(rule, rule_rows)] = marks(spec, "rule")
    [(text, _)] = marks(spec, "text")
    assert data == rows
    assert bars["encoding"]["x"]["field"] == "jpm" and text["encoding"]["text"]["field"] == "jpm_text"
    assert rule_rows == [{"x": 80}] and rule["encoding"]["x"]["field"] == "x"


def test_ninebox_grid_has_nine_cells_with_counts():
    spec = charts.ninebox_grid(BOXES).to_dict()
    [(cells, data)] = marks(spec, "rect")
    assert len(data) == 9
    assert {r["box"]: r["text"] for r in data} == {b["box"]: f"{b['box']} · {b['count']} orang" for b in BOXES}
    assert {r["box"] for r in data if r["pool"] == "Kelompok suksesi"} == {7, 8, 9}
    # The words of the printed 9-box (core/report_recap.py): screen and paper name the boxes alike.
    assert cells["encoding"]["x"]["sort"] == ["Di bawah ekspektasi", "Sesuai ekspektasi", "Di atas ekspektasi"]
    assert cells["encoding"]["y"]["sort"] == ["Tinggi", "Menengah", "Rendah"]
    assert (cells["encoding"]["x"]["title"], cells["encoding"]["y"]["title"]) == ("KINERJA", "POTENSIAL")
    assert {(r["box"], r["potential_label"], r["performance_label"]) for r in data} >= {
        (9, "Tinggi", "Di atas ekspektasi"), (1, "Rendah", "Di bawah ekspektasi")}


@pytest.mark.parametrize(("builder", "arguments", "indonesian", "english"), [
    (charts.radar, {"profile": PROFILE}, ["Capaian"], ["Achieved", "Standard"]),
    (charts.ninebox_grid, {"boxes": BOXES}, ["orang", "Kelompok suksesi", "POTENSIAL", "Di atas ekspektasi"],
     ["people", "Succession pool", "POTENTIAL", "Above expectations"]),
    (charts.rwg_histogram, {"values": [0.2, 0.9]}, ["Jumlah sel"], ["Cells"]),
    (charts.leniency_bars, {"rows": [{"assessor": "A", "leniency": 0.5}]}, ["Leniensi"], ["Leniency"]),
])
def test_chart_words_follow_the_readers_language(builder, arguments, indonesian, english):
    """No chart word is written in code: an English reader gets English axes and legends."""
    spec_id = json.dumps(builder(**arguments).to_dict(), ensure_ascii=False)
    spec_en = json.dumps(builder(**arguments, lang="en").to_dict(), ensure_ascii=False)
    assert all(word in spec_id for word in indonesian) and not any(word in spec_en for word in indonesian)
    assert all(word in spec_en for word in english)


def test_leniency_bars_flag_half_a_level():
    rows = [{"assessor": "A", "leniency": 0.5}, {"assessor": "B", "leniency": -0.62},
            {"assessor": "C", "leniency": 0.49}, {"assessor": "D", "leniency": -0.1}]
    spec = charts.leniency_bars(rows).to_dict()
    [(bars, data)] = marks(spec, "bar")
    [(_, rules)] = marks(spec, "rule")
    assert {r["assessor"]: r["flagged"] for r in data} == {"A": True, "B": True, "C": False, "D": False}
    assert bars["encoding"]["color"]["field"] == "flagged"
    assert rules == [{"x": -0.5}, {"x": 0.5}]


def test_rwg_histogram_bins_from_zero_to_one():
    spec = charts.rwg_histogram([0.0, 0.35, 0.8, 1.0]).to_dict()
    [(bars, data)] = marks(spec, "bar")
    assert [r["rwg"] for r in data] == [0.0, 0.35, 0.8, 1.0]
    assert bars["encoding"]["x"]["bin"]["extent"] == [0, 1]
    assert bars["encoding"]["y"]["aggregate"] == "count"


@pytest.mark.parametrize(("builder", "arguments"), [
    (charts.profile_bars, {"profile": PROFILE}), (charts.radar, {"profile": PROFILE}),
    (charts.ninebox_grid, {"boxes": BOXES}), (charts.rwg_histogram, {"values": [0.2, 0.9]}),
])
def test_builders_return_altair_charts(builder, arguments):
    assert isinstance(builder(**arguments), alt.TopLevelMixin)


def test_succession_pool_comes_from_the_boxes_not_from_code():
    boxes = [b | {"succession": int(b["box"] in (9, 6))} for b in BOXES]
    [(_, data)] = marks(charts.ninebox_grid(boxes).to_dict(), "rect")
    assert {r["box"] for r in data if r["pool"] == "Kelompok suksesi"} == {9, 6}


def test_jpm_bars_line_can_follow_the_stored_threshold():
    spec = charts.jpm_bars([{"label": "1. Budi", "jpm": 97.22, "jpm_text": "97,22%"}], line=85.5).to_dict()
    [(_, rule_rows)] = marks(spec, "rule")
    assert rule_rows == [{"x": 85.5}]


def test_to_png_renders_png_bytes():
    png = charts.to_png(charts.ninebox_grid(BOXES), scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
