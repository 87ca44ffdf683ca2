"""Security (SPEC §5, §8): who reaches which page and which core action, user text never shown as
markup, bad uploads refused.

Proven elsewhere and not repeated here:

- blind rating, enforced in the queries: tests/test_rating.py (test_assessor_sees_only_own_ratings_before_all_submitted,
  test_nobody_may_see_all_before_all_submitted, test_pimpinan_never_sees_ratings,
  test_agenda_never_contains_candidates_not_open) and
  tests/test_exports.py::test_full_export_leaves_out_blind_ratings_and_says_how_many;
- login throttling and session expiry: tests/test_auth.py (test_five_failures_lock_even_the_right_password,
  test_lock_is_per_account, test_session_expires_after_idle_time,
  test_session_expires_at_the_absolute_limit_despite_activity, test_forged_cookie_gives_no_user) and
  tests/test_pages.py::test_without_a_valid_session_the_app_asks_to_sign_in;
- the audit log refusing UPDATE and DELETE: tests/test_db.py::test_audit_log_refuses_change;
- formulas neutralised in every spreadsheet export: tests/test_exports.py
  (test_text_that_could_start_a_formula_gets_a_quote, test_payloads_are_exported_as_quoted_strings);
- restore refusing a non-database, a damaged or foreign file, an oversized upload or a non-admin:
  tests/test_backup.py (test_refused_restore_changes_nothing, test_restore_refuses_a_too_large_upload,
  test_restore_only_for_an_active_admin) — here only the Pengaturan page's path to it;
- narrative text printed literally in the individual PDF:
  tests/test_reports_individual.py::test_user_text_is_printed_literally.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest
from apptest_helpers import ROOT, TIMEOUT, open_app, open_page, shown_text, texts
from assessment_fixtures import PASSWORD
from PIL import Image
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import (
    AlertBase,
    Dataframe,
    Expander,
    HeadingBase,
    Html,
    Markdown,
    Metric,
    Tab,
    Table,
    Toast,
)

import app
from core import (
    assessment,
    auth,
    backup,
    db,
    demo,
    exports,
    importer,
    integration,
    letterhead,
    pansel,
    rating,
    refdata,
    registry,
    report_pansel,
    report_recap,
    reports,
    results,
    settings,
)
from core.errors import DomainError, PermissionDenied, ValidationError
from core.i18n import t
from core.setup import open_database

SELEKSI, PEMETAAN = 1, 2  # event ids of the demo
PREP_EVENT = "Persiapan Uji Keamanan"  # a small third event, still in persiapan, for the setup writes
NEW_NIPS = ("196001012000031001", "196002022000031002", "196003032000031003")  # born 1960: none in the demo
CODES = ("M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08", "SK.01")
EVIDENCE = "Peserta menyusun rencana kerja yang runtut."

# SPEC §5 as one table: page → who may open it ("lead" = an asesor who is Ketua Tim of the event).
SIGNED_IN = {"admin", "asesor", "lead", "pimpinan"}
PAGE_ROLES = {
    "beranda": SIGNED_IN,
    "kegiatan": {"admin"},
    "jabatan": {"admin"},
    "kandidat": {"admin"},
    "alat_ukur": {"admin"},
    "pengaturan": {"admin"},
    "penilaian": {"asesor", "lead"},
    "integrasi": {"lead", "admin"},  # the admin only watches (no decisions: see the action matrix)
    "hasil": {"admin", "pimpinan", "lead"},
    "talenta": {"admin", "pimpinan"},
    "kualitas": {"admin", "lead"},
    "laporan": {"admin", "pimpinan", "lead"},
    "presentasi": {"admin", "pimpinan"},
    "verifikasi": SIGNED_IN | {"anonymous"},
    "akun": SIGNED_IN,
}
PAGE_VISITORS = ("admin", "asesor", "lead", "pimpinan", "anonymous")
USERNAMES = {"admin": "admin", "asesor": "asesor.melati", "lead": "asesor.rini", "pimpinan": "pimpinan.sekda",
             "inactive_admin": "admin.nonaktif"}
TITLE_KEYS = {"alat_ukur": "alat.title"}  # the catalog key of a page's title, where not "<page>.title"


# Fixtures ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_file(tmp_path_factory, fast_hashing):
    """The demo plus a small event in persiapan and two spare accounts, built once; tests get a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    add_prep_event(database, admin)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


def add_prep_event(database, admin) -> None:
    """What the setup writes act on: an event being set up, a spare position/exercise/account, an inactive admin."""
    melati, rini = (user_named(database, name) for name in ("asesor.melati", "asesor.rini"))
    event_id = registry.create_event(database, admin, PREP_EVENT, "pengisian", "2026-01-05", "2026-01-06")
    position_id = registry.create_position(database, admin, event_id, "Jabatan Uji", "Unit Uji", "jpt_pratama")
    registry.create_position(database, admin, event_id, "Jabatan Cadangan", "", "pengawas")
    candidate_id = registry.create_candidate(database, admin, NEW_NIPS[0], "Kandidat Uji")
    registry.register(database, admin, event_id, candidate_id, position_id)
    for name in ("Latihan Uji", "Latihan Cadangan"):
        assessment.create_exercise(database, admin, event_id, name, "custom")
    assessment.set_assessors(database, admin, event_id, [melati["id"], rini["id"]], rini["id"])
    auth.create_user(database, admin, "pegawai.uji", "Pegawai Uji", "asesor", PASSWORD)
    for username in ("asesor.melati", "asesor.rini", "pimpinan.sekda"):  # the demo's passwords are random
        auth.reset_password(database, admin, user_named(database, username)["id"], PASSWORD)
    inactive = auth.create_user(database, admin, "admin.nonaktif", "Admin Nonaktif", "admin", PASSWORD)
    auth.set_active(database, admin, inactive["id"], False)


@pytest.fixture(scope="module")
def ids(demo_file) -> dict:
    """Ids of the records the actions work on (the same in every copy of the file)."""
    database = db.connect(demo_file)
    try:
        return lookup_ids(database)
    finally:
        database.close()


