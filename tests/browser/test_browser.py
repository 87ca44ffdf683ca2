"""The sign-in journey and the import, in Debian's Chromium against a real server."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from core import auth, importer
from core.i18n import t

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def expect_heading(page, text: str) -> None:
    expect(page.get_by_role("heading", name=text, exact=True)).to_be_visible()


@pytest.fixture
def admin_app(live_app):
    """A live app with an admin account and the demo data."""
    from core import demo

    database = live_app.database()
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    return live_app


def test_first_run_creates_admin_then_login(live_app, page):
    page.goto(live_app.url)
    expect_heading(page, t("mulai.title"))
    page.get_by_label(t("field.username")).fill("kepala.bidang")
    page.get_by_label(t("field.full_name")).fill("Kepala Bidang Penilaian Kompetensi")
    page.get_by_label(t("field.password"), exact=True).fill(PASSWORD)
    page.get_by_label(t("field.password_confirm")).fill(PASSWORD)
    page.get_by_role("button", name=t("mulai.submit")).click()
    expect(page.get_by_text(t("mulai.done"))).to_be_visible()
    assert not auth.needs_first_admin(live_app.database())
    sign_in(page, live_app.url, "kepala.bidang", PASSWORD)
    expect_heading(page, t("beranda.title"))
    expect(page.get_by_text("Kepala Bidang Penilaian Kompetensi")).to_be_visible()


def test_login_refresh_keeps_session_and_logout_ends_it(admin_app, page):
    sign_in(page, admin_app.url, "admin", PASSWORD)
    expect_heading(page, t("beranda.title"))
    cookie = next(c for c in page.context.cookies() if c["name"] == auth.COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.reload()
    expect_heading(page, t("beranda.title"))
    page.get_by_role("link", name=t("nav.kandidat")).click()
    expect_heading(page, t("kandidat.title"))
    page.reload()
    expect_heading(page, t("kandidat.title"))
    page.get_by_role("button", name=t("sidebar.logout")).click()  # one click: the app's page POSTs its token
    expect(page.get_by_text(t("login.logged_out"))).to_be_visible()
    assert not any(c["name"] == auth.COOKIE_NAME for c in page.context.cookies())
    page.goto(admin_app.url)
    expect(page).to_have_url(re.compile(r"/masuk"))
    assert admin_app.database().execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_stolen_cookie_is_worthless_after_logout(admin_app, page, browser):
    sign_in(page, admin_app.url, "admin", PASSWORD)
    expect_heading(page, t("beranda.title"))
    stolen = page.context.cookies()
    page.goto(admin_app.url + "/keluar")
    page.get_by_role("button", name=t("logout.submit")).click()
    expect(page.get_by_text(t("login.logged_out"))).to_be_visible()
    other = browser.new_context()
    other.add_cookies(stolen)
    thief = other.new_page()
    thief.goto(admin_app.url)
    expect(thief).to_have_url(re.compile(r"/masuk"))
    other.close()


def test_wrong_password_is_throttled(admin_app, page):
    for _ in range(5):
        sign_in(page, admin_app.url, "admin", "salah-sandi-1")
        expect(page.get_by_role("alert")).to_have_text(t("auth.wrong_credentials"))
    sign_in(page, admin_app.url, "admin", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(t("auth.locked", minutes=15)[:40])
    assert not any(c["name"] == auth.COOKIE_NAME for c in page.context.cookies())


def candidate_xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([c.header for c in importer.COLUMNS])
    for row in rows:
        sheet.append(row + [""] * (len(importer.COLUMNS) - len(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def open_import_tab(page, url: str) -> None:
    sign_in(page, url, "admin", PASSWORD)
    expect_heading(page, t("beranda.title"))
    page.get_by_role("link", name=t("nav.kandidat")).click()
    page.get_by_role("tab", name=t("kandidat.tab_import")).click()


def upload(page, tmp_path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator(".st-key-kandidat_upload input[type=file]").set_input_files(str(path))  # the peserta uploader
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible()  # uploaded before the click
    page.get_by_role("button", name=t("kandidat.import_go")).click()


def test_import_through_the_uploader(admin_app, page, tmp_path):
    database = admin_app.database()
    before = database.execute("SELECT count(*) FROM candidates").fetchone()[0]
    open_import_tab(page, admin_app.url)
    upload(page, tmp_path, "kandidat.xlsx", candidate_xlsx([
        ["198001012005011001", "Drs. Ahmad Fauzi, M.Si.", "IV/a"],
        ["198202022006042002", "Dr. Siti Aminah, S.E., M.M.", "IV/b"]]))
    expect(page.get_by_text(t("kandidat.imported", n=2)).first).to_be_visible()  # on the page and as a toast
    assert database.execute("SELECT count(*) FROM candidates").fetchone()[0] == before + 2


def test_import_with_a_bad_row_writes_nothing(admin_app, page, tmp_path):
    database = admin_app.database()
    before = database.execute("SELECT count(*) FROM candidates").fetchone()[0]
    open_import_tab(page, admin_app.url)
    upload(page, tmp_path, "kandidat.xlsx", candidate_xlsx([
        ["198001012005011001", "Drs. Ahmad Fauzi, M.Si.", "IV/a"],
        ["198013452006042002", "Nama Dengan NIP Salah"]]))
    expect(page.get_by_text(t("kandidat.import_rejected", n=1))).to_be_visible()
    expect(page.get_by_text(t("import.col_problem"), exact=True)).to_be_visible()  # the error table's header
    assert database.execute("SELECT count(*) FROM candidates").fetchone()[0] == before
