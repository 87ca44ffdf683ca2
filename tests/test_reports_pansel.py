"""The Pansel's papers (SPEC §6.3), read back with pdftotext as a Pansel secretary reads them: the berita acara
hasil seleksi of a position and the surat pengantar to the PPK."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from apptest_helpers import ROOT, fill, open_page, submit
from test_reports_recap import blank_border, user

from core import pansel, report_pansel, results
from core.db import one, rows
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.i18n import format_number, format_percent, t

SELEKSI, PEMETAAN = 1, 2
HEADING = "PANITIA SELEKSI TERBUKA JABATAN PIMPINAN TINGGI PRATAMA PEMERINTAH KOTA HARAPAN JAYA"
SK = "800.1.3.3/412/BKPSDM/2026"
MEMBERS = [{"name": "Drs. H. Ahmad Fauzi, M.Si.", "nip": "196805121994031004", "role": "ketua"},
           {"name": "Siti Rahmawati, S.H., M.H.", "nip": "197502142000032001", "role": "sekretaris"},
           {"name": "Prof. Dr. Bambang Wijaya, M.A.", "nip": "", "role": "anggota"},
           {"name": "Dr. Lestari Handayani, M.Psi., Psikolog", "nip": "197808172005012003", "role": "anggota"},
           {"name": "Ir. Joko Prasetyo, M.T.", "nip": "197011201998031005", "role": "anggota"}]
MEETING, ROOM = "2026-11-27", "Ruang Rapat Sekretariat Daerah"  # a Friday


@pytest.fixture
def recorded(demo_db):
    """The demo with its seleksi terbuka's Pansel recorded; returns the admin."""
    admin = user(demo_db, "admin")
    pansel.save_pansel(demo_db, admin, SELEKSI, {"heading": HEADING, "sk_number": SK, "sk_date": "2026-10-01",
                                                 "ppk": "Wali Kota Harapan Jaya",
                                                 "number_format": pansel.DEFAULT_NUMBER_FORMAT})
    pansel.set_members(demo_db, admin, SELEKSI, MEMBERS)
    return admin


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page as pdftotext reads it, whitespace collapsed."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def read(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))


def final_position(database) -> tuple[int, list[dict]]:
    """The first position whose peserta are all final, with its three best names."""
    table = results.event_results(database, SELEKSI)
    open_positions = set(table[table["finalized_at"].isna()]["position_id"])
    position_id = next(int(p) for p in table["position_id"] if p not in open_positions)
    return position_id, results.top_three(table, position_id)[0]


def close_open_positions(database, keep_empty: int = 1) -> list[str]:
    """The demo's seleksi with every position final: the peserta of the positions still open are removed; the
    first ``keep_empty`` of those positions stay without peserta, the others go. Returns the kept empty ones."""
    table = results.event_results(database, SELEKSI)
    final = {int(p) for p, g in table.groupby("position_id") if g["finalized_at"].notna().all()}
    open_ids = [p["id"] for p in rows(database, "SELECT id FROM positions WHERE event_id = ? ORDER BY id",
                                      (SELEKSI,)) if p["id"] not in final]
    database.execute(f"DELETE FROM registrations WHERE position_id IN ({','.join('?' * len(open_ids))})", open_ids)
    gone = open_ids[keep_empty:]
    database.execute(f"DELETE FROM positions WHERE id IN ({','.join('?' * len(gone))})", gone)
    return [one(database, "SELECT name FROM positions WHERE id = ?", (p,))["name"] for p in open_ids[:keep_empty]]


def issue(database, admin, day=MEETING, place=ROOM) -> tuple[dict, bytes]:
    return report_pansel.issue_berita_acara(database, admin, SELEKSI, final_position(database)[0], day, place)


# The berita acara ----------------------------------------------------------------------------

