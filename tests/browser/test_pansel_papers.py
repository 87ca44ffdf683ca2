"""Issue a berita acara in Laporan with the meeting's day and place, then download it as the Pansel's paper."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from core import auth, demo, pansel
from core.i18n import format_date, t

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"
ROOM = "Ruang Rapat Sekretariat Daerah"


@pytest.fixture
def demo_app(live_app):
    database = live_app.database()
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    return live_app


def test_issue_and_download_a_berita_acara(demo_app, page, tmp_path):
    page.goto(demo_app.url + "/masuk")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.laporan"), exact=True).click()
    page.get_by_text(t("laporan.view_recap"), exact=True).click()
    page.get_by_role("textbox", name=t("pansel.field.place")).fill(ROOM)
    page.get_by_role("button", name=t("laporan.pansel_issue")).click()
    page.get_by_role("button", name=t("laporan.pansel_print")).click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile(t("laporan.download", name="pansel_"))).click()
    info.value.save_as(tmp_path / "ba.pdf")
    [paper] = pansel.list_papers(demo_app.database(), 1)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(tmp_path / "ba.pdf")).pages)
    assert f"Nomor: {paper['number']}" in text
    assert f"tanggal {format_date(dt.date.today())}, bertempat di {ROOM}" in text
    expect(page.get_by_text(t("laporan.pansel_issued"))).to_be_visible()
