"""The office's real files through the Kandidat page (SPEC §9), in Chromium against a real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import app
from core import auth, db, importer, mappings, registry, talent_store
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


def test_a_potensi_file_with_unknown_aspect_headers_is_mapped_on_screen(admin_app, page, tmp_path):
    """Issue 11 item 3 for the talent files: the officer maps the aspect columns; the choice is remembered."""
    database = admin_app.database()
    actor = db.one(database, "SELECT * FROM users WHERE role = 'admin'")
    person = registry.create_candidate(database, actor, nip_text="197501012000031001", name="Budi Santoso")
    open_import_tab(page, admin_app.url)
    # Streamlit's uploader speaks English ("Upload", "500MB per file"): the app's stylesheet replaces it.
    expect(page.get_by_text("per file").first).to_be_hidden()
    button = page.locator(app.UPLOAD_BUTTON).first
    expect(button).to_be_visible()
    assert button.evaluate("e => getComputedStyle(e, '::after').content") == f'"{t("app.upload_button")}"'
    page.screenshot(path=str(tmp_path / "uploader.png"))
    page.get_by_text(t("talentform.kind.potensi")).click()
    header = ["NIP", "Nama", "Aspek 1", "Aspek 2"]
    path = tmp_path / "psikolog.csv"
    path.write_bytes(filegen.build("csv:utf-8:;", [("x", [header, ["197501012000031001", "Budi", "4", "5"]])]))
    page.locator(".st-key-talent_potensi_upload input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("button", name=f"Remove {path.name}")).to_be_visible()
    page.get_by_role("button", name=t("talentform.import_go")).click()
    expect(page.get_by_text(t("reader.map.title"))).to_be_visible()
    expect(page.get_by_text("Tidak ada kolom isi yang dikenali", exact=False)).to_be_visible()
    for code, column in (("P.01", "3. Aspek 1"), ("P.02", "4. Aspek 2")):
        label = importer.field_label(code)
        box = page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(column)  # typed, as an officer narrows a long list
        page.get_by_role("option", name=column, exact=True).click()
        expect(box).to_have_count(1)
        expect(box).to_have_value(column)
    page.get_by_role("button", name=t("reader.map.go")).click()
    expect(page.get_by_text(t("talentform.imported", n=1)).first).to_be_visible()
    stored = talent_store.potensi_of(database, person)
    assert {code: item["level"] for code, item in stored.items()} == {"P.01": 4, "P.02": 5}
    signature = "nip|nama|aspek1|aspek2"
    assert mappings.saved(database, "potensi", signature) == {"nip": 0, "name": 1, "P.01": 2, "P.02": 3}
