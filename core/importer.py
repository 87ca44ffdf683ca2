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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import fields, reader, sheets
from core.errors import ValidationError
from core.i18n import catalog, format_number, t
from core.nip import parse_nip
from core.refdata import read as read_reference

MAX_BYTES = reader.MAX_BYTES
MAX_ROWS = reader.MAX_ROWS


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


_NIP_PREFIX = re.compile(r"^\s*NIP\s*[.:]?\s*", re.IGNORECASE)
_MONTHS = {"jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
           "agu": 8, "agt": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "nop": 11, "des": 12,
           "dec": 12}
_DATE_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_WORDS = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")


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
    table: reader.Table | None = None  # what was read: sheet, header row, left-out rows, ignored columns

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
    mapping: dict[str, int] | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Read ``data`` (the bytes of ``filename``) through the one reader and validate every candidate row.

    ``mapping`` is the officer's own choice of columns (field → column index) when the synonyms
    did not find the required ones; without it, a file lacking them raises ``MappingNeeded``.
    """
    table = read_for_import(filename, data, "peserta", mapping)
    validator = RowValidator(
        existing_nips, golongan_codes, positions, existing_participant_nos, today
    )
    return validate_rows(table, validator.validate, is_template_example, TEMPLATE_EXAMPLE["name"], progress)


def validate_rows(table: reader.Table, validate: Callable, is_example: Callable[[reader.Table, list], bool],
                  example_name: str, progress: Callable[[float], None] | None = None) -> ImportResult:
    """Every row through ``validate(row_no, cells, table)``; the template's example row is left out and listed."""
    result = ImportResult(table=table)
    for done, (row_no, cells) in enumerate(table.rows, start=1):
        if is_example(table, cells):
            table.left_out.append(reader.LeftOut(row_no, "reader.left_out.example", example_name))
            continue
        clean, errors = validate(row_no, cells, table)
        result.errors.extend(errors)
        if clean is not None:
            result.rows.append(clean)
        if progress and done % 250 == 0:
            progress(done / len(table.rows))
    table.left_out.sort(key=lambda item: item.row)
    if not result.rows and not result.errors:
        raise ValidationError("import.no_rows")
    return result


class MappingNeeded(ValidationError):
    """Required columns were not found: the officer maps the file's columns on screen."""

    def __init__(self, table: reader.Table, kind: str):
        self.table = table
        self.kind = kind
        found = ", ".join(name for name in table.header if name)[:300] or "–"
        if table.missing:
            super().__init__("reader.columns_missing", missing=", ".join(field_label(k) for k in table.missing),
                             found=found)
        else:
            super().__init__("reader.content_missing", fields=content_labels(table.missing_content), found=found)


def content_labels(keys: list[str]) -> str:
    """The content fields a file may bring, named briefly: the uraian columns go with their aspects, and
    the SKP columns per year as a range ("SKP 2015 … SKP 2035")."""
    years = [k for k in keys if re.fullmatch(r"skp_\d{4}", k)]
    named = [field_label(k) for k in keys if not k.startswith("uraian_") and k not in years]
    if years:
        named.append(" … ".join(dict.fromkeys([field_label(years[0]), field_label(years[-1])])))
    return ", ".join(named)


def field_label(key: str) -> str:
    """The Indonesian name of a field (catalog ``reader.field.*``; a potensi aspect by its code and name
    from ``data/potensi.json``, its uraian likewise), or the key itself (stage names)."""
    name = f"reader.field.{key}"
    if name in catalog():
        return t(name)
    if re.fullmatch(r"skp_\d{4}", key):
        return t("reader.field.skp_year", year=key[4:])
    aspect = key.removeprefix("uraian_")
    aspects = {a["code"]: a["name"] for a in read_reference("potensi")["aspects"]}
    if aspect in aspects:
        label = f"{aspect} {aspects[aspect]}"
        return label if aspect == key else t("reader.field.uraian", aspect=label)
    return key.removeprefix(STAGE_KEY)


def read_for_import(filename: str, data: bytes, kind: str, mapping: dict[str, int] | None = None,
                    extra: dict[str, list[str]] | None = None) -> reader.Table:
    """The reader's table for ``kind``; refuse an empty body, ask for a mapping if fields are missing."""
    table = reader.read(filename, data, kind, extra=extra, chosen=mapping)
    if table.needs_mapping:
        raise MappingNeeded(table, kind)
    if not table.rows:
        raise ValidationError("import.no_rows")
    return table


def is_template_example(table: reader.Table, cells: list) -> bool:
    """The template's own example row (its NIP and its whole name as written there) is never imported."""
    nip = "".join(ch for ch in reader.cell_text(table.cell(cells, "nip")) if ch.isdigit())
    name = " ".join(reader.cell_text(table.cell(cells, "name")).split())
    return nip == TEMPLATE_EXAMPLE["nip"] and name == TEMPLATE_EXAMPLE["name"]


