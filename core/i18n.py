"""The string catalog: every interface string, Indonesian first, English second.

Strings live in ``data/i18n/*.json`` as ``{"key": {"id": "...", "en": "..."}}``;
the files are merged into one catalog and a key may appear in only one file.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent.parent / "data" / "i18n"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
           "Agustus", "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"],
}


class CatalogError(Exception):
    """The catalog files are inconsistent (duplicate key, missing language)."""


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """Load and merge every catalog file once."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.json")):
        for key, texts in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise CatalogError(f"duplicate key {key!r} in {path.name}")
            merged[key] = texts
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params) -> str:
    """Translate ``key``; falls back to Indonesian, then to the key itself."""
    texts = catalog().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or key
    return text.format(**params) if params else text


def format_date(value: dt.date | str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """``2026-11-23`` → ``23 November 2026``."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def format_number(value: float | None, decimals: int = 2, lang: str = DEFAULT_LANGUAGE) -> str:
    """Decimal comma and dot thousands in Indonesian: ``1.234,50``."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_percent(value: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """``88.888`` → ``88,89%``."""
    return "–" if value is None else format_number(value, 2, lang) + "%"
