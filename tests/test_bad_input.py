"""Bad input, systematically (SPEC §8): generated and mangled candidate and stage-score files at the two
imports, random strings at every text field of the core writes.

The property everywhere: the input is accepted whole, or refused with a message (a ``DomainError``, or an
import result listing its row errors) and the database is exactly as it was. Never any other exception.
Example-based cases of the same rules live in tests/test_importer.py, tests/test_stage_import.py and
tests/test_registry.py; here hypothesis generates and mangles.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import operator
import random
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest
from assessment_fixtures import PASSWORD, build_event, make_nip, open_rating, rate_candidate
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core import assessment, auth, db, demo, integration, letterhead, rating, registry, reports, results
from core.errors import AuthError, DomainError
from core.i18n import catalog
from core.importer import cell_text
from core.setup import open_database

SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    # No shrinking: it can cost a minute per failure, and every known troublemaker is also tried
                    # deterministically (test_each_special_text_in_each_field_is_saved_or_refused_whole).
                    phases=(Phase.explicit, Phase.generate),
                    # the autouse fixture of conftest is function-scoped but holds no state an example changes
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
SELEKSI = 1  # the demo's pengisian event
REGISTRY_EVENT = 1  # the one event of the registry template
POSITIONS = ("Kepala Dinas Pendidikan", "Kepala Dinas Kesehatan")
CANDIDATE_HEADER = ["NIP", "Nama Lengkap", "Golongan", "Unit Kerja", "Jabatan yang Dilamar"]
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóúÁÉçñ .,'-"  # all of it in cp1252
_copies = itertools.count()


# Databases: a template per kind, a fresh copy per example ---------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad_input")


def template(folder: Path, name: str, build) -> Path:
    """A database file made once by ``build(database, admin)``, closed and checkpointed."""
    path = folder / f"{name}.db"
    database = open_database(path)
    build(database, auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD))
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@contextmanager
def scratch(source: Path):
    """A fresh copy of a template for one example; gone afterwards."""
    target = source.with_name(f"contoh-{next(_copies)}.db")
    shutil.copy(source, target)
    database = db.connect(target)
    try:
        yield database
    finally:
        database.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)


def digest(database) -> str:
    """SHA-256 of the schema and every row of every table.

    Read through the same connection, so a write left in an open transaction would count too.
    """
    cursor = database.conn.cursor()
    cursor.row_factory = None  # plain tuples: their repr is the content
    found = hashlib.sha256(repr(cursor.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
                                .fetchall()).encode())
    for (table,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
        found.update(repr(cursor.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()).encode())
    return found.hexdigest()


def admin_of(database) -> dict:
    return db.one(database, "SELECT * FROM users WHERE username = 'admin'")


@pytest.fixture(scope="module")
def registry_file(folder, fast_hashing) -> Path:
    """No candidates yet; one event being set up, with two positions."""
    def build(database, admin):
        event_id = registry.create_event(database, admin, "Seleksi Uji", "pengisian", "2026-05-04", "2026-05-08")
        for name in POSITIONS:
            registry.create_position(database, admin, event_id, name, "", "jpt_pratama")
    return template(folder, "registry", build)


@pytest.fixture(scope="module")
def demo_file(folder, fast_hashing) -> Path:
    return template(folder, "demo", demo.load)


@pytest.fixture(scope="module")
def demo_facts(demo_file) -> dict:
    """The seleksi event's registrations by NIP, its entered stages by name, its scores, the unchanged digest."""
    database = db.connect(demo_file)
    try:
        return {"registrations": {r["nip"]: r["registration_id"] for r in registry.list_registrations(database,
                                                                                                      SELEKSI)},
                "stages": {s["name"]: s["id"] for s in results.list_stages(database, SELEKSI) if not s["is_ac"]},
                "scores": stage_scores(database), "digest": digest(database)}
    finally:
        database.close()


# Building and mangling spreadsheets --------------------------------------------------------------

