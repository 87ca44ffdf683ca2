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


# The 9-box talent map (SPEC §4.6) --------------------------------------------------------------

POTENTIAL_ROWS = ("tinggi", "menengah", "rendah")  # top to bottom
PERFORMANCE_COLUMNS = ("di_bawah", "sesuai", "di_atas")  # left to right
POOL_FILL = (226, 239, 218)  # the succession pool (boxes 7, 8, 9)
CELL_FILL = (245, 245, 245)
AXIS_ROOM = 9  # mm left of and below the grid for the axis names
CELL_HEIGHT = 21  # mm


def ninebox_grid(pdf, cells: Sequence[dict], labels: dict, x: float, y: float, width: float) -> float:
    """Nine boxes, potential up and performance to the right; each with its number, head count and who.

    ``cells``: per box ``box``, ``potential``, ``performance``, ``succession``, ``count``, ``people``
    (participant numbers); ``labels``: axis names and the level words (``tinggi``, ``di_atas``, …, ``count``).
    Returns the height used.
    """
    cell_w = (width - AXIS_ROOM - 22) / 3
    grid_x = x + AXIS_ROOM + 22
    at = {(c["potential"], c["performance"]): c for c in cells}
    for row, potential in enumerate(POTENTIAL_ROWS):
        top = y + row * CELL_HEIGHT
        _row_label(pdf, labels[potential], x + AXIS_ROOM, top, 20)
        for column, performance in enumerate(PERFORMANCE_COLUMNS):
            cell = at.get((potential, performance))
            if cell:
                _box(pdf, cell, labels["count"], grid_x + column * cell_w, top, cell_w)
    bottom = y + 3 * CELL_HEIGHT
    for column, performance in enumerate(PERFORMANCE_COLUMNS):
        _centred(pdf, labels[performance], grid_x + column * cell_w, bottom + 4, cell_w, 7.5)
    _centred(pdf, labels["performance_axis"], grid_x, bottom + 8.5, 3 * cell_w, 8, "B")
    with pdf.rotation(90, x + 4, y + 1.5 * CELL_HEIGHT):
        _centred(pdf, labels["potential_axis"], x + 4 - 1.5 * CELL_HEIGHT, y + 1.5 * CELL_HEIGHT + 1, 3 * CELL_HEIGHT,
                 8, "B")
    pdf.set_text_color(0, 0, 0)
    return 3 * CELL_HEIGHT + AXIS_ROOM + 2


def _box(pdf, cell: dict, count_word: str, x: float, top: float, width: float) -> None:
    pdf.set_fill_color(*(POOL_FILL if cell["succession"] else CELL_FILL))
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.3)
    pdf.rect(x, top, width, CELL_HEIGHT, style="DF")
    pdf.set_font(style="B", size=13)
    pdf.set_text_color(*TEXT)
    pdf.text(x + 2, top + 6, str(cell["box"]))
    pdf.set_font(style="B", size=8)
    count = f"{cell['count']} {count_word}"
    pdf.text(x + width - 2 - pdf.get_string_width(count), top + 5.5, count)
    pdf.set_font(style="", size=6.5)
    pdf.set_xy(x + 1.5, top + 8)
    people = ", ".join(cell["people"])
    while people and len(pdf.multi_cell(width - 3, 3, people, dry_run=True, output="LINES")) > 5:
        people = people[:people.rstrip(", …").rfind(",")] + ", …"  # what does not fit is in the table above
    pdf.multi_cell(width - 3, 3, people, align="L")
    pdf.set_draw_color(0, 0, 0)


def _row_label(pdf, text: str, x: float, top: float, width: float) -> None:
    pdf.set_font(style="", size=7.5)
    pdf.set_text_color(*TEXT)
    pdf.text(x + width - 1 - pdf.get_string_width(text), top + CELL_HEIGHT / 2 + 1.2, text)


def _centred(pdf, text: str, x: float, baseline: float, width: float, size: float, style: str = "") -> None:
    pdf.set_font(style=style, size=size)
    pdf.set_text_color(*TEXT)
    pdf.text(x + (width - pdf.get_string_width(text)) / 2, baseline, text)
