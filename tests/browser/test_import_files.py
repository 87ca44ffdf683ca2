"""The office's real files through the Kandidat page (SPEC §9), in Chromium against a real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import auth, mappings
from core.i18n import t
from tests import filegen
from tests.browser.test_browser import open_import_tab, upload

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"
SIASN = ["PNS ID", "NIP BARU", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "GOL AKHIR NAMA", "JABATAN NAMA",
         "UNOR NAMA", "AGAMA NAMA"]
PEOPLE = [["x1", "197501012000031001", "Budi Santoso", "Dr.", "S.Kom.", "IV/a", "Kepala Bidang", "Bappeda", "Islam"],
          ["x2", "198005122005012002", "Siti Aminah", "", "S.Psi., M.Si.", "Pembina Tk. I (IV/b)", "Kabid",
           "Dinas Pendidikan", "Islam"]]


@pytest.fixture
def admin_app(live_app):
    auth.create_first_admin(live_app.database(), "admin", "Admin BKPSDM", PASSWORD)
    return live_app


def names(database) -> list[str]:
    return [r[0] for r in database.execute("SELECT name FROM candidates ORDER BY nip").fetchall()]


def test_siasn_xlsx_with_title_block_then_an_xls(admin_app, page, tmp_path):
    database = admin_app.database()
    open_import_tab(page, admin_app.url)
    sheets = [("Sampul", [["Laporan"]]),
              ("Data", [["DAFTAR PESERTA SELEKSI TERBUKA"], ["PEMERINTAH KOTA CONTOH"], [], SIASN, *PEOPLE,
                        [], ["", "", "", "", "", "", "Kepala BKPSDM"],
                        ["", "", "", "", "", "", "NIP. 196801011990031001"]])]
    upload(page, tmp_path, "siasn.xlsx", filegen.build("xlsx", sheets))
    expect(page.get_by_text(t("kandidat.imported", n=2)).first).to_be_visible()  # on the page and as a toast
    expect(page.get_by_text(t("reader.report.left_out", n=4))).to_be_visible()
    expect(page.get_by_text("PNS ID, AGAMA NAMA")).to_be_visible()
    assert names(database) == ["Dr. Budi Santoso, S.Kom.", "Siti Aminah, S.Psi., M.Si."]

    old = [["NIP", "Nama Lengkap", "Golongan"], ["198203152006042004", "Rina Wati", "III.d"]]
    upload(page, tmp_path, "lama.xls", filegen.build("xls", [("Sheet1", old)]))
    expect(page.get_by_text(t("kandidat.imported", n=1)).first).to_be_visible()  # on the page and as a toast
    assert "Rina Wati" in names(database)


def test_unknown_type_gets_the_apps_own_message(admin_app, page, tmp_path):
    open_import_tab(page, admin_app.url)
    path = tmp_path / "foto.pdf"
    path.write_bytes(b"%PDF-1.7\n")
    page.locator(".st-key-kandidat_upload input[type=file]").set_input_files(str(path))  # the peserta uploader
    expect(page.get_by_text("tidak dapat dibaca", exact=False).first).to_be_visible()
    expect(page.get_by_text("not allowed")).to_have_count(0)


def test_mapping_screen_imports_and_is_remembered(admin_app, page, tmp_path):
    database = admin_app.database()
    open_import_tab(page, admin_app.url)
    rows = [["Kode Pegawai", "Pegawai", "**Bagian**"], ["197501012000031001", "Budi Santoso", "Bappeda"]]
    data = filegen.build("csv:utf-8:;", [("x", rows)])
    upload(page, tmp_path, "daftar.csv", data)
    expect(page.get_by_text(t("reader.map.title"))).to_be_visible()
    for field, column, shown in (("nip", "1. Kode Pegawai", "197501012000031001"), ("name", "2. Pegawai", "Budi")):
        label = t(f"reader.field.{field}") + " *"
        page.get_by_test_id("stSelectbox").filter(has_text=label).get_by_role("combobox").click()
        page.get_by_role("option", name=column, exact=True).click()
        expect(page.get_by_role("combobox", name=label, exact=True)).to_have_value(column)
        expect(page.get_by_test_id("stTable").get_by_text(shown)).to_be_visible()  # the preview follows
    page.get_by_role("button", name=t("reader.map.go")).click()
    expect(page.get_by_text(t("kandidat.imported", n=1)).first).to_be_visible()  # on the page and as a toast
    expect(page.get_by_text("Kolom yang diabaikan: **Bagian**.")).to_be_visible()  # as written, not markdown
    assert names(database) == ["Budi Santoso"]
    signature = "kodepegawai|pegawai|**bagian**"
    assert mappings.saved(database, "peserta", signature) == {"nip": 0, "name": 1}

    # The same header again: the remembered mapping is used without asking.
    rows[1] = ["198005122005012002", "Siti Aminah", "Bappeda"]
    upload(page, tmp_path, "daftar_lagi.csv", filegen.build("csv:utf-8:;", [("x", rows)]))
    expect(page.get_by_text(t("reader.map.remembered"))).to_be_visible()
    expect(page.get_by_text(t("kandidat.imported", n=1)).first).to_be_visible()  # on the page and as a toast
    expect(page.get_by_text(t("kandidat.import_rejected", n=1))).to_have_count(0)
    assert names(database) == ["Budi Santoso", "Siti Aminah"]
