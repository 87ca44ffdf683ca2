"""AppTest tests of every page: smoke per role, navigation and guards, sign-in states, the admin flows."""

from __future__ import annotations

import datetime as dt

import pytest
from apptest_helpers import fill, open_app, open_page, open_script, shown_text, submit, texts, widget
from assessment_fixtures import PASSWORD

import app
from core import auth, db, demo, nip, refdata, registry
from core.errors import DomainError
from core.i18n import t

ADMIN_ONLY = [key for key, page in app.PAGES.items() if page[3] == ("admin",)]
ROLE_PAGES = [(role, key) for role in auth.ROLES for key, page in app.PAGES.items() if role in page[3]]
NEW_NIP = "197501012000031001"
TITLE_KEYS = {"alat_ukur": "alat.title"}  # the catalog key of each page's title, where not "<page>.title"


def page_file(key: str) -> str:
    return app.PAGES[key][0]


def domain_message(action) -> str:
    """The Indonesian message of the domain error ``action`` raises: what the page must show."""
    with pytest.raises(DomainError) as err:
        action()
    return err.value.message("id")


def no_crash(at) -> bool:
    """No traceback and no "unexpected error" apology: every failure was explained to the user."""
    return not at.exception and t("app.unexpected_error") not in texts(at.error)


def written(database, table: str) -> tuple[int, int]:
    """Rows in ``table`` and in the audit log: unchanged means nothing was written."""
    return database[table].count, database["audit_log"].count


def in_transaction(database, sql: str, params: tuple = ()) -> None:
    with db.transaction(database):
        database.execute(sql, params)


# Fixtures -------------------------------------------------------------------------------------



@pytest.fixture
def demo_users(demo_db):
    """One active user of each role in the demo database, by role."""
    users = db.rows(demo_db, "SELECT * FROM users WHERE active = 1 ORDER BY id")
    return {role: next(u for u in users if u["role"] == role) for role in auth.ROLES}


@pytest.fixture
def event_id(fresh_db, admin):
    """An empty event in ``persiapan`` (the only one, so the sidebar picks it)."""
    return registry.create_event(fresh_db, admin, "Pemetaan Kompetensi 2026", "pemetaan", "2026-03-02", "2026-03-04")


@pytest.fixture
def position_id(fresh_db, admin, event_id):
    return registry.create_position(fresh_db, admin, event_id, "Kepala Bagian Umum", "Setda", "administrator")


# 1. Smoke: every page of every role renders its title -------------------------------------------

@pytest.mark.parametrize(("role", "page"), ROLE_PAGES, ids=[f"{r}-{p}" for r, p in ROLE_PAGES])
def test_page_renders_its_title(demo_db, demo_users, role, page):
    at = open_page(demo_db, demo_users[role], page_file(page))
    assert no_crash(at)
    assert at.title[0].value == t(TITLE_KEYS.get(page, f"{page}.title"))


@pytest.mark.parametrize(("role", "page"), [("admin", "kandidat"), ("asesor", "penilaian"), ("pimpinan", "akun")])
def test_page_is_drawn_inside_the_frame(demo_db, demo_users, role, page):
    """The sidebar (who is signed in, the event picker) is there on every page, not only the first."""
    at = open_page(demo_db, demo_users[role], page_file(page))
    assert t("sidebar.signed_in_as") in texts(at.sidebar.caption)
    assert widget(at.sidebar, t("sidebar.event")).value == registry.list_events(demo_db)[0]["id"]


# 2. Navigation and guards ------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["asesor", "pimpinan"])
def test_admin_pages_are_not_in_navigation(demo_db, demo_users, role):
    at = open_app(auth.start_session(demo_db, demo_users[role]))
    at.switch_page(page_file("akun"))  # a page of the role: found
    for page in ADMIN_ONLY:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_file(page))


@pytest.mark.parametrize("role", ["asesor", "pimpinan"])
@pytest.mark.parametrize("page", ADMIN_ONLY)
def test_admin_page_run_directly_refuses_and_shows_no_data(demo_db, demo_users, role, page):
    at = open_script(page_file(page), auth.start_session(demo_db, demo_users[role]))
    assert no_crash(at)
    assert texts(at.error) == [t("auth.forbidden")]
    assert not at.title
    shown = shown_text(at)
    assert not [c["nip"] for c in registry.search_candidates(demo_db) if c["nip"] in shown]
    assert demo.EVENT_NAME not in shown


# 3. Signed out ------------------------------------------------------------------------------------

