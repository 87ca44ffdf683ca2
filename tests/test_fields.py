"""One cleaner per field (core/fields.py): the form and the import give the same verdict for the same input."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from core import fields, importer, registry, results
from core.errors import ValidationError
from core.importer import COLUMNS

TODAY = date(2026, 11, 23)
NIP = "197501012000031001"
STAGE = "Wawancara"


def verdict(clean, value):
    """``(True, cleaned)`` or ``(False, error key)``."""
    try:
        return True, clean(value)
    except ValidationError as err:
        return False, err.key


def candidate_csv(**values) -> bytes:
    row = {"nip": NIP, "name": "Budi Santoso"} | values
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[c.header for c in COLUMNS], [row.get(c.key, "") for c in COLUMNS]])
    return buffer.getvalue().encode("utf-8")


def imported(key: str, value):
    """What the candidate import makes of one cell: ``(True, stored value)`` or ``(False, error key)``."""
    result = importer.parse_candidate_file("p.csv", candidate_csv(**{key: value}), today=TODAY)
    if result.errors:
        return False, result.errors[0].key
    return True, result.rows[0][key] or ""


def stage_xlsx(score) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["NIP", STAGE])
    workbook.active.append([NIP, score])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def imported_score(score):
    result = importer.parse_stage_file("n.xlsx", stage_xlsx(score), [STAGE], {NIP: 1})
    if result.errors:
        return False, result.errors[0].key
    return True, result.rows[0]["scores"][STAGE]


EMAILS = [
    ("budi@kota.go.id", True), ("b@k.id", True), ("  budi@kota.go.id ", True), ("", True),
    ("x@y.z", False), ("budi@kota", False), ("budi@@kota.go.id", False), ("budi santoso@kota.go.id", False),
    ("@kota.go.id", False), ("budi@kota.g0", False), ("budi@kota.go.id2", False),
    ("a" * 243 + "@kota.go.id", True), ("a" * 244 + "@kota.go.id", False),  # 254 / 255 characters
]


@pytest.mark.parametrize("value, accepted", EMAILS)
def test_email_form_and_import_agree(value, accepted):
    form, cell = verdict(registry.clean_email, value), imported("email", value)
    assert form[0] is cell[0] is accepted
    if accepted:
        assert form[1] == cell[1] == value.strip()


PHONES = [
    ("0812-3456-7890", True), ("+62 812 3456 7890", True), ("(021) 555-0101", True), ("123456", True),
    ("123 456 789 012 345", True), ("", True),
    ("((((((", False), ("12345", False), ("1234567890123456", False), ("0812/3456", False),
    ("1.23E+11", False), ("08123456x", False), ("62+812345678", False), ("telepon", False),
]


@pytest.mark.parametrize("value, accepted", PHONES)
def test_phone_form_and_import_agree(value, accepted):
    form, cell = verdict(registry.clean_phone, value), imported("phone", value)
    assert form[0] is cell[0] is accepted
    if accepted:
        assert form[1] == cell[1] == value


def test_phone_keeps_the_leading_zero():
    assert fields.clean_phone("0812 3456 7890") == "0812 3456 7890"
    assert imported("phone", "081234567890") == (True, "081234567890")


@pytest.mark.parametrize("key, limit", [("current_position", 300), ("current_unit", 300)])
def test_free_text_limit_is_the_same_in_form_and_import(key, limit):
    assert imported(key, "x" * limit) == (True, "x" * limit)
    assert imported(key, "x" * (limit + 1)) == (False, "form.too_long")
    with pytest.raises(ValidationError):
        fields.clean_text("x" * (limit + 1), "field.unit")


def test_name_too_long_is_refused_by_form_and_import():
    assert imported("name", "N" * 300)[0] is True
    assert imported("name", "N" * 301) == (False, "form.too_long")


def test_participant_number_limit_is_the_same_in_form_and_import():
    assert imported("participant_no", "P" * fields.MAX_PARTICIPANT_NO)[0] is True
    assert imported("participant_no", "P" * (fields.MAX_PARTICIPANT_NO + 1)) == (False, "form.too_long")


def test_import_drops_control_characters_as_the_form_does():
    assert imported("current_unit", "Dinas\x7f Pendidikan") == (True, "Dinas Pendidikan")
    assert fields.clean_text("Dinas\x7f Pendidikan", "field.unit") == "Dinas Pendidikan"


SCORES = [
    (0, True, 0.0), (100, True, 100.0), (0.0, True, 0.0), (99.99, True, 99.99), ("78,5", True, 78.5),
    ("78.5", True, 78.5), (",5", True, 0.5), ("-0", True, 0.0), (" 80 ", True, 80.0), ("100,0", True, 100.0),
    (-0.01, False, None), (100.01, False, None), (-1, False, None), ("100,5", False, None), (101, False, None),
    ("1e2", False, None), ("1_0", False, None), (True, False, None), (False, False, None), ("NaN", False, None),
    ("inf", False, None), ("1.000,5", False, None), ("78,5,1", False, None), ("abc", False, None),
    ("", False, None),
]


@pytest.mark.parametrize("value, accepted, score", SCORES)
def test_score_form_and_import_agree(value, accepted, score):
    form = verdict(results.clean_score, value)
    cell = verdict(lambda v: importer.parse_score(v, STAGE), value)
    assert form[0] is cell[0] is accepted
    if accepted:
        assert form[1] == cell[1] == score
    else:
        assert form[1] == "stage.bad_score"
        assert cell[1].startswith("import.stage_score_")


@pytest.mark.parametrize("value, accepted, score", [(s, a, v) for s, a, v in SCORES
                                                    if not isinstance(s, str) or s.strip()])
def test_score_in_a_real_file_matches_the_form(value, accepted, score):
    cell = imported_score(value)
    assert cell[0] is accepted and verdict(results.clean_score, value)[0] is accepted
    if accepted:
        assert cell[1] == score


def test_score_message_names_the_value():
    with pytest.raises(ValidationError) as caught:
        fields.clean_score("1e2")
    assert caught.value.params["value"] == "1e2" and "1e2" in str(caught.value)


GOLONGAN = [("IV/a", True, "IV/a"), ("iva", True, "IV/a"), ("IV / A", True, "IV/a"), ("I/a", True, "I/a"),
            ("III/d", True, "III/d"), ("", True, ""), ("4a", False, None), ("IV/f", False, None),
            ("V/a", False, None), ("IVaa", False, None)]


@pytest.mark.parametrize("value, accepted, code", GOLONGAN)
def test_golongan_form_and_import_agree(value, accepted, code):
    from core.refdata import read

    known = [g["code"] for g in read("golongan")]
    form, cell = verdict(lambda v: registry.clean_golongan(v, known) or "", value), imported("golongan", value)
    assert form[0] is cell[0] is accepted
    if accepted:
        assert form[1] == cell[1] == code
