"""The report letterhead (SPEC §6, Pengaturan): instansi, unit, address, logo, signatory, number format."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import string
import warnings

from sqlite_utils import Database

from core import nip, settings
from core.errors import ValidationError
from core.registry import clean_text
from core.roles import require

MAX_LOGO_BYTES = 500 * 1024
MAX_LOGO_SIDE = 3000
TEXT_FIELDS = ("instansi", "unit", "address", "city", "server_url", "report_number_format")


def current(db: Database) -> dict:
    return settings.get(db, "letterhead")


_SPEC = re.compile(r"^0?\d{0,2}d?$")


ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def report_number(fmt: str, seq: int, year: int, month: int = 1) -> str:
    """``800/{seq:03d}/AC-BKPSDM/{month_roman}/{year}`` → ``800/007/AC-BKPSDM/XII/2026``.

    Only {seq}, {year} and {month_roman} (the month in Roman numerals, as Indonesian letters number it).
    """
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(fmt)
                  if name is not None]
    except ValueError:
        raise ValidationError("letterhead.bad_format") from None
    if any(name not in ("seq", "year", "month_roman") or conversion
           or not _SPEC.match(spec or "") or (name == "month_roman" and spec) for name, spec, conversion in fields):
        raise ValidationError("letterhead.bad_format")
    return fmt.format(seq=seq, year=year, month_roman=ROMAN_MONTHS[month - 1])


def clean_logo(data: bytes) -> str:
    """A PNG or JPEG no larger than the limits, returned as base64; anything else is refused."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("letterhead.logo_too_large", kb=MAX_LOGO_BYTES // 1024)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its pixel limit and twice that: refuse those as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, size = image.format, image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # e.g. 20000 × 20000 px
        raise ValidationError("letterhead.logo_too_big_pixels", px=MAX_LOGO_SIDE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("letterhead.logo_not_image") from None
    if kind not in ("PNG", "JPEG"):
        raise ValidationError("letterhead.logo_not_image")
    if max(size) > MAX_LOGO_SIDE:
        raise ValidationError("letterhead.logo_too_big_pixels", px=MAX_LOGO_SIDE)
    return base64.b64encode(data).decode()


def save(db: Database, actor: dict, fields: dict, logo: bytes | None = None, remove_logo: bool = False) -> None:
    """Admin saves the letterhead; the logo is replaced only when a new one is given (or removed)."""
    require(actor, "admin")
    new = dict(current(db))
    for key in TEXT_FIELDS:
        new[key] = clean_text(fields.get(key, new.get(key, "")), f"letterhead.{key}", max_len=300)
    if "{seq" not in new["report_number_format"]:
        raise ValidationError("letterhead.bad_format")
    report_number(new["report_number_format"], 1, dt.date.today().year)
    signatory = fields.get("pimpinan", new.get("pimpinan", {}))
    signer_nip = (signatory.get("nip") or "").strip()
    new["pimpinan"] = {"title": clean_text(signatory.get("title"), "letterhead.pimpinan_title", max_len=150),
                       "name": clean_text(signatory.get("name"), "letterhead.pimpinan_name", max_len=150),
                       "nip": nip.parse_nip(signer_nip).nip if signer_nip else ""}
    if logo:
        new["logo"] = clean_logo(logo)
    elif remove_logo:
        new["logo"] = ""
    settings.put(db, actor, "letterhead", new)