def test_first_run_shows_the_first_admin_form(fresh_db):
    at = open_app()
    assert no_crash(at)
    assert at.title[0].value == t("mulai.title")


def test_first_run_form_creates_the_admin(fresh_db):
    at = open_app()
    form = at.form(key="mulai_form")
    fill(form, {t("field.username"): "kepala.ac", t("field.full_name"): "Kepala AC",
                t("field.password"): "rahasia789", t("field.password_confirm"): "rahasia789"})
    at = submit(form)
    assert no_crash(at)
    assert t("mulai.done") in texts(at.success)
    assert auth.login(fresh_db, "kepala.ac", "rahasia789")["role"] == "admin"


def _no_cookie(database, user):
    return None


def _forged(database, user):
    return "abc.def"


def _ended(database, user):
    cookie = auth.start_session(database, user)
    auth.end_session(database, cookie)
    return cookie


def _expired(database, user):
    return auth.start_session(database, user, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))


@pytest.mark.parametrize(("make_cookie", "target"), [
    (_no_cookie, "/masuk"), (_forged, "/masuk?info=habis"), (_ended, "/masuk?info=habis"),
    (_expired, "/masuk?info=habis")], ids=["no-cookie", "forged", "ended", "expired"])
def test_without_a_valid_session_the_app_asks_to_sign_in(fresh_db, admin, make_cookie, target):
    at = open_app(make_cookie(fresh_db, admin))
    assert no_crash(at)
    assert texts(at.info) == [t("app.please_sign_in")]
    assert texts(at.title) == [t("app.title")]
    assert [b.url for b in at.link_button] == [target]


def test_signed_out_navigation_offers_only_sign_in_and_verifikasi(fresh_db, admin):
    """Signed out, no page of the app is routable: /kegiatan and the like fall back to sign-in."""
    at = open_app()
    assert no_crash(at)
    assert texts(at.info) == [t("app.please_sign_in")]
    for page in ADMIN_ONLY:
        with pytest.raises(ValueError):
            at.switch_page(page_file(page))
    assert texts(at.switch_page(page_file("verifikasi")).run().title) == [t("verifikasi.title")]


# 4. Flows as admin -----------------------------------------------------------------------------

def test_kegiatan_new_event_is_created_and_picked(fresh_db, admin):
    at = open_page(fresh_db, admin, page_file("kegiatan"))
    form = at.form(key="kegiatan_new")
    fill(form, {t("field.event_name"): "Seleksi Terbuka Sekda 2027", t("field.venue"): "Aula BKPSDM"})
    at = submit(form)
    assert no_crash(at)
    [event] = registry.list_events(fresh_db)
    assert (event["name"], event["venue"], event["state"]) == ("Seleksi Terbuka Sekda 2027", "Aula BKPSDM",
                                                               "persiapan")
    assert widget(at.sidebar, t("sidebar.event")).value == event["id"]


@pytest.mark.parametrize(("job_class", "level"), [("jpt_pratama", 4), ("administrator", 3), ("pengawas", 2)])
def test_jabatan_new_position_gets_the_job_class_standard(fresh_db, admin, event_id, job_class, level):
    at = open_page(fresh_db, admin, page_file("jabatan"))
    form = at.form(key="jabatan_new")
    fill(form, {t("field.position"): "Kepala Dinas Pendidikan", t("field.unit"): "Dinas Pendidikan",
                t("field.job_class"): job_class})
    at = submit(form)
    assert no_crash(at)
    [position] = registry.list_positions(fresh_db, event_id)
    standard = registry.get_standard(fresh_db, position["id"])
    assert standard == refdata.default_standard(fresh_db, job_class)
    assert len(standard) == 9 and set(standard.values()) == {level}


def test_jabatan_edited_standard_is_saved(fresh_db, admin, position_id):
    at = open_page(fresh_db, admin, page_file("jabatan"))
    editor = f"jabatan_std_{position_id}"
    assert at.data_editor(key=editor).value[t("field.level")].tolist() == [3] * 9
    at.session_state[editor] = {"edited_rows": {0: {t("field.level"): 5}}, "added_rows": [], "deleted_rows": []}
    at = at.button(key="jabatan_save_std").click().run()
    assert no_crash(at)
    first = refdata.competencies(fresh_db)[0]["code"]
    standard = registry.get_standard(fresh_db, position_id)
    assert standard[first] == 5
    assert sorted(standard.values()) == [3] * 8 + [5]


