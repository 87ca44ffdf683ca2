"""Candidate and stage-score imports: read an XLSX or CSV file in memory, validate every row.

Nothing here touches the database. What the checks need to know about the registry
(existing NIPs, golongan codes, the event's positions, used participant numbers) comes in
as arguments. A file-level problem raises ``ValidationError``; row-level problems are all
collected in ``ImportResult.errors`` so the officer can fix the file in one pass.
``ImportResult.rows`` holds only the rows that passed; the caller imports nothing unless
``ok`` (SPEC §8: imports are all-or-nothing).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import fields, sheets
from core.errors import ValidationError
from core.i18n import format_number, t
from core.nip import parse_nip
from core.refdata import read as read_reference

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A real 5,000-row XLSX unpacks to a few MB; far more means a ZIP bomb, not a candidate list.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


class Column(NamedTuple):
    """One template column: the key in ``ImportResult.rows``, its header, whether required."""

    key: str
    header: str
    required: bool


COLUMNS: list[Column] = [
    Column("nip", "NIP", True),
    Column("name", "Nama Lengkap", True),
    Column("golongan", "Golongan", False),
    Column("current_position", "Jabatan Saat Ini", False),
    Column("current_unit", "Unit Kerja", False),
    Column("email", "Email", False),
    Column("phone", "Telepon", False),
    Column("position", "Jabatan yang Dilamar", False),
    Column("participant_no", "Nomor Peserta", False),
]
HEADERS = {column.key: column.header for column in COLUMNS}

TEMPLATE_EXAMPLE = {
    "nip": "198203152006042003",
    "name": "Dr. Siti Rahmawati, S.E., M.Si.",
    "golongan": "IV/a",
    "current_position": "Kepala Bidang Perencanaan Ekonomi",
    "current_unit": "Badan Perencanaan Pembangunan Daerah",
    "email": "siti.rahmawati@example.go.id",
    "phone": "0812-3456-7890",
    "position": "Kepala Dinas Pendidikan",
    "participant_no": "JPT-001",
}
DATA_SHEET = "Peserta"
HELP_SHEET = "Petunjuk"


XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
SEPARATORS = (";", ",", "\t")
SIGNATURES = {
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"%PDF": "pdf",
    b"\xd0\xcf\x11\xe0": "ole",
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",
}
# Any C0 control byte except tab, LF, FF and CR means the file is not text.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass
class RowError:
    """One problem in one row; ``row`` is the spreadsheet row number (header = 1)."""

    row: int
    column: str  # header text, '' for a whole-row problem
    message: str  # Indonesian
    key: str = ""
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "id") -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.params) if self.key else self.message


@dataclass
class ImportResult:
    """The clean rows and every row error found."""

    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_candidate_file(
    filename: str,
    data: bytes,
    *,
    existing_nips: Iterable[str] = frozenset(),
    golongan_codes: Iterable[str] = frozenset(),
    positions: dict[str, int] | None = None,
    existing_participant_nos: Iterable[str] = frozenset(),
    today: date | None = None,
) -> ImportResult:
    """Read ``data`` (the bytes of ``filename``) and validate every candidate row."""
    (_, header), *records = read_table(filename, data)
    columns = map_headers(header)
    if not records:
        raise ValidationError("import.no_rows")
    validator = RowValidator(
        existing_nips, golongan_codes, positions, existing_participant_nos, today
    )
    result = ImportResult()
    for row_no, cells in records:
        clean, errors = validator.validate(row_no, cells, columns)
        result.errors.extend(errors)
        if clean is not None:
            result.rows.append(clean)
    return result


# --- reading the file ----------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[tuple[int, list]]:
    """The non-empty rows of the file as ``(row number, cells)``, header first."""
    if not data:
        raise ValidationError("import.empty_file")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            "import.file_too_large",
            size=format_number(len(data) / 2**20, 1),
            limit=format_number(MAX_BYTES / 2**20, 0),
        )
    kind = detect_kind(filename, data)
    rows = xlsx_rows(data) if kind == "xlsx" else csv_rows(data)
    table = non_empty_rows(rows)
    if not table:
        raise ValidationError("import.empty_file")
    return table


def detect_kind(filename: str, data: bytes) -> str:
    """``'xlsx'`` or ``'csv'``, judged by extension and content; raise for anything else."""
    extension = Path(filename or "").suffix.lower()
    if extension == ".xls":
        raise ValidationError("import.xls_old")
    if extension not in XLSX_EXTENSIONS | TEXT_EXTENSIONS:
        raise ValidationError("import.unsupported_type", extension=extension or filename)
    content = content_kind(data)
    # An XLSX renamed .csv (or the reverse) is still read by what it contains.
    if content == "xlsx":
        return "xlsx"
    if content == "text":
        return "csv"
    raise ValidationError(
        "import.not_a_spreadsheet", filename=filename, what=t(f"import.kind.{content}")
    )


def content_kind(data: bytes) -> str:
    """What the bytes are: ``xlsx``, ``text``, or a ``import.kind.*`` name."""
    for signature, kind in SIGNATURES.items():
        if data.startswith(signature):
            return zip_kind(data) if kind == "zip" else kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with BOM ("Unicode Text" from Excel)
    if _BINARY_BYTES.search(data.rstrip(b"\x1a")):
        return "binary"
    return "text"


def zip_kind(data: bytes) -> str:
    """Tell an XLSX from other ZIP-based files (DOCX, PPTX, plain archives)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "xlsx"  # a damaged ZIP is most likely a damaged XLSX: openpyxl will say so
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ValidationError("import.unpacked_too_large")
    names = {member.filename for member in members}
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    return "zip"


def xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    """Rows of the data sheet, numbered as Excel shows them."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError("import.xlsx_unreadable") from exc
    try:
        sheet = data_sheet(workbook)
        sheet.reset_dimensions()  # some writers store a wrong dimension such as "A1"
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except Exception as exc:
        raise ValidationError("import.xlsx_unreadable") from exc
    finally:
        workbook.close()


def data_sheet(workbook):
    """The first worksheet that is not the instructions sheet of the template."""
    for sheet in workbook.worksheets:
        if sheet.title.strip().casefold() != HELP_SHEET.casefold():
            return sheet
    return workbook.worksheets[0]


def csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """Records of a CSV file, numbered as a spreadsheet shows them (header = 1)."""
    text = decode_text(data)
    if "\ufffd" in text:
        # A replacement character means letters were already lost when the file was saved.
        raise ValidationError("import.encoding_lost")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_separator(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ValidationError("import.csv_unreadable", detail=str(exc)) from exc


def decode_text(data: bytes) -> str:
    """UTF-16/UTF-8 by BOM, else UTF-8, else cp1252, else latin-1; refuse mixed encodings."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_or_fail(data, "utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_or_fail(data, "utf-8-sig")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _has_utf8_sequences(data):
        raise ValidationError("import.encoding_mixed")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode_or_fail(data: bytes, encoding: str) -> str:
    """Decode with a declared encoding; a byte that breaks it means the file is damaged."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValidationError("import.encoding_broken", encoding=encoding.upper()) from exc


def _has_utf8_sequences(data: bytes) -> bool:
    """True when some non-ASCII text is valid UTF-8, i.e. the file mixes two encodings."""
    decoded = data.decode("utf-8", errors="replace")
    return any(char > "\x7f" and char != "\ufffd" for char in decoded)


def detect_separator(text: str) -> str:
    """The most frequent of ``;`` ``,`` and tab on the header line (``,`` if none)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {separator: header.count(separator) for separator in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def non_empty_rows(rows: Iterable[tuple[int, Iterable]]) -> list[tuple[int, list]]:
    """Drop completely empty rows; refuse more than ``MAX_ROWS`` data rows."""
    table = []
    for row_no, cells in rows:
        cells = list(cells)
        if any(cell_text(cell) for cell in cells):
            table.append((row_no, cells))
            if len(table) > MAX_ROWS + 1:
                raise ValidationError("import.too_many_rows", limit=format_number(MAX_ROWS, 0))
    return table


def cell_text(value) -> str:
    """A cell as trimmed text with whitespace runs collapsed; numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    return " ".join(str(value).split())


# --- headers -------------------------------------------------------------------------------


def header_key(text) -> str:
    """Headers match case-insensitively and ignore surrounding and repeated spaces."""
    return cell_text(text).casefold()


def map_headers(cells: list, columns: Sequence[Column] = COLUMNS) -> dict[str, int]:
    """Map column keys to cell positions; raise naming missing and unknown headers."""
    by_header = {header_key(column.header): column for column in columns}
    found: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        column = by_header.get(header_key(cell))
        if column is None:
            unknown += [cell_text(cell)] if cell_text(cell) else []
        elif column.key in found:
            raise ValidationError("import.header_duplicate", header=column.header)
        else:
            found[column.key] = index
    missing = [column.header for column in columns if column.required and column.key not in found]
    if missing or unknown:
        raise _header_error(missing, unknown, columns)
    return found


def _header_error(
    missing: list[str], unknown: list[str], columns: Sequence[Column] = COLUMNS
) -> ValidationError:
    """One message that lists what is missing, what is unknown, and what is expected."""
    expected = ", ".join(column.header for column in columns)
    names = {"missing": ", ".join(missing), "unknown": ", ".join(unknown), "expected": expected}
    if missing and unknown:
        return ValidationError("import.columns_mismatch", **names)
    if missing:
        return ValidationError("import.columns_missing", **names)
    return ValidationError("import.columns_unknown", **names)


# --- rows ----------------------------------------------------------------------------------


def match_key(text: str) -> str:
    """Position names and participant numbers compare ignoring case and spacing."""
    return cell_text(text).casefold()


class RowValidator:
    """Validates rows one by one, remembering NIPs and participant numbers already seen."""

    def __init__(self, existing_nips, golongan_codes, positions, existing_participant_nos, today):
        self.today = today or date.today()
        self.existing_nips = {"".join(str(nip).split()) for nip in existing_nips}
        # Without a list from the registry, fall back to the shipped pangkat list (SPEC §3.3).
        codes = golongan_codes or [row["code"] for row in read_reference("golongan")]
        self.golongan_codes = set(codes)
        self.positions = positions
        self.position_ids = {match_key(name): pid for name, pid in (positions or {}).items()}
        self.existing_participant_nos = {match_key(no) for no in existing_participant_nos}
        self.nip_rows: dict[str, int] = {}
        self.participant_rows: dict[str, int] = {}

    def validate(self, row_no: int, cells: list, columns: dict[str, int]):
        """Return ``(clean row or None, errors)`` for one spreadsheet row."""
        raw = {key: cells[index] if index < len(cells) else None for key, index in columns.items()}
        values = {column.key: cell_text(raw.get(column.key)) for column in COLUMNS}
        clean = {key: value or None for key, value in values.items()}
        clean.update(row=row_no, position_id=None)
        errors = []
        if _extra_cells(cells, columns):
            errors.append(_row_error(row_no, "", ValidationError("import.extra_cells")))
        for key, check in self._checks(row_no, raw, values):
            try:
                clean.update(check())
            except ValidationError as err:
                errors.append(_row_error(row_no, HEADERS[key], err))
        return (None if errors else clean), errors

    def _checks(self, row_no: int, raw: dict, values: dict[str, str]):
        """Each column's check, in column order; each returns the clean values it adds."""
        return [
            ("nip", lambda: self.check_nip(raw.get("nip"), row_no)),
            ("name", lambda: self.check_name(values["name"])),
            ("golongan", lambda: self.check_golongan(values["golongan"])),
            ("current_position", lambda: check_text("current_position", values["current_position"])),
            ("current_unit", lambda: check_text("current_unit", values["current_unit"])),
            ("email", lambda: check_email(values["email"])),
            ("phone", lambda: check_phone(values["phone"])),
            ("position", lambda: self.check_position(values["position"])),
            ("participant_no", lambda: self.check_participant_no(values["participant_no"], row_no)),
        ]

    def check_nip(self, raw, row_no: int) -> dict:
        """A valid NIP, new to the registry and to the file; returns what it encodes."""
        info = parse_nip(raw, self.today)
        if info.nip in self.existing_nips:
            raise ValidationError("import.nip_registered", nip=info.nip)
        first_row = self.nip_rows.setdefault(info.nip, row_no)
        if first_row != row_no:
            raise ValidationError("import.nip_duplicate", nip=info.nip, other_row=first_row)
        return {
            "nip": info.nip,
            "birth_date": info.birth_date,
            "gender": info.gender,
            "tmt_cpns": info.tmt_cpns,
        }

    def check_name(self, name: str) -> dict:
        """The name is required; academic titles stay as written."""
        if not name:
            raise ValidationError("import.required", column=HEADERS["name"])
        return {"name": fields.clean_text(name, HEADERS["name"])}

    def check_golongan(self, text: str) -> dict:
        """Optional; ``IV/a`` or ``IVa`` in any case, and a code the registry knows."""
        if not text:
            return {}
        return {"golongan": fields.clean_golongan(text, self.golongan_codes, error="import.golongan_unknown")}

    def check_position(self, text: str) -> dict:
        """Optional; for an event it must name one of the event's positions."""
        if self.positions is None or not text:
            return {"position_id": None}
        position_id = self.position_ids.get(match_key(text))
        if position_id is None:
            raise ValidationError("import.position_unknown", value=text, choices=self._choices())
        return {"position_id": position_id}

    def _choices(self) -> str:
        """The event's position names for the message, at most ten."""
        names = sorted(self.positions)
        shown = ", ".join(names[:10])
        return shown + (", …" if len(names) > 10 else "") if names else "–"

    def check_participant_no(self, text: str, row_no: int) -> dict:
        """Optional; unique in the file and among the event's existing numbers."""
        if not text:
            return {}
        fields.clean_text(text, HEADERS["participant_no"], max_len=fields.MAX_PARTICIPANT_NO)
        key = match_key(text)
        if key in self.existing_participant_nos:
            raise ValidationError("import.participant_no_registered", value=text)
        first_row = self.participant_rows.setdefault(key, row_no)
        if first_row != row_no:
            raise ValidationError(
                "import.participant_no_duplicate", value=text, other_row=first_row
            )
        return {}


def check_text(key: str, text: str) -> dict:
    """Optional free text, cleaned and limited as the form does (``core.fields``)."""
    return {key: fields.clean_text(text, HEADERS[key]) or None}


def check_email(text: str) -> dict:
    """Optional; the form's rule (``core.fields.clean_email``), with the value in the message."""
    return {"email": fields.clean_email(text, error="import.email_invalid") or None}


def check_phone(text: str) -> dict:
    """Optional; the form's rule (``core.fields.clean_phone``), with the value in the message."""
    return {"phone": fields.clean_phone(text, error="import.phone_invalid") or None}


def _extra_cells(cells: list, columns: dict[str, int]) -> bool:
    """True when a row has filled cells outside the template columns (no header above)."""
    mapped = set(columns.values())
    return any(cell_text(cell) for index, cell in enumerate(cells) if index not in mapped)


def _row_error(row_no: int, column: str, err: ValidationError) -> RowError:
    return RowError(row_no, column, str(err), err.key, dict(err.params))


# --- templates -----------------------------------------------------------------------------


@lru_cache(maxsize=1)  # built once: openpyxl takes ~0.1 s and the template never changes
def template_xlsx() -> bytes:
    """The download template: headers, one example row, NIP as Text, and a Petunjuk sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheets.append(sheet, [column.header for column in COLUMNS])
    sheets.append(sheet, [TEMPLATE_EXAMPLE[column.key] for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(TEMPLATE_EXAMPLE[column.key]) + 2)
    # Text format on the whole column, so Excel keeps a typed NIP as 18 digits.
    sheet.column_dimensions["A"].number_format = "@"
    sheet["A2"].number_format = "@"
    sheet.freeze_panes = "A2"
    _write_help_sheet(workbook.create_sheet(HELP_SHEET))
    return sheets.workbook_bytes(workbook)


def _write_help_sheet(sheet) -> None:
    """Explain every column in Indonesian, then the general rules."""
    sheets.append(sheet, [t("import.help.title")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheets.append(sheet, [])
    sheets.append(sheet, [t("import.help.column"), t("import.help.required"), t("import.help.meaning")])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        required = t("import.help.yes" if column.required else "import.help.no")
        sheets.append(sheet, [column.header, required, t(f"import.help.{column.key}")])
    sheets.append(sheet, [])
    for note in ("columns", "empty_rows", "all_or_nothing", "limits"):
        sheets.append(sheet, [t(f"import.help.note.{note}", rows=format_number(MAX_ROWS, 0))])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 100
    for row in sheet.iter_rows(min_row=4, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


@lru_cache(maxsize=1)
def template_csv() -> bytes:
    """The CSV template: UTF-8 with BOM and ``;`` as Excel in an Indonesian locale expects."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    writer.writerow([TEMPLATE_EXAMPLE[column.key] for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


# --- stage scores (SPEC §4.5) --------------------------------------------------------------

STAGE_SHEET = "Nilai Tahap"
# Identification columns of the stage-score file: only the NIP is read, the others help reading.
STAGE_ID_COLUMNS: list[Column] = [
    Column("participant_no", "No. Peserta", False),
    Column("nip", "NIP", True),
    Column("name", "Nama", False),
]
STAGE_KEY = "stage:"
MAX_SCORE = fields.SCORE_MAX


def parse_stage_file(
    filename: str,
    data: bytes,
    stage_names: list[str],
    registrations_by_nip: dict[str, int],
    *,
    today: date | None = None,
) -> ImportResult:
    """Read stage scores (one column per stage, rows by NIP) and validate every row."""
    (_, header), *records = read_table(filename, data)
    found = map_headers(header, stage_columns(stage_names))
    stages = {name: found[STAGE_KEY + name] for name in stage_names if STAGE_KEY + name in found}
    if not stages:
        raise ValidationError("import.stage_no_stage_column", expected=", ".join(stage_names) or "–")
    if not records:
        raise ValidationError("import.no_rows")
    validator = StageRowValidator(registrations_by_nip, today)
    result = ImportResult()
    for row_no, cells in records:
        clean, errors = validator.validate(row_no, cells, found, stages)
        result.errors.extend(errors)
        if clean is not None:
            result.rows.append(clean)
    if not result.rows and not result.errors:  # e.g. the template uploaded before any score was typed
        raise ValidationError("import.stage_no_score")
    return result


def stage_columns(stage_names: list[str]) -> list[Column]:
    """The identification columns, then one optional column per stage, headed by its name."""
    stage_headers = {header_key(name) for name in stage_names}
    # A stage literally called "Nama" wins over the ignored name column.
    fixed = [c for c in STAGE_ID_COLUMNS if c.required or header_key(c.header) not in stage_headers]
    # The template writes a name that could start a formula with a leading ' (core.sheets): read both.
    quoted = [Column(STAGE_KEY + name, sheets.neutralise(name), False) for name in stage_names
              if sheets.neutralise(name) != name]
    return fixed + [Column(STAGE_KEY + name, name, False) for name in stage_names] + quoted


class StageRowValidator:
    """Validates stage-score rows one by one, remembering the NIPs already seen."""

    def __init__(self, registrations_by_nip: dict[str, int], today: date | None):
        self.registrations = {"".join(str(nip).split()): rid for nip, rid in registrations_by_nip.items()}
        self.today = today
        self.nip_rows: dict[str, int] = {}

    def validate(self, row_no: int, cells: list, found: dict[str, int], stages: dict[str, int]):
        """Return ``(clean row or None, errors)``; clean rows carry ``registration_id`` and ``scores``."""
        errors = []
        if _extra_cells(cells, found):
            errors.append(_row_error(row_no, "", ValidationError("import.extra_cells")))
        nip = _checked(errors, row_no, "NIP", lambda: self.check_nip(_cell(cells, found["nip"]), row_no))
        filled = {name: _cell(cells, index) for name, index in stages.items() if cell_text(_cell(cells, index))}
        if not filled and not errors:  # a pre-filled template row not scored yet: nothing to import, no error
            return None, []
        scores = {name: _checked(errors, row_no, name, lambda v=value, n=name: parse_score(v, n))
                  for name, value in filled.items()}
        if errors:
            return None, errors
        return {"row": row_no, "nip": nip, "registration_id": self.registrations[nip], "scores": scores}, []

    def check_nip(self, raw, row_no: int) -> str:
        """A valid NIP of a candidate registered in the event, once in the file."""
        nip = parse_nip(raw, self.today).nip
        if nip not in self.registrations:
            raise ValidationError("import.stage_nip_not_registered", nip=nip)
        first_row = self.nip_rows.setdefault(nip, row_no)
        if first_row != row_no:
            raise ValidationError("import.nip_duplicate", nip=nip, other_row=first_row)
        return nip


def parse_score(value, column: str) -> float:
    """A stage score 0–100 by the form's rule (``core.fields.clean_score``), naming the column."""
    return fields.clean_score(value, not_number="import.stage_score_not_number",
                              out_of_range="import.stage_score_out_of_range", column=column,
                              value=cell_text(value)[:30])


def _cell(cells: list, index: int):
    return cells[index] if index < len(cells) else None


def _checked(errors: list[RowError], row_no: int, column: str, check):
    """``check()``, or ``None`` with its error appended to ``errors``."""
    try:
        return check()
    except ValidationError as err:
        errors.append(_row_error(row_no, column, err))
        return None


def stage_template_xlsx(stage_names: list[str], people: list[tuple[str, str, str]]) -> bytes:
    """The stage-score template: one pre-filled row per (participant_no, nip, name), scores empty."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = STAGE_SHEET
    sheets.append(sheet, [column.header for column in STAGE_ID_COLUMNS] + list(stage_names))
    for participant_no, nip, name in people:
        sheets.append(sheet, [participant_no or None, nip, name])
    _format_stage_sheet(sheet, stage_names, len(people))
    if stage_names:
        sheet.add_data_validation(_score_validation(len(STAGE_ID_COLUMNS) + 1, len(stage_names)))
    _write_stage_help_sheet(workbook.create_sheet(HELP_SHEET), stage_names)
    return sheets.workbook_bytes(workbook)


def _format_stage_sheet(sheet, stage_names: list[str], people_count: int) -> None:
    """Bold headers, readable widths, and Text format on the number and NIP columns."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [12, 22, 36] + [max(12, len(name) + 2) for name in stage_names]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Text format, so Excel keeps a NIP as 18 digits and a participant number like 001 as typed.
    for letter in ("A", "B"):
        sheet.column_dimensions[letter].number_format = "@"
        for row in range(2, people_count + 2):
            sheet[f"{letter}{row}"].number_format = "@"
    sheet.freeze_panes = "D2"


def _score_validation(first_column: int, count: int) -> DataValidation:
    """Excel refuses anything but a decimal 0–100 in the score cells (empty allowed)."""
    validation = DataValidation(
        type="decimal", operator="between", formula1="0", formula2=str(MAX_SCORE), allow_blank=True,
        showErrorMessage=True, errorTitle=t("import.stage_template.error_title"),
        error=t("import.stage_template.error"),
    )
    last = get_column_letter(first_column + count - 1)
    validation.add(f"{get_column_letter(first_column)}2:{last}{MAX_ROWS + 1}")
    return validation


STAGE_HELP_NOTES = (
    "import.stage_help.range",
    "import.stage_help.empty",
    "import.stage_help.rows",
    "import.stage_help.identity",
    "import.stage_help.ac",
    "import.stage_help.columns",
    "import.help.note.all_or_nothing",
    "import.help.note.limits",
)


def _write_stage_help_sheet(sheet, stage_names: list[str]) -> None:
    """Explain, in Indonesian, how to fill the scores."""
    sheets.append(sheet, [t("import.stage_help.title")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheets.append(sheet, [])
    sheets.append(sheet, [t("import.stage_help.stages", stages=", ".join(stage_names) or "–")])
    for key in STAGE_HELP_NOTES:
        sheets.append(sheet, [t(key, rows=format_number(MAX_ROWS, 0), max=MAX_SCORE)])
    sheet.column_dimensions["A"].width = 110
    for row in sheet.iter_rows(min_row=3, max_col=1):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
