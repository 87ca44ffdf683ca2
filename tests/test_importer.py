"""Candidate import: file checks, row checks, templates (no database)."""

import csv
import io
import os
import zipfile
from datetime import date

import openpyxl
import pytest

from core import importer, reader
from core.errors import ValidationError
from core.i18n import catalog
from core.importer import COLUMNS, parse_candidate_file, template_csv, template_xlsx

TODAY = date(2026, 11, 23)
NIP_BUDI = "197501012000031001"
NIP_SITI = "198203152006042004"  # not the template example's NIP (that row is never imported)
HEADER = [column.header for column in COLUMNS]
POSITIONS = {"Kepala Dinas Pendidikan": 11, "Kepala Bappeda": 12}


def candidate(nip=NIP_BUDI, name="Budi Santoso, S.Kom.", **values) -> list:
    """One data row in template column order."""
    values = {"nip": nip, "name": name, **values}
    return [values.get(column.key, "") for column in COLUMNS]


def xlsx_bytes(*rows, header=HEADER) -> bytes:
    """An XLSX file with a header row and ``rows``; ``""`` cells stay empty."""
    workbook = openpyxl.Workbook()
    for row in [header, *rows]:
        workbook.active.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows, header=HEADER, separator=",", encoding="utf-8") -> bytes:
    """A CSV file with a header row and ``rows``."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def parse(filename, data, **kwargs):
    return parse_candidate_file(filename, data, today=TODAY, **kwargs)


def file_error(filename, data, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(filename, data, **kwargs)
    return caught.value


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.key) for error in result.errors]


@pytest.fixture
def clean_rows():
    return [
        candidate(golongan="iva", position="kepala  dinas PENDIDIKAN", participant_no="JPT-001"),
        candidate(NIP_SITI, "Dr.  Siti   Rahmawati, S.E., M.Si.", email="siti@example.go.id",
                  phone="+62 812-3456-7890", position="Kepala Bappeda"),
    ]


@pytest.mark.parametrize("filename, build", [("p.xlsx", xlsx_bytes), ("p.csv", csv_bytes)])
def test_clean_file_gives_clean_rows(filename, build, clean_rows):
    result = parse(filename, build(*clean_rows), positions=POSITIONS)
    assert result.ok and [row["row"] for row in result.rows] == [2, 3]
    budi, siti = result.rows
    assert (budi["golongan"], budi["position_id"]) == ("IV/a", 11)
    assert budi["participant_no"] == "JPT-001"
    assert (budi["birth_date"], budi["gender"]) == (date(1975, 1, 1), "L")
    assert budi["tmt_cpns"] == "2000-03"
    assert (siti["name"], siti["gender"], siti["position_id"]) == (
        "Dr. Siti Rahmawati, S.E., M.Si.", "P", 12)
    assert siti["golongan"] is None and siti["email"] == "siti@example.go.id"


def test_without_positions_the_position_is_kept_as_text(clean_rows):
    row = parse("p.xlsx", xlsx_bytes(*clean_rows)).rows[0]
    assert (row["position"], row["position_id"]) == ("kepala dinas PENDIDIKAN", None)


def test_headers_match_ignoring_case_and_spaces():
    header = ["  nip ", "NAMA  LENGKAP", "golongan"]
    assert parse("p.csv", csv_bytes([NIP_BUDI, "Budi", "III/b"], header=header)).ok


@pytest.mark.parametrize(
    "header, key, words",
    [
        (["NIP", "Golongan"], "reader.columns_missing", ["Nama", "Kolom di berkas: NIP, Golongan"]),
        (["Nomor", "Nama Lengkap", "Golongan"], "reader.columns_missing", ["NIP"]),
        (["NIP", "Nama Lengkap", "nip"], "import.header_duplicate", ["nip"]),
        (["NIP", "Nama Lengkap", "N.I.P."], "import.header_duplicate", ["N.I.P."]),
    ],
)
def test_wrong_columns_are_named(header, key, words):
    error = file_error("p.xlsx", xlsx_bytes([NIP_BUDI, "Budi", "x"], header=header))
    assert error.key == key and all(word in str(error) for word in words)


@pytest.mark.parametrize("nip", [197501012000031001, 1.97501012000031e17])
def test_numeric_nip_cell_in_xlsx_is_a_row_error(nip):
    result = parse("p.xlsx", xlsx_bytes(candidate(nip)))
    assert errors_of(result) == [(2, "NIP", "nip.spreadsheet_number")]
    assert "spreadsheet" in result.errors[0].message


@pytest.mark.parametrize("nip", ["1.97501E+17", "1,97501E+17", "197501012000031000.0"])
def test_numeric_nip_text_in_csv_is_a_row_error(nip):
    result = parse("p.csv", csv_bytes(candidate(nip), separator=";"))
    assert errors_of(result) == [(2, "NIP", "nip.spreadsheet_number")]


def test_invalid_nip_uses_the_nip_message():
    result = parse("p.csv", csv_bytes(candidate("197501012000033001")))
    assert errors_of(result) == [(2, "NIP", "nip.gender_invalid")]
    assert "angka ke-15" in result.errors[0].message


def test_duplicate_nip_in_file_names_the_first_row():
    rows = [candidate(), candidate(NIP_SITI), candidate("19750101 200003 1 001")]
    result = parse("p.xlsx", xlsx_bytes(*rows))
    assert errors_of(result) == [(4, "NIP", "import.nip_duplicate")]
    assert "baris 2" in result.errors[0].message
    assert not result.ok and len(result.rows) == 2


def test_nip_already_in_registry():
    result = parse("p.csv", csv_bytes(candidate(), candidate(NIP_SITI)), existing_nips={NIP_SITI})
    assert errors_of(result) == [(3, "NIP", "import.nip_registered")]


def test_empty_rows_are_skipped_and_row_numbers_kept():
    data = xlsx_bytes(["", "", ""], candidate(), [None] * 9, candidate(NIP_SITI, ""))
    result = parse("p.xlsx", data)
    assert errors_of(result) == [(5, "Nama Lengkap", "import.required")]
    assert [row["row"] for row in result.rows] == [3]


def test_partly_filled_row_is_validated():
    result = parse("p.csv", csv_bytes(candidate(), candidate("", "", email="a@b.go.id"), [" ", ""]))
    assert errors_of(result) == [(3, "NIP", "nip.empty"), (3, "Nama Lengkap", "import.required")]


@pytest.mark.parametrize(
    "values, column, key",
    [
        ({"golongan": "4a"}, "Golongan", "import.golongan_unknown"),
        ({"golongan": "IV/f"}, "Golongan", "import.golongan_unknown"),
        ({"position": "Kepala Dinas Kesehatan"}, "Jabatan yang Dilamar", "import.position_unknown"),
        ({"participant_no": "jpt-009"}, "Nomor Peserta", "import.participant_no_registered"),
        ({"email": "budi@kota"}, "Email", "import.email_invalid"),
        ({"email": "budi santoso@kota.go.id"}, "Email", "import.email_invalid"),
        ({"phone": "0812/3456"}, "Telepon", "import.phone_invalid"),
        ({"phone": "1.23E+11"}, "Telepon", "import.phone_invalid"),
    ],
)
def test_row_checks(values, column, key):
    data = csv_bytes(candidate(**values))
    result = parse("p.csv", data, positions=POSITIONS, existing_participant_nos={"JPT-009"})
    assert errors_of(result) == [(2, column, key)]


def test_golongan_checked_against_the_given_codes():
    result = parse("p.csv", csv_bytes(candidate(golongan="IV/e")), golongan_codes={"IV/a", "IV/b"})
    assert errors_of(result) == [(2, "Golongan", "import.golongan_unknown")]
    assert "IV/b" in result.errors[0].message


def test_duplicate_participant_number_in_file():
    data = csv_bytes(candidate(participant_no="A-1"), candidate(NIP_SITI, participant_no="a-1"))
    result = parse("p.csv", data)
    assert errors_of(result) == [(3, "Nomor Peserta", "import.participant_no_duplicate")]


def test_all_row_errors_are_collected():
    rows = [candidate("123"), candidate(NIP_SITI, "", golongan="X"), candidate(email="x")]
    assert errors_of(parse("p.xlsx", xlsx_bytes(*rows))) == [
        (2, "NIP", "nip.length"),
        (3, "Nama Lengkap", "import.required"),
        (3, "Golongan", "import.golongan_unknown"),
        (4, "Email", "import.email_invalid"),
    ]


def test_unquoted_comma_in_name_is_a_whole_row_error():
    data = b"NIP,Nama Lengkap\r\n197501012000031001,Dr. Budi, S.E.\r\n"
    result = parse("p.csv", data)
    assert errors_of(result) == [(2, "", "import.extra_cells")]


def test_row_error_speaks_english_too():
    error = parse("p.csv", csv_bytes(candidate(email="x"))).errors[0]
    assert error.text("en").startswith('The email address "x" is invalid')


@pytest.mark.parametrize(
    "name",
    ["Dra. Hj. Siti Ma’rifah", "Ibu Zulaikha Nurhayati", "André Wijaya, S.T.", "Ir. Sœur Müller"],
)
def test_cp1252_csv_is_decoded(name):
    result = parse("p.csv", csv_bytes(candidate(name=name), separator=";", encoding="cp1252"))
    assert result.rows[0]["name"] == name


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16"])
def test_unicode_csv_with_and_without_bom(encoding):
    result = parse("p.csv", csv_bytes(candidate(name="André Ma’rifah"), encoding=encoding))
    assert result.ok and result.rows[0]["name"] == "André Ma’rifah"


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_csv_separator_is_detected(separator, clean_rows):
    assert parse("p.csv", csv_bytes(*clean_rows, separator=separator)).ok


@pytest.mark.parametrize(
    "data, key",
    [
        (csv_bytes(candidate(name="André")) + "Ma’rifah".encode("cp1252"), "import.encoding_mixed"),
        (csv_bytes(candidate(name="Andr\ufffd")), "import.encoding_lost"),
        (b"\xef\xbb\xbf" + csv_bytes(candidate(name="André"), encoding="cp1252"),
         "import.encoding_broken"),
    ],
)
def test_broken_encoding_is_refused(data, key):
    assert file_error("p.csv", data).key == key


@pytest.fixture
def png_bytes():
    return b"\x89PNG\r\n\x1a\n" + os.urandom(200)


@pytest.fixture
def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "filename, content, key",
    [
        ("peserta.xlsx", "png_bytes", "import.not_a_spreadsheet"),
        ("peserta.xlsx", "docx_bytes", "import.not_a_spreadsheet"),
        ("peserta.xlsx", b"%PDF-1.7\n" + bytes(range(256)), "import.not_a_spreadsheet"),
        ("peserta.csv", bytes(range(256)) * 4, "import.not_a_spreadsheet"),
        ("peserta.pdf", b"%PDF-1.7\n", "reader.unsupported_type"),
        ("peserta.docx", "docx_bytes", "reader.unsupported_type"),
        ("peserta", b"NIP\n", "reader.unsupported_type"),
        ("peserta.xls", b"\xd0\xcf\x11\xe0" + bytes(100), "reader.xls_unreadable"),
        ("peserta.xlsx", b"PK\x03\x04" + bytes(100), "import.xlsx_unreadable"),
    ],
)
def test_not_a_spreadsheet_is_refused(filename, content, key, request):
    data = request.getfixturevalue(content) if isinstance(content, str) else content
    assert file_error(filename, data).key == key


def test_not_a_spreadsheet_message_says_what_it_is(png_bytes):
    assert "gambar PNG" in str(file_error("foto.xlsx", png_bytes))


def test_random_bytes_named_csv():
    assert file_error("acak.csv", os.urandom(4096)).key == "import.not_a_spreadsheet"


def test_file_over_the_size_limit():
    data = csv_bytes(candidate()) + b" " * importer.MAX_BYTES
    error = file_error("p.csv", data)
    assert error.key == "import.file_too_large" and "5 MB" in str(error)


@pytest.fixture
def three_rows_xlsx():
    return xlsx_bytes(*[candidate(f"19750101200003100{serial}") for serial in range(1, 4)])


def test_max_rows_is_allowed(monkeypatch, three_rows_xlsx):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    assert len(parse("p.xlsx", three_rows_xlsx).rows) == 3


def test_more_than_max_rows(monkeypatch, three_rows_xlsx):
    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    assert file_error("p.xlsx", three_rows_xlsx).key == "import.too_many_rows"


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 1000)
    assert file_error("p.xlsx", xlsx_bytes(candidate())).key == "import.unpacked_too_large"


@pytest.mark.parametrize(
    "filename, data, key",
    [
        ("p.csv", b"", "import.empty_file"),
        ("p.csv", b"\r\n ; \r\n\r\n", "import.empty_file"),
        ("p.csv", csv_bytes(), "import.no_rows"),
        ("p.csv", csv_bytes([""] * 9, ["  "] * 9), "import.no_rows"),
        ("p.xlsx", xlsx_bytes(), "import.no_rows"),
        ("p.xlsx", xlsx_bytes(header=[]), "import.empty_file"),
    ],
)
def test_empty_file_or_header_only(filename, data, key):
    assert file_error(filename, data).key == key


@pytest.fixture
def template_workbook():
    return openpyxl.load_workbook(io.BytesIO(template_xlsx()))


def test_template_xlsx_layout(template_workbook):
    data_sheet, help_sheet = template_workbook.worksheets
    assert [cell.value for cell in data_sheet[1]] == HEADER
    assert data_sheet["A2"].number_format == "@"
    assert data_sheet.column_dimensions["A"].number_format == "@"
    assert help_sheet.title == "Petunjuk"
    explained = {row[0] for row in help_sheet.iter_rows(values_only=True)}
    assert set(HEADER) <= explained


@pytest.mark.parametrize("filename, build", [("t.xlsx", template_xlsx), ("t.csv", template_csv)])
def test_template_example_row_is_never_imported(filename, build):
    error = file_error(filename, build())
    assert error.key == "import.no_rows"


@pytest.mark.parametrize("filename, build", [("t.xlsx", xlsx_bytes), ("t.csv", csv_bytes)])
def test_template_example_row_is_left_out_and_listed(filename, build):
    example = [importer.TEMPLATE_EXAMPLE[column.key] for column in COLUMNS]
    result = parse(filename, build(example, candidate()))
    assert result.ok and [row["nip"] for row in result.rows] == [NIP_BUDI]
    assert [(item.row, item.reason) for item in result.table.left_out] == [(2, "reader.left_out.example")]


def test_template_without_example_row_is_header_only(template_workbook):
    template_workbook.worksheets[0].delete_rows(2)
    buffer = io.BytesIO()
    template_workbook.save(buffer)
    assert file_error("t.xlsx", buffer.getvalue()).key == "import.no_rows"


def test_every_import_message_exists_in_both_languages():
    keys = [key for key in catalog() if key.startswith("import.")]
    assert all(set(catalog()[key]) == {"id", "en"} for key in keys)