def xlsx_bytes(table: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in table:
        workbook.active.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(table: list[list], separator: str = ";", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode(encoding)


def nip_forms(nip: str, as_text: bool) -> list:
    """What a spreadsheet makes of a NIP it took for a number: a number cell, or its text in a CSV."""
    if as_text:
        return [f"{float(nip):.5E}", f"{nip}.0", str(float(nip))]
    return [float(nip), int(nip)]


def swap(row: list, i: int, j: int) -> list:
    row = list(row)
    row += [""] * (max(i, j) + 1 - len(row))
    row[i], row[j] = row[j], row[i]
    return row


def mangle(table: list[list], how: str, data, as_text: bool, nip_column: int = 0) -> list[list]:
    """``table`` (header first) changed the way a person or a program might; ``data`` draws the details."""
    header, rows = table[0], [list(r) for r in table[1:]]
    width = len(header)
    if how == "swap_columns":
        i, j = data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, width - 1))
        return [swap(r, i, j) for r in table]
    if how == "swap_cells":
        i, j = data.draw(st.integers(0, width - 1)), data.draw(st.integers(0, width - 1))
        return [header, *[swap(r, i, j) for r in rows]]
    if how == "empty_rows":
        at = data.draw(st.integers(1, len(table)))
        return table[:at] + [[""] * width, [None] * width] + table[at:]
    if how == "drop_header":
        i = data.draw(st.integers(0, width - 1))
        return [header[:i] + header[i + 1:], *rows]
    if how == "rename_header":
        i = data.draw(st.integers(0, width - 1))
        return [header[:i] + [data.draw(st.text(NAME_CHARS, min_size=1, max_size=12))] + header[i + 1:], *rows]
    row = data.draw(st.integers(0, len(rows) - 1))
    if how == "junk_cell":
        rows[row] = rows[row] + [""] * data.draw(st.integers(0, 2)) + ["x" + data.draw(st.text(NAME_CHARS,
                                                                                               max_size=8))]
    elif how == "nip_as_number":
        rows[row][nip_column] = data.draw(st.sampled_from(nip_forms(rows[row][nip_column], as_text)))
    elif how == "duplicate_row":
        rows.insert(data.draw(st.integers(0, len(rows))), list(rows[row]))
    return [header, *rows]


def damage(content: bytes, data) -> bytes:
    """Truncated, bytes flipped, or junk around: what a broken download or a careless copy leaves.

    Positions are drawn independent of the length: an XLSX carries its save time, so lengths vary by a byte.
    """
    def position() -> int:
        return data.draw(st.integers(0, 2**20)) % len(content)

    how = data.draw(st.sampled_from(["truncate", "flip", "prefix", "suffix"]), label="damage")
    if how == "truncate":
        return content[:position()]
    if how in ("prefix", "suffix"):
        junk = data.draw(st.binary(min_size=1, max_size=64))
        return junk + content if how == "prefix" else content + junk
    flipped = bytearray(content)
    for _ in range(data.draw(st.integers(1, 8))):
        flipped[position()] ^= data.draw(st.integers(1, 255))
    return bytes(flipped)


def file_kind(data) -> str:
    return data.draw(st.sampled_from(["xlsx", "csv"]), label="format")


def file_of(table: list[list], kind: str, data) -> tuple[str, bytes]:
    """The table as an XLSX, or as a CSV in one of the encodings and separators people send."""
    if kind == "xlsx":
        return "berkas.xlsx", xlsx_bytes(table)
    separator = data.draw(st.sampled_from([";", ",", "\t"]), label="separator")
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), label="encoding")
    return "berkas.csv", csv_bytes(table, separator, encoding)


# What an import may do ----------------------------------------------------------------------------

def attempt_import(database, call, unchanged: str | None = None):
    """The import's result, or ``None`` when it raised a DomainError; a refusal must change nothing."""
    before = unchanged or digest(database)
    try:
        result = call()
    except DomainError as refused:
        assert refused.key in catalog(), f"no message for {refused.key}"
        assert digest(database) == before
        return None
    if not result.ok:
        assert all(e.text() and (not e.key or e.key in catalog()) for e in result.errors)
        assert digest(database) == before
    return result


# 1. Candidate files ----------------------------------------------------------------------------

names = st.text(NAME_CHARS, min_size=1, max_size=40).filter(lambda s: s.strip())