def test_berita_acara_is_the_pansels_paper_with_its_number_and_sk(demo_db, recorded):
    text = read(issue(demo_db, recorded)[1])
    assert text.startswith(HEADING)
    assert "Nomor: 800/001/Pansel.JPT/XI/2026" in text
    assert f"Keputusan Wali Kota Harapan Jaya Nomor {SK} tanggal 1 Oktober 2026" in text
    assert "BADAN KEPEGAWAIAN" not in text  # not on the BKPSDM letterhead


def test_berita_acara_is_dated_on_the_meeting_day_as_entered(demo_db, recorded):
    text = read(issue(demo_db, recorded)[1])
    assert f"Pada hari ini, Jumat, tanggal 27 November 2026, bertempat di {ROOM}, Panitia Seleksi" in text
    assert "Desember" not in text.replace("2 Desember", "")  # nothing of the printing day


def test_a_reprint_on_another_day_is_the_paper_that_was_issued(demo_db, recorded):
    paper, issued = issue(demo_db, recorded)
    pansel.set_members(demo_db, recorded, SELEKSI, MEMBERS[:1])  # later changes do not reach an issued paper
    pansel.save_pansel(demo_db, recorded, SELEKSI, pansel.get_pansel(demo_db, SELEKSI) | {"sk_number": "800/9/2027"})
    again = report_pansel.reprint(demo_db, user(demo_db, "pimpinan.sekda"), paper["id"])
    assert again == issued
    assert "Jumat, tanggal 27 November 2026" in read(again) and MEMBERS[-1]["name"] in read(again)


def test_berita_acara_names_the_three_best_in_rank_order(demo_db, recorded):
    _, best = final_position(demo_db)
    text = read(issue(demo_db, recorded)[1])
    places = [text.find(f"{b['rank']} {b['name']} {b['nip']} {format_percent(b['jpm'])}") for b in best]
    assert len(best) == 3 and -1 not in places and places == sorted(places)
    assert all(format_number(b["final"], 2) in text for b in best)


def test_berita_acara_has_a_signature_line_for_every_member_as_recorded(demo_db, recorded):
    text = read(issue(demo_db, recorded)[1])
    for number, member in enumerate(MEMBERS, start=1):
        nip = f"NIP. {member['nip']}" if member["nip"] else "NIP. –"
        assert f"{number}. {member['name']} {nip}" in text
    assert text.count(". ....................") == len(MEMBERS)


@pytest.mark.parametrize("size", [1, 12])
def test_any_number_of_members_and_no_page_holds_only_the_signatures(demo_db, recorded, size):
    many = [{"name": f"Anggota Pansel Nomor {i}", "nip": "", "role": "ketua" if i == 1 else "anggota"}
            for i in range(1, size + 1)]
    pansel.set_members(demo_db, recorded, SELEKSI, many)
    pages = pdf_pages(issue(demo_db, recorded)[1])
    assert all(f"Anggota Pansel Nomor {i} NIP" in " ".join(pages) for i in range(1, size + 1))
    assert "Demikian berita acara ini dibuat" in pages[-1]  # the closing travels with the signatures


def test_the_signature_table_is_never_split_even_with_long_names(demo_db, recorded):
    long = [{"name": f"Prof. Dr. Ir. Raden Mas Anggota Panitia Seleksi Nomor {i}, S.T., M.T., M.Sc., Ph.D.",
             "nip": "", "role": "ketua" if i == 1 else "anggota"} for i in range(1, 6)]
    pansel.set_members(demo_db, recorded, SELEKSI, long)
    last = pdf_pages(issue(demo_db, recorded)[1])[-1]
    assert "Demikian berita acara ini dibuat" in last
    assert all(f"Seleksi Nomor {i}," in last for i in range(1, 6))


def test_every_page_is_rahasia_and_the_words_are_right(demo_db, recorded):
    pages = pdf_pages(issue(demo_db, recorded)[1])
    assert all("RAHASIA" in page for page in pages)
    text = " ".join(pages)
    assert "Saudara/i" not in text and "kelas jabatan" not in text.lower()


