"""Charts drawn straight into a PDF as vector graphics (fpdf2 lines and rectangles): sharp in print,
no raster engine, a few milliseconds. The pages keep their Altair charts (``core.charts``)."""

from __future__ import annotations

from collections.abc import Sequence

BLUE = (11, 83, 148)
ORANGE = (230, 145, 56)
GRID = (200, 200, 200)
TEXT = (60, 60, 60)
LEVELS = 5
LABEL_WIDTH = 52  # mm for the competency names
ROW = 5.0  # mm per competency: the chart of nine fits under the table on page 1
BAR = 3.0  # mm: the bar's thickness inside its row
TICK_OVERHANG = 1.2  # mm the standard's line reaches past the bar


def profile_bars(pdf, points: Sequence[tuple[str, int, int]], x: float, y: float, width: float) -> float:
    """Achieved level per competency as a bar, the standard as an orange line; returns the height used.

    ``points``: ``(name, level, standard)`` per competency, levels 0–5 (0: no consensus yet).
    """
    plot_x, plot_w = x + LABEL_WIDTH, width - LABEL_WIDTH
    height = ROW * len(points)
    _grid(pdf, plot_x, y, plot_w, height)
    for index, (name, level, standard) in enumerate(points):
        top = y + index * ROW
        _label(pdf, name, x, top, LABEL_WIDTH - 2)
        _bar(pdf, plot_x, top, plot_w, level, standard)
    _axis(pdf, plot_x, y + height, plot_w)
    return height + 5


def _scale(plot_x: float, plot_w: float, level: float) -> float:
    return plot_x + plot_w * level / LEVELS


def _grid(pdf, plot_x: float, y: float, plot_w: float, height: float) -> None:
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.15)
    for level in range(LEVELS + 1):
        pdf.line(_scale(plot_x, plot_w, level), y, _scale(plot_x, plot_w, level), y + height)
    pdf.set_draw_color(0, 0, 0)


def _label(pdf, name: str, x: float, top: float, width: float) -> None:
    pdf.set_font(size=7.5)
    pdf.set_text_color(*TEXT)
    while name and pdf.get_string_width(name) > width:  # a long custom name is shortened, never wrapped
        name = name[:-2] + "…"
    pdf.text(x + width - pdf.get_string_width(name), top + ROW / 2 + 1.1, name)
    pdf.set_text_color(0, 0, 0)


def _bar(pdf, plot_x: float, top: float, plot_w: float, level: int, standard: int) -> None:
    bar_top = top + (ROW - BAR) / 2
    if level:
        pdf.set_fill_color(*BLUE)
        pdf.rect(plot_x, bar_top, _scale(plot_x, plot_w, level) - plot_x, BAR, style="F")
    if standard:
        pdf.set_draw_color(*ORANGE)
        pdf.set_line_width(0.9)
        at = _scale(plot_x, plot_w, standard)
        pdf.line(at, bar_top - TICK_OVERHANG, at, bar_top + BAR + TICK_OVERHANG)
        pdf.set_line_width(0.2)
        pdf.set_draw_color(0, 0, 0)


def _axis(pdf, plot_x: float, bottom: float, plot_w: float) -> None:
    pdf.set_line_width(0.2)
    pdf.line(plot_x, bottom, plot_x + plot_w, bottom)
    pdf.set_font(size=7)
    pdf.set_text_color(*TEXT)
    for level in range(LEVELS + 1):
        label = str(level)
        pdf.text(_scale(plot_x, plot_w, level) - pdf.get_string_width(label) / 2, bottom + 3.2, label)
    pdf.set_text_color(0, 0, 0)