def lookup_ids(database) -> dict:
    final = seleksi_registrations(database, "res.finalized_at IS NOT NULL")
    opened = sorted(integration.open_registrations(database, SELEKSI) - set(final))
    prep = db.one(database, "SELECT id FROM events WHERE name = ?", (PREP_EVENT,))["id"]
    stage = next(s for s in results.list_stages(database, SELEKSI) if not s["is_ac"])
    conflict = db.one(database, "SELECT * FROM conflicts WHERE event_id = ? ORDER BY rowid", (SELEKSI,))
    final_row = db.one(database, """SELECT r.position_id, r.candidate_id, c.nip FROM registrations r
                                   JOIN candidates c ON c.id = r.candidate_id WHERE r.id = ?""", (final[0],))
    return {
        "final_reg": final[0], "open_reg": opened[0], "final_nip": final_row["nip"],
        "final_position": final_row["position_id"], "final_candidate": final_row["candidate_id"],
        "open_assessor": db.one(database, "SELECT assessor_id FROM submissions WHERE registration_id = ?"
                                          " ORDER BY assessor_id", (opened[0],))["assessor_id"],
        "stage": stage["id"], "stage_name": stage["name"],
        "conflict": (conflict["assessor_id"], conflict["candidate_id"]),
        "pemetaan_reg": db.one(database, "SELECT id FROM registrations WHERE event_id = ? ORDER BY id",
                               (PEMETAAN,))["id"],
        "prep_event": prep,
        "prep_position": named(database, "positions", "Jabatan Uji"),
        "spare_position": named(database, "positions", "Jabatan Cadangan"),
        "prep_exercise": named(database, "exercises", "Latihan Uji"),
        "spare_exercise": named(database, "exercises", "Latihan Cadangan"),
        "prep_candidate": db.one(database, "SELECT id FROM candidates WHERE nip = ?", (NEW_NIPS[0],))["id"],
        "prep_registration": db.one(database, "SELECT id FROM registrations WHERE event_id = ?", (prep,))["id"],
        "spare_user": user_named(database, "pegawai.uji")["id"],
    }


def seleksi_registrations(database, condition: str) -> list[int]:
    return [r["id"] for r in db.rows(database, f"""SELECT r.id FROM registrations r
        LEFT JOIN results res ON res.registration_id = r.id WHERE r.event_id = ? AND {condition}
        ORDER BY r.id""", (SELEKSI,))]


def named(database, table: str, name: str) -> int:
    return db.one(database, f"SELECT id FROM {table} WHERE name = ?", (name,))["id"]


@pytest.fixture(scope="module")
def template_digest(demo_file) -> str:
    """The digest every fresh copy of the demo has: what a refused action must leave."""
    database = db.connect(demo_file)
    try:
        return digest(database)
    finally:
        database.close()


@pytest.fixture
def demo_db(db_path, demo_file):
    """A copy of the demo at the path the app reads (``DASBOR_DB``); only connected: every page run
    prepares the file itself, and core calls need no more."""
    shutil.copy(demo_file, db_path)
    database = db.connect(db_path)
    yield database
    database.close()


@pytest.fixture(autouse=True)
def fresh_caches():
    """Pages cache results by (event, change token); raw SQL edits here do not move the token."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def user_named(database, username: str) -> dict | None:
    return db.one(database, "SELECT * FROM users WHERE username = ?", (username,))


def digest(database, skip: tuple[str, ...] = ()) -> str:
    """SHA-256 of the schema and every row of every table (``skip``: tables a page run may touch).

    Read through the same connection, so a write left in an open transaction would count too.
    """
    cursor = database.conn.cursor()
    cursor.row_factory = None  # plain tuples: their repr is the content
    found = hashlib.sha256(repr(cursor.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
                                .fetchall()).encode())
    for (table,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
        if table not in skip:
            found.update(repr(cursor.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()).encode())
    return found.hexdigest()


def no_crash(at) -> bool:
    """No traceback and no "unexpected error" apology."""
    return not at.exception and t("app.unexpected_error") not in texts(at.error)


# 1. The role × page matrix ------------------------------------------------------------------------

def roles_of(visitor: str) -> set[str]:
    """The role set app.py navigates by: a Ketua Tim is an asesor who is also "lead"."""
    return {"asesor", "lead"} if visitor == "lead" else {visitor}


def test_the_matrix_names_every_page():
    assert set(PAGE_ROLES) == set(app.PAGES)


@pytest.mark.parametrize("visitor", ["admin", "asesor", "lead", "pimpinan"])
def test_navigation_table_follows_the_matrix(visitor):
    in_navigation = {key for key, page in app.PAGES.items() if roles_of(visitor) & set(page[3])}
    assert in_navigation == {key for key, who in PAGE_ROLES.items() if visitor in who}


def visit(database, visitor: str) -> tuple[AppTest, str | None]:
    """The app after its first run for this visitor, and their session cookie (none when anonymous)."""
    if visitor == "anonymous":
        return open_app(), None
    cookie = auth.start_session(database, user_named(database, USERNAMES[visitor]))
    return open_app(cookie), cookie


def run_directly(page_file: str, cookie: str | None, event_id: int = SELEKSI) -> AppTest:
    """A page file run on its own, past the navigation, on an event (as a hand-made request would)."""
    at = AppTest.from_file(str(ROOT / page_file), default_timeout=TIMEOUT)
    if cookie:
        at.session_state["auth_cookie"] = cookie
    at.session_state["event_id"] = event_id
    return at.run()


def everything_shown(at: AppTest) -> str:
    """Text of every element, the labels of blocks and widgets, the options of pickers: what is *not* there."""
    parts = [shown_text(at)]
    for node in [*at.main, *at.sidebar]:
        parts.append(str(getattr(node, "label", "")))
        if getattr(node, "type", None) in ("selectbox", "multiselect", "radio"):
            parts += [str(option) for option in node.options]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def secrets_of_the_demo(demo_file) -> tuple[list[str], list[str]]:
    """Every candidate NIP and every rating's evidence note: none may leak to a refused visitor."""
    database = db.connect(demo_file)
    try:
        nips = [r["nip"] for r in db.rows(database, "SELECT nip FROM candidates")]
        notes = [r["evidence"] for r in db.rows(database, "SELECT DISTINCT evidence FROM ratings")]
        return nips, notes
    finally:
        database.close()