def test_no_berita_acara_for_a_position_not_yet_final(demo_db, recorded):
    table = results.event_results(demo_db, SELEKSI)
    open_position = int(table[table["finalized_at"].isna()]["position_id"].iloc[0])
    with pytest.raises(Conflict):
        report_pansel.issue_berita_acara(demo_db, recorded, SELEKSI, open_position, MEETING, ROOM)
    assert rows(demo_db, "SELECT * FROM pansel_papers") == []


def test_the_demo_records_its_pansel(demo_db):
    recorded = pansel.get_pansel(demo_db, SELEKSI)
    assert recorded["heading"].startswith("PANITIA SELEKSI TERBUKA") and len(recorded["members"]) == 5
    assert [m["role"] for m in recorded["members"]][:2] == ["ketua", "sekretaris"]


def test_no_paper_before_the_pansel_is_recorded(demo_db):
    demo_db.execute("DELETE FROM pansel_members")
    with pytest.raises(Conflict) as err:
        issue(demo_db, user(demo_db, "admin"))
    assert "Panitia Seleksi" in str(err.value)


def test_berita_acara_refuses_a_position_of_another_event(demo_db, recorded):
    other = one(demo_db, "SELECT id FROM positions WHERE event_id = ?", (PEMETAAN,))["id"]
    with pytest.raises(NotFound):
        report_pansel.issue_berita_acara(demo_db, recorded, SELEKSI, other, MEETING, ROOM)


def test_the_papers_stay_inside_the_margins(demo_db, recorded, tmp_path):
    long_name = "Prof. Dr. Ir. Raden Mas Bambang Sulistyo Hadiningrat Wicaksono Adikusumo, S.T., M.T., M.Sc., Ph.D."
    pansel.set_members(demo_db, recorded, SELEKSI, [{"name": long_name, "nip": "", "role": "ketua"}, *MEMBERS[1:]])
    close_open_positions(demo_db)
    letter = report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-30")[1]
    builds = {"ba": issue(demo_db, recorded)[1], "pengantar": letter}
    assert {name: blank_border(pdf, tmp_path, name) for name, pdf in builds.items()} == {"ba": [], "pengantar": []}
    assert all(long_name in read(pdf) for pdf in builds.values())


# The surat pengantar -------------------------------------------------------------------------

def test_surat_pengantar_lists_the_three_names_of_every_position_to_the_ppk(demo_db, recorded):
    issue(demo_db, recorded)
    [empty] = close_open_positions(demo_db)
    paper, pdf = report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-30")
    text = read(pdf)
    assert paper["number"] == "800/002/Pansel.JPT/XI/2026"
    assert f"Nomor Sifat Lampiran Hal : {paper['number']} : Rahasia" in text
    assert "Kota Harapan Jaya, 30 November 2026" in text and "Yth. Wali Kota Harapan Jaya" in text
    assert f"Nomor {SK} tanggal 1 Oktober 2026" in text
    table = results.event_results(demo_db, SELEKSI)
    finals = [p for p, g in table.groupby("position_id") if g["finalized_at"].notna().all()]
    assert len(finals) == 4
    for position_id in finals:
        best, _ = results.top_three(table, position_id)
        places = [text.find(f"{b['rank']} {b['name'].split(',')[0]}") for b in best]  # a long name wraps
        assert -1 not in places and places == sorted(places) and all(b["nip"] in text for b in best)
    assert f"5. {empty} Tidak ada peserta untuk jabatan ini." in text  # a post without peserta is named
    assert f"Ketua Panitia Seleksi, {MEMBERS[0]['name']} NIP. {MEMBERS[0]['nip']}" in text
    assert all("RAHASIA" in page for page in pdf_pages(pdf))
    assert "Saudara/i" not in text and "kelas jabatan" not in text.lower()