@st.composite
def candidate_tables(draw) -> list[list]:
    """A valid candidate file: header and 1–6 rows with NIPs made as the demo makes them."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1), label="seed"))
    nips: list[str] = []
    for _ in range(draw(st.integers(1, 6), label="rows")):
        nip = demo.make_nip(rng, rng.choice("LP"))
        if nip not in nips:
            nips.append(nip)
    rows = [[nip, draw(names), draw(st.sampled_from(["", "IV/a", "III/b", "iv b"])),
             draw(st.text(NAME_CHARS, max_size=30)), draw(st.sampled_from(["", *POSITIONS, POSITIONS[0].upper()]))]
            for nip in nips]
    return [list(CANDIDATE_HEADER), *rows]


def imported_candidates(database) -> dict[str, str]:
    return {r["nip"]: r["name"] for r in db.rows(database, "SELECT nip, name FROM candidates")}


def registered(database) -> set[tuple[str, str]]:
    return {(r["nip"], r["position_name"].casefold()) for r in registry.list_registrations(database, REGISTRY_EVENT)}


def expected_candidates(table: list[list]) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """NIP → name, and (NIP, position) of the rows naming one, as the valid table says."""
    header, rows = table[0], [r for r in table[1:] if any(cell_text(c) for c in r)]
    at = {name: header.index(name) for name in header}
    people = {r[at["NIP"]]: cell_text(r[at["Nama Lengkap"]]) for r in rows}
    wanted = {(r[at["NIP"]], cell_text(r[at["Jabatan yang Dilamar"]]).casefold()) for r in rows
              if "Jabatan yang Dilamar" in at and cell_text(r[at["Jabatan yang Dilamar"]])}
    return people, wanted


def check_candidate_import(registry_file: Path, filename: str, content: bytes):
    """Import into a fresh copy: accepted whole (exactly its rows are in the registry) or refused, unchanged."""
    with scratch(registry_file) as database:
        result = attempt_import(database, lambda: registry.import_candidates(
            database, admin_of(database), filename, content, REGISTRY_EVENT))
        if result is not None and result.ok:
            assert imported_candidates(database) == {r["nip"]: r["name"] for r in result.rows}
            return result, imported_candidates(database), registered(database)
        return result, None, None


KEEPS_VALID = ("as_is", "swap_columns", "empty_rows")
BREAKS = ("junk_cell", "nip_as_number", "duplicate_row")
EITHER = ("swap_cells", "drop_header", "rename_header")


@given(table=candidate_tables(), how=st.sampled_from(KEEPS_VALID + BREAKS + EITHER), data=st.data())
@SETTINGS
def test_mangled_candidate_file_is_imported_whole_or_refused(registry_file, table, how, data):
    kind = file_kind(data)
    changed = table if how == "as_is" else mangle(table, how, data, as_text=kind == "csv")
    result, people, wanted = check_candidate_import(registry_file, *file_of(changed, kind, data))
    if how in KEEPS_VALID:
        assert result is not None and result.ok, [e.text() for e in (result.errors if result else [])]
        assert (people, wanted) == expected_candidates(table)
    if how in BREAKS:
        assert result is None or not result.ok


@given(table=candidate_tables(), data=st.data())
@SETTINGS
def test_damaged_candidate_file_is_imported_whole_or_refused(registry_file, table, data):
    filename, content = file_of(table, file_kind(data), data)
    check_candidate_import(registry_file, filename, damage(content, data))


@given(table=candidate_tables(), separator=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]))
@SETTINGS
def test_re_encoded_candidate_csv_is_read_right_or_refused(registry_file, table, separator, encoding):
    """UTF-16 without its BOM is no text a spreadsheet writes: refused; every other encoding reads back right."""
    result, people, wanted = check_candidate_import(registry_file, "kandidat.csv",
                                                    csv_bytes(table, separator, encoding))
    if encoding in ("utf-16-le", "utf-16-be"):
        assert result is None
    else:
        assert result is not None and result.ok
        assert (people, wanted) == expected_candidates(table)


# 2. Stage-score files on the demo's seleksi event ------------------------------------------------

def stage_table(data, facts: dict) -> tuple[list[list], dict[tuple[int, int], float]]:
    """A valid stage-score file (NIP rows, some of the entered stages as columns) and the scores it holds."""
    nips = data.draw(st.lists(st.sampled_from(sorted(facts["registrations"])), min_size=1, max_size=6, unique=True),
                     label="nips")
    stages = data.draw(st.lists(st.sampled_from(sorted(facts["stages"])), min_size=1, unique=True), label="stages")
    header = ["No. Peserta", "NIP", "Nama", *stages]
    rows, scores = [], {}
    for nip in nips:
        filled = data.draw(st.lists(st.booleans(), min_size=len(stages), max_size=len(stages)).filter(any))
        cells = []
        for stage, present in zip(stages, filled, strict=True):
            value = data.draw(st.integers(0, 10_000)) / 100
            cells.append(score_cell(value, data) if present else "")
            if present:
                scores[(facts["registrations"][nip], facts["stages"][stage])] = value
        rows.append(["", nip, data.draw(names), *cells])
    return [header, *rows], scores


def score_cell(value: float, data):
    """A score as a number cell, or as text with a decimal comma or point."""
    form = data.draw(st.sampled_from(["number", "comma", "point"]))
    if form == "number":
        return value
    return f"{value:.2f}".replace(".", ",") if form == "comma" else f"{value:.2f}"


def stage_scores(database) -> dict[tuple[int, int], float]:
    return {(r["registration_id"], r["stage_id"]): r["score"]
            for r in db.rows(database, "SELECT registration_id, stage_id, score FROM stage_scores")}


def check_stage_import(demo_file: Path, facts: dict, filename: str, content: bytes):
    """Import into a fresh copy of the demo: accepted whole (its scores stored) or refused, unchanged."""
    with scratch(demo_file) as database:
        result = attempt_import(database, lambda: results.import_stage_scores(
            database, admin_of(database), SELEKSI, filename, content), unchanged=facts["digest"])
        if result is not None and result.ok:
            written = {(r["registration_id"], facts["stages"][name]): score
                       for r in result.rows for name, score in r["scores"].items()}
            assert stage_scores(database) == facts["scores"] | written  # those scores, and no other change
            return result, written
        return result, None


STAGE_BREAKS = ("junk_cell", "nip_as_number", "duplicate_row", "score_out_of_range", "score_in_words",
                "nip_not_registered")


def break_a_score(table: list[list], how: str, data) -> list[list]:
    rows = [list(r) for r in table[1:]]
    row = data.draw(st.integers(0, len(rows) - 1))
    if how == "nip_not_registered":
        rows[row][1] = "196001012000031001"  # a valid NIP of nobody in the event
        return [table[0], *rows]
    column = data.draw(st.integers(3, len(table[0]) - 1))
    rows[row][column] = data.draw(st.sampled_from(["100,01", "-1", "101", "1e3"])) if how == "score_out_of_range" \
        else data.draw(st.sampled_from(["tujuh puluh", "80%", "8O", "?"]))
    return [table[0], *rows]


@given(how=st.sampled_from(KEEPS_VALID + STAGE_BREAKS + EITHER), data=st.data())
@SETTINGS
def test_mangled_stage_file_is_imported_whole_or_refused(demo_file, demo_facts, how, data):
    table, scores = stage_table(data, demo_facts)
    kind = file_kind(data)
    if how in ("score_out_of_range", "score_in_words", "nip_not_registered"):
        changed = break_a_score(table, how, data)
    else:
        changed = table if how == "as_is" else mangle(table, how, data, as_text=kind == "csv", nip_column=1)
    result, written = check_stage_import(demo_file, demo_facts, *file_of(changed, kind, data))
    if how in KEEPS_VALID:
        assert result is not None and result.ok, [e.text() for e in (result.errors if result else [])]
        assert written == scores
    if how in STAGE_BREAKS:
        assert result is None or not result.ok


@given(data=st.data())
@SETTINGS
def test_damaged_stage_file_is_imported_whole_or_refused(demo_file, demo_facts, data):
    table, _scores = stage_table(data, demo_facts)
    filename, content = file_of(table, file_kind(data), data)
    check_stage_import(demo_file, demo_facts, filename, damage(content, data))


# 3. Random strings at every text field of the core writes ------------------------------------------

SPECIAL_TEXTS = (
    "", "   ", "\x00", "\x00abc", "abc\x00", "'; DROP TABLE users;--", "Robert'); DROP TABLE candidates; --",
    "\u202eSARANA\u202c", "مؤسسة الخدمة المدنية", "שלום עולם", "😀👩🏽‍💼🇮🇩", "<script>alert(1)</script>",
    "**tebal** [tautan](http://x)", '=HYPERLINK("http://x")', "{seq[0]}", "{seq.x}", "{seq:99999999999}",
    "{year}/{seq}", "\r\n\t\x0b\x0c", "%s%s%n", "NULL", "../../etc/passwd", "ＡＢＣ１２３", "İstanbul ß", "x" * 10_000,
)
TEXT = st.one_of(st.text(), st.sampled_from(SPECIAL_TEXTS),
                 st.builds(operator.mul, st.text(min_size=1, max_size=3), st.integers(100, 3_000)))


class Field(NamedTuple):
    """One form field of a write: what its widget sends on a good day, and what else might arrive."""

    valid: tuple
    others: st.SearchStrategy
    takes_text: bool

    def strategy(self) -> st.SearchStrategy:
        return st.one_of(st.sampled_from(self.valid), self.others)


def text(*valid) -> Field:
    """A field that takes text (a text box, or a picker whose value core must still check)."""
    return Field(valid or ("Teks biasa",), TEXT, True)


def value(others: st.SearchStrategy, *valid) -> Field:
    """A field that takes a number or a choice, never free text."""
    return Field(valid, others, False)


DATES = st.one_of(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)), st.just("2026-05-04"), TEXT)


@pytest.fixture(scope="module")
def small_file(folder, fast_hashing) -> Path:
    """A small seleksi event in penilaian (one candidate open for integration, one still to rate, stages),
    and an event being set up with a position, a registered and a spare candidate, two assessors."""
    def build(database, admin):
        setup = open_rating(database, admin, build_event(database, admin))
        rate_candidate(database, setup, setup.registrations[0])
        results.set_stages(database, admin, setup.event_id, [{"name": "Assessment Center", "weight": 60, "is_ac": 1},
                                                             {"name": "Wawancara", "weight": 40}])
        prep = registry.create_event(database, admin, "Pemetaan Uji", "pemetaan", "2026-03-02", "2026-03-04")
        position = registry.create_position(database, admin, prep, "Kepala Bagian Umum", "Setda", "administrator")
        registry.create_candidate(database, admin, make_nip(5), "Kandidat Cadangan")
        kept = registry.create_candidate(database, admin, make_nip(6), "Kandidat Terdaftar")
        registry.register(database, admin, prep, kept, position)
        assessment.set_assessors(database, admin, prep, [a["id"] for a in setup.assessors[:2]],
                                 setup.assessors[0]["id"])
    return template(folder, "kecil", build)


@pytest.fixture(scope="module")
def small(small_file) -> dict:
    """Ids and users of the small template (the same in every copy)."""
    database = db.connect(small_file)
    try:
        def one(sql: str, *params) -> dict:
            return db.one(database, sql, params)

        events = {e["name"]: e["id"] for e in registry.list_events(database)}
        seleksi, prep = events["Seleksi Terbuka JPT Pratama 2026"], events["Pemetaan Uji"]
        open_reg, to_rate = [r["registration_id"] for r in registry.list_registrations(database, seleksi)][:2]
        cell = one("SELECT assessor_id, exercise_id FROM assignments WHERE registration_id = ? ORDER BY id", to_rate)
        users = {u["username"]: u for u in db.rows(database, "SELECT * FROM users")}
        return {
            "admin": users["admin"], "lead": users["asesor.01"], "member": users["asesor.02"],
            "rater": next(u for u in users.values() if u["id"] == cell["assessor_id"]),
            "seleksi": seleksi, "prep": prep, "open_reg": open_reg, "to_rate": to_rate,
            "exercise": cell["exercise_id"],
            "submitted_by": one("SELECT assessor_id FROM submissions WHERE registration_id = ?",
                                open_reg)["assessor_id"],
            "stage": next(s["id"] for s in results.list_stages(database, seleksi) if not s["is_ac"]),
            "position": one("SELECT id FROM positions WHERE event_id = ?", prep)["id"],
            "spare": one("SELECT id FROM candidates WHERE nip = ?", make_nip(5))["id"],
            "kept": one("SELECT id FROM candidates WHERE nip = ?", make_nip(6))["id"],
        }
    finally:
        database.close()


def rate_with(database, ids, evidence, level):
    codes = assessment.get_matrix(database, ids["seleksi"])[ids["exercise"]]
    entries = {code: {"level": level, "evidence": evidence, "version": 0} for code in codes}
    return rating.save_ratings(database, ids["rater"], ids["to_rate"], ids["exercise"], entries)


def save_letterhead(database, ids, title, name, nip, **fields):
    return letterhead.save(database, ids["admin"], fields | {"pimpinan": {"title": title, "name": name, "nip": nip}})


EVENT_FIELDS = {"name": text(), "purpose": text("pengisian", "pemetaan"),
                "start_date": Field(("2026-05-04",), st.one_of(st.dates(), TEXT), True),
                "end_date": Field(("2026-05-08",), st.one_of(st.dates(), TEXT), True),
                "venue": text(), "organizer": text()}
POSITION_FIELDS = {"name": text(), "unit": text(), "job_class": text("jpt_pratama", "administrator")}
CANDIDATE_FIELDS = {"nip_text": text(make_nip(7)), "name": text(), "golongan": text("IV/a", ""),
                    "current_position": text(), "current_unit": text(), "email": text("nama@bkpsdm.go.id", ""),
                    "phone": text("0812-3456-7890", "")}

# write → (its form fields, the call with the template's records)
FIELD_WRITES = {
    "create_event": (EVENT_FIELDS, lambda d, i, **f: registry.create_event(d, i["admin"], **f)),
    "update_event": (EVENT_FIELDS, lambda d, i, **f: registry.update_event(d, i["admin"], i["prep"], **f)),
    "update_event_settings": ({"consensus_method": text("median", "mean"),
                               "discuss_threshold": value(st.one_of(st.floats(), st.integers(-5, 10)), 2.5)},
                              lambda d, i, **f: registry.update_event_settings(d, i["admin"], i["seleksi"], **f)),
    "create_position": (POSITION_FIELDS, lambda d, i, **f: registry.create_position(d, i["admin"], i["prep"], **f)),
    "update_position": (POSITION_FIELDS, lambda d, i, **f: registry.update_position(d, i["admin"], i["position"],
                                                                                    **f)),
    "create_candidate": (CANDIDATE_FIELDS, lambda d, i, **f: registry.create_candidate(d, i["admin"], **f)),
    "update_candidate": (CANDIDATE_FIELDS, lambda d, i, **f: registry.update_candidate(d, i["admin"], i["kept"],
                                                                                      **f)),
    "register": ({"participant_no": text("", "JPT-009")},
                 lambda d, i, **f: registry.register(d, i["admin"], i["prep"], i["spare"], i["position"], **f)),
    "create_user": ({"username": text("asesor.baru"), "full_name": text(), "role": text("asesor", "pimpinan"),
                     "password": text("rahasia2026"), "nip": text("")},
                    lambda d, i, **f: auth.create_user(d, i["admin"], **f)),
    "reset_password": ({"new_password": text("baru2026x")},
                       lambda d, i, **f: auth.reset_password(d, i["admin"], i["member"]["id"], **f)),
    "change_own_password": ({"current": text(PASSWORD), "new_password": text("baru2026x")},
                            lambda d, i, **f: auth.change_own_password(d, i["member"], **f)),
    "set_language": ({"language": text("en", "id")}, lambda d, i, **f: auth.set_language(d, i["member"], **f)),
    "create_exercise": ({"name": text(), "kind": text("lgd", "custom")},
                        lambda d, i, **f: assessment.create_exercise(d, i["admin"], i["prep"], **f)),
    "declare_conflict": ({"reason": text("Pernah satu unit kerja.")}, lambda d, i, **f: assessment.declare_conflict(
        d, i["lead"], i["prep"], i["lead"]["id"], i["spare"], **f)),
    "rating_evidence": ({"evidence": text(), "level": value(st.sampled_from([None, 1, 5]), 3)}, rate_with),
    "consensus_rationale": ({"rationale": text(), "level": value(st.integers(1, 5), 1)},
                            lambda d, i, **f: integration.set_consensus(d, i["lead"], i["open_reg"], "M.01", **f)),
    "narrative": ({key: text() for key in integration.NARRATIVE_FIELDS},
                  lambda d, i, **f: integration.save_narrative(d, i["lead"], i["open_reg"], **f)),
    "reopen_reason": ({"reason": text("Salah ketik nilai.")}, lambda d, i, **f: integration.reopen_submission(
        d, i["admin"], i["open_reg"], i["submitted_by"], **f)),
    "letterhead": ({**{key: text() for key in letterhead.TEXT_FIELDS if key != "report_number_format"},
                    "report_number_format": text("800/{seq:03d}/AC-BKPSDM/{year}"),
                    "title": text(), "name": text(), "nip": text("", "197501012000031001")}, save_letterhead),
    "stage_names": ({"first": text("Assessment Center"), "second": text("Wawancara")},
                    lambda d, i, first, second: results.set_stages(d, i["admin"], i["seleksi"], [
                        {"name": first, "weight": 60, "is_ac": 1}, {"name": second, "weight": 40}])),
    "stage_score": ({"score": Field((80.0, "78,5"), st.one_of(TEXT, st.floats(), st.integers(-10, 200)), True)},
                    lambda d, i, score: results.set_stage_scores(d, i["admin"], i["seleksi"],
                                                                 [(i["open_reg"], i["stage"], score)])),
    "skp_predikat": ({"value": text("baik", "sangat_baik")},
                     lambda d, i, value: results.set_skp_predikat(d, i["admin"], i["seleksi"], {i["open_reg"]: value})),
}


def saved_or_refused(small_file: Path, ids: dict, call, values: dict) -> str | None:
    """What went wrong when a write with these values neither succeeded nor refused cleanly; else ``None``."""
    with scratch(small_file) as database:
        before = digest(database)
        try:
            call(database, ids, **values)
        except DomainError as refused:
            if refused.key not in catalog():
                return f"no message for {refused.key}"
            return None if digest(database) == before else f"{refused.key} but the database changed"
        except Exception as err:  # noqa: BLE001 — exactly what this test is looking for
            return f"{type(err).__name__}: {str(err)[:120]}"
    return None


@pytest.mark.parametrize("write", FIELD_WRITES)
@given(data=st.data())
@SETTINGS
def test_random_text_in_a_form_field_is_saved_or_refused_whole(small_file, small, write, data):
    fields, call = FIELD_WRITES[write]
    values = data.draw(st.fixed_dictionaries({name: field.strategy() for name, field in fields.items()}),
                       label="fields")
    problem = saved_or_refused(small_file, small, call, values)
    assert problem is None, f"{write}({values!r:.300}): {problem}"


@pytest.mark.parametrize("write", FIELD_WRITES)
def test_each_special_text_in_each_field_is_saved_or_refused_whole(small_file, small, write):
    """The known troublemakers, every one in every text field (the rest as a widget sends them), every run."""
    fields, call = FIELD_WRITES[write]
    good = {name: field.valid[0] for name, field in fields.items()}
    assert saved_or_refused(small_file, small, call, good) is None  # the good day itself works
    found = {(name, special): problem for name, field in fields.items() if field.takes_text
             for special in SPECIAL_TEXTS
             if (problem := saved_or_refused(small_file, small, call, good | {name: special}))}
    assert not found, found


@pytest.fixture(scope="module")
def cheap_dummy_hash(fast_hashing):
    """An unknown account is checked against a dummy hash made with the production cost: make it cheap too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_DUMMY_HASH", auth.hash_password("tidak-ada-akun"))
        yield