def test_jabatan_is_locked_after_setup(fresh_db, admin, event_id, position_id):
    in_transaction(fresh_db, "UPDATE events SET state = 'penilaian' WHERE id = ?", (event_id,))
    at = open_page(fresh_db, admin, page_file("jabatan"))
    assert no_crash(at)
    assert t("jabatan.locked", state=t("state.penilaian")) in texts(at.info)
    labels = {b.label for b in at.button}
    assert not labels & {t("jabatan.save_standard"), t("jabatan.reset_standard"), t("common.add")}
    assert at.data_editor(key=f"jabatan_std_{position_id}").disabled


def test_kandidat_valid_nip_is_written_with_derived_fields(fresh_db, admin):
    at = open_page(fresh_db, admin, page_file("kandidat"))
    form = at.form(key="kandidat_new")
    fill(form, {t("field.nip"): NEW_NIP, t("field.full_name_titles"): "Budi Santoso, S.E., M.M."})
    at = submit(form)
    assert no_crash(at) and not at.error
    [candidate] = registry.search_candidates(fresh_db, NEW_NIP)
    assert (candidate["name"], candidate["birth_date"], candidate["gender"]) == \
        ("Budi Santoso, S.E., M.M.", "1975-01-01", "L")


def test_kandidat_search_narrows_the_table(demo_db, demo_users):
    name = registry.search_candidates(demo_db)[7]["name"]
    total = len(registry.search_candidates(demo_db))  # the whole registry, up to the page's limit
    at = open_page(demo_db, demo_users["admin"], page_file("kandidat"))
    assert len(at.dataframe(key="kandidat_table_").value) == total
    at = at.text_input(key="kandidat_q").set_value(name).run()
    table = at.dataframe(key=f"kandidat_table_{name}").value
    assert no_crash(at)
    assert 1 <= len(table) < total
    assert set(table[t("field.name")]) == {name}