def cell_text(value) -> str:
    """A cell as trimmed text (see ``core.reader.cell_text``)."""
    return reader.cell_text(value)


def header_key(text) -> str:
    """Headers match case-insensitively and ignore surrounding and repeated spaces."""
    return cell_text(text).casefold()


# --- rows ----------------------------------------------------------------------------------


def clean_nip(raw):
    """What the reader gives for a NIP cell, ready for ``core.nip``: exact whole numbers become text.

    An 18-digit NIP stored as an exact integer (openpyxl/ODS read it without loss) is accepted; a float
    is what a spreadsheet rounded (only ~15 digits survive) and stays a number, which ``core.nip``
    refuses with that reason. Text loses a ``NIP.`` prefix and dashes between digit groups.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, str):
        text = _NIP_PREFIX.sub("", raw.strip())
        if re.fullmatch(r"[\d\s.-]+", text) and "-" in text:
            text = text.replace("-", "")
        return text
    return raw


def phone_text(raw) -> str:
    """A phone cell as text; a number (or bare digits saved from one) lost its 0 (08…) or + (62…): put it back."""
    text = cell_text(raw)
    if isinstance(raw, bool) or not text.isdigit():
        return text
    if text.startswith("8") and 8 <= len(text) <= 13:
        return "0" + text
    if text.startswith("62") and 10 <= len(text) <= 15:
        return "+" + text
    return text


def parse_date(value) -> date:
    """A date cell, ``12-05-1980``/``12/05/1980``, ``1980-05-12``, ``12 Mei 1980`` or a spreadsheet serial."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # 1900-01-01 … 9999-12-31 in Excel's day numbers
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise ValidationError("reader.date_invalid", value=cell_text(value))
    text = cell_text(value)
    try:
        if match := _DATE_NUMERIC.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _DATE_ISO.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if (match := _DATE_WORDS.match(text)) and match[2][:3].casefold() in _MONTHS:
            return date(int(match[3]), _MONTHS[match[2][:3].casefold()], int(match[1]))
        if re.fullmatch(r"\d{5}(?:[.,]0+)?", text):
            return parse_date(int(text.split(".")[0].split(",")[0]))
    except ValueError:
        pass
    raise ValidationError("reader.date_invalid", value=text[:40])


def joined_name(name: str, front: str, back: str) -> str:
    """``Dr.`` + ``Siti Rahmawati`` + ``S.Psi., M.Si.`` → ``Dr. Siti Rahmawati, S.Psi., M.Si.``."""
    full = " ".join(part for part in (front, name) if part)
    return f"{full}, {back.lstrip(', ')}" if back and name else full


def match_key(text: str) -> str:
    """Position names and participant numbers compare ignoring case and spacing."""
    return cell_text(text).casefold()


FIELD_KEYS = [column.key for column in COLUMNS] + ["gelar_depan", "gelar_belakang", "birth_date"]


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

    def validate(self, row_no: int, cells: list, table: reader.Table):
        """Return ``(clean row or None, errors)`` for one row of the file."""
        raw = {key: table.cell(cells, key) for key in FIELD_KEYS}
        errors = excel_errors(row_no, cells, table)
        if _extra_cells(cells, table):
            errors.append(_row_error(row_no, "", ValidationError("import.extra_cells")))
        values = {key: cell_text(value) for key, value in raw.items()}
        values["name"] = joined_name(values["name"], values["gelar_depan"], values["gelar_belakang"])
        values["phone"] = phone_text(raw["phone"])
        clean = {column.key: values[column.key] or None for column in COLUMNS}
        clean.update(row=row_no, position_id=None)
        apply_checks(row_no, self._checks(row_no, raw, values), table, clean, errors)
        return (None if errors else clean), errors

    def _checks(self, row_no: int, raw: dict, values: dict[str, str]):
        """Each column's check, in column order; each returns the clean values it adds."""
        return [
            ("nip", lambda: self.check_nip(clean_nip(raw.get("nip")), row_no)),
            ("name", lambda: self.check_name(values["name"])),
            ("golongan", lambda: self.check_golongan(values["golongan"])),
            ("current_position", lambda: check_text("current_position", values["current_position"])),
            ("current_unit", lambda: check_text("current_unit", values["current_unit"])),
            ("email", lambda: check_email(values["email"])),
            ("phone", lambda: check_phone(values["phone"])),
            ("position", lambda: self.check_position(values["position"])),
            ("participant_no", lambda: self.check_participant_no(values["participant_no"], row_no)),
            ("birth_date", lambda: self.check_birth_date(raw["birth_date"], raw.get("nip"))),
        ]

    def check_birth_date(self, value, nip) -> dict:
        """Optional (SIASN's TANGGAL LAHIR): a readable date that agrees with the NIP's digits 1–8."""
        if not cell_text(value):
            return {}
        born = parse_date(value)
        digits = "".join(ch for ch in cell_text(clean_nip(nip)) if ch.isdigit())
        if len(digits) == 18 and digits[:8] != born.strftime("%Y%m%d"):
            raise ValidationError("reader.birth_date_mismatch", value=cell_text(value))
        return {}

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