@pytest.mark.parametrize("visitor", PAGE_VISITORS)
def test_navigation_offers_exactly_the_pages_of_the_matrix(demo_db, visitor):
    """Through the running app: a page outside the visitor's navigation cannot be switched to."""
    at, _cookie = visit(demo_db, visitor)
    reachable = set()
    for page, (page_file, *_rest) in app.PAGES.items():
        try:
            at.switch_page(page_file)
        except ValueError as err:
            assert "Could not find a navigation page" in str(err)
        else:
            reachable.add(page)
    assert reachable == {page for page, who in PAGE_ROLES.items() if visitor in who}


PAGE_CASES = [(page, visitor) for page in PAGE_ROLES for visitor in PAGE_VISITORS]


@pytest.mark.parametrize(("page", "visitor"), PAGE_CASES, ids=[f"{p}-{v}" for p, v in PAGE_CASES])
def test_each_page_serves_exactly_the_visitors_of_the_matrix(demo_db, secrets_of_the_demo, page, visitor):
    """Allowed: the page's title, no refusal. Refused: the page file run directly (past the navigation)
    shows the refusal and not one NIP or evidence note."""
    page_file = app.PAGES[page][0]
    refusals = {t("auth.forbidden"), t("integration.lead_only")}
    if visitor in PAGE_ROLES[page]:
        at = visit(demo_db, visitor)[0].switch_page(page_file).run()
        assert no_crash(at)
        assert [h.value for h in at.title][:1] == [t(TITLE_KEYS.get(page, f"{page}.title"))]
        assert not refusals & set(texts(at.error))
        return
    cookie = None if visitor == "anonymous" else auth.start_session(demo_db, user_named(demo_db, USERNAMES[visitor]))
    at = run_directly(page_file, cookie)
    assert no_crash(at)
    assert len(texts(at.error)) == 1 and texts(at.error)[0] in refusals
    shown = everything_shown(at)
    nips, notes = secrets_of_the_demo
    assert not [nip for nip in nips if nip in shown]
    assert not [note for note in notes if note in shown]


# 2. The action matrix through core ----------------------------------------------------------------

ACTORS = ("admin", "asesor", "lead", "pimpinan", "inactive_admin", "nobody")
ADMIN = {"admin"}
ASSESSORS = {"asesor", "lead"}
READERS = {"admin", "pimpinan", "lead"}  # of results and reports; "lead" = Ketua Tim of the seleksi event


class Ctx(NamedTuple):
    """What an action runs with: the database (and its file), the acting user, the ids of the records."""

    db: object
    path: Path
    actor: dict | None
    ids: dict
    melati: dict
    rini: dict


def own_or_melati(c: Ctx) -> dict:
    """The acting assessor, or (for everyone else) asesor.melati: whose assignment a rating action uses."""
    return c.actor if c.actor and c.actor["role"] == "asesor" else c.melati


def open_cell(c: Ctx) -> tuple[int, int]:
    """An assignment in the seleksi event that its assessor has not submitted yet."""
    found = db.one(c.db, """SELECT a.registration_id, a.exercise_id FROM assignments a
        JOIN registrations r ON r.id = a.registration_id
        LEFT JOIN submissions s ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
        WHERE r.event_id = ? AND a.assessor_id = ? AND s.submitted_at IS NULL
        ORDER BY a.registration_id, a.exercise_id""", (SELEKSI, own_or_melati(c)["id"]))
    assert found, "the demo leaves every assessor something to rate"
    return found["registration_id"], found["exercise_id"]


def save_ratings(c: Ctx):
    registration_id, exercise_id = open_cell(c)
    stored = {r["competency"]: r["version"] for r in rating.own_ratings(c.db, own_or_melati(c), registration_id,
                                                                          exercise_id)}
    codes = assessment.get_matrix(c.db, SELEKSI)[exercise_id]
    entries = {code: {"level": 3, "evidence": EVIDENCE, "version": stored.get(code, 0)} for code in codes}
    return rating.save_ratings(c.db, c.actor, registration_id, exercise_id, entries)


def declare_own_conflict(c: Ctx):
    return assessment.declare_conflict(c.db, c.actor, c.ids["prep_event"], own_or_melati(c)["id"],
                                       c.ids["prep_candidate"], "Pernah satu unit kerja")


def declare_conflict_of_another(c: Ctx):
    other = c.rini if c.actor and c.actor["id"] == c.melati["id"] else c.melati
    return assessment.declare_conflict(c.db, c.actor, c.ids["prep_event"], other["id"], c.ids["prep_candidate"],
                                       "Pernah satu unit kerja")


def import_one_candidate(c: Ctx):
    data = f"NIP;Nama Lengkap;Jabatan yang Dilamar\n{NEW_NIPS[1]};Kandidat Impor;Jabatan Uji\n".encode()
    return registry.import_candidates(c.db, c.actor, "kandidat.csv", data, c.ids["prep_event"])


def import_one_stage_score(c: Ctx):
    data = f"NIP;{c.ids['stage_name']}\n{c.ids['final_nip']};81,5\n".encode()
    return results.import_stage_scores(c.db, c.actor, SELEKSI, "nilai.csv", data)


def restore(c: Ctx):
    return backup.restore(c.path, backup.backup_to_file(c.path).read_bytes(), c.actor)


