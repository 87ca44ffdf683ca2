"""One reader for every import (SPEC §9): bytes + file name → a table and a report of what was read.

Formats: ``.xlsx`` (openpyxl, read-only), ``.xls`` (xlrd), ``.ods`` (a streaming read of its
``content.xml``), ``.csv``/``.txt``/``.tsv`` in UTF-8 (± BOM), UTF-16, cp1252/latin-1 with ``,`` ``;`` tab
or ``|``, and HTML tables saved under an ``.xls``/``.csv`` name (the standard library's HTML parser).

Before a library builds anything in memory, the cells are counted while streaming: the zipped XML
of an XLSX/ODS is decompressed chunk by chunk and its cell elements counted, so a small file that
unpacks into millions of cells is refused within a second and a few MB of memory
(``CELL_BUDGET``). ``.xls``, CSV and HTML are bounded by the upload size and counted as they are read.

Layout: each sheet's first ``HEADER_SCAN`` rows are scored against the import's column synonyms
(``data/columns.json``); the best row (or pair of rows, for a merged two-row header) of the best
sheet is the header. Title blocks above it are skipped; footer rows after the data (totals,
"Jumlah …", signature blocks, "NIP. …" lines) are left out and listed. Pure Python: no streamlit.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from core.errors import ValidationError
from core.i18n import format_number, t

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# 5,000 rows of a SIASN export (~70 columns) plus title and footer rows fit well under this.
CELL_BUDGET = 600_000
MAX_COLUMNS = 300
HEADER_SCAN = 20
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
CHUNK = 1 << 20
COLUMNS_FILE = Path(__file__).resolve().parent.parent / "data" / "columns.json"

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
EXTENSIONS = SPREADSHEET_EXTENSIONS | TEXT_EXTENSIONS
SEPARATORS = (";", ",", "\t", "|")
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"})
SIGNATURES = {
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"%PDF": "pdf",
    b"\xd0\xcf\x11\xe0": "ole",
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",
}
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|meta|head)\b",
                         re.IGNORECASE | re.DOTALL)
# An XLSX cell element: <c ...> or <c .../>, with any namespace prefix; group 1 = attributes.
_XLSX_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})\d+"')
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb'table:number-columns-repeated="(\d+)"')
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/?)>")
_ODS_ROW_REPEAT = re.compile(rb'table:number-rows-repeated="(\d+)"')
_FOOTER = re.compile(
    r"^(?:jumlah|total|sub ?total|rata-rata|keterangan|catatan|mengetahui|menyetujui|ditetapkan|"
    r"dibuat|kepala|sekretaris|plt\.?|plh\.?|a\.?\s?n\.?|an\.|pj\.?|nip[.:]|nip\s|pembina|penata|"
    r"(?:[a-z .]+,\s*)?\d{1,2}\s+[a-z]+\s+\d{4}$)",
    re.IGNORECASE,
)


# A key a spreadsheet turned into a number ("1.98205E+17", "198205052012032850.0"): a data row whose
# NIP is damaged, to be reported, never a footer to leave out.
_NUMBER_LIKE = re.compile(r"'?\d+(?:[.,]\d+)?E\+?\d{1,2}|'?\d{15,}(?:[.,]\d+)?", re.IGNORECASE)


class Mapping(dict):
    """Field key → column index in the table's header."""


@dataclass
class LeftOut:
    """A row of the file that is not data, and why (catalog key)."""

    row: int
    reason: str
    text: str = ""


@dataclass
class Table:
    """What the reader found: the header, the data rows with their row numbers in the file, a report."""

    header: list[str]
    rows: list[tuple[int, list]]
    kind: str
    sheet: str | None = None
    header_rows: tuple[int, ...] = ()
    left_out: list[LeftOut] = field(default_factory=list)
    mapping: Mapping = field(default_factory=Mapping)
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    missing_content: list[str] = field(default_factory=list)  # content fields, when none of them was found

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing or self.missing_content)

    @property
    def header_row(self) -> int:
        return self.header_rows[-1] if self.header_rows else 0

    def column_name(self, key: str) -> str:
        """The file's own header of the column mapped to ``key``."""
        index = self.mapping.get(key)
        return self.header[index] if index is not None and index < len(self.header) else key

    def cell(self, cells: list, key: str):
        index = self.mapping.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def signature(self) -> str:
        """The header as one normalised string: the key a remembered mapping is stored under."""
        return "|".join(normalize_header(name) for name in self.header)


