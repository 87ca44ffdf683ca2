"""External results (SPEC §9, §4.4, §4.6): assessments done by another penyelenggara (BKN Kanreg, a provincial
Assessment Center), imported with their date, penyelenggara and the nine levels.

They count like the app's own finalised results: for the three-year validity (:func:`latest_valid`) and for
the talent map's ``penilaian_kompetensi``. The import goes through the one reader (kind ``external_results``),
is all-or-nothing, admin only, one ``BEGIN IMMEDIATE`` transaction with one audit entry per result; a NIP
that is not in the registry is refused (the person must be a peserta first). Pure Python: no streamlit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from functools import lru_cache

import openpyxl
from openpyxl.styles import Alignment, Font
from sqlite_utils import Database

from core import audit, fields, importer, reader, scoring, settings, sheets
from core.db import one, rows, transaction
from core.errors import NotFound, ValidationError
from core.i18n import format_number, t
from core.nip import parse_nip
from core.refdata import default_standard
from core.refdata import read as read_reference
from core.roles import require

KIND = "external_results"
WRITERS = ("admin",)
READERS = ("admin", "pimpinan")
COMPETENCIES = tuple(c["code"] for c in read_reference("competencies")["competencies"])
STANDARD_KEY = "Standar "  # the optional per-competency standard columns: "Standar M.01" …
MAX_PROVIDER = 200
MAX_TARGET = 300
MAX_JPM = 500.0  # levels 5 against a standard of 1: the highest JPM the scale allows
EARLIEST = dt.date(2000, 1, 1)
DATA_SHEET = "Hasil Eksternal"
TEMPLATE_HEADERS = ["NIP", "Nama", "Tanggal Asesmen", "Penyelenggara", "Jenjang Jabatan", "Jabatan",
                    *COMPETENCIES, "JPM", "Kategori"]
TEMPLATE_EXAMPLE = ["199001012015031001", "Contoh Peserta, S.T.", "15-03-2025",
                    "BKN Kantor Regional I Yogyakarta", "Administrator", "Kepala Bagian Umum",
                    3, 3, 4, 3, 3, 3, 3, 3, 4, "", ""]


# --- pure rules ---------------------------------------------------------------------------------------------


def parse_level(value, competency: str) -> int:
    """A level 1–5 (``4``, ``4.0``, ``"4"``); TB or an empty cell is no external result."""
    text = reader.cell_text(value)
    if not text:
        raise ValidationError("external.level_required", competency=competency)
    if text.casefold() in ("tb", "tidak teramati"):
        raise ValidationError("external.level_tb", competency=competency)
    number = _number(value)
    if number is None or number != int(number) or not 1 <= number <= 5:
        raise ValidationError("external.level_invalid", competency=competency, value=text[:20])
    return int(number)


def parse_jpm(value) -> float | None:
    """The file's JPM (``88,89``, ``88.89``, ``88,89%``), or ``None`` when the cell is empty."""
    text = reader.cell_text(value).removesuffix("%").strip()
    if not text:
        return None
    number = _number(value if not isinstance(value, str) else text)
    if number is None or not 0 < number <= MAX_JPM:
        raise ValidationError("external.jpm_invalid", value=reader.cell_text(value)[:20])
    return number


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value == value else None
    text = reader.cell_text(value)
    return float(text.replace(",", ".")) if fields.SCORE_TEXT_RE.match(text) else None


def parse_assessment_date(value, today: dt.date) -> str:
    """The assessment date as ``YYYY-MM-DD``: a readable date, not in the future, not before 2000."""
    taken = importer.parse_date(value)
    if taken > today:
        raise ValidationError("external.date_future", value=taken.isoformat())
    if taken < EARLIEST:
        raise ValidationError("external.date_too_old", value=taken.isoformat())
    return taken.isoformat()


def compute(levels: dict[str, int], standard: dict[str, int] | None, given_jpm: float | None) -> dict:
    """Totals and JPM: the file's JPM when given, else ``core.scoring.jpm`` of the levels against the standard."""
    achieved = sum(levels.values())
    if standard is None:
        if given_jpm is None:
            raise ValidationError("external.no_standard")
        return {"achieved_total": achieved, "standard_total": None, "jpm": given_jpm, "jpm_given": 1}
    value = given_jpm if given_jpm is not None else scoring.jpm(levels, standard)
    return {"achieved_total": achieved, "standard_total": sum(standard.values()), "jpm": value,
            "jpm_given": int(given_jpm is not None)}