# action → (who may, the call). Reads that core guards are included: a refused read must not run either.
ACTIONS = {
    # registry
    "create_event": (ADMIN, lambda c: registry.create_event(c.db, c.actor, "Kegiatan Baru", "pemetaan",
                                                            "2026-02-02", "2026-02-03")),
    "update_event": (ADMIN, lambda c: registry.update_event(c.db, c.actor, c.ids["prep_event"], PREP_EVENT + " 2",
                                                            "pengisian", "2026-01-05", "2026-01-07")),
    "update_event_settings": (ADMIN, lambda c: registry.update_event_settings(c.db, c.actor, c.ids["prep_event"],
                                                                              "median", 2.0)),
    "create_position": (ADMIN, lambda c: registry.create_position(c.db, c.actor, c.ids["prep_event"], "Jabatan Baru",
                                                                  "", "pengawas")),
    "update_position": (ADMIN, lambda c: registry.update_position(c.db, c.actor, c.ids["prep_position"],
                                                                  "Jabatan Uji Ubah", "Unit Uji", "jpt_pratama")),
    "delete_position": (ADMIN, lambda c: registry.delete_position(c.db, c.actor, c.ids["spare_position"])),
    "set_standard": (ADMIN, lambda c: registry.set_standard(c.db, c.actor, c.ids["prep_position"],
                                                            dict.fromkeys(CODES, 3))),
    "create_candidate": (ADMIN, lambda c: registry.create_candidate(c.db, c.actor, NEW_NIPS[2], "Kandidat Baru")),
    "update_candidate": (ADMIN, lambda c: registry.update_candidate(c.db, c.actor, c.ids["prep_candidate"],
                                                                    NEW_NIPS[0], "Kandidat Uji Ubah")),
    "register": (ADMIN, lambda c: registry.register(c.db, c.actor, c.ids["prep_event"], c.ids["final_candidate"],
                                                    c.ids["prep_position"])),
    "unregister": (ADMIN, lambda c: registry.unregister(c.db, c.actor, c.ids["prep_registration"])),
    "import_candidates": (ADMIN, import_one_candidate),
    # accounts
    "create_user": (ADMIN, lambda c: auth.create_user(c.db, c.actor, "pengguna.baru", "Pengguna Baru", "asesor",
                                                      "rahasia2026")),
    "list_users": (ADMIN, lambda c: auth.list_users(c.db, c.actor)),
    "set_active": (ADMIN, lambda c: auth.set_active(c.db, c.actor, c.ids["spare_user"], False)),
    "reset_password": (ADMIN, lambda c: auth.reset_password(c.db, c.actor, c.ids["spare_user"], "baru2026x")),
    "set_language": (SIGNED_IN, lambda c: auth.set_language(c.db, c.actor, "en")),
    "change_own_password": (SIGNED_IN, lambda c: auth.change_own_password(c.db, c.actor, PASSWORD, "baru2026x")),
    "load_demo": (ADMIN, lambda c: demo.load(c.db, c.actor)),
    # setup of the assessment
    "create_exercise": (ADMIN, lambda c: assessment.create_exercise(c.db, c.actor, c.ids["prep_event"], "Latihan Baru",
                                                                    "custom")),
    "delete_exercise": (ADMIN, lambda c: assessment.delete_exercise(c.db, c.actor, c.ids["spare_exercise"])),
    "set_matrix": (ADMIN, lambda c: assessment.set_matrix(c.db, c.actor, c.ids["prep_event"],
                                                          {c.ids["prep_exercise"]: set(CODES)})),
    "set_assessors": (ADMIN, lambda c: assessment.set_assessors(c.db, c.actor, c.ids["prep_event"],
                                                                [c.melati["id"], c.rini["id"]], c.melati["id"])),
    "declare_own_conflict": (ADMIN | ASSESSORS, declare_own_conflict),
    "declare_conflict_of_another": (ADMIN, declare_conflict_of_another),
    "remove_conflict": (ADMIN, lambda c: assessment.remove_conflict(c.db, c.actor, SELEKSI, *c.ids["conflict"])),
    "set_assignments": (ADMIN, lambda c: assessment.set_assignments(c.db, c.actor, c.ids["prep_event"], [
        (c.ids["prep_registration"], c.ids["prep_exercise"], c.melati["id"])])),
    "auto_assign": (ADMIN, lambda c: assessment.auto_assign(c.db, c.actor, c.ids["prep_event"])),
    "advance_state": (ADMIN, lambda c: assessment.advance_state(c.db, c.actor, c.ids["prep_event"])),
    # rating
    "worklist": (ASSESSORS, lambda c: rating.worklist(c.db, c.actor, SELEKSI)),
    "save_ratings": (ASSESSORS, save_ratings),
    "submit": (ASSESSORS, lambda c: rating.submit(c.db, c.actor, open_cell(c)[0])),
    # integration
    "agenda": ({"admin", "lead"}, lambda c: integration.agenda(c.db, c.actor, SELEKSI)),
    "meeting": ({"admin", "lead"}, lambda c: integration.meeting(c.db, c.actor, c.ids["open_reg"])),
    "set_consensus": ({"lead"}, lambda c: integration.set_consensus(c.db, c.actor, c.ids["open_reg"], "M.01", 3,
                                                                   "Bukti wawancara lebih kuat.")),
    "save_narrative": ({"lead"}, lambda c: integration.save_narrative(c.db, c.actor, c.ids["open_reg"],
                                                                     kekuatan="Menonjol pada Integritas.")),
    "finalise": ({"lead"}, lambda c: integration.finalise(c.db, c.actor, c.ids["open_reg"])),
    "reopen_submission": (ADMIN, lambda c: integration.reopen_submission(c.db, c.actor, c.ids["open_reg"],
                                                                        c.ids["open_assessor"], "Salah ketik.")),
    "reopen_result": (ADMIN, lambda c: integration.reopen_result(c.db, c.actor, c.ids["final_reg"], "Salah hitung.")),
    # results
    "set_stages": (ADMIN, lambda c: results.set_stages(c.db, c.actor, SELEKSI, [
        {"name": "Assessment Center", "weight": 60, "is_ac": True}, {"name": "Wawancara akhir", "weight": 40}])),
    "set_stage_scores": (ADMIN, lambda c: results.set_stage_scores(c.db, c.actor, SELEKSI, [
        (c.ids["final_reg"], c.ids["stage"], 77.0)])),
    "import_stage_scores": (ADMIN, import_one_stage_score),
    "set_tiebreak": (ADMIN, lambda c: results.set_tiebreak(c.db, c.actor, SELEKSI,
                                                           list(reversed(results.TIEBREAK_KEYS)))),
    "set_skp_predikat": (ADMIN, lambda c: results.set_skp_predikat(c.db, c.actor, PEMETAAN,
                                                                   {c.ids["pemetaan_reg"]: "baik"})),
    # settings
    "put_setting": (ADMIN, lambda c: settings.put(c.db, c.actor, "jpm_display_cap", True)),
    "set_thresholds": (ADMIN, lambda c: refdata.set_thresholds(c.db, c.actor, "pengisian",
                                                               {"MS": 82, "MMS": 70, "KMS": 0})),
    "set_potential_bands": (ADMIN, lambda c: settings.set_potential_bands(c.db, c.actor, 88, 75)),
    "save_letterhead": (ADMIN, lambda c: letterhead.save(c.db, c.actor, {"instansi": "PEMERINTAH KOTA UJI"})),
    "restore": (ADMIN, restore),
    # reports and exports
    "issue_individual": (READERS, lambda c: reports.issue_individual(c.db, c.actor, c.ids["final_reg"])),
    "draft_individual": (READERS, lambda c: reports.draft_individual(c.db, c.actor, c.ids["final_reg"])),
    "recap_pdf": (READERS, lambda c: report_recap.recap_pdf(c.db, c.actor, SELEKSI)),
    "save_pansel": (ADMIN, lambda c: pansel.save_pansel(c.db, c.actor, SELEKSI, {
        "heading": "PANITIA SELEKSI UJI", "sk_number": "800/1/2026", "sk_date": "2026-10-01", "ppk": "Wali Kota Uji",
        "number_format": pansel.DEFAULT_NUMBER_FORMAT})),
    "set_pansel_members": (ADMIN, lambda c: pansel.set_members(c.db, c.actor, SELEKSI,
                                                               [{"name": "Ketua Uji", "role": "ketua"}])),
    "issue_berita_acara": (ADMIN, lambda c: report_pansel.issue_berita_acara(c.db, c.actor, SELEKSI,
                                                                             c.ids["final_position"], "2026-11-27",
                                                                             "Ruang Rapat")),
    "issue_pengantar": (ADMIN, lambda c: report_pansel.issue_pengantar(c.db, c.actor, SELEKSI, "2026-11-30")),
    "recap_xlsx": (READERS, lambda c: exports.recap_xlsx(c.db, c.actor, SELEKSI)),
    "full_export_xlsx": (ADMIN, lambda c: exports.full_export_xlsx(c.db, c.actor, SELEKSI)),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_actor_may_do_exactly_the_actions_of_its_role(demo_db, db_path, ids, template_digest, action, actor):
    """Allowed: done, or refused for a reason other than permission. Otherwise PermissionDenied, nothing written."""
    allowed, call = ACTIONS[action]
    people = {role: user_named(demo_db, name) for role, name in USERNAMES.items()}
    ctx = Ctx(demo_db, db_path, people.get(actor), ids, people["asesor"], people["lead"])
    if actor in allowed:
        try:
            call(ctx)
        except PermissionDenied as err:
            pytest.fail(f"{actor} may {action} (SPEC §5) but was refused: {err}")
        except DomainError:
            pass  # refused for a reason of the data (state, missing consensus …): not a permission matter
        return
    with pytest.raises(PermissionDenied):
        call(ctx)
    assert digest(demo_db) == template_digest


# 3. User text is never rendered as markup -------------------------------------------------------

PAYLOADS = ("# Judul", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "**tebal** _miring_ [tautan](http://x)", '=HYPERLINK("x")')
# What markdown would act on, once every backslash-escaped character is taken out.
MARKUP = ("# Judul", "<script", "<img", "**tebal**", "_miring_", "[tautan](")


def tricky(index: int, label: str) -> str:
    """All payloads, starting with a different one per field, and a word that says which field it is."""
    parts = PAYLOADS[index % len(PAYLOADS):] + PAYLOADS[:index % len(PAYLOADS)]
    return " ".join(parts) + f" {label}"


class Marked(NamedTuple):
    """The finalised candidates whose texts were replaced, and the texts."""

    seleksi_reg: int
    seleksi_nip: str
    pemetaan_reg: int
    fields: dict


def plant(database) -> Marked:
    """Replace every user text around two finalised candidates by markup (raw SQL, as a careless import could)."""
    table = results.event_results(database, SELEKSI)
    final = table[table["finalized_at"].notna()]
    first_position = final.sort_values(["position_sort", "rank"]).iloc[0]
    reg, position_id = int(first_position["registration_id"]), int(first_position["position_id"])
    mapping = results.event_results(database, PEMETAAN)
    pooled = mapping[mapping["box"].isin([7, 8, 9])].sort_values("box", ascending=False)
    other = int(pooled.iloc[0]["registration_id"])
    fields = {key: tricky(i, key) for i, key in enumerate((
        "candidate", "current_position", "current_unit", "event", "venue", "organizer", "position", "unit",
        "kekuatan", "area_pengembangan", "saran_pengembangan", "saran_penempatan", "evidence", "rationale",
        "lead", "assessor"))}
    candidate = "(SELECT candidate_id FROM registrations WHERE id = ?)"
    statements = [
        (f"UPDATE candidates SET name = ?, current_position = ?, current_unit = ? WHERE id = {candidate}",
         (fields["candidate"], fields["current_position"], fields["current_unit"], reg)),
        (f"UPDATE candidates SET name = ? WHERE id = {candidate}", (fields["candidate"], other)),
        ("UPDATE events SET name = ?, venue = ?, organizer = ? WHERE id = ?",
         (fields["event"], fields["venue"], fields["organizer"], SELEKSI)),
        ("UPDATE events SET name = ? WHERE id = ?", (fields["event"] + " (pemetaan)", PEMETAAN)),
        ("UPDATE positions SET name = ?, unit = ? WHERE id = ?", (fields["position"], fields["unit"], position_id)),
        ("UPDATE results SET kekuatan = ?, area_pengembangan = ?, saran_pengembangan = ? WHERE registration_id = ?",
         (fields["kekuatan"], fields["area_pengembangan"], fields["saran_pengembangan"], reg)),
        ("UPDATE results SET saran_penempatan = ? WHERE registration_id = ?", (fields["saran_penempatan"], other)),
        ("UPDATE ratings SET evidence = ? WHERE registration_id = ?", (fields["evidence"], reg)),
        ("UPDATE consensus SET rationale = ? WHERE registration_id = ?", (fields["rationale"], reg)),
        ("UPDATE users SET full_name = ? WHERE username = 'asesor.rini'", (fields["lead"],)),
        ("UPDATE users SET full_name = ? WHERE username = 'asesor.andre'", (fields["assessor"],)),  # flagged lenient
    ]
    with db.transaction(database):
        for sql, params in statements:
            database.execute(sql, params)
    nip = db.one(database, f"SELECT nip FROM candidates WHERE id = {candidate}", (reg,))["nip"]
    return Marked(reg, nip, other, fields)


@pytest.fixture
def marked(demo_db) -> Marked:
    return plant(demo_db)


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """Every string the app hands to Streamlit's markdown renderer, with the kind of element: bodies,
    headings, alerts, metric and widget labels, radio options, expander and tab labels, ``st.table`` cells."""
    found: list[tuple[str, str]] = []
    for node in [*at.main, *at.sidebar]:
        kind = type(node).__name__
        if isinstance(node, Markdown | HeadingBase | AlertBase | Toast):
            found.append((kind, node.value))
        elif isinstance(node, Metric):
            found.append((kind, node.proto.label))
        elif isinstance(node, Expander | Tab):
            found.append((kind, node.label))
        elif isinstance(node, Table):
            frame = node.value
            found += [(kind, str(c)) for c in [*frame.columns, *frame.to_numpy().ravel()]]
        elif getattr(node, "type", None) in ("radio", "button_group"):
            found += [(kind, node.proto.label), *[(kind, getattr(o, "content", o)) for o in node.proto.options]]
        elif hasattr(node, "proto") and isinstance(getattr(node.proto, "label", None), str):
            found.append((kind, node.proto.label))  # every other widget, button and link: labels are markdown
    return found


def raw_markup(text: str) -> list[str]:
    """The markup runs left in ``text`` once every backslash-escaped character is removed."""
    unescaped = re.sub(r"\\.", "", text, flags=re.DOTALL)
    return [run for run in MARKUP if run in unescaped]


def dataframe_text(at: AppTest) -> str:
    return "\n".join(node.value.to_csv() for node in [*at.main, *at.sidebar] if isinstance(node, Dataframe))


def markup_shown(at: AppTest, fields: dict[str, str]) -> list[tuple[str, list[str]]]:
    """(element kind, planted fields) of every markdown text with markup left unescaped, and of raw HTML
    holding planted text."""
    found = [(kind, text) for kind, text in markdown_texts(at) if raw_markup(text)]
    for node in [*at.main, *at.sidebar]:
        raw_html = isinstance(node, Html) or (isinstance(node, Markdown) and node.proto.allow_html)
        if raw_html and ("tebal" in node.value or "alert(1)" in node.value):
            found.append(("html", node.value))
    return [(kind, [key for key, value in fields.items() if value in text] or [text[:80]]) for kind, text in found]


def on_event(at, event_id: int):
    return at.radio(key="sidebar_event").set_value(event_id).run()


def show(at, key: str, view: str):
    return at.segmented_control(key=key).set_value(view).run()


def drive_beranda(database, m: Marked):
    yield open_page(database, user_named(database, "admin"), "pages/beranda.py")


def drive_kandidat(database, m: Marked):
    at = open_page(database, user_named(database, "admin"), "pages/kandidat.py")
    at = at.text_input(key="kandidat_q").set_value(m.seleksi_nip).run()
    yield at
    at.session_state[f"kandidat_table_{m.seleksi_nip}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    yield at.run()  # the candidate's detail: registration, edit form, earlier results
    at = at.text_input(key="kandidat_q").set_value(NEW_NIPS[0]).run()
    at.session_state[f"kandidat_table_{NEW_NIPS[0]}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    yield at.run()  # one not registered for the event yet: the registration form names the event


def drive_kegiatan(database, m: Marked):
    yield open_page(database, user_named(database, "admin"), "pages/kegiatan.py")


def drive_jabatan(database, m: Marked):
    yield open_page(database, user_named(database, "admin"), "pages/jabatan.py")


def drive_hasil(database, m: Marked):
    at = open_page(database, user_named(database, "admin"), "pages/hasil.py")
    yield at
    at = show(at, "hasil_view", "candidate")
    yield at.selectbox(key="hasil_candidate").set_value(m.seleksi_reg).run()


def drive_integrasi(database, m: Marked):
    at = open_page(database, user_named(database, "asesor.rini"), "pages/integrasi.py")
    yield at
    at = show(at, "integrasi_view", "meeting")
    yield at.selectbox(key="integrasi_pick").set_value(m.seleksi_reg).run()


def drive_talenta(database, m: Marked):
    yield on_event(open_page(database, user_named(database, "admin"), "pages/talenta.py"), PEMETAAN)


def drive_presentasi(database, m: Marked):
    yield open_page(database, user_named(database, "admin"), "pages/presentasi.py")


def drive_laporan(database, m: Marked):
    at = open_page(database, user_named(database, "admin"), "pages/laporan.py")
    yield at.selectbox(key="laporan_person").set_value(m.seleksi_reg).run()


def drive_kualitas(database, m: Marked):
    yield open_page(database, user_named(database, "admin"), "pages/kualitas.py")


def drive_akun(database, m: Marked):
    yield open_page(database, user_named(database, "asesor.rini"), "pages/akun.py")


# page → (how to reach the views showing the planted texts, whether a dataframe must carry them literally)
MARKUP_PAGES = {
    "beranda": (drive_beranda, True), "kandidat": (drive_kandidat, True), "kegiatan": (drive_kegiatan, True),
    "jabatan": (drive_jabatan, True), "hasil": (drive_hasil, False), "integrasi": (drive_integrasi, False),
    "talenta": (drive_talenta, False), "presentasi": (drive_presentasi, False), "laporan": (drive_laporan, False),
    "kualitas": (drive_kualitas, True), "akun": (drive_akun, False),
}


@pytest.mark.parametrize("page", MARKUP_PAGES)
def test_user_text_is_never_rendered_as_markup(demo_db, marked, page):
    drive, in_a_table = MARKUP_PAGES[page]
    offences, shown, tables = [], "", ""
    for at in drive(demo_db, marked):
        assert no_crash(at)
        offences += markup_shown(at, marked.fields)
        shown, tables = shown + everything_shown(at), tables + dataframe_text(at)
    assert not offences, f"user text rendered as markup: {offences}"
    assert "tebal" in shown + tables  # the planted text was on the page in some view: the check bit
    if in_a_table:
        assert "**tebal** _miring_ [tautan](http://x)" in tables  # tables show the literal text


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF, every run of whitespace (line ends included) as one space."""
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_individual_report_prints_user_text_literally(demo_db, marked):
    pdf, _record = reports.issue_individual(demo_db, user_named(demo_db, "admin"), marked.seleksi_reg)
    text = pdf_text(pdf)
    for key in ("candidate", "current_position", "current_unit", "event", "venue", "organizer", "position",
                "kekuatan", "area_pengembangan", "saran_pengembangan"):
        for line in marked.fields[key].splitlines():  # a narrative of several lines prints as points, one a line
            assert " ".join(line.split()) in text, key


# 4. Uploads of oversized or wrong-type files --------------------------------------------------------

def png_bytes(size: tuple[int, int] = (40, 30), kind: str = "PNG", noise: bool = False) -> bytes:
    """A picture; with ``noise`` incompressible, so a modest picture makes a large file."""
    if noise:
        image = Image.frombytes("RGB", size, random.Random(7).randbytes(3 * size[0] * size[1]))
    else:
        image = Image.new("RGB", size, (11, 83, 148))
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("kandidat.txt", "NIP;Nama Lengkap\n")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # the start of an Excel 97–2003 workbook

BAD_UPLOADS = {
    # case: (file name, bytes, the ValidationError key)
    "oversized": ("kandidat.csv", lambda: b"NIP;Nama Lengkap\n" + b"1" * importer.MAX_BYTES, "import.file_too_large"),
    "png": ("foto.png", png_bytes, "reader.unsupported_type"),
    "png-named-xlsx": ("foto.xlsx", png_bytes, "import.not_a_spreadsheet"),
    "pdf": ("laporan.pdf", lambda: PDF_BYTES, "reader.unsupported_type"),
    "pdf-named-csv": ("laporan.csv", lambda: PDF_BYTES, "import.not_a_spreadsheet"),
    "zip": ("arsip.zip", zip_bytes, "reader.unsupported_type"),
    "zip-named-xlsx": ("arsip.xlsx", zip_bytes, "import.not_a_spreadsheet"),
    # .xls is read now (SPEC §9); an OLE header with nothing behind it is a damaged old workbook.
    "xls": ("lama.xls", lambda: OLE_BYTES, "reader.xls_unreadable"),
    "xls-named-xlsx": ("lama.xlsx", lambda: OLE_BYTES, "reader.xls_unreadable"),
}
IMPORTS = {
    "candidates": lambda database, admin, name, data: registry.import_candidates(database, admin, name, data, SELEKSI),
    "stage_scores": lambda database, admin, name, data: results.import_stage_scores(database, admin, SELEKSI, name,
                                                                                     data),
}


@pytest.mark.parametrize("importer_name", IMPORTS)
@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_import_refuses_a_bad_file_and_writes_nothing(demo_db, template_digest, importer_name, case):
    filename, make, key = BAD_UPLOADS[case]
    with pytest.raises(ValidationError) as refused:
        IMPORTS[importer_name](demo_db, user_named(demo_db, "admin"), filename, make())
    assert refused.value.key == key
    assert digest(demo_db) == template_digest


LOGOS = {
    "not-an-image": (lambda: b"bukan gambar, hanya teks", "letterhead.logo_not_image"),
    "pdf": (lambda: PDF_BYTES, "letterhead.logo_not_image"),
    "gif": (lambda: png_bytes(kind="GIF"), "letterhead.logo_not_image"),
    "oversized": (lambda: png_bytes((500, 500), noise=True), "letterhead.logo_too_large"),
    "too-many-pixels": (lambda: png_bytes((letterhead.MAX_LOGO_SIDE + 1, 2)), "letterhead.logo_too_big_pixels"),
}


@pytest.mark.parametrize("case", LOGOS)
def test_letterhead_refuses_a_bad_logo_and_writes_nothing(demo_db, template_digest, case):
    make, key = LOGOS[case]
    data = make()
    assert key != "letterhead.logo_too_large" or len(data) > letterhead.MAX_LOGO_BYTES
    with pytest.raises(ValidationError) as refused:
        letterhead.save(demo_db, user_named(demo_db, "admin"), {}, data)
    assert refused.value.key == key
    assert digest(demo_db) == template_digest


def test_letterhead_takes_a_small_png(demo_db):
    letterhead.save(demo_db, user_named(demo_db, "admin"), {}, png_bytes())
    assert letterhead.current(demo_db)["logo"]


# The same refusals through the pages: a message in words, nothing written -------------------------

def domain_message(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.message("id")


def page_digest(database) -> str:
    """A page run may refresh its own session row; everything else must stay as it was."""
    return digest(database, skip=("sessions",))


def test_kandidat_page_refuses_a_picture_named_xlsx(demo_db):
    admin = user_named(demo_db, "admin")
    expected = domain_message(lambda: registry.import_candidates(demo_db, admin, "foto.xlsx", png_bytes(), SELEKSI))
    at = open_page(demo_db, admin, "pages/kandidat.py")
    before = page_digest(demo_db)
    at.file_uploader(key="kandidat_upload").set_value(("foto.xlsx", png_bytes(), "image/png"))
    at = at.run().button(key="kandidat_import_go").click().run()
    assert no_crash(at)
    assert texts(at.error) == [expected]
    assert page_digest(demo_db) == before


def test_hasil_page_refuses_a_pdf_named_csv(demo_db):
    admin = user_named(demo_db, "admin")
    expected = domain_message(lambda: results.import_stage_scores(demo_db, admin, SELEKSI, "nilai.csv", PDF_BYTES))
    at = show(open_page(demo_db, admin, "pages/hasil.py"), "hasil_view", "stages")
    before = page_digest(demo_db)
    at.file_uploader(key="hasil_stage_upload").set_value(("nilai.csv", PDF_BYTES, "text/csv"))
    at = at.run().button(key="hasil_stage_import").click().run()
    assert no_crash(at)
    assert texts(at.error) == [expected]
    assert page_digest(demo_db) == before


def uploader_in(at: AppTest, form_id: str):
    [found] = [u for u in at.file_uploader if u.form_id == form_id]
    return found


def test_pengaturan_refuses_a_gif_logo(demo_db):
    at = open_page(demo_db, user_named(demo_db, "admin"), "pages/pengaturan.py")
    before = page_digest(demo_db)
    uploader_in(at, "pengaturan_letterhead").set_value(("logo.png", png_bytes(kind="GIF"), "image/png"))
    at = at.form(key="pengaturan_letterhead").form_submit_button[0].click().run()
    assert no_crash(at)
    assert texts(at.error) == [t("letterhead.logo_not_image")]
    assert page_digest(demo_db) == before


def test_pengaturan_refuses_to_restore_a_picture(demo_db, db_path):
    at = open_page(demo_db, user_named(demo_db, "admin"), "pages/pengaturan.py")
    before = page_digest(demo_db)
    uploader_in(at, "pengaturan_restore").set_value(("cadangan.db", png_bytes(), "application/octet-stream"))
    form = at.form(key="pengaturan_restore")
    form.checkbox[0].check()
    at = form.form_submit_button[0].click().run()
    assert no_crash(at)
    assert texts(at.error) == [t("backup.not_sqlite")]
    assert page_digest(demo_db) == before
    assert not [p for p in backup.backup_dir(db_path).iterdir() if p.name.startswith(backup.BEFORE_RESTORE_PREFIX)]
    assert sqlite3.connect(db_path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# Every settings write is audited; an unusable database is named plainly (issue 10 items 10, 12) -------

SETTINGS_WRITERS = {"core/settings.py", "core/auth.py", "core/refdata.py"}  # put; cookie key; shipped defaults


def test_only_settings_put_changes_a_setting():
    """Every write to the settings table outside core/settings.py is a system value, not a user's change."""
    writes = re.compile(r"(INSERT|UPDATE|REPLACE|DELETE)[^\"']*\bsettings\b", re.IGNORECASE)
    found = {str(p.relative_to(ROOT)) for p in [*ROOT.glob("core/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
             if writes.search(p.read_text())}
    assert found <= SETTINGS_WRITERS
    assert 'Table("settings"' in (ROOT / "core/refdata.py").read_text()  # shipped defaults, audited by the upgrade
    assert "INSERT OR IGNORE INTO settings (key, value) VALUES ('cookie_secret'" in (ROOT / "core/auth.py").read_text()


def test_every_setting_change_is_audited_with_its_old_value(fresh_db, admin):
    for key, shipped in settings.defaults().items():
        settings.put(fresh_db, admin, key, shipped)
        [(old, new, who)] = fresh_db.execute(
            "SELECT old_value, new_value, username FROM audit_log WHERE entity = 'setting' AND entity_id = ?",
            (key,)).fetchall()
        assert (json.loads(old), json.loads(new), who) == (shipped, shipped, "admin")


def _sqlite_error(tmp_path, how: str) -> Exception:
    path = tmp_path / f"{how}.db"
    sqlite3.connect(path).execute("CREATE TABLE x (v TEXT)").connection.commit()
    if how == "damaged":
        path.write_bytes(b"bukan basis data " * 512)
        conn = sqlite3.connect(path)
    elif how == "readonly":
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    else:  # a disk that is full: the file may not grow past its current pages
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    try:
        conn.execute("INSERT INTO x VALUES (?)", ("a" * 100_000,))
    except sqlite3.DatabaseError as err:
        return err
    finally:
        conn.close()
    raise AssertionError(f"no error for {how}")


@pytest.mark.parametrize(("how", "key"), [("damaged", "web.db_damaged"), ("readonly", "web.db_readonly"),
                                          ("full", "web.db_full")])
def test_an_unusable_database_is_named_plainly(tmp_path, how, key):
    import web

    assert web.database_problem(_sqlite_error(tmp_path, how)) == key


@pytest.mark.parametrize(("error", "key"), [
    (sqlite3.OperationalError("database is locked"), "web.db_busy"),
    (PermissionError(13, "Permission denied"), "web.db_readonly"),
    (OSError(28, "No space left on device"), "web.db_full"),
    (db.IntegrityFailure("row 3 missing from index"), "web.db_damaged"),
])
def test_other_database_failures_are_named_too(error, key):
    import web

    assert web.database_problem(error) == key