@given(username=TEXT, password=TEXT)
@SETTINGS
def test_random_sign_in_is_refused_and_only_counted(small_file, cheap_dummy_hash, username, password):
    """The sign-in form: refused with a message; the one row it writes is the attempt, for throttling."""
    with scratch(small_file) as database:
        attempts = database["login_attempts"].count
        with pytest.raises(AuthError):
            auth.login(database, username, password)
        assert database["login_attempts"].count == attempts + 1


@given(code=TEXT)
@SETTINGS
def test_random_verification_code_is_unknown(small_file, code):
    """The public Verifikasi form: any text is looked up without error and matches no report."""
    with scratch(small_file) as database:
        assert reports.verify(database, code) is None


@given(query=TEXT)
@SETTINGS
def test_random_search_finds_without_error(small_file, query):
    with scratch(small_file) as database:
        assert isinstance(registry.search_candidates(database, query), list)


# Text from a file is never markup (issue 10 item 8) ----------------------------------------------

IMAGE_HEADER = "![b](http://host/x.png)"
MARKUP_FILE_NAME = "**tebal** [tautan](http://host/).csv"


def live_markup(text: str) -> list[str]:
    """Markdown constructs that would act in ``text`` (an image, a link, bold, raw HTML), once every
    backslash-escaped character is taken out — what a markdown renderer would still interpret."""
    bare = re.sub(r"\\.", "", text, flags=re.DOTALL)
    patterns = {"image": r"!\[[^\]]*\]\(", "link": r"\[[^\]]*\]\(", "bold": r"\*\*[^*]+\*\*", "html": r"<[a-z/]",
                "autolink": r"https?://|\bwww\.|\w@\w", "line_start": r"(^|\n)\s*([-+#>]|\d+[.)])\s"}
    return [name for name, pattern in patterns.items() if re.search(pattern, bare)]


