"""The string catalog and the Indonesian number/date formats (SPEC §1)."""

import datetime as dt
import json
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


# One word per thing (SPEC §1, issue 13 item 5) --------------------------------------------------

BANNED = {  # the word a reader must not meet → the word the app uses instead
    r"(?i)\bkandidat\b": "peserta", r"(?i)\basesi\b": "peserta", r"(?i)\bcandidates?\b": "peserta",
    r"(?i)\bkelas jabatan\b": "jenjang jabatan", r"(?i)\bSaudara/i\b": "Saudara",
    r"(?i)\bjabatan sekarang\b": "jabatan saat ini", r"(?i)\bberbagi peringkat\b": "menempati peringkat yang sama",
    r"(?i)\bpita\b": "rentang", r"(?i)\bcenderung murah\b": "cenderung longgar", r"(?i)\bdifinalkan\b": "finalisasi",
    r"Final\?": "Status", r"(?<![{.\w])[Ff]ile(?![}\w])": "berkas",  # FILE in a command's syntax is a placeholder
}
READ_DATA = ("narrative", "demo_phrases")  # data files whose texts are printed in reports


def banned_words(text: str) -> list[str]:
    """The banned words in an Indonesian text (placeholders aside), each with the word to use instead."""
    text = re.sub(r"\{[^{}]*\}", "{}", text)
    return [f"{found.group(0)!r} → {instead}" for pattern, instead in BANNED.items()
            for found in re.finditer(pattern, text)]


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in strings_in(item)]


@pytest.mark.parametrize("text, found", [
    ("Kandidat tidak ditemukan.", 1), ("nilai total kompetensi Saudara/i {name}", 1), ("Kelas jabatan", 1),
    ("Pita potensial", 1), ("Ukuran file 5 MB", 1), ("Final?", 1), ("Peserta yang sama berbagi peringkat", 1),
    ("Peserta tidak ditemukan.", 0), ("Saudara {name}", 0), ("Jenjang jabatan", 0), ("Dari {file}", 0),
    ("{candidates} orang", 0), ("python -m core restore FILE", 0), ("Berkas peserta", 0), ("Profil kompetensi", 0),
])
def test_banned_word_finder(text, found):
    assert len(banned_words(text)) == found


def test_indonesian_catalog_uses_one_word_per_thing():
    offenders = {key: banned_words(texts.get("id", "")) for key, texts in i18n.catalog().items()}
    assert {key: words for key, words in offenders.items() if words} == {}


@pytest.mark.parametrize("name", READ_DATA)
def test_printed_data_texts_use_one_word_per_thing(name):
    data = json.loads((ROOT / "data" / f"{name}.json").read_text(encoding="utf-8"))
    assert [words for text in strings_in(data) if (words := banned_words(text))] == []


def test_the_page_of_peserta_is_called_peserta():
    assert i18n.t("nav.kandidat") == "Peserta" == i18n.t("kandidat.title")


# Dates and times in the office's zone (issue 13 item 6) ------------------------------------------

@pytest.mark.parametrize("stamp, zone, lang, expected", [
    ("2026-12-02T16:59:00+00:00", "WIB", "id", "2 Desember 2026 23.59 WIB"),
    ("2026-12-02T17:00:00+00:00", "WIB", "id", "3 Desember 2026 00.00 WIB"),  # midnight in Jakarta
    ("2026-12-02T17:30:00+00:00", "WIB", "id", "3 Desember 2026 00.30 WIB"),
    ("2026-12-02T15:59:59+00:00", "WITA", "id", "2 Desember 2026 23.59 WITA"),
    ("2026-12-02T16:00:00+00:00", "WITA", "id", "3 Desember 2026 00.00 WITA"),
    ("2026-12-02T14:59:00+00:00", "WIT", "id", "2 Desember 2026 23.59 WIT"),
    ("2026-12-02T15:00:00+00:00", "WIT", "id", "3 Desember 2026 00.00 WIT"),
    ("2026-12-31T17:05:00+00:00", "WIB", "id", "1 Januari 2027 00.05 WIB"),  # a new year
    ("2026-12-02T07:05:00", "WIB", "id", "2 Desember 2026 14.05 WIB"),  # no offset: stored UTC
    ("2026-12-02T14:05:00+07:00", "WIT", "id", "2 Desember 2026 16.05 WIT"),
    ("2026-12-02T07:05:00+00:00", "WIB", "en", "2 December 2026 14:05 WIB"),
    ("2026-12-02T07:05:00+00:00", "PST", "id", "2 Desember 2026 14.05 WIB"),  # unknown zone: WIB
    (dt.datetime(2026, 12, 2, 7, 5, tzinfo=dt.UTC), "WITA", "id", "2 Desember 2026 15.05 WITA"),
    (None, "WIB", "id", "–"), ("", "WIB", "id", "–"),
])
def test_format_datetime(stamp, zone, lang, expected):
    assert i18n.format_datetime(stamp, zone, lang) == expected


@pytest.mark.parametrize("stamp, zone, expected", [
    ("2026-12-31T16:59:59+00:00", "WIB", dt.date(2026, 12, 31)),
    ("2026-12-31T17:00:00+00:00", "WIB", dt.date(2027, 1, 1)),
    ("2026-12-31T15:00:00+00:00", "WIT", dt.date(2027, 1, 1)),
    ("2026-12-31T14:59:59+00:00", "WIT", dt.date(2026, 12, 31)),
])
def test_local_date(stamp, zone, expected):
    assert i18n.local_date(stamp, zone) == expected


def test_time_zone_setting_defaults_to_wib_and_refuses_others(fresh_db, admin):
    from core import audit, settings

    assert settings.time_zone(fresh_db) == "WIB"
    with pytest.raises(errors.ValidationError):
        settings.set_time_zone(fresh_db, admin, "PST")
    assert settings.time_zone(fresh_db) == "WIB"
    settings.set_time_zone(fresh_db, admin, "WITA")
    assert settings.time_zone(fresh_db) == "WITA"
    change = [e for e in audit.entries(fresh_db) if e["entity"] == "setting" and e["entity_id"] == "time_zone"]
    assert [(json.loads(e["old_value"]), json.loads(e["new_value"])) for e in change] == [("WIB", "WITA")]
