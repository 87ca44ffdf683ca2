"""NIP (Nomor Induk Pegawai) rules, SPEC §3.3: 18 digits, always text, never a number.

Layout: digits 1–8 birth date ``YYYYMMDD``, 9–14 TMT CPNS ``YYYYMM``, 15 gender
(``1`` male ``L``, ``2`` female ``P``), 16–18 serial ``001``–``999``.

Decisions on the rules the spec leaves open:

- TMT CPNS is a month, so it is compared by its first day: the 1st of the TMT month
  must not be before the 17th birthday. Born 1 Jan 1975 → TMT 1992-01 is the earliest;
  born 15 Jan 1975 → 1992-02.
- Someone born on 29 Feb turns 17 on 1 Mar in a non-leap year. At month granularity
  this gives the same answer as 28 Feb would: the earliest TMT is March.
- "In the future" means after ``today``: a birth date after today, or a TMT month whose
  first day is after today (the current month is allowed).
- Birth years before 1940 are rejected; serial ``000`` is rejected.
- Separators between groups (spaces, dots) are dropped, and so are Excel's ways of forcing
  text: a leading apostrophe and the ``="…"`` wrapper of a CSV.
- A number, or text that looks like one a spreadsheet wrote (``1.97501E+17``,
  ``197501012000031000.0``, ``197.501.012.000.031.000``), is rejected: a float keeps
  only ~15 significant digits, so the serial is already lost. Hyphens are not separators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.errors import ValidationError

NIP_LENGTH = 18
MIN_BIRTH_YEAR = 1940
MIN_AGE_AT_TMT = 17
GENDERS = {"1": "L", "2": "P"}

# Forms a spreadsheet produces when it has stored the NIP as a number.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$")
_DECIMAL_ZERO = re.compile(r"^\d+[.,]0*$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})+$")
_SEPARATORS = re.compile(r"[\s.\u00a0\u202f]+")
_EXCEL_TEXT = re.compile(r'^(?:\'|="(.*)"$)')


@dataclass(frozen=True)
class NipInfo:
    """A valid NIP and what it encodes."""

    nip: str
    birth_date: date
    tmt_cpns: str  # 'YYYY-MM'
    gender: str  # 'L' / 'P'
    serial: str


def normalize_nip(raw) -> str:
    """Return the 18 digits of ``raw`` without separators, or raise ValidationError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError("nip.empty")
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        raise ValidationError("nip.spreadsheet_number", value=str(raw))
    if not isinstance(raw, str):
        raise ValidationError("nip.not_text", value=repr(raw))
    text = strip_text_marker(raw.strip())
    if looks_like_spreadsheet_number(text):
        raise ValidationError("nip.spreadsheet_number", value=text)
    digits = _SEPARATORS.sub("", text)
    _check_characters(digits)
    if len(digits) != NIP_LENGTH:
        raise ValidationError("nip.length", value=text, length=len(digits))
    return digits


def strip_text_marker(text: str) -> str:
    """``'1975…`` or ``="1975…"`` → ``1975…``: the marks Excel users add to keep text."""
    match = _EXCEL_TEXT.match(text)
    if not match:
        return text
    return (match[1] if match[1] is not None else text[1:]).strip()


def looks_like_spreadsheet_number(text: str) -> bool:
    """True for the text forms a spreadsheet writes for a number it stored."""
    compact = text.replace(" ", "")
    return bool(
        _SCIENTIFIC.match(compact) or _DECIMAL_ZERO.match(compact) or _THOUSANDS.match(compact)
    )


def _check_characters(digits: str) -> None:
    """Reject anything but ASCII digits, naming the first offending character."""
    for char in digits:
        if not ("0" <= char <= "9"):
            raise ValidationError("nip.not_digits", char=char)


def parse_nip(raw, today: date | None = None) -> NipInfo:
    """Validate ``raw`` against SPEC §3.3 and return what it encodes."""
    today = today or date.today()
    nip = normalize_nip(raw)
    birth = _birth_date(nip[0:8], today)
    tmt = _tmt_cpns(nip[8:14], birth, today)
    gender = GENDERS.get(nip[14])
    if gender is None:
        raise ValidationError("nip.gender_invalid", part=nip[14])
    if nip[15:18] == "000":
        raise ValidationError("nip.serial_invalid", part=nip[15:18])
    return NipInfo(nip, birth, f"{tmt.year:04d}-{tmt.month:02d}", gender, nip[15:18])


def _birth_date(part: str, today: date) -> date:
    """Digits 1–8: a real date, not before 1940, not after today."""
    try:
        birth = date(int(part[0:4]), int(part[4:6]), int(part[6:8]))
    except ValueError:
        raise ValidationError("nip.birth_date_invalid", part=part) from None
    if birth.year < MIN_BIRTH_YEAR:
        raise ValidationError("nip.birth_year_too_early", part=part, year=MIN_BIRTH_YEAR)
    if birth > today:
        raise ValidationError("nip.birth_date_future", part=part)
    return birth


def _tmt_cpns(part: str, birth: date, today: date) -> date:
    """Digits 9–14: a real month, not after today, not before the 17th birthday."""
    try:
        tmt = date(int(part[0:4]), int(part[4:6]), 1)
    except ValueError:
        raise ValidationError("nip.tmt_invalid", part=part) from None
    if tmt > today:
        raise ValidationError("nip.tmt_future", part=part)
    if tmt < birthday(birth, MIN_AGE_AT_TMT):
        raise ValidationError("nip.tmt_too_young", part=part, age=MIN_AGE_AT_TMT)
    return tmt


def birthday(birth: date, age: int) -> date:
    """The date someone born on ``birth`` turns ``age``; 29 Feb falls on 1 Mar in other years."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return date(birth.year + age, 3, 1)