def test_surat_pengantar_takes_its_place_line_from_the_settings_not_the_meeting_room(demo_db, recorded):
    issue(demo_db, recorded)  # the meeting in the Ruang Rapat
    close_open_positions(demo_db)
    demo_db.execute("UPDATE settings SET value = json_set(value, '$.city', 'Kota Uji Coba') WHERE key = 'letterhead'")
    paper, pdf = report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-30")
    text = read(pdf)
    assert "Kota Uji Coba, 30 November 2026" in text and ROOM not in text
    assert (paper["place"], pansel.get_paper(demo_db, paper["id"])["place"]) == ("Kota Uji Coba", "Kota Uji Coba")


def test_no_surat_pengantar_without_the_city_in_the_settings(demo_db, recorded):
    close_open_positions(demo_db)
    demo_db.execute("UPDATE settings SET value = json_set(value, '$.city', '') WHERE key = 'letterhead'")
    with pytest.raises(ValidationError) as err:
        report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-30")
    assert "Pengaturan" in str(err.value)
    assert rows(demo_db, "SELECT * FROM pansel_papers") == []


def test_no_surat_pengantar_while_a_position_is_not_final_and_the_refusal_names_them(demo_db, recorded):
    table = results.event_results(demo_db, SELEKSI)
    final = {int(p) for p, g in table.groupby("position_id") if g["finalized_at"].notna().all()}
    open_names = [p["name"] for p in rows(demo_db, "SELECT id, name FROM positions WHERE event_id = ? ORDER BY id",
                                          (SELEKSI,)) if p["id"] not in final]
    assert len(open_names) == 8
    with pytest.raises(Conflict) as err:
        report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-30")
    assert str(err.value).startswith("Surat pengantar belum dapat diterbitkan: hasil 8 jabatan belum final")
    assert all(name in str(err.value) for name in open_names)
    assert rows(demo_db, "SELECT * FROM pansel_papers") == []
    assert one(demo_db, "SELECT count(*) AS n FROM audit_log WHERE entity = 'pansel_paper'")["n"] == 0


def test_no_surat_pengantar_while_no_position_is_final(demo_db, recorded):
    demo_db.execute("UPDATE results SET finalized_at = NULL WHERE registration_id IN"
                    " (SELECT id FROM registrations WHERE event_id = ?)", (SELEKSI,))
    with pytest.raises(Conflict):
        report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-30")


def test_surat_pengantar_dates_are_checked_like_the_meetings(demo_db, recorded):
    close_open_positions(demo_db)
    with pytest.raises(ValidationError) as err:
        report_pansel.issue_pengantar(demo_db, recorded, SELEKSI, "2026-11-19")
    assert err.value.key == "pansel.meeting_before_end"
    assert rows(demo_db, "SELECT * FROM pansel_papers") == []


# Who may issue and print them --------------------------------------------------------------------

@pytest.mark.parametrize("username", ["pimpinan.sekda", "asesor.rini"])
def test_only_the_admin_issues(demo_db, recorded, username):
    with pytest.raises(PermissionDenied):
        issue(demo_db, user(demo_db, username))
    assert rows(demo_db, "SELECT * FROM pansel_papers") == []


@pytest.mark.parametrize(("username", "allowed"), [("pimpinan.sekda", True), ("asesor.rini", True),
                                                   ("asesor.bambang", False)])
def test_readers_of_the_event_may_print_again(demo_db, recorded, username, allowed):
    paper, issued = issue(demo_db, recorded)
    if allowed:
        assert report_pansel.reprint(demo_db, user(demo_db, username), paper["id"]) == issued
    else:
        with pytest.raises(PermissionDenied):
            report_pansel.reprint(demo_db, user(demo_db, username), paper["id"])


# The pages ---------------------------------------------------------------------------------------

