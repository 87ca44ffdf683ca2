"""The PDF base of every report (SPEC §6): A4, DejaVu (Unicode) regular and bold, the letterhead
from the settings, page numbers, an optional "DRAF" watermark. Builders return ``bytes``."""

from __future__ import annotations

import base64
import copy
import io
import os
import re
import tempfile
import threading
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.errors import DomainError
from core.i18n import format_date

FONT_DIRS = [Path(__file__).resolve().parent.parent / "data" / "fonts", Path("/usr/share/fonts/truetype/dejavu"),
             Path("C:/Windows/Fonts")]
FONT = "DejaVu"
MARGIN = 18  # mm on every side: what the margin test checks against
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
SIGNING_ROOM = 20  # mm between the role and the name: room for a signature and a stamp
UNSIGNED = "(" + "." * 30 + ")"  # room for a handwritten name; fits a third of the page
NAME_SIZES = (9.5, 9, 8.5, 8)  # pt: a signatory's name shrinks this far to stay on one line
BULLET_INDENT = 6  # mm: the text of a point hangs here, under itself
BULLET_MARK = re.compile(r"^(?:[-•·*]|\d{1,2}[.)])\s+")  # a typed bullet or number gives way to ours
SHADE = (217, 226, 243)  # the standard's cell in the profile table


class FontMissing(DomainError):
    """DejaVu Sans is needed for Indonesian text; install fonts-dejavu-core or put the TTFs in data/fonts.
    A domain error: the page tells the officer what the server lacks instead of a bare apology."""

    def __init__(self, name: str):
        super().__init__("pdf.font_missing", file=name)

    def __reduce__(self):  # a report worker (core.pool) sends it back pickled
        return FontMissing, (self.params["file"],)


def font_file(name: str) -> Path:
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return directory / name
    raise FontMissing(name)


# Glyphs an Indonesian paper needs: Latin with its accents, punctuation, the signs the reports print
# (− ≤ ≥ × • … ★ ✓ ✕ №). Anything else falls back to the full face for that document only.
PAPER_CODEPOINTS = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2010, 0x2050),
                              0x20AC, 0x2116, 0x2122, 0x2190, 0x2192, 0x2212, 0x2264, 0x2265,
                              0x25A0, 0x25CF, 0x2605, 0x2713, 0x2715])
FACES = (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"))
FULL = "DejaVuFull"  # the whole face, registered only when a text needs a glyph outside the subset

_fonts: dict[tuple[str, str], object] = {}
_fonts_lock = threading.Lock()


def paper_font_file(file_name: str) -> Path:
    """DejaVu cut down to ``PAPER_CODEPOINTS``, built once per installation in the temp folder.

    fpdf2 subsets every font when it writes a PDF; from a 45 kB face that costs ~5 ms, from the full
    760 kB face ~75 ms of every report.
    """
    source = font_file(file_name)
    stat = source.stat()
    stamp = f"{stat.st_size}-{int(stat.st_mtime)}-{len(PAPER_CODEPOINTS)}"
    target = Path(tempfile.gettempdir()) / f"dasbor-{source.stem}-{stamp}.ttf"
    if not target.exists():
        face = ttLib.TTFont(source, recalcTimestamp=False)
        options = subset.Options(hinting=False, notdef_outline=True, name_IDs=["*"], layout_features=["kern"],
                                  drop_tables=[*subset.Options().drop_tables, "FFTM"])
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=PAPER_CODEPOINTS)
        subsetter.subset(face)
        scratch = target.with_suffix(f".{os.getpid()}.tmp")
        face.save(scratch)
        os.replace(scratch, target)  # atomic: another process may be building the same file
    return target


def _parsed_font(family: str, style: str, path: Path):
    """Parsing a TTF costs time; parse each once per process and give every PDF its own copy.

    fpdf2's TTFFont deep-copies cheaply: the parsed font is shared, the per-document subset is not.
    """
    with _fonts_lock:
        if (family, style) not in _fonts:
            scratch = FPDF()
            scratch.add_font(family, style, str(path))
            _fonts[family, style] = scratch.fonts[f"{family.lower()}{style}"]
    clone = copy.deepcopy(_fonts[family, style])
    # The subsetter rewrites the fontTools object when the PDF is written: each PDF opens its own
    # (a lazy open reads only the table directory); the widths and glyph ids stay shared work.
    clone.ttfont = ttLib.TTFont(clone.ttffile, recalcTimestamp=False, lazy=True)
    return clone