# --- column synonyms -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def column_table() -> dict:
    """``data/columns.json``: per import kind, per field, whether required and its synonyms."""
    return json.loads(COLUMNS_FILE.read_text(encoding="utf-8"))


def fields_of(kind: str, extra: dict[str, list[str]] | None = None) -> dict[str, dict]:
    """The fields of an import kind, plus ``extra`` fields (e.g. one per stage) given by the caller."""
    fields = dict(column_table()[kind]["fields"])
    taken = {normalize_header(s) for synonyms in (extra or {}).values() for s in synonyms}
    for key, spec in list(fields.items()):  # a stage literally called "Nama" wins over the name column
        if not spec.get("required") and {normalize_header(s) for s in [key, *spec["synonyms"]]} & taken:
            del fields[key]
    content = any(spec.get("content") for spec in fields.values())
    for key, synonyms in (extra or {}).items():
        fields[key] = {"required": False, "synonyms": synonyms} | ({"content": True} if content else {})
    return fields


def unmapped(fields: dict[str, dict], mapping: dict[str, int]) -> tuple[list[str], list[str]]:
    """The required fields a mapping lacks, and — for a kind that names content fields (``"content": true``
    in ``data/columns.json``) and maps none of them — those content fields: a file of NIPs alone says nothing."""
    required = [key for key, spec in fields.items() if spec.get("required") and key not in mapping]
    content = [key for key, spec in fields.items() if spec.get("content")]
    return required, content if not any(key in mapping for key in content) else []


def normalize_header(text) -> str:
    """``"N I P"``, ``"NIP."``, ``" Nip "`` → ``"nip"``: case, spaces, dots, underscores ignored."""
    value = " ".join(cell_text(text).replace("_", " ").replace(".", " ").split()).casefold()
    if re.fullmatch(r"(?:\w ){2,}\w", value):  # letters spaced out: "n i p"
        value = value.replace(" ", "")
    return value.replace(" ", "")


def match_columns(header: list[str], fields: dict[str, dict], strict: bool = True) -> tuple[Mapping, list[str]]:
    """Map fields to header positions through the synonyms; return the mapping and ignored headers."""
    lookup: dict[str, str] = {}
    for key, spec in fields.items():
        for synonym in [key, *spec["synonyms"]]:
            lookup.setdefault(normalize_header(synonym), key)
    mapping, ignored = Mapping(), []
    for index, name in enumerate(header):
        key = lookup.get(normalize_header(name))
        if key is not None and key not in mapping:
            mapping[key] = index
        elif strict and key is not None and normalize_header(header[mapping[key]]) == normalize_header(name):
            raise ValidationError("import.header_duplicate", header=cell_text(name))  # which one to read?
        elif cell_text(name):
            ignored.append(cell_text(name))
    return mapping, ignored


def apply_mapping(table: Table, fields: dict[str, dict], chosen: dict[str, int] | None = None) -> Table:
    """Fill ``table.mapping``/``ignored``/``missing``; ``chosen`` (the officer's own mapping) wins."""
    mapping, _ = match_columns(table.header, fields)
    if chosen:
        mapping = Mapping({k: i for k, i in chosen.items() if k in fields and 0 <= i < len(table.header)})
    used = set(mapping.values())
    table.mapping = mapping
    table.ignored = [cell_text(name) for i, name in enumerate(table.header) if i not in used and cell_text(name)]
    table.missing, table.missing_content = unmapped(fields, mapping)
    return table


# --- the entry point -----------------------------------------------------------------------


def read(filename: str, data: bytes, kind: str, *, extra: dict[str, list[str]] | None = None,
         chosen: dict[str, int] | None = None, key_field: str = "nip") -> Table:
    """Read ``data`` (the bytes of ``filename``) for the import ``kind``; raise ``ValidationError`` if unreadable."""
    fields = fields_of(kind, extra)
    sheets = load_sheets(filename, data)
    table = find_table(sheets, fields)
    apply_mapping(table, fields, chosen)
    strip_footer(table, key_field)
    if len(table.rows) > MAX_ROWS:
        raise ValidationError("import.too_many_rows", limit=format_number(MAX_ROWS, 0))
    return table


