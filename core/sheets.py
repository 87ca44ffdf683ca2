"""The one writer of every spreadsheet the app produces (exports, recaps, import templates).

Nothing a user or a file supplied may run as a formula: every text cell that could start one gets a
leading ``'`` (:func:`neutralise`), and :func:`workbook_bytes` — the only way a workbook leaves the
app — checks every cell of every sheet once more before saving, so a builder that forgot cannot leak
a live formula.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Characters that make a spreadsheet read a cell as a formula (with their full-width forms), and the
# control characters some spreadsheets also honour at the very start of a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTROL_STARTS = ("\t", "\r", "\n")
SHEET_NAME_MAX = 31
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)


def neutralise(value):
    """A cell value that can never run as a formula: text that could start one gets a leading ``'``.

    Numbers (negative ones too) stay numbers; characters XML cannot carry are dropped.
    """
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if needs_quote(text):
        return "'" + text
    return text


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (leading spaces do not hide a ``=``)."""
    return text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def _plain(value):
    """NaN and pandas' NA/NaT as an empty cell; numpy numbers as Python numbers."""
    if (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value.item() if hasattr(value, "item") else value


def append(ws: Worksheet, values: list) -> None:
    """Add a row below the last one, every value neutralised."""
    ws.append([neutralise(_plain(v)) for v in values])


def put(ws: Worksheet, coordinate: str, value):
    """Write one cell (``"A1"``), neutralised; returns the cell for styling."""
    cell = ws[coordinate]
    cell.value = neutralise(_plain(value))
    return cell


def header(ws: Worksheet, titles: list[str], widths: list[float] | None = None, freeze: bool = True) -> None:
    """The bold header row, frozen, with column widths."""
    append(ws, titles)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    if freeze:
        ws.freeze_panes = f"A{ws.max_row + 1}"
    widen(ws, widths or [])


def widen(ws: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def sheet_title(name: str, taken: set[str], fallback: str) -> str:
    """A valid, unique sheet name: ≤ 31 characters, none of ``[]:*?/\\``, no quote at either end."""
    cleaned = " ".join(SHEET_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", name or "")).split())
    base = cleaned.strip("'")[:SHEET_NAME_MAX].strip().strip("'") or fallback
    title, counter = base, 2
    while title.lower() in taken:  # Excel compares sheet names without case
        suffix = f" ({counter})"
        title, counter = base[:SHEET_NAME_MAX - len(suffix)].rstrip() + suffix, counter + 1
    taken.add(title.lower())
    return title


def defuse(wb: Workbook) -> int:
    """Turn every formula and every unneutralised text cell of ``wb`` into plain text; returns how many."""
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or needs_quote(value)):
                    cell.value = None  # clears the formula type before the text goes in
                    cell.value = neutralise(value)
                    cell.data_type = "s"
                    changed += 1
    return changed


def workbook_bytes(wb: Workbook) -> bytes:
    """The saved workbook, after :func:`defuse`: the single exit of every spreadsheet."""
    defuse(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