def test_kegiatan_records_the_pansel_of_a_seleksi(demo_db):
    demo_db.execute("DELETE FROM pansel_members")
    demo_db.execute("DELETE FROM pansel")
    at = open_page(demo_db, user(demo_db, "admin"), str(ROOT / "pages" / "kegiatan.py"))
    form = at.form(key=f"kegiatan_pansel_{SELEKSI}")
    fill(form, {t("pansel.field.heading"): HEADING, t("pansel.field.sk_number"): SK,
                t("pansel.field.ppk"): "Wali Kota Harapan Jaya"})
    at = submit(form)
    assert not at.exception and t("common.saved") in [s.value for s in at.success]
    saved = pansel.get_pansel(demo_db, SELEKSI)
    assert (saved["heading"], saved["sk_number"], saved["ppk"], saved["number_format"]) == (
        HEADING, SK, "Wali Kota Harapan Jaya", pansel.DEFAULT_NUMBER_FORMAT)


def test_laporan_issues_a_berita_acara_with_the_meeting_as_entered(demo_db, recorded):
    at = open_page(demo_db, recorded, str(ROOT / "pages" / "laporan.py"))
    at = at.segmented_control(key="laporan_view").set_value("recap").run()
    form = at.form(key="laporan_pansel_issue")
    position_id, _ = final_position(demo_db)
    fill(form, {t("pansel.field.meeting_date"): dt.date(2026, 11, 27), t("pansel.field.place"): ROOM,
                t("laporan.pansel_position"): position_id})
    at = submit(form)
    assert not at.exception and not at.error
    [paper] = pansel.list_papers(demo_db, SELEKSI)
    assert (paper["number"], paper["meeting_date"], paper["place"]) == ("800/001/Pansel.JPT/XI/2026", MEETING, ROOM)
    assert at.selectbox(key="laporan_pansel_pick").value == paper["id"]


def test_laporan_says_why_a_paper_cannot_be_issued(demo_db):
    demo_db.execute("DELETE FROM pansel_members")
    at = open_page(demo_db, user(demo_db, "admin"), str(ROOT / "pages" / "laporan.py"))
    form = at.segmented_control(key="laporan_view").set_value("recap").run().form(key="laporan_pansel_issue")
    at = submit(fill(form, {t("pansel.field.place"): ROOM}))
    assert [e.value for e in at.error] == [t("pansel.not_recorded")]
    assert pansel.list_papers(demo_db, SELEKSI) == []


def test_laporan_issues_the_surat_pengantar_only_when_every_position_is_final(demo_db, recorded):
    at = open_page(demo_db, recorded, str(ROOT / "pages" / "laporan.py"))
    at = at.segmented_control(key="laporan_view").set_value("recap").run()
    form = at.form(key="laporan_pansel_issue")
    form.radio[0].set_value("pengantar")
    at = submit(fill(form, {t("pansel.field.meeting_date"): dt.date(2026, 11, 30)}))
    assert len(at.error) == 1 and "8 jabatan belum final" in at.error[0].value
    assert pansel.list_papers(demo_db, SELEKSI) == []
    close_open_positions(demo_db)
    form = at.form(key="laporan_pansel_issue")
    form.radio[0].set_value("pengantar")
    at = submit(fill(form, {t("pansel.field.meeting_date"): dt.date(2026, 11, 30)}))
    assert not at.exception and not at.error
    [paper] = pansel.list_papers(demo_db, SELEKSI)
    assert (paper["kind"], paper["meeting_date"], paper["place"]) == ("pengantar", "2026-11-30", "Kota Harapan Jaya")


def test_laporan_refuses_a_meeting_date_in_the_future(demo_db, recorded):
    at = open_page(demo_db, recorded, str(ROOT / "pages" / "laporan.py"))
    form = at.segmented_control(key="laporan_view").set_value("recap").run().form(key="laporan_pansel_issue")
    later = dt.date.today() + dt.timedelta(days=3)
    at = submit(fill(form, {t("pansel.field.meeting_date"): later, t("pansel.field.place"): ROOM,
                            t("laporan.pansel_position"): final_position(demo_db)[0]}))
    assert len(at.error) == 1 and "belum tiba" in at.error[0].value
    assert pansel.list_papers(demo_db, SELEKSI) == []