def test_the_markup_check_sees_markup():
    assert live_markup(IMAGE_HEADER) == ["image", "link", "autolink"]
    assert live_markup("**x** <img src=x>") == ["bold", "html"]
    assert live_markup(r"\!\[b\]\(http\://host/x.png\)") == []


@pytest.mark.parametrize("text", [IMAGE_HEADER, MARKUP_FILE_NAME, "<img src=x onerror=alert(1)>", "www.contoh.id",
                                  "admin@contoh.id", "baris satu\n# Judul", "- butir", "1. butir", ":red[merah]",
                                  "`kode`", "$x^2$", "~~coret~~", "a | b"])
def test_a_parameter_is_inert_and_reads_as_typed(text):
    from pages.common import escape_inline

    shown = escape_inline(text)
    assert live_markup(shown) == []
    assert re.sub(r"\\(.)", r"\1", shown) == " ".join(text.split("\n"))  # the reader sees what was typed


def test_dots_and_dashes_inside_a_parameter_stay_as_typed():
    from pages.common import escape_inline

    typed = ("M.02", "foto.xlsx", "Kepala-Bagian", "1.97501E+17", "-3", "2026-05-04")
    assert [escape_inline(x) for x in typed] == list(typed)


def test_a_file_header_that_is_an_image_is_shown_as_text(demo_db):
    from apptest_helpers import open_page, texts

    from core import auth

    admin = db.one(demo_db, "SELECT * FROM users WHERE username = 'admin'")
    data = ("NIP;" + IMAGE_HEADER + "\r\n197303271997092874;80\r\n").encode()
    at = open_page(demo_db, admin, "pages/hasil.py").segmented_control(key="hasil_view").set_value("stages").run()
    at.file_uploader(key="hasil_stage_upload").set_value((MARKUP_FILE_NAME, data, "text/csv"))
    at = at.run().button(key="hasil_stage_import").click().run()
    assert not at.exception
    [shown] = texts(at.error)
    assert live_markup(shown) == []  # an unknown column is ignored and listed, never rendered as markup
    assert auth.session_user(demo_db, at.session_state["auth_cookie"]) is not None