def select_row(at, row: int):
    """Select one row of the candidate table (keyed by the search text), as a click in the browser would."""
    query = at.text_input(key="kandidat_q").value
    at.session_state[f"kandidat_table_{query}"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def test_kandidat_registers_a_candidate_to_a_position(fresh_db, admin, event_id, position_id):
    other = registry.create_position(fresh_db, admin, event_id, "Sekretaris Dinas Sosial", "Dinas Sosial",
                                     "administrator")
    registry.create_candidate(fresh_db, admin, NEW_NIP, "Budi Santoso, S.E., M.M.")
    at = open_page(fresh_db, admin, page_file("kandidat"))
    at = select_row(at.text_input(key="kandidat_q").set_value(NEW_NIP).run(), 0)
    form = at.form(key="kandidat_register")
    at = submit(fill(form, {t("field.position"): other}))
    assert no_crash(at) and not at.error
    [registration] = registry.list_registrations(fresh_db, event_id)
    assert (registration["nip"], registration["position_id"]) == (NEW_NIP, other)


def test_kandidat_search_after_selecting_a_row_shows_no_traceback(demo_db, demo_users):
    """A row picked in the full list, then a search that leaves fewer rows (stale selection)."""
    at = select_row(open_page(demo_db, demo_users["admin"], page_file("kandidat")), 100)
    assert no_crash(at)
    name = registry.search_candidates(demo_db)[0]["name"]
    at = at.text_input(key="kandidat_q").set_value(name).run()
    assert no_crash(at)


def test_pengaturan_adds_an_asesor_account(fresh_db, admin):
    at = open_page(fresh_db, admin, page_file("pengaturan"))
    form = at.form(key="pengaturan_new_user")
    fill(form, {t("field.username"): "asesor.dua", t("field.full_name"): "Asesor Dua, M.Psi.",
                t("field.role"): "asesor", t("field.password"): "asesor2026"})
    at = submit(form)
    assert no_crash(at) and not at.error
    assert auth.login(fresh_db, "asesor.dua", "asesor2026")["role"] == "asesor"


def test_pengaturan_resets_a_password(fresh_db, admin, asesor):
    at = open_page(fresh_db, admin, page_file("pengaturan"))
    at = at.selectbox(key="pengaturan_user").set_value(asesor["id"]).run()
    form = at.form(key="pengaturan_reset")
    at = submit(fill(form, {t("pengaturan.new_password"): "baru2026x"}))
    assert no_crash(at) and not at.error
    assert auth.login(fresh_db, asesor["username"], "baru2026x")["id"] == asesor["id"]


def test_pengaturan_deactivation_ends_the_users_session(fresh_db, admin, asesor):
    cookie = auth.start_session(fresh_db, asesor)
    at = open_page(fresh_db, admin, page_file("pengaturan"))
    at = at.selectbox(key="pengaturan_user").set_value(asesor["id"]).run()
    at = at.button(key="pengaturan_toggle").click().run()
    assert no_crash(at)
    assert auth.get_user(fresh_db, asesor["id"])["active"] == 0
    assert auth.session_user(fresh_db, cookie) is None


def test_pengaturan_audit_tab_lists_the_entries(fresh_db, admin, asesor):
    at = open_page(fresh_db, admin, page_file("pengaturan"))
    [log] = next(tab for tab in at.tabs if tab.label == t("pengaturan.tab_audit")).dataframe
    assert len(log.value) == fresh_db["audit_log"].count >= 2
    assert {"admin"} == set(log.value[t("audit.who")])


@pytest.mark.parametrize("role", ["admin", "asesor", "pimpinan"])
def test_akun_english_translates_the_page(request, fresh_db, role):
    user = request.getfixturevalue(role)
    at = open_page(fresh_db, user, page_file("akun"))
    at = at.radio(key="akun_lang").set_value("en").run()
    assert no_crash(at)
    assert at.title[0].value == t("akun.title", "en") != t("akun.title")
    assert auth.get_user(fresh_db, user["id"])["language"] == "en"


def test_akun_wrong_current_password_changes_nothing(fresh_db, asesor):
    at = open_page(fresh_db, asesor, page_file("akun"))
    form = at.form(key="akun_password")
    fill(form, {t("akun.current_password"): "salah12345", t("pengaturan.new_password"): "baru2026x",
                t("field.password_confirm"): "baru2026x"})
    at = submit(form)
    assert no_crash(at)
    assert texts(at.error) == [t("auth.current_wrong")]
    assert auth.login(fresh_db, asesor["username"], PASSWORD)["id"] == asesor["id"]


def test_beranda_without_events_loads_the_demo(fresh_db, admin):
    at = open_app(auth.start_session(fresh_db, admin))
    assert t("beranda.no_events") in texts(at.info)
    at = at.button(key="beranda_demo").click().run()
    assert no_crash(at)
    [event] = [e for e in registry.list_events(fresh_db) if e["name"] == demo.EVENT_NAME]
    assert len(registry.list_positions(fresh_db, event["id"])) == len(demo.POSITIONS) == 12
    assert t("demo.loaded") in texts(at.success)
    credentials = at.dataframe[0].value
    assert {u for u, _name, _nip in demo.ASSESSORS} < set(credentials[t("field.username")])


@pytest.mark.parametrize("role", ["asesor", "pimpinan"])
def test_beranda_without_events_offers_no_demo_to_others(request, fresh_db, role):
    at = open_app(auth.start_session(fresh_db, request.getfixturevalue(role)))
    assert no_crash(at)
    assert not [b for b in at.button if b.key == "beranda_demo"]


# 5. Bad input: a message in words, never a traceback, nothing written ----------------------------

def _event_empty_name(database, admin):
    return registry.create_event(database, admin, "   ", "pengisian", dt.date.today(), dt.date.today())


def _event_end_before_start(database, admin):
    return registry.create_event(database, admin, "Pemetaan 2027", "pemetaan", "2027-05-02", "2027-05-01")


def _position_empty_name(database, admin):
    return registry.create_position(database, admin, registry.list_events(database)[0]["id"], "", "", "jpt_pratama")


def _user_bad_name(database, admin):
    return auth.create_user(database, admin, "A B", "Asesor Tiga", "asesor", "asesor2026")


def _user_short_password(database, admin):
    return auth.create_user(database, admin, "asesor.tiga", "Asesor Tiga", "asesor", "pendek1")


BAD_INPUT = {
    # case: (page, form key, values by catalog key of the label, the core call that must fail, table)
    "kegiatan-empty-name": ("kegiatan", "kegiatan_new", {"field.event_name": "   "}, _event_empty_name, "events"),
    "kegiatan-end-before-start": ("kegiatan", "kegiatan_new",
                                  {"field.event_name": "Pemetaan 2027", "field.start_date": dt.date(2027, 5, 2),
                                   "field.end_date": dt.date(2027, 5, 1)}, _event_end_before_start, "events"),
    "jabatan-empty-name": ("jabatan", "jabatan_new", {"field.position": ""}, _position_empty_name, "positions"),
    "kandidat-bad-birth-date": ("kandidat", "kandidat_new",
                                {"field.nip": "197513012000031001", "field.full_name_titles": "Budi"},
                                lambda d, a: nip.parse_nip("197513012000031001"), "candidates"),
    "kandidat-excel-number": ("kandidat", "kandidat_new",
                              {"field.nip": "1.97501E+17", "field.full_name_titles": "Budi"},
                              lambda d, a: nip.parse_nip("1.97501E+17"), "candidates"),
    "kandidat-short-nip": ("kandidat", "kandidat_new", {"field.nip": "12345", "field.full_name_titles": "Budi"},
                           lambda d, a: nip.parse_nip("12345"), "candidates"),
    "kandidat-bad-email": ("kandidat", "kandidat_new",
                           {"field.nip": NEW_NIP, "field.full_name_titles": "Budi", "field.email": "budi@"},
                           lambda d, a: registry.clean_email("budi@"), "candidates"),
    "pengaturan-bad-username": ("pengaturan", "pengaturan_new_user",
                                {"field.username": "A B", "field.full_name": "Asesor Tiga",
                                 "field.password": "asesor2026"}, _user_bad_name, "users"),
    "pengaturan-short-password": ("pengaturan", "pengaturan_new_user",
                                  {"field.username": "asesor.tiga", "field.full_name": "Asesor Tiga",
                                   "field.password": "pendek1"}, _user_short_password, "users"),
    "pengaturan-reset-short": ("pengaturan", "pengaturan_reset", {"pengaturan.new_password": "pendek1"},
                               lambda d, a: auth.reset_password(d, a, a["id"], "pendek1"), "users"),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_shows_a_message_and_writes_nothing(fresh_db, admin, event_id, case):
    page, form_key, values, core_call, table = BAD_INPUT[case]
    expected = domain_message(lambda: core_call(fresh_db, admin))
    before = written(fresh_db, table)
    at = open_page(fresh_db, admin, page_file(page))
    if form_key == "pengaturan_reset":  # Pengaturan preselects no account: pick the one to change
        at = at.selectbox(key="pengaturan_user").set_value(admin["id"]).run()
    form = at.form(key=form_key)
    at = submit(fill(form, {t(key): value for key, value in values.items()}))
    assert no_crash(at)
    assert expected and expected in texts(at.error)
    assert written(fresh_db, table) == before


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("rahasia789", "rahasia788", lambda: t("mulai.password_mismatch")),
    ("pendek1", "pendek1", lambda: domain_message(lambda: auth.check_password_rules("pendek1"))),
], ids=["mismatch", "short"])
def test_first_run_bad_password_creates_no_admin(fresh_db, password, confirm, message):
    at = open_app()
    form = at.form(key="mulai_form")
    fill(form, {t("field.username"): "kepala.ac", t("field.full_name"): "Kepala AC",
                t("field.password"): password, t("field.password_confirm"): confirm})
    at = submit(form)
    assert no_crash(at)
    assert texts(at.error) == [message()]
    assert auth.needs_first_admin(fresh_db)