def check_extension(filename: str) -> str:
    """The lower-case extension if the app reads it; else the app's own Indonesian refusal."""
    extension = Path(filename or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError("reader.unsupported_type", extension=extension or (filename or "–"))
    return extension


def load_sheets(filename: str, data: bytes) -> list[tuple[str | None, list[list]]]:
    """Every sheet as ``(name, rows)``; rows as read (cells of any type), numbered from 1 by position."""
    if not data:
        raise ValidationError("import.empty_file")
    if len(data) > MAX_BYTES:
        raise ValidationError("import.file_too_large", size=format_number(len(data) / 2**20, 1),
                              limit=format_number(MAX_BYTES / 2**20, 0))
    check_extension(filename)
    content = content_kind(data)
    readers = {"xlsx": xlsx_sheets, "ods": ods_sheets, "xls": xls_sheets, "html": html_sheets,
               "text": text_sheets}
    if content not in readers:
        raise ValidationError("import.not_a_spreadsheet", filename=filename, what=t(f"import.kind.{content}"))
    sheets = readers[content](data)
    if not any(any(cell_text(c) for c in row) for _, rows in sheets for row in rows):
        raise ValidationError("import.empty_file")
    return sheets


def content_kind(data: bytes) -> str:
    """What the bytes are, whatever the name says: xlsx, ods, xls, html, text, or an ``import.kind.*``."""
    for signature, kind in SIGNATURES.items():
        if data.startswith(signature):
            if kind == "zip":
                return zip_kind(data)
            return "xls" if kind == "ole" else kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data[:4096].decode("utf-16", errors="ignore").encode("utf-8")
        return "html" if _HTML_START.match(head) else "text"
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return "html"
    if _BINARY_BYTES.search(data.rstrip(b"\x1a")):
        return "binary"
    return "text"


def zip_kind(data: bytes) -> str:
    """Tell an XLSX and an ODS from other ZIP-based files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "xlsx"  # most likely a damaged XLSX: openpyxl will say so
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ValidationError("import.unpacked_too_large")
    names = {member.filename for member in members}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and b"opendocument.spreadsheet" in _member_head(archive, "mimetype"):
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    return "zip"


def _member_head(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(200)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError):
        return b""


# --- the streaming cell budget -------------------------------------------------------------


def _stream(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member in 1 MB chunks, each with the tail of the previous one so no element is cut."""
    tail = b""
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            block = tail + chunk
            cut = block.rfind(b"<")
            yield block[:cut] if cut > 0 else block
            tail = block[cut:] if cut > 0 else b""
    if tail:
        yield tail


def _too_many_cells(count: int) -> ValidationError:
    return ValidationError("reader.too_many_cells", cells=format_number(count, 0),
                           limit=format_number(CELL_BUDGET, 0))


def xlsx_budget(archive: zipfile.ZipFile) -> int:
    """Count the cells of every worksheet while decompressing; refuse past the budget. Widest column."""
    count, widest = 0, 0
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            for block in _stream(archive, name):
                for match in _XLSX_CELL.finditer(block):
                    count += 1
                    if not match[2]:  # a cell with content (not <c .../>) widens the table
                        ref = _CELL_REF.search(match[1])
                        widest = max(widest, column_index(ref[1].decode()) if ref else 0)
                if count > CELL_BUDGET:
                    raise _too_many_cells(count)
        elif name == "xl/sharedStrings.xml":
            strings = sum(block.count(b"<si") for block in _stream(archive, name))
            if strings > CELL_BUDGET:
                raise _too_many_cells(strings)
    return widest


def column_index(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def ods_budget(archive: zipfile.ZipFile) -> None:
    """Count ODS cells with content, repeats included; empty repeated cells are free."""
    count, row_repeat = 0, 1
    for block in _stream(archive, "content.xml"):
        position = 0
        while True:
            row = _ODS_ROW.search(block, position)
            cell = _ODS_CELL.search(block, position)
            if cell is None and row is None:
                break
            if row is not None and (cell is None or row.start() < cell.start()):
                repeat = _ODS_ROW_REPEAT.search(row[1])
                row_repeat = int(repeat[1]) if repeat else 1
                position = row.end()
                continue
            if not cell[2] or b"office:value-type" in cell[1]:  # not an empty <table:table-cell/>
                repeat = _ODS_REPEAT.search(cell[1])
                count += (int(repeat[1]) if repeat else 1) * row_repeat
                if count > CELL_BUDGET:
                    raise _too_many_cells(count)
            position = cell.end()


# --- formats -------------------------------------------------------------------------------


def xlsx_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    """Every worksheet, values only; whole numbers stay exact ints (an 18-digit NIP survives)."""
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        widest = xlsx_budget(archive)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise ValidationError("import.xlsx_unreadable") from exc
    if widest > MAX_COLUMNS:
        raise ValidationError("reader.too_many_columns", columns=widest, limit=MAX_COLUMNS)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError("import.xlsx_unreadable") from exc
    try:
        sheets = []
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):  # a chartsheet
                continue
            sheet.reset_dimensions()
            rows = [list(row) for row in sheet.iter_rows(values_only=True, max_col=max(widest, 1))]
            sheets.append((sheet.title, rows))
        return sheets
    except Exception as exc:
        raise ValidationError("import.xlsx_unreadable") from exc
    finally:
        workbook.close()


def xls_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    """Old Excel (97–2003) through xlrd; dates become dates, error cells their ``#…`` text."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, AssertionError … on damage
        raise ValidationError("reader.xls_unreadable") from exc
    sheets, count = [], 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            count += sheet.nrows * sheet.ncols
            if count > CELL_BUDGET:
                raise _too_many_cells(count)
            rows = [[_xls_value(book, cell) for cell in sheet.row(r)] for r in range(sheet.nrows)]
            sheets.append((sheet.name, rows))
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError("reader.xls_unreadable") from exc
    finally:
        book.release_resources()
    return sheets


def _xls_value(book, cell):
    import xlrd

    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError):
            return cell.value
        return value.date() if value.time() == time() else value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def ods_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    """LibreOffice's ``content.xml``, streamed after the cell budget; errors keep their ``#…`` text."""
    from defusedxml.ElementTree import iterparse

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        ods_budget(archive)
        with archive.open("content.xml") as member:
            return _ods_tables(iterparse(member, events=("start", "end")))
    except ValidationError:
        raise
    except Exception as exc:  # a damaged archive or XML, or a DTD (refused by defusedxml)
        raise ValidationError("reader.ods_unreadable") from exc


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _ods_tables(events) -> list[tuple[str, list[list]]]:
    sheets: list[tuple[str, list[list]]] = []
    rows: list[list] = []
    row: list = []
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == _TABLE + "table":
                rows = []
                sheets.append((element.get(_TABLE + "name") or "", rows))
            elif tag == _TABLE + "table-row":
                row = []
            continue
        if tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            repeat = int(element.get(_TABLE + "number-columns-repeated") or 1)
            value = _ods_value(element)
            row.extend([value] * (repeat if value is not None else min(repeat, MAX_COLUMNS)))
            element.clear()
        elif tag == _TABLE + "table-row":
            repeat = int(element.get(_TABLE + "number-rows-repeated") or 1)
            while row and row[-1] is None:
                row.pop()
            rows.extend([list(row) for _ in range(repeat if row else min(repeat, 1))])
            element.clear()
        elif tag == _TABLE + "table":
            while rows and not rows[-1]:
                rows.pop()
            element.clear()
    return sheets


def _ods_value(element):
    value_type = element.get(_OFFICE + "value-type")
    text = "\n".join("".join(p.itertext()) for p in element.iter(_TEXT + "p"))
    if element.get("{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type") == "error":
        return text or "#N/A"
    if value_type in ("float", "percentage", "currency"):
        raw = element.get(_OFFICE + "value") or ""
        if re.fullmatch(r"-?\d+", raw):
            return int(raw)
        try:
            return float(raw)
        except ValueError:
            return text
    if value_type == "date":
        raw = element.get(_OFFICE + "date-value") or ""
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            return text
        return parsed.date() if len(raw) <= 10 else parsed
    if value_type == "boolean":
        return element.get(_OFFICE + "boolean-value") == "true"
    return text if text else None


class _TableParser(HTMLParser):
    """Rows of every ``<table>`` in an HTML page (what some systems save as ``.xls``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sheets: list[tuple[str, list[list]]] = []
        self.row: list | None = None
        self.cell: list[str] | None = None
        self.count = 0

    def handle_starttag(self, tag, attrs):  # noqa: ARG002 (HTMLParser calls it so)
        if tag == "table":
            self.sheets.append((f"Tabel {len(self.sheets) + 1}", []))
        elif tag == "tr" and self.sheets:
            self._end_row()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self._end_cell()
            self.cell = []
            self.count += 1
            if self.count > CELL_BUDGET:
                raise _too_many_cells(self.count)
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def _end_cell(self):
        if self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()) or None)
        self.cell = None

    def _end_row(self):
        self._end_cell()
        if self.row is not None and self.sheets:
            self.sheets[-1][1].append(self.row)
        self.row = None


def html_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    parser = _TableParser()
    try:
        parser.feed(decode_text(data, html=True))
        parser.close()
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError("reader.html_unreadable") from exc
    sheets = [sheet for sheet in parser.sheets if sheet[1]]
    if not sheets:
        raise ValidationError("reader.html_no_table")
    return sheets


def text_sheets(data: bytes) -> list[tuple[None, list[list]]]:
    """A CSV/TXT file as one sheet; the separator is the one that splits the header rows best."""
    text = decode_text(data)
    if "\ufffd" in text:
        raise ValidationError("import.encoding_lost")
    separator = detect_separator(text)
    rows, count = [], 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
            count += len(record)
            if count > CELL_BUDGET:
                raise _too_many_cells(count)
            rows.append(record)
    except csv.Error as exc:
        raise ValidationError("import.csv_unreadable", detail=str(exc)) from exc
    return [(None, rows)]


def decode_text(data: bytes, html: bool = False) -> str:
    """UTF-16/UTF-8 by BOM, else UTF-8, else cp1252, else latin-1; refuse mixed encodings."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_or_fail(data, "utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_or_fail(data, "utf-8-sig")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not html and _has_utf8_sequences(data):
        raise ValidationError("import.encoding_mixed")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode_or_fail(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError("import.encoding_broken", encoding=encoding.upper()) from exc


def _has_utf8_sequences(data: bytes) -> bool:
    decoded = data.decode("utf-8", errors="replace")
    return any(char > "\x7f" and char != "\ufffd" for char in decoded)


def detect_separator(text: str) -> str:
    """The separator that splits the first lines into the most columns, consistently."""
    lines = [line for line in text.splitlines()[:HEADER_SCAN] if line.strip()]
    best, best_score = ",", 0
    for separator in SEPARATORS:
        counts = [line.count(separator) for line in lines]
        score = max(counts, default=0) + sorted(counts)[len(counts) // 2] if counts else 0
        if score > best_score:
            best, best_score = separator, score
    return best


# --- layout: sheet, header, footer ---------------------------------------------------------


def cell_text(value) -> str:
    """A cell as trimmed text with whitespace runs collapsed; whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date):
        value = value.isoformat()
    return " ".join(str(value).split())


def _header_candidates(rows: list[list], fields: dict[str, dict]) -> Iterator[tuple[tuple, list[str], int]]:
    """Every (header rows, header names, score) within the first rows: one row, or a merged pair."""
    for start in range(min(HEADER_SCAN, len(rows))):
        single = [cell_text(c) for c in rows[start]]
        if sum(1 for c in single if c) < 1:
            continue
        yield (start,), single, _score(single, fields)
        if start + 1 < len(rows):
            lower = [cell_text(c) for c in rows[start + 1]]
            joined = _join_two_rows(single, lower, fields)
            yield (start, start + 1), joined, _score(joined, fields) + (0.5 if _sub_header(single, lower) else -0.5)


def _join_two_rows(upper: list[str], lower: list[str], fields: dict[str, dict]) -> list[str]:
    """A merged two-row header: the upper label spans the empty cells to its right above sub-labels."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    filled, current = [], ""
    for index in range(width):
        if upper[index]:
            current = upper[index]
        elif not lower[index]:
            current = ""
        filled.append(upper[index] or (current if lower[index] else ""))
    known = {normalize_header(s) for key, spec in fields.items() for s in [key, *spec["synonyms"]]}
    names = []
    for top, bottom in zip(filled, lower, strict=True):
        options = [f"{top} {bottom}".strip(), bottom, top]
        names.append(next((o for o in options if o and normalize_header(o) in known), options[0]))
    return names


def _sub_header(upper: list[str], lower: list[str]) -> bool:
    """A second header row: labels (no long numbers) under a merged upper label, blanks under the others."""
    if any(re.search(r"\d{5}", text) for text in lower) or not any(lower):
        return False
    upper = upper + [""] * (len(lower) - len(upper))
    under_span = any(text and not upper[i] and i and any(upper[:i]) for i, text in enumerate(lower))
    blank_under_label = any(upper[i] and not text for i, text in enumerate(lower))
    return under_span and blank_under_label


def _score(names: list[str], fields: dict[str, dict]) -> float:
    """Required fields found count most, then any known field; a row of numbers is no header."""
    mapping, _ = match_columns(names, fields, strict=False)
    required = sum(1 for key in mapping if fields[key].get("required"))
    return required * 10 + len(mapping)


def find_table(sheets: list[tuple[str | None, list[list]]], fields: dict[str, dict]) -> Table:
    """The sheet and header that best match the fields; with no match, the first well-filled row."""
    best = None
    for sheet_no, (name, rows) in enumerate(sheets):
        for header_rows, header, score in _header_candidates(rows, fields):
            if score <= 0:
                score = -100 + sum(1 for c in header if c) / 1000  # fallback: the widest text row
            rank = (score, -sheet_no, -header_rows[0])
            if best is None or rank > best[0]:
                best = (rank, name, rows, header_rows, header)
    if best is None:
        raise ValidationError("import.empty_file")
    _, name, rows, header_rows, header = best
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    left_out = [LeftOut(i + 1, "reader.left_out.title", _row_summary(rows[i])) for i in range(header_rows[0])
                if any(cell_text(c) for c in rows[i])]
    body = []
    first = header_rows[-1] + 1
    for index in range(first, len(rows)):
        cells = rows[index]
        if not any(cell_text(c) for c in cells):
            continue
        if index == first and _is_column_numbers(cells):
            left_out.append(LeftOut(index + 1, "reader.left_out.numbers", _row_summary(cells)))
            continue
        body.append((index + 1, list(cells)))
    return Table(header=header, rows=body, kind="", sheet=name,
                 header_rows=tuple(i + 1 for i in header_rows), left_out=left_out)


def _is_column_numbers(cells: list) -> bool:
    """The row of column numbers (1, 2, 3 …) that government forms put under the header."""
    texts = [cell_text(c) for c in cells if cell_text(c)]
    return len(texts) >= 3 and texts == [str(n) for n in range(1, len(texts) + 1)]


def _row_summary(cells: Iterable) -> str:
    text = " | ".join(cell_text(c) for c in cells if cell_text(c))
    return text[:80] + ("…" if len(text) > 80 else "")


def strip_footer(table: Table, key_field: str = "nip") -> None:
    """Leave out the rows after the data: totals, "Jumlah …", signature blocks, "NIP. …" lines.

    Trailing rows that look like a footer are collected from the end; the footer starts at the first
    of them that names a footer ("Jumlah", "Kepala …", "NIP. …", a place and date) or that follows an
    empty row. A row without NIP right under the data (no empty row between) stays data, so its
    missing NIP is reported rather than the row silently left out.
    """
    block = 0
    while block < len(table.rows) and _footer_like(table, table.rows[-1 - block][1], key_field):
        block += 1
    start = len(table.rows) - block
    for index in range(start, len(table.rows)):
        row_no, cells = table.rows[index]
        previous = table.rows[index - 1][0] if index else table.header_row
        if _footer_words(cells) or row_no > previous + 1:
            start = index
            break
    else:
        start = len(table.rows)
    for row_no, cells in table.rows[start:]:
        table.left_out.append(LeftOut(row_no, "reader.left_out.footer", _row_summary(cells)))
    del table.rows[start:]
    table.left_out.sort(key=lambda item: item.row)


def _footer_words(cells: list) -> bool:
    """The row opens with a footer's word: "Jumlah", "Kepala …", "NIP. …", a place and date.

    Only the first filled cell counts: a data row may well name a post "Kepala Dinas …" further on.
    """
    first = next((cell_text(c) for c in cells if cell_text(c)), "")
    return bool(_FOOTER.match(first))


def _footer_like(table: Table, cells: list, key_field: str) -> bool:
    """A row that could belong to a footer: its key is no NIP, and it names a footer or holds ≤ 2 cells."""
    key = cell_text(table.cell(cells, key_field)) if key_field in table.mapping else ""
    if re.fullmatch(r"(?:NIP\s*[.:]?\s*)?'?[\d\s.-]{18,}", key, re.IGNORECASE) or _NUMBER_LIKE.fullmatch(key):
        return False
    texts = [cell_text(c) for c in cells if cell_text(c)]
    return _footer_words(cells) or len(texts) <= 2


def is_excel_error(value) -> bool:
    """``#N/A``, ``#REF!`` … as a spreadsheet writes a formula that failed."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS
