"""Download an official report from Laporan, verify its code on Verifikasi (signed out); a tampered code is unknown.
Issue the Pansel's berita acara with the meeting's place and download it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core import auth, demo, pansel, reports, settings
from core.i18n import format_date, local_date, t

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"


@pytest.fixture
def demo_app(live_app):
    database = live_app.database()
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    return live_app


def test_download_report_then_verify_it(demo_app, page, tmp_path):
    page.goto(demo_app.url + "/masuk")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.laporan"), exact=True).click()
    expect(page.get_by_role("heading", name=t("laporan.title"), exact=True)).to_be_visible()
    page.get_by_role("button", name=t("laporan.make_official")).click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile(t("laporan.download", name="laporan_"))).click()
    pdf = tmp_path / "laporan.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    [record] = demo_app.database().execute("SELECT code, number FROM reports").fetchall()
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert record["code"] in text and record["number"] in text

    page.goto(demo_app.url + "/keluar")
    page.get_by_role("button", name=t("logout.submit")).click()
    expect(page.get_by_text(t("login.logged_out"))).to_be_visible()
    page.goto(demo_app.url + "/verifikasi")
    page.get_by_label(t("verifikasi.code")).fill(record["code"].lower().replace("-", " "))
    page.get_by_role("button", name=t("verifikasi.check")).click()
    expect(page.get_by_text(t("verifikasi.valid"))).to_be_visible()
    found = reports.verify(demo_app.database(), record["code"])
    expect(page.get_by_text(found["name"])).to_be_visible()

    tampered = record["code"][:-1] + ("A" if record["code"][-1] != "A" else "B")
    page.goto(demo_app.url + f"/verifikasi?kode={tampered}")
    expect(page.get_by_text(t("verifikasi.unknown"))).to_be_visible()


def test_issue_and_download_a_berita_acara(demo_app, page, tmp_path):
    from pypdf import PdfReader

    room = "Ruang Rapat Sekretariat Daerah"
    page.goto(demo_app.url + "/masuk")
    for field, value in (("#username", "admin"), ("#password", PASSWORD)):
        page.fill(field, value)
    page.click("button[type=submit]")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.laporan"), exact=True).click()
    page.get_by_text(t("laporan.view_recap"), exact=True).click()
    page.get_by_role("textbox", name=t("pansel.field.place")).fill(room)
    page.get_by_role("button", name=t("laporan.pansel_issue")).click()
    page.get_by_role("button", name=t("laporan.pansel_print")).click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile(t("laporan.download", name="pansel_"))).click()
    info.value.save_as(tmp_path / "ba.pdf")
    [paper] = pansel.list_papers(demo_app.database(), 1)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(tmp_path / "ba.pdf")).pages)
    assert f"Nomor: {paper['number']}" in text
    today = local_date(None, settings.time_zone(demo_app.database()))  # the office's day, not the server's
    assert f"tanggal {format_date(today)}, bertempat di {room}" in text
