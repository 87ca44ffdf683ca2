"""Import of potensi, rekam jejak and SKP files (SPEC §3.4, §3.5, §9) through the one reader.

A psychologist's or test's result file, a SIASN export of the track record, an e-Kinerja list of SKP predikat:
the reader finds the sheet, the header and the columns (synonyms in ``data/columns.json``); this module turns the
cells into the records of :func:`core.talent_store.import_people`, which checks and writes all rows or none.
Every problem is reported with its row and column, in Indonesian.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlite_utils import Database

from core import importer, nip, reader, talent, talent_store
from core.errors import ValidationError
from core.importer import ImportResult, RowError
from core.roles import require

KINDS = ("potensi", "rekam_jejak", "skp")
YEARS = range(2015, 2036)  # the wide SKP layout: one column per year ("SKP 2025", "Predikat 2025")
RECORD_FIELDS = talent_store.RECORD_FIELDS
DATE_FIELDS = ("hukuman_disiplin_date", "as_of")


def values_table(kind: str) -> dict[str, dict[str, str]]:
    """The value synonyms of a kind (``data/columns.json`` → ``values``): field → {written form: code}."""
    return reader.column_table()[kind].get("values", {})


def _key(text) -> str:
    """A written value compared without case, spaces, dots, dashes or slashes (``S-1`` = ``s1``)."""
    return re.sub(r"[\s.\-/_]+", "", reader.cell_text(text)).casefold()


def code_of(kind: str, field: str, value) -> str | None:
    """The code a cell stands for: a known code itself, or one of its written forms; None for an empty cell."""
    text = reader.cell_text(value)
    if not text:
        return None
    forms = {_key(k): v for k, v in values_table(kind).get(field, {}).items()}
    return forms.get(_key(text), text)


def skp_extra() -> dict[str, list[str]]:
    """The wide SKP layout: a column per year, e.g. ``SKP 2025`` or ``Predikat SKP 2025``."""
    return {f"skp_{year}": [f"SKP {year}", f"Predikat SKP {year}", f"Predikat {year}", f"Predikat Kinerja {year}",
                            f"SKP Tahun {year}", str(year)] for year in YEARS}


def _number(value):
    """A whole number as the cell holds it (``40``, ``40.0``, ``"40"``); the store checks the range."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return reader.cell_text(value) if not isinstance(value, int) else value


def _date(value) -> str | None:
    return None if not reader.cell_text(value) else importer.parse_date(value).isoformat()


class CellError(Exception):
    """A cell the import cannot read, with the file's own column name."""

    def __init__(self, column: str, error: ValidationError):
        super().__init__(column)
        self.column, self.error = column, error


def _read(table: reader.Table, cells: list, key: str, convert: Callable):
    try:
        return convert(table.cell(cells, key))
    except ValidationError as error:
        raise CellError(table.column_name(key), error) from error


def _nip(value) -> str:
    return nip.normalize_nip(importer.clean_nip(value))


# A record carries only what the file's columns hold: what the file does not speak of stays as stored
# (talent_store.import_people merges), so separate exports (pendidikan, then hukuman disiplin) add up.

def _potensi(table: reader.Table, cells: list) -> dict:
    levels = {code: code_of("potensi", "level", table.cell(cells, code)) for code in talent.POTENSI_CODES
              if code in table.mapping}
    return {"potensi": {c: None if v is None else _number(v) for c, v in levels.items()},
            "uraian": {c: reader.cell_text(table.cell(cells, f"uraian_{c}")) for c in talent.POTENSI_CODES
                       if f"uraian_{c}" in table.mapping},
            "assessed_on": _read(table, cells, "assessed_on", _date)}


def _rekam_jejak(table: reader.Table, cells: list) -> dict:
    record = {}
    for field in (f for f in RECORD_FIELDS if f in table.mapping):
        value = table.cell(cells, field)
        if field in DATE_FIELDS:
            record[field] = _read(table, cells, field, _date)
        elif field in ("pendidikan", "hukuman_disiplin", "kesesuaian_bidang"):
            record[field] = code_of("rekam_jejak", field, value)
        else:
            record[field] = _number(value) if reader.cell_text(value) else None
    return {"rekam_jejak": record}


def _skp(table: reader.Table, cells: list) -> dict:
    years = {}
    year, predikat = table.cell(cells, "tahun"), table.cell(cells, "predikat")
    if reader.cell_text(year) or reader.cell_text(predikat):
        years[_number(year)] = code_of("skp", "predikat", predikat)
    for key in table.mapping:
        if key.startswith("skp_") and reader.cell_text(table.cell(cells, key)):
            years[int(key[4:])] = code_of("skp", "predikat", table.cell(cells, key))
    return {"skp": years}


BUILDERS: dict[str, Callable[[reader.Table, list], dict]] = {"potensi": _potensi, "rekam_jejak": _rekam_jejak,
                                                             "skp": _skp}


def parse(kind: str, filename: str, data: bytes, mapping: dict[str, int] | None = None,
          progress: Callable[[float], None] | None = None) -> ImportResult:
    """Read the file and build one record per data row; cell problems become row errors, nothing is written."""
    if kind not in KINDS:
        raise ValidationError("talentimport.bad_kind")
    table = importer.read_for_import(filename, data, kind, mapping, extra=skp_extra() if kind == "skp" else None)
    result = ImportResult(table=table)
    for done, (row_no, cells) in enumerate(table.rows, start=1):
        if progress and done % 250 == 0:
            progress(done / len(table.rows))
        errors = importer.excel_errors(row_no, cells, table)
        try:
            record = {"row": row_no, "nip": _read(table, cells, "nip", _nip)} | BUILDERS[kind](table, cells)
        except CellError as problem:
            error = problem.error
            errors.append(RowError(row_no, problem.column, error.message(), error.key, dict(error.params)))
        result.errors.extend(errors)
        if not errors:
            result.rows.append(record)
    return result


def import_file(db: Database, actor: dict, kind: str, filename: str, data: bytes,
                mapping: dict[str, int] | None = None, progress: Callable[[float], None] | None = None
                ) -> ImportResult:
    """All-or-nothing: every row read and checked, then all written in one transaction (each person audited)."""
    require(actor, *talent_store.WRITERS)
    result = parse(kind, filename, data, mapping, progress)
    if result.ok:
        problems = talent_store.import_people(db, actor, result.rows, filename)
        result.errors = [RowError(row, "", message) for row, message in problems]
    return result