def pick_latest(candidates: Iterable[dict], on: str, years: int) -> dict | None:
    """The latest result valid on ``on`` (taken on or before it, within ``years``); same date: own wins."""
    valid = [r for r in candidates if r["assessed"][:10] <= on[:10] and scoring.is_valid(r["assessed"], on, years)]
    if not valid:
        return None
    return max(valid, key=lambda r: (r["assessed"][:10], r["origin"] == "own", r.get("order", 0)))


# --- reading the file ---------------------------------------------------------------------------------------


class _Rows:
    """Validates the rows of one file against the registry; remembers what the file already holds."""

    def __init__(self, db: Database, today: dt.date):
        self.today = today
        self.ids = {r["nip"]: r["id"] for r in rows(db, "SELECT id, nip FROM candidates")}
        self.stored = {(r["candidate_id"], r["assessment_date"], r["provider"].casefold()) for r in rows(
            db, "SELECT candidate_id, assessment_date, provider FROM external_results")}
        self.job_classes = {}
        self.job_class_names = ", ".join(r["name"] for r in rows(db, "SELECT name FROM job_classes ORDER BY sort"))
        for jc in rows(db, "SELECT code, name FROM job_classes"):
            for name in (jc["code"], jc["name"], jc["code"].replace("_", " ")):
                self.job_classes[reader.normalize_header(name)] = jc["code"]
        self.standards = {code: default_standard(db, code) for code in set(self.job_classes.values())}
        self.categories = {}
        for cat in rows(db, "SELECT code, name FROM categories"):
            self.categories[reader.normalize_header(cat["code"])] = cat["code"]
            self.categories[reader.normalize_header(cat["name"])] = cat["code"]
        self.seen: dict[tuple, int] = {}

    def validate(self, row_no: int, cells: list, table: reader.Table) -> tuple[dict | None, list]:
        errors = importer.excel_errors(row_no, cells, table)
        clean: dict = {"row": row_no}
        importer.apply_checks(row_no, self._checks(cells, table), table, clean, errors)
        if not errors:
            try:
                clean.update(self._whole(row_no, clean))
            except ValidationError as err:
                errors.append(importer.RowError(row_no, "", str(err), err.key, dict(err.params)))
        return (None if errors else clean), errors

    def _checks(self, cells: list, table: reader.Table) -> list[tuple[str, Callable[[], dict]]]:
        def value(key):
            return table.cell(cells, key)

        checks = [
            ("nip", lambda: {"candidate_id": self.candidate(value("nip"))}),
            ("assessment_date", lambda: {"assessment_date": parse_assessment_date(value("assessment_date"),
                                                                                  self.today)}),
            ("provider", lambda: {"provider": fields.clean_text(value("provider"), importer.field_label("provider"),
                                                                required=True, max_len=MAX_PROVIDER)}),
            ("job_class", lambda: {"job_class": self.job_class(value("job_class"))}),
            ("target_position", lambda: {"target_position": fields.clean_text(
                value("target_position"), importer.field_label("target_position"), max_len=MAX_TARGET)}),
        ]
        checks += [(code, lambda c=code: {("level", c): parse_level(value(c), c)}) for code in COMPETENCIES]
        checks += [(STANDARD_KEY + code, lambda c=code: {("standard", c): self.standard_level(
            value(STANDARD_KEY + c), c)}) for code in COMPETENCIES if STANDARD_KEY + code in table.mapping]
        checks += [("jpm", lambda: {"given_jpm": parse_jpm(value("jpm"))}),
                   ("category", lambda: {"category": self.category(value("category"))})]
        return checks

    def candidate(self, raw) -> int:
        nip = parse_nip(importer.clean_nip(raw), self.today).nip
        if nip not in self.ids:
            raise ValidationError("external.nip_unknown", nip=nip)
        return self.ids[nip]

    def job_class(self, raw) -> str | None:
        return _lookup(raw, self.job_classes, "external.job_class_unknown", choices=self.job_class_names)

    def standard_level(self, raw, competency: str) -> int | None:
        return parse_level(raw, STANDARD_KEY + competency) if reader.cell_text(raw) else None

    def category(self, raw) -> str | None:
        return _lookup(raw, self.categories, "external.category_unknown")

    def _whole(self, row_no: int, clean: dict) -> dict:
        """The row as one result: its standard (columns, else the jenjang's default), JPM, uniqueness."""
        levels = {code: clean.pop(("level", code)) for code in COMPETENCIES}
        given = {code: clean.pop(("standard", code), None) for code in COMPETENCIES}
        if any(v is not None for v in given.values()):
            missing = [code for code, v in given.items() if v is None]
            if missing:
                raise ValidationError("external.standard_partial", competencies=", ".join(missing))
            standard = given
        else:
            standard = self.standards.get(clean.get("job_class"))
        key = (clean["candidate_id"], clean["assessment_date"], clean["provider"].casefold())
        if key in self.stored:
            raise ValidationError("external.already_stored", date=clean["assessment_date"])
        first = self.seen.setdefault(key, row_no)
        if first != row_no:
            raise ValidationError("external.duplicate_row", other_row=first)
        return {"levels": levels, "standard": standard} | compute(levels, standard, clean.pop("given_jpm", None))


