"""One cleaner per field, used by the forms and the imports alike (issue 9 item 2).

Each cleaner returns the value as it is stored, or raises :class:`ValidationError`. A form and an
import give the same verdict for the same input; only the message differs, because an import names
the column and the value: the callers that need another message pass its catalog key (``error=…``)
and its parameters. Pure: no database, no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

from core.errors import ValidationError
from core.textutil import strip_controls

MAX_TEXT = 300
MAX_PARTICIPANT_NO = 30
MAX_EMAIL = 254  # RFC 5321: the longest address a mail server takes
# One "@", no spaces, a dotted domain ending in letters: x@y.z is a typo, not an address.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# Digits with an optional leading +, spaces, dashes and brackets; 6–15 digits in all (ITU E.164).
PHONE_RE = re.compile(r"^\+?[\d\s()-]+$")
PHONE_DIGITS = (6, 15)
# IV/a, IVa, iv / A … — the pangkat/golongan codes of data/golongan.json are written "IV/a".
GOLONGAN_RE = re.compile(r"(?<![A-Z])(IV|III|II|I)\s*[/.\-]?\s*([A-E])(?![A-Z])", re.IGNORECASE)  # IV.b IV-b
SCORE_MIN, SCORE_MAX = 0, 100
# 78, 78,5, 78.5, ,5 — one decimal separator, no exponent, no thousands grouping, no "_".
SCORE_TEXT_RE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


def clean_text(value, field: str, required: bool = False, max_len: int = MAX_TEXT) -> str:
    """Trim, drop control characters and collapse spaces; enforce presence and length, naming the field."""
    text = " ".join(strip_controls(str(value or "")).split())
    if required and not text:
        raise ValidationError("form.required", field=field)
    if len(text) > max_len:
        raise ValidationError("form.too_long", field=field, n=max_len)
    return text


def clean_date(value, field: str) -> str:
    """A date from a widget or ISO text, as ``YYYY-MM-DD``."""
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value or "").strip()).isoformat()
    except ValueError:
        raise ValidationError("form.bad_date", field=field) from None


def clean_email(value, /, *, error: str = "form.bad_email", **params) -> str:
    """Optional e-mail address: one ``@``, no spaces, a domain with a dot and a letter ending."""
    email = clean_text(value, "field.email", max_len=MAX_EMAIL)
    if email and not EMAIL_RE.match(email):
        raise ValidationError(error, **({"value": email} | params))
    return email


def clean_phone(value, /, *, error: str = "form.bad_phone", **params) -> str:
    """Optional phone number as text (the leading 0 stays): 6–15 digits with ``+``, spaces, ``-``, ``( )``."""
    phone = clean_text(value, "field.phone")
    digits = sum(char.isdigit() for char in phone)
    if phone and not (PHONE_RE.match(phone) and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]):
        raise ValidationError(error, **({"value": phone} | params))
    return phone


def canonical_golongan(text: str) -> str | None:
    """``IV/b``, ``IV.b``, ``IV-b``, ``ivb``, ``Pembina Tk. I (IV/b)`` → ``IV/b``; ``None`` otherwise.

    When the text holds a bracketed code (``Pembina Tk. I (IV/b)``), the bracket decides.
    """
    text = text.strip()
    bracket = re.search(r"\(([^)]*)\)", text)
    for candidate in ([bracket[1]] if bracket else []) + [text]:
        match = GOLONGAN_RE.search(candidate)
        if match:
            return f"{match[1].upper()}/{match[2].lower()}"
    return None


def clean_golongan(value, known, /, *, error: str = "candidate.bad_golongan", **params) -> str | None:
    """Optional golongan, written in any of the usual ways, that must be one of the ``known`` codes."""
    text = clean_text(value, "field.golongan")
    if not text:
        return None
    code = canonical_golongan(text)
    if code not in {canonical_golongan(k) or k for k in known}:
        raise ValidationError(error, **({"value": text} | params))
    return code


def clean_score(value, /, *, not_number: str = "stage.bad_score", out_of_range: str = "stage.bad_score",
                **params) -> float:
    """A score 0–100 from a number, or text with one decimal comma or dot.

    Refused: booleans, NaN and infinities, exponents (``1e2``), digit groups (``1_0``, ``1.000,5``).
    """
    shown = " ".join(str(value).split())[:30]
    params = {"value": shown} | params
    if isinstance(value, str) and SCORE_TEXT_RE.match(value.strip()):
        value = float(value.strip().replace(",", "."))
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValidationError(not_number, **params)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValidationError(out_of_range, **params)
    return float(value) + 0.0  # + 0.0 turns a typed "-0" into 0.0
