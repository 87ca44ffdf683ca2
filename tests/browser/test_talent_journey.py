"""The talent map end to end in Chromium (issue 12): a psychologist's potensi file imported on Peserta moves a person
from "data belum lengkap" to a box on Talenta, and the SIASN export of the event downloads from Laporan."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from core import auth, demo, siasn, talent_store
from core.i18n import t
from tests.browser.test_browser import expect_heading, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"
PEMETAAN = 2


@pytest.fixture
def demo_app(live_app):
    database = live_app.database()
    demo.load(database, auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD))
    return live_app


def without_potensi(database) -> dict:
    [index] = [i for i, gap in demo.MAPPING_GAPS.items() if gap == "potensi"]
    return talent_store.event_talent_map(database, PEMETAAN)["rows"][index]


def open_page(page, nav_key: str, title_key: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(nav_key), exact=True).click()
    expect_heading(page, t(title_key))


def choose(page, label: str, text: str) -> None:
    """Pick the option of a selectbox by typing part of it, as a user filters a long list."""
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def pick_pemetaan(page) -> None:
    """The sidebar lists a few events by their whole names (a select box only for many)."""
    page.locator(".st-key-sidebar_event").get_by_text(demo.MAPPING_NAME, exact=True).click()


def incomplete_table(page):
    return page.get_by_test_id("stTable").filter(has_text=t("talenta.col.missing"))


def test_potensi_file_to_talenta_box_to_siasn_export(demo_app, page, tmp_path):
    database = demo_app.database()
    person = without_potensi(database)
    sign_in(page, demo_app.url, "admin", PASSWORD)
    expect_heading(page, t("beranda.title"))
    pick_pemetaan(page)
    open_page(page, "nav.talenta", "talenta.title")
    expect(incomplete_table(page).get_by_text(person["name"])).to_be_visible()

    # Peserta → Impor: the psychologist's file (a semicolon CSV as Excel writes it in Indonesia)
    open_page(page, "nav.kandidat", "kandidat.title")
    page.get_by_role("tab", name=t("kandidat.tab_import")).click()
    page.get_by_text(t("talentform.kind.potensi")).click()
    lines = ["NIP;Nama;P.01;P.02;P.03;P.04;P.05;P.06;P.07;P.08;Uraian P.01;Tanggal Tes",
             f"{person['nip']};{person['name']};5;4;4;B;4;5;BS;4;Menalar sangat runtut.;11-08-2026"]
    path = tmp_path / "hasil_psikolog.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=t("talentform.upload"))
    uploader.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("button", name=f"Remove {path.name}")).to_be_visible()
    page.get_by_role("button", name=t("talentform.import_go")).click()
    expect(page.get_by_text(t("talentform.imported", n=1))).to_be_visible()

    # Talenta: no longer listed as incomplete; in its box, with the recommended action
    after = next(r for r in talent_store.event_talent_map(database, PEMETAAN)["rows"]
                 if r["registration_id"] == person["registration_id"])
    assert after["box"] is not None and after["components"]["potensi"] == 87.5
    open_page(page, "nav.talenta", "talenta.title")
    expect(incomplete_table(page)).to_have_count(1)
    expect(incomplete_table(page).get_by_text(person["name"])).to_have_count(0)
    choose(page, t("talenta.pick_box"), f"{after['box']} · {after['label']}")
    expect(page.get_by_text(after["action"])).to_be_visible()
    expect(page.get_by_test_id("stTable").get_by_text(person["name"]).first).to_be_visible()
    # why there: the person's components and the sentence naming the box
    choose(page, t("talenta.pick_person"), person["name"])
    expect(page.get_by_text(t("talenta.why.box", box=after["box"], label=after["label"]))).to_be_visible()

    # Laporan → Data SIASN/SIMATA: the XLSX keyed by NIP carries the new box
    open_page(page, "nav.laporan", "laporan.title")
    page.get_by_text(t("laporan.view_siasn"), exact=True).click()
    page.get_by_role("button", name=t("laporan.make_siasn_xlsx")).click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=t("laporan.download", name="siasn_"), exact=False).click()
    saved = tmp_path / "siasn.xlsx"
    info.value.save_as(saved)
    sheet = load_workbook(saved).active
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    box_field = siasn.field_map()["services"]["tm/talentmapping-save"]["fields"]["box"]
    assert rows[person["nip"]][box_field] == after["box"]
    assert len(rows) == len(talent_store.event_talent_map(database, PEMETAAN)["rows"])