def _lookup(raw, known: dict[str, str], error: str, **params) -> str | None:
    """An optional cell naming one of ``known`` (normalised like headers: case, spaces, dots ignored)."""
    text = reader.cell_text(raw)
    if not text:
        return None
    code = known.get(reader.normalize_header(text))
    if code is None:
        raise ValidationError(error, value=text[:40], **params)
    return code


def parse_file(db: Database, filename: str, data: bytes, *, mapping: dict[str, int] | None = None,
               today: dt.date | None = None, progress: Callable[[float], None] | None = None
               ) -> importer.ImportResult:
    """Read ``data`` through the one reader and validate every row; nothing is written."""
    table = importer.read_for_import(filename, data, KIND, mapping)
    validator = _Rows(db, today or dt.date.today())
    return importer.validate_rows(table, validator.validate, _is_example, TEMPLATE_EXAMPLE[1], progress)


def _is_example(table: reader.Table, cells: list) -> bool:
    nip = "".join(ch for ch in reader.cell_text(table.cell(cells, "nip")) if ch.isdigit())
    return nip == TEMPLATE_EXAMPLE[0] and reader.cell_text(table.cell(cells, "name")) == TEMPLATE_EXAMPLE[1]


# --- writing ------------------------------------------------------------------------------------------------


def import_file(db: Database, actor: dict, filename: str, data: bytes, *, mapping: dict[str, int] | None = None,
                today: dt.date | None = None, progress: Callable[[float], None] | None = None
                ) -> importer.ImportResult:
    """Admin imports external results, all-or-nothing: nothing is written unless every row is valid."""
    require(actor, *WRITERS)
    result = parse_file(db, filename, data, mapping=mapping, today=today, progress=progress)
    if not result.ok:
        return result
    source = " ".join(reader.cell_text(filename).split())[:200]
    with transaction(db):
        for row in result.rows:
            _insert(db, actor, row, source)
    return result


def _insert(db: Database, actor: dict, row: dict, source: str) -> int:
    record = {k: row.get(k) for k in ("candidate_id", "assessment_date", "provider", "job_class", "target_position",
                                      "achieved_total", "standard_total", "jpm", "jpm_given", "category")}
    record["target_position"] = record["target_position"] or ""
    stamp = audit.now()
    new_id = db.execute(
        "INSERT INTO external_results (" + ", ".join(record) + ", source, imported_by, imported_at) VALUES ("
        + ", ".join("?" * len(record)) + ", ?, ?, ?)",
        (*record.values(), source, actor["id"], stamp)).lastrowid
    standard = row["standard"] or {}
    db.conn.executemany("INSERT INTO external_levels (result_id, competency, level, standard) VALUES (?, ?, ?, ?)",
                        [(new_id, code, level, standard.get(code)) for code, level in row["levels"].items()])
    audit.record(db, actor, "import", "external_result", new_id, old=None,
                 new=record | {"levels": row["levels"], "standard": row["standard"], "source": source})
    return new_id


def delete(db: Database, actor: dict, result_id: int, reason: str = "") -> None:
    """Admin removes one external result (a wrong import); the audit log keeps the whole old record."""
    require(actor, *WRITERS)
    reason = fields.clean_text(reason, t("external.delete_reason"), max_len=300)
    with transaction(db):
        old = get(db, result_id)
        db.execute("DELETE FROM external_results WHERE id = ?", (result_id,))
        audit.record(db, actor, "delete", "external_result", result_id, old=old, reason=reason)


# --- reading ------------------------------------------------------------------------------------------------


def get(db: Database, result_id: int) -> dict:
    found = one(db, "SELECT * FROM external_results WHERE id = ?", (result_id,))
    if not found:
        raise NotFound("external.not_found")
    return found | levels_of(db, [result_id]).get(result_id, {"levels": {}, "standard": {}})


