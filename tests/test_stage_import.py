"""Stage-score import (SPEC §4.5): file checks, score checks, the pre-filled template."""

import csv
import io
import math

import openpyxl
import pytest

from core import importer, reader
from core.errors import ValidationError
from core.importer import parse_stage_file, stage_template_xlsx

NIP_BUDI = "197501012000031001"
NIP_SITI = "198203152006042003"
NIP_OTHER = "199001012015031002"
STAGES = ["Makalah & Presentasi", "Wawancara", "Rekam Jejak"]
REGISTERED = {NIP_BUDI: 11, NIP_SITI: 12}
HEADER = ["NIP", "Nama", *STAGES]


def xlsx_bytes(*rows, header=HEADER) -> bytes:
    """An XLSX file with a header row and ``rows``; ``""`` cells stay empty."""
    workbook = openpyxl.Workbook()
    for row in [header, *rows]:
        workbook.active.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows, header=HEADER, separator=";", encoding="utf-8-sig") -> bytes:
    """A CSV file with a header row and ``rows``."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def parse(filename, data, stages=STAGES):
    return parse_stage_file(filename, data, stages, REGISTERED)


def file_error(filename, data, stages=STAGES) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(filename, data, stages)
    return caught.value


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.key) for error in result.errors]


def scores_of(result) -> dict[int, dict[str, float]]:
    return {row["registration_id"]: row["scores"] for row in result.rows}


def save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def clean_rows():
    return [[NIP_BUDI, "Budi Santoso", 80, 75.5, 90], [NIP_SITI, "Dr. Siti Rahmawati", "88,25", "70", ""]]


EXPECTED = {11: {"Makalah & Presentasi": 80.0, "Wawancara": 75.5, "Rekam Jejak": 90.0},
            12: {"Makalah & Presentasi": 88.25, "Wawancara": 70.0}}


@pytest.mark.parametrize("filename, build", [
    ("n.xlsx", xlsx_bytes),
    ("n.csv", lambda *rows: csv_bytes(*rows, separator=";", encoding="cp1252")),
    ("n.csv", lambda *rows: csv_bytes(*rows, separator=",", encoding="utf-8-sig")),
    ("n.csv", lambda *rows: csv_bytes(*rows, separator=";", encoding="utf-8-sig")),
])
def test_clean_file_gives_scores_by_registration(filename, build, clean_rows):
    result = parse(filename, build(*clean_rows))
    assert result.ok and scores_of(result) == EXPECTED
    assert [(row["row"], row["nip"]) for row in result.rows] == [(2, NIP_BUDI), (3, NIP_SITI)]


def test_cp1252_name_and_stage_header_are_read():
    stages = ["Presentasi Makalah – Tahap 2"]
    data = csv_bytes([NIP_BUDI, "André Ma’rifah", "77"], header=["NIP", "Nama", *stages], encoding="cp1252")
    assert scores_of(parse("n.csv", data, stages)) == {11: {stages[0]: 77.0}}


def test_headers_match_ignoring_case_and_spaces_and_missing_stages_are_skipped():
    data = xlsx_bytes([NIP_BUDI, 60], header=["  nip ", "WAWANCARA  "])
    assert scores_of(parse("n.xlsx", data)) == {11: {"Wawancara": 60.0}}


@pytest.mark.parametrize("text, score", [("78,5", 78.5), ("78.5", 78.5), (" 100 ", 100.0), ("0", 0.0),
                                         (",5", 0.5), ("-0", 0.0)])
def test_score_text_with_decimal_comma_or_dot(text, score):
    result = parse("n.csv", csv_bytes([NIP_BUDI, "", text, "", ""]))
    assert scores_of(result) == {11: {"Makalah & Presentasi": score}}


@pytest.mark.parametrize("value, shown, key", [
    (-1, "-1", "import.stage_score_out_of_range"),
    (100.5, "100.5", "import.stage_score_out_of_range"),
    ("100,5", "100,5", "import.stage_score_out_of_range"),
    ("abc", '"abc"', "import.stage_score_not_number"),
    ("78,5,1", '"78,5,1"', "import.stage_score_not_number"),
    ("1e2", '"1e2"', "import.stage_score_not_number"),
    ("NaN", '"NaN"', "import.stage_score_not_number"),
    (True, '"True"', "import.stage_score_not_number"),
])
def test_bad_score_names_the_column_and_value(value, shown, key):
    result = parse("n.xlsx", xlsx_bytes([NIP_BUDI, "Budi", 80, value, ""]))
    assert errors_of(result) == [(2, "Wawancara", key)] and not result.rows
    assert f"Nilai {shown} pada kolom Wawancara" in result.errors[0].message


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_number_cell_is_not_a_score(value):
    with pytest.raises(ValidationError) as caught:
        importer.parse_score(value, "Wawancara")
    assert caught.value.key == "import.stage_score_not_number"


def test_score_message_speaks_english_too():
    error = parse("n.csv", csv_bytes([NIP_BUDI, "", "abc", "", ""])).errors[0]
    assert error.text("en") == 'The value "abc" in the Makalah & Presentasi column is not a number. ' \
                               "Write a number from 0 to 100, e.g. 78 or 78.5."


def test_empty_score_cell_is_not_imported():
    result = parse("n.csv", csv_bytes([NIP_BUDI, "Budi", "", "  ", "65"]))
    assert scores_of(result) == {11: {"Rekam Jejak": 65.0}}


def test_row_without_any_score_is_skipped():
    """The pre-filled template lists everyone: rows not scored yet are left alone, not refused."""
    result = parse("n.xlsx", xlsx_bytes([NIP_BUDI, "Budi", 70, "", ""], [NIP_SITI, "Siti", "", "", ""]))
    assert result.ok and [row["nip"] for row in result.rows] == [NIP_BUDI]


def test_nip_not_registered_in_the_event():
    result = parse("n.csv", csv_bytes([NIP_BUDI, "", "70", "", ""], [NIP_OTHER, "", "70", "", ""]))
    assert errors_of(result) == [(3, "NIP", "import.stage_nip_not_registered")]
    assert result.errors[0].message == f"NIP {NIP_OTHER} tidak terdaftar pada kegiatan ini."


def test_duplicate_nip_names_the_first_row():
    rows = [[NIP_BUDI, "", 70], [NIP_SITI, "", 71], ["19750101 200003 1 001", "", 72]]
    result = parse("n.xlsx", xlsx_bytes(*rows))
    assert errors_of(result) == [(4, "NIP", "import.nip_duplicate")]
    assert "baris 2" in result.errors[0].message


def test_nip_typo_uses_the_nip_message():
    result = parse("n.csv", csv_bytes(["197501012000033001", "", "70", "", ""]))
    assert errors_of(result) == [(2, "NIP", "nip.gender_invalid")]


@pytest.mark.parametrize("filename, data", [
    ("n.xlsx", xlsx_bytes([197501012000031001, "", 70])),
    ("n.xlsx", xlsx_bytes([1.97501012000031e17, "", 70])),
    ("n.csv", csv_bytes(["1.97501E+17", "", "70"])),
    ("n.csv", csv_bytes(["1,97501E+17", "", "70"])),
])
def test_numeric_nip_from_a_spreadsheet_is_a_row_error(filename, data):
    assert errors_of(parse(filename, data)) == [(2, "NIP", "nip.spreadsheet_number")]


def test_all_row_errors_are_collected():
    rows = [["123", "", "x", 101, ""], [NIP_SITI, "", "", "", ""], [NIP_BUDI, "", 50, "", "", "extra"]]
    assert errors_of(parse("n.xlsx", xlsx_bytes(*rows))) == [
        (2, "NIP", "nip.length"),
        (2, "Makalah & Presentasi", "import.stage_score_not_number"),
        (2, "Wawancara", "import.stage_score_out_of_range"),
        (4, "", "import.extra_cells"),
    ]


@pytest.mark.parametrize("header, key, words", [
    (["Nama", "Wawancara"], "reader.columns_missing", ["NIP"]),
    (["NIP", "Nama"], "import.stage_no_stage_column", ["Makalah & Presentasi, Wawancara, Rekam Jejak"]),
    (["NIP", "Assessment Center"], "import.stage_no_stage_column", ["Wawancara"]),
    (["NIP", "Wawancara", "wawancara"], "import.header_duplicate", ["wawancara"]),
])
def test_wrong_columns_are_named(header, key, words):
    error = file_error("n.xlsx", xlsx_bytes([NIP_BUDI, "", 70, 70], header=header))
    assert error.key == key and all(word in str(error) for word in words)


@pytest.mark.parametrize("filename, data, key", [
    ("n.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "import.not_a_spreadsheet"),
    ("n.csv", bytes(range(256)) * 4, "import.not_a_spreadsheet"),
    ("n.pdf", b"%PDF-1.7\n", "reader.unsupported_type"),
    ("n.csv", b"", "import.empty_file"),
    ("n.csv", csv_bytes(), "import.no_rows"),
])
def test_bad_file_is_refused(filename, data, key):
    assert file_error(filename, data).key == key


def test_file_over_the_size_limit():
    data = csv_bytes([NIP_BUDI, "", "70"]) + b" " * importer.MAX_BYTES
    assert file_error("n.csv", data).key == "import.file_too_large"


def test_more_than_max_rows(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 1)
    assert file_error("n.csv", csv_bytes([NIP_BUDI, "", "70"], [NIP_SITI, "", "70"])).key == "import.too_many_rows"


PEOPLE = [("JPT-001", NIP_BUDI, "Budi Santoso"), ("007", NIP_SITI, "Dr. Siti Rahmawati")]


@pytest.fixture
def template_workbook():
    return openpyxl.load_workbook(io.BytesIO(stage_template_xlsx(STAGES, PEOPLE)))


def test_template_layout(template_workbook):
    sheet, help_sheet = template_workbook.worksheets
    assert sheet.title == "Nilai Tahap" and help_sheet.title == "Petunjuk"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["No. Peserta", "NIP", "Nama", *STAGES],
        ["JPT-001", NIP_BUDI, "Budi Santoso", None, None, None],
        ["007", NIP_SITI, "Dr. Siti Rahmawati", None, None, None],
    ]
    assert sheet["B3"].number_format == "@" and sheet["A3"].number_format == "@"


def test_template_validates_scores_0_to_100(template_workbook):
    (validation,) = template_workbook.worksheets[0].data_validations.dataValidation
    assert (validation.type, validation.operator) == ("decimal", "between")
    assert (validation.formula1, validation.formula2) == ("0", "100")
    assert str(validation.sqref) == f"D2:F{importer.MAX_ROWS + 1}"


def test_template_help_explains_the_rules(template_workbook):
    text = " ".join(row[0] or "" for row in template_workbook["Petunjuk"].iter_rows(values_only=True))
    assert all(word in text for word in ["0 sampai 100", "78,5", "dikosongkan", "Assessment Center", "JPM",
                                         "Wawancara"])


def test_template_round_trip(template_workbook):
    sheet = template_workbook.worksheets[0]
    for cell, value in {"D2": 81.5, "E2": 70, "F2": 65, "D3": "77,25", "F3": 90}.items():
        sheet[cell] = value
    result = parse("nilai.xlsx", save(template_workbook))
    assert result.ok and scores_of(result) == {
        11: {"Makalah & Presentasi": 81.5, "Wawancara": 70.0, "Rekam Jejak": 65.0},
        12: {"Makalah & Presentasi": 77.25, "Rekam Jejak": 90.0},
    }


def test_unfilled_template_is_refused_as_a_whole():
    with pytest.raises(ValidationError) as caught:
        parse("nilai.xlsx", stage_template_xlsx(STAGES, PEOPLE))
    assert caught.value.key == "import.stage_no_score"


def test_unused_columns_are_ignored_and_listed():
    result = parse("n.xlsx", xlsx_bytes([NIP_BUDI, "", 70, 70], header=["NIP", "Nama", "Wawancara", "Psikotes"]))
    assert result.ok and result.table.ignored == ["Psikotes"]


def test_excel_error_in_a_score_names_row_and_column():
    result = parse("n.xlsx", xlsx_bytes([NIP_BUDI, "Budi", 80, "#DIV/0!", ""]))
    assert errors_of(result) == [(2, "Wawancara", "reader.excel_error")] and not result.rows