def test_akun_mismatched_new_password_changes_nothing(fresh_db, asesor):
    at = open_page(fresh_db, asesor, page_file("akun"))
    form = at.form(key="akun_password")
    fill(form, {t("akun.current_password"): PASSWORD, t("pengaturan.new_password"): "baru2026x",
                t("field.password_confirm"): "baru2026y"})
    at = submit(form)
    assert no_crash(at)
    assert texts(at.error) == [t("mulai.password_mismatch")]
    assert auth.login(fresh_db, asesor["username"], PASSWORD)["id"] == asesor["id"]



def test_kandidat_warns_about_a_peserta_over_the_age_limit(demo_db, demo_users):
    """SPEC §3.3: the person's page says so too (a warning, the registration stays)."""
    admin = demo_users["admin"]
    person = registry.list_registrations(demo_db, 1)[0]  # the demo's seleksi
    older = "196801012000031001"  # 58 on the event's first day
    registry.update_candidate(demo_db, admin, person["id"], older, person["name"], person["golongan"],
                              person["current_position"], person["current_unit"])
    at = open_page(demo_db, admin, page_file("kandidat"))
    at = select_row(at.text_input(key="kandidat_q").set_value(older).run(), 0)
    assert no_crash(at)
    warned = [w.value for w in at.warning if "batas usia" in w.value]
    assert len(warned) == 1 and "58 tahun" in warned[0]
    assert registry.list_registrations(demo_db, 1)[0]["nip"] == older  # still registered