def apply_checks(row_no: int, checks, table: reader.Table, clean: dict, errors: list[RowError]) -> None:
    """Each ``(field, check)`` in turn, skipping a column that already has an error: values into ``clean``."""
    bad = {error.column for error in errors}
    for key, check in checks:
        column = table.column_name(key)
        if column in bad:
            continue
        try:
            clean.update(check())
        except ValidationError as err:
            errors.append(_row_error(row_no, column, err))


def check_text(key: str, text: str) -> dict:
    """Optional free text, cleaned and limited as the form does (``core.fields``)."""
    return {key: fields.clean_text(text, HEADERS[key]) or None}


def check_email(text: str) -> dict:
    """Optional; the form's rule (``core.fields.clean_email``), with the value in the message."""
    return {"email": fields.clean_email(text, error="import.email_invalid") or None}


def check_phone(text: str) -> dict:
    """Optional; the form's rule (``core.fields.clean_phone``), with the value in the message."""
    return {"phone": fields.clean_phone(text, error="import.phone_invalid") or None}


def _extra_cells(cells: list, table: reader.Table) -> bool:
    """True when a row has filled cells right of the last header (no header above them)."""
    return any(cell_text(cell) for cell in cells[len(table.header):])


def excel_errors(row_no: int, cells: list, table: reader.Table) -> list[RowError]:
    """``#N/A``, ``#REF!`` … in any column the import reads: one error each, naming the column."""
    errors = []
    for key, index in table.mapping.items():
        if index < len(cells) and reader.is_excel_error(cells[index]):
            err = ValidationError("reader.excel_error", value=cell_text(cells[index]))
            errors.append(_row_error(row_no, table.column_name(key), err))
    return errors


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


def stage_synonyms(stage_names: list[str]) -> dict[str, list[str]]:
    """One column per stage, headed by its name — or by the quoted name the template writes for a name that
    could start a formula (``core.sheets``)."""
    return {STAGE_KEY + name: list(dict.fromkeys([name, sheets.neutralise(name)])) for name in stage_names}


def parse_stage_file(
    filename: str,
    data: bytes,
    stage_names: list[str],
    registrations_by_nip: dict[str, int],
    *,
    today: date | None = None,
    mapping: dict[str, int] | None = None,
) -> ImportResult:
    """Read stage scores (one column per stage, rows by NIP) through the one reader; validate every row."""
    table = reader.read(filename, data, "stage_scores", extra=stage_synonyms(stage_names), chosen=mapping)
    stages = {name: table.mapping[STAGE_KEY + name] for name in stage_names if STAGE_KEY + name in table.mapping}
    if table.missing:
        raise MappingNeeded(table, "stage_scores")
    if not stages:
        raise ValidationError("import.stage_no_stage_column", expected=", ".join(stage_names) or "–")
    if not table.rows:
        raise ValidationError("import.no_rows")
    validator = StageRowValidator(registrations_by_nip, today)
    result = ImportResult(table=table)
    for row_no, cells in table.rows:
        clean, errors = validator.validate(row_no, cells, table, stages)
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

    def validate(self, row_no: int, cells: list, table: reader.Table, stages: dict[str, int]):
        """Return ``(clean row or None, errors)``; clean rows carry ``registration_id`` and ``scores``."""
        errors = excel_errors(row_no, cells, table)
        if _extra_cells(cells, table):
            errors.append(_row_error(row_no, "", ValidationError("import.extra_cells")))
        bad = {error.column for error in errors}
        nip_column = table.column_name("nip")
        nip = None if nip_column in bad else _checked(
            errors, row_no, nip_column, lambda: self.check_nip(clean_nip(table.cell(cells, "nip")), row_no))
        filled = {name: _cell(cells, index) for name, index in stages.items()
                  if cell_text(_cell(cells, index)) and table.header[index] not in bad}
        if not filled and not errors:  # a pre-filled template row not scored yet: nothing to import, no error
            return None, []
        scores = {name: _checked(errors, row_no, table.header[stages[name]],
                                 lambda v=value, n=name: parse_score(v, n))
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