def levels_of(db: Database, ids: list[int]) -> dict[int, dict]:
    """{result id: {"levels": {code: level}, "standard": {code: level}}} of external results."""
    out: dict[int, dict] = {}
    if not ids:
        return out
    marks = ", ".join("?" * len(ids))
    for r in rows(db, f"SELECT * FROM external_levels WHERE result_id IN ({marks})", ids):
        entry = out.setdefault(r["result_id"], {"levels": {}, "standard": {}})
        entry["levels"][r["competency"]] = r["level"]
        if r["standard"] is not None:
            entry["standard"][r["competency"]] = r["standard"]
    return out


def list_for(db: Database, actor: dict, candidate_id: int, on: str | None = None) -> list[dict]:
    """The person's external results, newest first, each with its levels and whether it is valid on ``on``."""
    require(actor, *READERS)
    on = on or dt.date.today().isoformat()
    years = settings.get(db, "result_validity_years")
    found = rows(db, "SELECT * FROM external_results WHERE candidate_id = ? ORDER BY assessment_date DESC, id DESC",
                 (candidate_id,))
    levels = levels_of(db, [r["id"] for r in found])
    return [r | levels.get(r["id"], {"levels": {}, "standard": {}})
            | {"valid": r["assessment_date"] <= on[:10] and scoring.is_valid(r["assessment_date"], on, years)}
            for r in found]


def latest_valid(db: Database, candidate_ids: Iterable[int], on: str, years: int | None = None) -> dict[int, dict]:
    """{candidate id: the latest result valid on ``on``}, the app's own finalised results and external ones merged.

    Each: ``origin`` (``own``/``external``), ``jpm``, ``assessed`` (date), ``registration_id`` (own) or
    ``external_id`` and ``provider`` (external). SPEC §4.4: a result is valid ``years`` (the setting
    ``result_validity_years``) from its assessment date; one taken after ``on`` does not count.
    """
    years = settings.get(db, "result_validity_years") if years is None else years
    ids = sorted(set(candidate_ids))
    if not ids:
        return {}
    found: dict[int, list[dict]] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ", ".join("?" * len(part))
        for r in rows(db, f"""
                SELECT r.candidate_id, res.jpm, coalesce(r.assessment_date, e.end_date) AS assessed,
                       res.registration_id, NULL AS external_id, NULL AS provider, 'own' AS origin
                FROM results res JOIN registrations r ON r.id = res.registration_id JOIN events e ON e.id = r.event_id
                WHERE res.finalized_at IS NOT NULL AND res.jpm IS NOT NULL AND r.candidate_id IN ({marks})
                UNION ALL
                SELECT x.candidate_id, x.jpm, x.assessment_date, NULL, x.id, x.provider, 'external'
                FROM external_results x WHERE x.candidate_id IN ({marks})""", part + part):
            r["order"] = r["registration_id"] or r["external_id"]
            found.setdefault(r["candidate_id"], []).append(r)
    latest = {cid: pick_latest(results, on, years) for cid, results in found.items()}
    return {cid: r for cid, r in latest.items() if r is not None}


# --- the template -------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def template_xlsx() -> bytes:
    """The download template: headers, one example row (never imported), NIP as text, and a help sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheets.header(sheet, TEMPLATE_HEADERS, [20, 24, 16, 34, 18, 30] + [8] * len(COMPETENCIES) + [8, 10])
    sheets.append(sheet, TEMPLATE_EXAMPLE)
    sheet.column_dimensions["A"].number_format = "@"
    sheet["A2"].number_format = "@"
    help_sheet = workbook.create_sheet(importer.HELP_SHEET)
    sheets.append(help_sheet, [t("external.help.title")])
    help_sheet["A1"].font = Font(bold=True, size=13)
    for note in HELP_NOTES:
        sheets.append(help_sheet, [t(note, rows=format_number(reader.MAX_ROWS, 0), codes=", ".join(COMPETENCIES))])
    help_sheet.column_dimensions["A"].width = 110
    for row in help_sheet.iter_rows(min_row=2, max_col=1):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return sheets.workbook_bytes(workbook)


HELP_NOTES = ("external.help.columns", "external.help.levels", "external.help.standard", "external.help.jpm",
              "external.help.nip", "import.help.note.all_or_nothing", "import.help.note.limits")


@lru_cache(maxsize=1)
def template_csv() -> bytes:
    """The CSV template: UTF-8 with BOM and ``;`` as Excel in an Indonesian locale expects."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow([sheets.neutralise(v) for v in TEMPLATE_EXAMPLE])
    return buffer.getvalue().encode("utf-8-sig")
