"""The string catalog and the Indonesian number/date formats (SPEC §1)."""

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from core import auth, errors, i18n, registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "core").glob("*.py")])
ERROR_CLASSES = sorted(name for name, obj in vars(errors).items()
                       if isinstance(obj, type) and issubclass(obj, errors.DomainError))
# A literal that is the whole first argument: tr("a.b") or tr("a.b", n=1), not tr("a." + x).
KEY_CALL = re.compile(
    r"\b(?:tr|t|petunjuk|" + "|".join(ERROR_CLASSES) + r")\(\s*([\"'])([A-Za-z_][\w-]*(?:\.[\w-]+)+)\1\s*[,)]")
NAV_KEY = re.compile(r"[\"'](nav\.[\w.]+)[\"']")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_used_in(path: Path) -> set[str]:
    """Literal keys passed to the translators and error classes; in app.py also the navigation table's keys."""
    text = path.read_text(encoding="utf-8")
    keys = {m[2] for m in KEY_CALL.finditer(text)}
    return keys | set(NAV_KEY.findall(text)) if path.name == "app.py" else keys


USED = sorted({(path.relative_to(ROOT).as_posix(), key) for path in SOURCES for key in keys_used_in(path)})
DYNAMIC = ([f"state.{s}" for s in registry.STATES] + [f"purpose.{p}" for p in registry.PURPOSES]
           + [f"role.{r}" for r in auth.ROLES] + ["gender.L", "gender.P"])


# The extractor itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("source, keys", [
    ('tr("a.b")', {"a.b"}),
    ("tr('a.b', n=1)", {"a.b"}),
    ('t("a.b", "en")', {"a.b"}),
    ('raise ValidationError("form.required", field=x)', {"form.required"}),
    ('raise Conflict("event.wrong_state")', {"event.wrong_state"}),
    ('petunjuk("kandidat.help")', {"kandidat.help"}),
    ('tr("state." + event["state"])', set()),
    ('print("a.b")', set()),
    ('format("a.b")', set()),
])
def test_key_extractor(source, keys):
    assert {m[2] for m in KEY_CALL.finditer(source)} == keys


def test_the_sources_use_many_keys():
    """Guards the extractor: if it stopped matching, the test below would pass on nothing."""
    assert len(USED) > 100


# The catalog -----------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(i18n.catalog()))
def test_entry_has_both_languages(key):
    texts = i18n.catalog()[key]
    assert {lang: bool((texts.get(lang) or "").strip()) for lang in i18n.LANGUAGES} == {"id": True, "en": True}


@pytest.mark.parametrize("key", sorted(i18n.catalog()))
def test_placeholders_match_between_languages(key):
    texts = i18n.catalog()[key]
    assert placeholders(texts["id"]) == placeholders(texts["en"])


@pytest.mark.parametrize("path, key", USED, ids=[f"{p}:{k}" for p, k in USED])
def test_key_used_in_code_exists(path, key):
    assert key in i18n.catalog()


@pytest.mark.parametrize("key", DYNAMIC)
def test_dynamic_key_exists(key):
    assert key in i18n.catalog()


def test_catalog_files_do_not_repeat_keys():
    i18n.catalog.cache_clear()
    assert i18n.catalog()


# Translation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_t_returns_the_language(lang):
    assert i18n.t("state.persiapan", lang) == i18n.catalog()["state.persiapan"][lang]


def test_t_fills_placeholders():
    assert "8" in i18n.t("auth.password_short", "id", n=8)


def test_unknown_key_falls_back_to_the_key():
    assert i18n.t("tidak.ada.kunci") == "tidak.ada.kunci"


def test_unknown_language_falls_back_to_indonesian():
    assert i18n.t("state.persiapan", "fr") == i18n.catalog()["state.persiapan"]["id"]


def test_domain_error_message_in_both_languages():
    err = errors.ValidationError("auth.password_short", n=8)
    assert (str(err), err.message("en")) == (i18n.t("auth.password_short", "id", n=8),
                                             i18n.t("auth.password_short", "en", n=8))


# Formats ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, lang, expected", [
    ("2026-11-23", "id", "23 November 2026"),
    ("2026-11-23", "en", "23 November 2026"),
    ("2026-08-17", "id", "17 Agustus 2026"),
    ("2026-08-17", "en", "17 August 2026"),
    ("2026-01-05", "id", "5 Januari 2026"),
    ("2026-05-01", "id", "1 Mei 2026"),
    ("2026-12-31", "id", "31 Desember 2026"),
    (dt.date(2026, 2, 3), "id", "3 Februari 2026"),
    ("2026-11-23T08:00:00+00:00", "id", "23 November 2026"),
    (None, "id", "–"),
    ("", "id", "–"),
])
def test_format_date(value, lang, expected):
    assert i18n.format_date(value, lang) == expected


@pytest.mark.parametrize("value, decimals, lang, expected", [
    (1234.5, 2, "id", "1.234,50"),
    (1234.5, 2, "en", "1,234.50"),
    (1234567.891, 2, "id", "1.234.567,89"),
    (0.5, 1, "id", "0,5"),
    (88.888, 0, "id", "89"),
    (-1234.5, 2, "id", "-1.234,50"),
    (None, 2, "id", "–"),
])
def test_format_number(value, decimals, lang, expected):
    assert i18n.format_number(value, decimals, lang) == expected


@pytest.mark.parametrize("value, lang, expected", [
    (800 / 9, "id", "88,89%"),
    (88.888, "id", "88,89%"),
    (100, "id", "100,00%"),
    (1234.5, "id", "1.234,50%"),
    (800 / 9, "en", "88.89%"),
    (None, "id", "–"),
])
def test_format_percent(value, lang, expected):
    assert i18n.format_percent(value, lang) == expected
