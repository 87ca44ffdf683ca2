"""NIP rules, SPEC §3.3."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.i18n import catalog
from core.nip import NipInfo, birthday, normalize_nip, parse_nip

TODAY = date(2026, 11, 23)
VALID = "197501012000031001"


def error_key(raw) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_nip(raw, today=TODAY)
    return caught.value.key


def test_valid_nip_derives_birth_date_tmt_gender_serial():
    assert parse_nip(VALID, today=TODAY) == NipInfo(VALID, date(1975, 1, 1), "2000-03", "L", "001")


@pytest.mark.parametrize(
    "raw, birth_date, gender",
    [
        ("198203152006042003", date(1982, 3, 15), "P"),
        ("196512311990121999", date(1965, 12, 31), "L"),
    ],
)
def test_birth_date_and_gender_come_from_the_nip(raw, birth_date, gender):
    info = parse_nip(raw, today=TODAY)
    assert (info.birth_date, info.gender) == (birth_date, gender)


@pytest.mark.parametrize(
    "raw",
    [
        "19750101 200003 1 001",  # the printed form
        " 197501012000031001 ",
        "19750101  200003  1  001",
        "19750101\u00a0200003\u00a01\u00a0001",  # non-breaking spaces from a web page
        "19750101.200003.1.001",
        "'197501012000031001",  # Excel's text prefix in a CSV
        '="197501012000031001"',  # Excel's text formula in a CSV
    ],
)
def test_separators_are_accepted(raw):
    assert normalize_nip(raw) == VALID


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("197501011992011001", "TMT in the month of the 17th birthday (born on the 1st)"),
        ("197501151992021001", "born mid-January: the first full month after turning 17"),
        ("200002292017031001", "born 29 Feb: turns 17 on 1 Mar 2017"),
        ("194001011960011001", "earliest birth year"),
        ("200001012026111001", "TMT in the current month"),
        ("200402292024021999", "born 29 Feb in a leap year, serial 999"),
    ],
)
def test_boundaries_that_are_valid(raw, reason):
    assert parse_nip(raw, today=TODAY).nip == raw, reason


@pytest.mark.parametrize(
    "raw, key",
    [
        ("197513012000031001", "nip.birth_date_invalid"),  # month 13
        ("197501322000031001", "nip.birth_date_invalid"),  # day 32
        ("197502292000031001", "nip.birth_date_invalid"),  # 29 Feb in a non-leap year
        ("197500102000031001", "nip.birth_date_invalid"),  # month 00
        ("193912311960011001", "nip.birth_year_too_early"),
        ("202612011990011001", "nip.birth_date_future"),
        ("197501012000131001", "nip.tmt_invalid"),  # month 13
        ("197501012000001001", "nip.tmt_invalid"),  # month 00
        ("200001012026121001", "nip.tmt_future"),
        ("197501011991121001", "nip.tmt_too_young"),  # one month before the 17th birthday
        ("197501151992011001", "nip.tmt_too_young"),  # month of the birthday, born after the 1st
        ("200002292017021001", "nip.tmt_too_young"),  # 29 Feb birth, Feb of the 17th year
        ("197501012000033001", "nip.gender_invalid"),
        ("197501012000030001", "nip.gender_invalid"),
        ("197501012000031000", "nip.serial_invalid"),
        ("19750101200003100", "nip.length"),
        ("1975010120000310011", "nip.length"),
        ("19750101200003100A", "nip.not_digits"),
        ("NIP197501012000031", "nip.not_digits"),
        ("19750101-200003-1-001", "nip.not_digits"),
        ("", "nip.empty"),
        ("   ", "nip.empty"),
        (None, "nip.empty"),
        (["197501012000031001"], "nip.not_text"),
    ],
)
def test_each_rule_has_its_own_error(raw, key):
    assert error_key(raw) == key


@pytest.mark.parametrize(
    "raw",
    [
        197501012000031001,
        1.97501012000031e17,
        Decimal(197501012000031001),
        "1.97501E+17",
        "1,97501E+17",
        "1.97501012000031E+17",
        "197501012000031000.0",
        "197501012000031000,00",
        "197.501.012.000.031.000",  # Indonesian thousands separators
        "197,501,012,000,031,000",
    ],
)
def test_a_number_from_a_spreadsheet_is_rejected_as_such(raw):
    with pytest.raises(ValidationError) as caught:
        parse_nip(raw, today=TODAY)
    assert caught.value.key == "nip.spreadsheet_number"
    assert "spreadsheet" in str(caught.value) and "Teks" in str(caught.value)
    assert "Text" in caught.value.message("en")


@pytest.mark.parametrize(
    "raw, words",
    [
        ("197513012000031001", ["Tanggal lahir", "1 s.d. 8", "19751301"]),
        ("197501012000131001", ["TMT CPNS", "9 s.d. 14", "200013"]),
        ("197501011991121001", ["TMT CPNS", "17 tahun"]),
        ("197501012000033001", ["jenis kelamin", "ke-15", "3"]),
        ("197501012000031000", ["Nomor urut", "16 s.d. 18", "000"]),
        ("19750101200003100", ["18 angka", "17 angka"]),
        ("19750101200003100A", ["angka", '"A"']),
    ],
)
def test_message_says_which_part_is_wrong(raw, words):
    with pytest.raises(ValidationError) as caught:
        parse_nip(raw, today=TODAY)
    assert all(word in str(caught.value) for word in words)


def test_today_defaults_to_the_real_date():
    assert parse_nip(VALID).birth_date == date(1975, 1, 1)


@pytest.mark.parametrize(
    "birth, expected",
    [
        (date(1975, 1, 15), date(1992, 1, 15)),
        (date(2000, 2, 29), date(2017, 3, 1)),
        (date(2004, 2, 29), date(2021, 3, 1)),
    ],
)
def test_seventeenth_birthday(birth, expected):
    assert birthday(birth, 17) == expected


def test_every_nip_message_exists_in_both_languages():
    keys = [key for key in catalog() if key.startswith("nip.")]
    assert len(keys) >= 12
    assert all(set(catalog()[key]) == {"id", "en"} for key in keys)