class ReportPDF(FPDF):
    """A4 portrait with the letterhead on the first page and "Halaman x dari y" on every page."""

    def __init__(self, letterhead: dict, title: str = "", draft: bool = False, footer_note: str = "",
                 confidential: bool = False):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.letterhead, self.draft, self.footer_note = letterhead, draft, footer_note
        self.confidential = confidential
        for style, file_name in FACES:
            self._register(FONT, style, paper_font_file(file_name))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 8)
        self.alias_nb_pages("{nb}")
        self.set_title(title)
        self.set_author(letterhead.get("instansi", ""))
        self.set_creator("Dasbor Assessment Center")

    def _register(self, family: str, style: str, path: Path) -> None:
        font = _parsed_font(family, style, path)
        font.i = len(self.fonts) + 1  # the font's number in this document, as add_font would give it
        self.fonts[f"{family.lower()}{style}"] = font

    def normalize_text(self, text: str) -> str:
        """A glyph outside the paper subset (a rare name) brings in the full face for this document."""
        if not self._fallback_font_ids and not PAPER_CODEPOINTS.issuperset(map(ord, text.replace("\n", ""))):
            for style, file_name in FACES:
                self._register(FULL, style, font_file(file_name))
            self.set_fallback_fonts([FULL])
        return super().normalize_text(text)

    def header(self) -> None:
        if self.confidential:
            self.confidential_mark()
        if self.draft:
            self._watermark()
        if self.page_no() == 1:
            self._letterhead()

    def _letterhead(self) -> None:
        logo = self.letterhead.get("logo")
        top = self.get_y()
        if logo:
            self.image(io.BytesIO(base64.b64decode(logo)), x=MARGIN, y=top, h=20)
        self.set_x(MARGIN + (24 if logo else 0))
        width = self.epw - (24 if logo else 0)
        for text, size, style in ((self.letterhead.get("instansi", ""), 13, "B"),
                                  (self.letterhead.get("unit", ""), 11, "B"),
                                  (self.letterhead.get("address", ""), 8.5, "")):
            if text:
                self.set_font(FONT, style, size)
                self.set_x(MARGIN + (24 if logo else 0))
                self.multi_cell(width, 5.2, text, align="C", **NEXT_LINE)
        self.set_y(max(self.get_y(), top + 21) + 1)
        self.set_line_width(0.6)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.set_line_width(0.2)
        self.ln(4)

    def _watermark(self) -> None:
        with self.local_context(text_color=(225, 225, 225)):
            self.set_font(FONT, "B", 90)
            with self.rotation(45, self.w / 2, self.h / 2):
                self.text(self.w / 2 - 45, self.h / 2 + 15, "DRAF")

    def footer(self) -> None:
        self.set_y(-MARGIN - 2)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(self.epw / 2, 4, self.footer_note[:110], align="L")
        self.cell(self.epw / 2, 4, f"Halaman {self.page_no()} dari {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # Small building blocks -------------------------------------------------------------------

    def heading(self, text: str, size: float = 11) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 6, text, **NEXT_LINE)
        self.ln(1)

    def paragraph(self, text: str, size: float = 10, style: str = "", markdown: bool = False) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, 5.2, text or "–", markdown=markdown, **NEXT_LINE)
        self.ln(1.5)

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FONT, "B", 13)
        self.multi_cell(0, 7, title, align="C", **NEXT_LINE)
        if subtitle:
            self.set_font(FONT, "", 10)
            self.multi_cell(0, 5.5, subtitle, align="C", **NEXT_LINE)
        self.ln(3)

    def signatures(self, blocks: list[dict], place_date: str = "") -> None:
        """Signature blocks side by side: role, room to sign, the name underlined, "NIP. …" beneath.

        Names share one size, the largest of ``NAME_SIZES`` at which each fits on one line of its column; a name
        too long even at the smallest wraps into even lines, each underlined. Roles wrap evenly (no lone word).
        """
        width, roles, size, names, needed = self._signature_layout(blocks, place_date)
        role_lines = max(len(lines) for lines in roles)
        if self.get_y() + needed - 4 > self.h - MARGIN - 8:  # the gap above may fall on the page's foot
            self.add_page()
        start = self.get_y()
        top = start + 4
        for index, block in enumerate(blocks):
            x = MARGIN + index * width
            self.set_font(FONT, "", 9.5)
            for row, line in enumerate(roles[index]):
                self.set_xy(x, top + row * 5)
                self.cell(width, 5, line, align="C")
            self.set_font(FONT, "BU" if block.get("name") else "B", size)
            for row, line in enumerate(names[index]):
                self.set_xy(x, top + role_lines * 5 + SIGNING_ROOM + row * 5)
                self.cell(width, 5, line, align="C")  # underlined line by line: a wrapped name keeps its rule
            self.set_font(FONT, "", 9)
            self.set_xy(x, top + role_lines * 5 + SIGNING_ROOM + len(names[index]) * 5)
            self.cell(width, 5, f"NIP. {block['nip']}" if block.get("nip") else "NIP. " + "." * 24, align="C")
        self.set_xy(MARGIN, start + needed)

    def signatures_height(self, blocks: list[dict], place_date: str = "") -> float:
        """The height in mm :meth:`signatures` takes (to keep it on one page with what belongs to it)."""
        return self._signature_layout(blocks, place_date)[-1]

    def _signature_layout(self, blocks: list[dict], place_date: str) -> tuple:
        """Column width, role lines, name size, name lines per block, and the height of the whole row."""
        width = self.epw / max(len(blocks), 1)
        room = width - 4  # 2 mm either side: neighbouring names never touch
        roles = [([place_date] if place_date and index == len(blocks) - 1 else [])
                 + self._even_lines(block.get("role", ""), room, "", 9.5) for index, block in enumerate(blocks)]
        size = name_size([block.get("name") or UNSIGNED for block in blocks], room, self._measure("B"))
        names = [self._even_lines(block.get("name") or UNSIGNED, room, "B", size) for block in blocks]
        lines = max(len(r) for r in roles) + max(len(n) for n in names) + 1  # and the NIP
        return width, roles, size, names, 4 + lines * 5 + SIGNING_ROOM + 2  # a gap above, the rows, a gap below

    def _measure(self, style: str):
        """Width in mm of a text in DejaVu of ``style`` at a size (the current font is left as it was)."""
        def measure(text: str, size: float) -> float:
            with self.local_context():
                self.set_font(FONT, style, size)
                return self.get_string_width(text)
        return measure

    def _even_lines(self, text: str, width: float, style: str, size: float) -> list[str]:
        measure = self._measure(style)
        return [line for part in (text or "").split("\n") for line in even_lines(part, width,
                                                                                 lambda s: measure(s, size))]

    def confidential_mark(self) -> None:
        """RAHASIA, framed, at the top right of every page (Peraturan BKN 26/2019: the report is confidential)."""
        with self.local_context():
            self.set_font(FONT, "B", 9)
            label = "RAHASIA"
            w = self.get_string_width(label) + 4
            self.set_xy(self.w - MARGIN - w, MARGIN - 2.5)
            self.cell(w, 5.5, label, border=1, align="C")
        self.set_xy(MARGIN, MARGIN if self.page_no() == 1 else MARGIN + 5)  # later pages start below it

    def points(self, text: str, size: float = 10) -> None:
        """A text of one point per line as bullets with a hanging indent; a single sentence as a paragraph."""
        items = [BULLET_MARK.sub("", line.strip()) for line in (text or "").splitlines() if line.strip()]
        if len(items) <= 1:
            self.paragraph(items[0] if items else "")
            return
        self.set_font(FONT, "", size)
        for item in items:
            self.set_x(MARGIN + 2)
            self.cell(BULLET_INDENT - 2, 5.2, "•")
            self.multi_cell(0, 5.2, item, **NEXT_LINE)
        self.ln(1.5)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def greedy_lines(text: str, width: float, measure) -> list[str]:
    """Words filled into lines no wider than ``width`` (``measure(text)`` in the same unit); a word wider than
    the line stands alone on its own."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def even_lines(text: str, width: float, measure, steps: int = 12) -> list[str]:
    """As few lines as ``greedy_lines`` gives, filled as evenly as they can be: the narrowest width that still
    needs no more lines (so "Kepala BKPSDM Kota Harapan / Jaya" becomes "Kepala BKPSDM / Kota Harapan Jaya")."""
    lines = greedy_lines(text, width, measure)
    if len(lines) < 2:
        return lines
    low, high = max(measure(word) for word in text.split()), width
    for _ in range(steps):
        middle = (low + high) / 2
        if len(greedy_lines(text, middle, measure)) <= len(lines):
            high = middle
        else:
            low = middle
    return greedy_lines(text, high, measure)


def name_size(names: list[str], width: float, measure, sizes: tuple[float, ...] | None = None) -> float:
    """The largest of ``sizes`` at which every name that fits one line at the smallest size fits one line;
    ``measure(text, size)``. A name too long even then wraps and does not shrink the others; when no name fits,
    the smallest (the fewest lines)."""
    sizes = sizes or NAME_SIZES
    fitting = [name for name in names if measure(name, sizes[-1]) <= width]
    if not fitting:
        return sizes[-1]
    return next((size for size in sizes if all(measure(name, size) <= width for name in fitting)), sizes[-1])


def place_and_date(city: str, day: str) -> str:
    """``Kota Harapan Jaya, 23 November 2026``."""
    return f"{city}, {format_date(day)}" if city else format_date(day)