def test_every_text_parameter_of_an_error_is_escaped():
    from core.errors import ValidationError
    from pages.common import safe_message

    err = ValidationError("import.columns_unknown", missing="", unknown=IMAGE_HEADER,
                          expected="**NIP**, [Nama](http://x/)")
    shown = safe_message(err)
    assert live_markup(err.message("id")) and live_markup(shown) == []
    assert safe_message(ValidationError("backup.too_large", size=600, limit=500)) == t_id("backup.too_large",
                                                                                             size=600, limit=500)


def t_id(key: str, **params) -> str:
    from core.i18n import t

    return t(key, "id", **params)


@pytest.mark.parametrize(("text", "kind"), [("database or disk is full", "full"),
                                             ("attempt to write a readonly database", "readonly"),
                                             ("database disk image is malformed", "malformed"),
                                             ("file is not a database", "not_a_database")])
def test_a_database_failure_in_a_page_says_what_is_wrong(monkeypatch, text, kind):
    """What the server shows for an error no page caught (app.friendly_error) and for one a page's
    ``attempt`` caught (pages.common.show_error): the failure's own message, not the generic apology."""
    import sqlite3

    import streamlit

    import app
    from core import dbfailure
    from core.i18n import t
    from pages import common

    shown = []
    monkeypatch.setattr(streamlit, "error", shown.append)
    assert app.friendly_error(sqlite3.OperationalError(text)) is True
    assert common.attempt(lambda: (_ for _ in ()).throw(sqlite3.OperationalError(text))) is None
    assert shown == [dbfailure.message(kind, detail="")] * 2
    assert t("app.unexpected_error") not in shown
    app.friendly_error(ValueError("x"))
    assert shown[-1] == t("app.unexpected_error")


# A logo too large in pixels is "too big", whatever Pillow thinks of it (issue 10 item 9) ------------

def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` in a few dozen bytes (what a decompression bomb looks like)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def real_png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "key"), [
    (png_header_only(20000, 20000), "letterhead.logo_too_big_pixels"),  # over twice Pillow's limit: its error
    (png_header_only(10000, 10000), "letterhead.logo_too_big_pixels"),  # between limit and twice: a warning
    (real_png(letterhead.MAX_LOGO_SIDE + 1, 1), "letterhead.logo_too_big_pixels"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "letterhead.logo_not_image")],
    ids=["20000x20000", "10000x10000", "side+1", "broken"])
def test_a_logo_too_large_in_pixels_is_refused_as_too_big(data, key):
    from core.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        letterhead.clean_logo(data)
    assert refused.value.key == key


def test_a_logo_at_the_pixel_limit_is_accepted():
    assert letterhead.clean_logo(real_png(letterhead.MAX_LOGO_SIDE, 1))
