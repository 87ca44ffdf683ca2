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


# Indonesia's three zones keep no daylight saving time, so fixed offsets are exact (and need no tz database,
# which a Windows server lacks).
TIME_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}  # Asia/Jakarta, Asia/Makassar, Asia/Jayapura
DEFAULT_ZONE = "WIB"
TIME_SEPARATOR = {"id": ".", "en": ":"}  # 14.05 WIB (PUEBI), 14:05 WIB


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


def zone_offset(zone: str | None) -> dt.timezone:
    """The office's zone (``WIB``/``WITA``/``WIT``) as a fixed offset; an unknown or empty zone is WIB."""
    hours = TIME_ZONES.get(zone or DEFAULT_ZONE, TIME_ZONES[DEFAULT_ZONE])
    return dt.timezone(dt.timedelta(hours=hours), zone if zone in TIME_ZONES else DEFAULT_ZONE)


def in_zone(stamp: dt.datetime | str, zone: str | None = DEFAULT_ZONE) -> dt.datetime:
    """A stored timestamp (ISO text or datetime; one without offset is UTC, as the app stores it) in the zone."""
    moment = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone_offset(zone))


def local_date(stamp: dt.datetime | str | None, zone: str | None = DEFAULT_ZONE) -> dt.date:
    """The office's calendar date of a timestamp (of now when none)."""
    return in_zone(stamp or dt.datetime.now(dt.UTC), zone).date()


def format_datetime(stamp: dt.datetime | str | None, zone: str | None = DEFAULT_ZONE,
                    lang: str = DEFAULT_LANGUAGE) -> str:
    """``2026-12-02T07:05:00+00:00`` → ``2 Desember 2026 14.05 WIB``; ``–`` when there is none."""
    if not stamp:
        return "–"
    moment = in_zone(stamp, zone)
    clock = f"{moment.hour:02d}{TIME_SEPARATOR.get(lang, '.')}{moment.minute:02d}"
    return f"{format_date(moment.date(), lang)} {clock} {moment.tzname()}"
