"""Laporan individu (SPEC §6.1, §6.4): content of the PDF, verification codes, permissions, margins, the ZIP."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from core import audit, db, integration, letterhead, pool, registry, reports
from core.errors import Conflict, PermissionDenied
from core.i18n import format_percent, local_date
from core.pdf import MARGIN, ReportPDF

SELEKSI, PEMETAAN = 1, 2  # event ids of the demo: pengisian (partly final), pemetaan (all final)
LONG_NAME = "Prof. Dr. Ir. Hj. Siti Nurhaliza Rahmawati Kusumaningtyas, S.E., M.Si., M.M."
LONG_UNIT = ("Bidang Perencanaan, Pengendalian dan Evaluasi Pembangunan Daerah pada Badan Perencanaan "
             "Pembangunan, Penelitian dan Pengembangan Daerah Kota Harapan Jaya")
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


# Fixtures and helpers -------------------------------------------------------------------------

def user(database, username: str) -> dict:
    return db.one(database, "SELECT * FROM users WHERE username = ?", (username,))


def lead(database, event_id: int) -> dict:
    return db.one(database, """SELECT u.* FROM users u JOIN event_assessors ea ON ea.user_id = u.id
                               WHERE ea.event_id = ? AND ea.is_lead = 1""", (event_id,))


def finalised(database, event_id: int) -> list[int]:
    return [r["id"] for r in db.rows(database, """SELECT r.id FROM registrations r JOIN results res
        ON res.registration_id = r.id WHERE r.event_id = ? AND res.finalized_at IS NOT NULL ORDER BY r.id""",
                                      (event_id,))]


def open_not_final(database, event_id: int = SELEKSI) -> int:
    """A candidate of the seleksi whose assessors have all submitted but who has no consensus yet."""
    return db.one(database, """SELECT r.id FROM registrations r LEFT JOIN consensus cs ON cs.registration_id = r.id
        WHERE r.event_id = ? AND NOT EXISTS (SELECT 1 FROM assignments a LEFT JOIN submissions s
              ON s.registration_id = a.registration_id AND s.assessor_id = a.assessor_id
              WHERE a.registration_id = r.id AND s.assessor_id IS NULL)
          AND cs.registration_id IS NULL ORDER BY r.id LIMIT 1""", (event_id,))["id"]


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF with runs of whitespace (line ends included) as one space."""
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def expected_jpm_sentence(database, registration_id: int) -> str:
    """The §4.4 sentence recomputed from the consensus table and the position's standard."""
    cells = db.rows(database, """SELECT s.level AS standard, cs.level AS consensus FROM registrations r
        JOIN position_standards s ON s.position_id = r.position_id
        JOIN consensus cs ON cs.registration_id = r.id AND cs.competency = s.competency WHERE r.id = ?""",
                    (registration_id,))
    achieved, standard = sum(c["consensus"] for c in cells), sum(c["standard"] for c in cells)
    info = db.one(database, """SELECT c.name, cat.name AS category FROM registrations r
        JOIN candidates c ON c.id = r.candidate_id JOIN events e ON e.id = r.event_id
        JOIN results res ON res.registration_id = r.id
        JOIN categories cat ON cat.purpose = e.purpose AND cat.code = res.category WHERE r.id = ?""",
                  (registration_id,))
    return (f"Berdasarkan hasil penilaian, nilai total kompetensi Saudara {info['name']} adalah {achieved} dari "
            f"total standar {standard} atau setara dengan {format_percent(100 * achieved / standard)} Job Person "
            f"Match (JPM), kategori {info['category']}.")


def candidate_of(database, registration_id: int) -> dict:
    return db.one(database, """SELECT c.* FROM candidates c JOIN registrations r ON r.candidate_id = c.id
                               WHERE r.id = ?""", (registration_id,))


def report_rows(database) -> int:
    return database.execute("SELECT count(*) FROM reports").fetchone()[0]


def reopen_and_change(database, registration_id: int, **narrative: str) -> None:
    """Admin reopens a final result; the Ketua Tim changes one consensus (and the narrative), then finalises."""
    admin, chair = user(database, "admin"), lead(database, PEMETAAN)
    integration.reopen_result(database, admin, registration_id, "Koreksi setelah klarifikasi tim")
    if narrative:
        integration.save_narrative(database, chair, registration_id, **narrative)
    else:
        cell = db.one(database, "SELECT * FROM consensus WHERE registration_id = ? AND competency = 'M.01'",
                      (registration_id,))
        integration.set_consensus(database, chair, registration_id, "M.01", 5 if cell["level"] < 5 else 4,
                                  "Bukti tambahan dari wawancara kompetensi dibahas ulang oleh tim.")
    integration.finalise(database, chair, registration_id)


# Content of the PDF ---------------------------------------------------------------------------

def test_pengisian_report_shows_the_jpm_sentence_nip_number_and_code(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    pdf, record = reports.issue_individual(demo_db, user(demo_db, "admin"), registration_id)
    text = pdf_text(pdf)
    assert expected_jpm_sentence(demo_db, registration_id) in text
    assert candidate_of(demo_db, registration_id)["nip"] in text
    assert record["number"] in text and record["code"] in text
    assert "LAPORAN INDIVIDU HASIL PENILAIAN KOMPETENSI" in text
    assert "saran penempatan" not in text.lower()
    assert "DRAF" not in text
    assert 1 <= page_count(pdf) <= 3
    url = f"http://localhost:8501/verifikasi?kode={record['code']}"  # the shipped server_url
    assert f"Pindaiataubuka{url}untukmemeriksakeaslian" in "".join(text.split())
    assert image_count(pdf) == 1  # the QR code; the chart is vector graphics, its names are text
    assert text.count("Integritas") >= 2  # the profile table and the chart's label


def test_pemetaan_report_has_saran_penempatan(demo_db):
    registration_id = finalised(demo_db, PEMETAAN)[0]
    pdf, _record = reports.issue_individual(demo_db, user(demo_db, "admin"), registration_id)
    text = pdf_text(pdf)
    assert "saran penempatan" in text.lower()
    assert expected_jpm_sentence(demo_db, registration_id) in text
    assert 1 <= page_count(pdf) <= 3


def test_pemetaan_placement_follows_the_box_of_the_recap_not_the_category(demo_db):
    """Review of issue 13: a KO person in box 9 read "penempatan perlu ditinjau", an O person in box 1 "rencana
    suksesi". Section VI now prints the box and the recommendation the pemetaan recap shows."""
    from core import results

    boxes = results.ninebox_summary(demo_db, PEMETAAN)
    admin = user(demo_db, "admin")
    for number in (9, 1):
        person = next(b for b in boxes if b["box"] == number)["people"][0]
        text = pdf_text(reports.issue_individual(demo_db, admin, person["registration_id"])[0])
        section = text[text.index("VI. SARAN PENEMPATAN"):]
        action = next(b for b in boxes if b["box"] == number)["action"]
        assert f"kotak {number}" in section and " ".join(action.split()) in section
        assert ("rencana suksesi" in section) == (number == 9)
        assert "penempatan perlu ditinjau" not in section


def test_number_follows_the_format_and_counts_within_the_event(demo_db):
    first, second = finalised(demo_db, PEMETAAN)[:2]
    admin = user(demo_db, "admin")
    numbers = [reports.issue_individual(demo_db, admin, reg)[1]["number"] for reg in (first, second)]
    roman = letterhead.ROMAN_MONTHS[reports.local_date(audit.now()).month - 1]
    assert [re.fullmatch(rf"800/(\d{{3}})/AC-BKPSDM/{roman}/(\d{{4}})", n).group(1) for n in numbers] == ["001", "002"]


def test_draft_has_the_watermark_and_records_nothing(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    draft = reports.draft_individual(demo_db, user(demo_db, "admin"), registration_id)
    text = pdf_text(draft)
    assert "DRAF" in text and "DRAF — bukan dokumen resmi" in text
    assert expected_jpm_sentence(demo_db, registration_id) in text
    assert "Pindai" not in text and image_count(draft) == 0  # no QR code (the chart is vector graphics)
    assert report_rows(demo_db) == 0


def test_draft_of_a_result_still_in_integration(demo_db):
    registration_id = open_not_final(demo_db)
    chair = lead(demo_db, SELEKSI)
    with pytest.raises(Conflict) as refused:
        reports.draft_individual(demo_db, chair, registration_id)
    assert refused.value.key == "report.no_consensus"
    cell = integration.meeting(demo_db, chair, registration_id)["competencies"][0]
    integration.set_consensus(demo_db, chair, registration_id, cell["code"], cell["suggested"])
    text = pdf_text(reports.draft_individual(demo_db, chair, registration_id))
    assert "DRAF" in text and "JPM belum dapat dihitung" in text


def test_user_text_is_printed_literally(demo_db):
    registration_id = finalised(demo_db, PEMETAAN)[0]
    tricky = {"kekuatan": "<script>alert(1)</script> dan **tebal**", "area_pengembangan": "=SUM(A1)",
              "saran_pengembangan": "__garis__ [tautan](http://contoh) #judul", "saran_penempatan": "@HYPERLINK"}
    reopen_and_change(demo_db, registration_id, **tricky)
    text = pdf_text(reports.issue_individual(demo_db, user(demo_db, "admin"), registration_id)[0])
    for value in tricky.values():
        assert value in text


def test_long_name_and_unit_wrap_inside_the_page(demo_db, tmp_path):
    registration_id = finalised(demo_db, SELEKSI)[0]
    person = candidate_of(demo_db, registration_id)
    registry.update_candidate(demo_db, user(demo_db, "admin"), person["id"], person["nip"], LONG_NAME,
                              person["golongan"], LONG_UNIT, LONG_UNIT)
    pdf, _record = reports.issue_individual(demo_db, user(demo_db, "admin"), registration_id)
    text = pdf_text(pdf)
    assert LONG_NAME in text and LONG_UNIT in text
    assert expected_jpm_sentence(demo_db, registration_id) in text
    assert dark_pixels_near_edges(pdf, tmp_path) == {}


def test_long_signatory_names_wrap_underlined_and_stay_with_the_verification_box(demo_db, tmp_path):
    """Review of issue 13: a name that must wrap keeps its rule on every line, and the taller signatures still
    share their page with the verification box (the closing block is measured, not assumed 90 mm)."""
    from core import settings

    admin = user(demo_db, "admin")
    head = reports.letterhead_settings(demo_db)
    head["pimpinan"] |= {"name": LONG_NAME, "title": "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya "
                                                      "Manusia Kota Harapan Jaya"}
    settings.put(demo_db, admin, "letterhead", head)
    chair = "Dr. Drs. H. Muhammad Abdurrahman Wicaksono, S.Psi., M.Psi., Psikolog"
    demo_db.execute("UPDATE users SET full_name = ? WHERE id = ?", (chair, lead(demo_db, PEMETAAN)["id"]))
    for registration_id in finalised(demo_db, PEMETAAN)[::3]:  # section VI ends at many heights of a page
        pdf, _record = reports.issue_individual(demo_db, admin, registration_id)
        last = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
        assert " ".join(last.split()).count(LONG_NAME) == 1 and "Wicaksono" in last, registration_id
        assert f"NIP. {head['pimpinan']['nip']}" in last and "Pindai" in last, registration_id
        assert "VI. SARAN PENEMPATAN" in last, registration_id
    assert dark_pixels_near_edges(pdf, tmp_path) == {}


# Margins --------------------------------------------------------------------------------------

def dark_pixels_near_edges(pdf: bytes, folder, dpi: int = 50) -> dict[int, int]:
    """Per page: how many pixels darker than near-white lie within MARGIN − 3 mm of an edge."""
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")], check=True)
    band = round((MARGIN - 3) / 25.4 * dpi)
    found = {}
    for number, png in enumerate(sorted(folder.glob("page-*.png")), start=1):
        pixels = np.asarray(Image.open(png).convert("L"))
        edges = np.concatenate([pixels[:band].ravel(), pixels[-band:].ravel(),
                                pixels[:, :band].ravel(), pixels[:, -band:].ravel()])
        dark = int((edges < 235).sum())
        if dark:
            found[number] = dark
    return found


def test_margin_check_sees_ink_at_the_edge(tmp_path):
    """The detector itself: text drawn 5 mm from the edge is found."""
    pdf = ReportPDF({"instansi": "Uji"})
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.text(5, 150, "TEPI")
    assert dark_pixels_near_edges(pdf.output_bytes(), tmp_path) != {}


def test_final_report_stays_inside_the_margins(demo_db, tmp_path):
    pdf, _record = reports.issue_individual(demo_db, user(demo_db, "admin"), finalised(demo_db, PEMETAAN)[0])
    assert dark_pixels_near_edges(pdf, tmp_path) == {}


# Verification ---------------------------------------------------------------------------------

def test_issued_code_verifies_with_the_name(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    _pdf, record = reports.issue_individual(demo_db, user(demo_db, "admin"), registration_id)
    assert CODE_RE.match(record["code"])
    found = reports.verify(demo_db, record["code"])
    assert found == {"status": "valid", "name": candidate_of(demo_db, registration_id)["name"],
                     "issued_at": record["issued_at"], "number": record["number"],
                     "issued_on": local_date(record["issued_at"], "WIB").isoformat(),
                     "event": registry.get_event(demo_db, SELEKSI)["name"]}
    typed = record["code"].lower().replace("-", " ")
    assert reports.verify(demo_db, f"  {typed} ") == found
    assert reports.verify(demo_db, f"http://server:8501/verifikasi?kode={record['code']}") == found


def test_tampered_code_is_unknown(demo_db):
    _pdf, record = reports.issue_individual(demo_db, user(demo_db, "admin"), finalised(demo_db, SELEKSI)[0])
    code = record["code"]
    tampered = ("1" if code[0] != "1" else "2") + code[1:]
    assert reports.verify(demo_db, tampered) is None
    assert reports.verify(demo_db, code[:-1]) is None


def test_confusable_letters_read_as_digits():
    assert reports.normalise_code("il0o-ILOO-abcd") == "1100-1100-ABCD"
    assert reports.normalise_code("UUUU-UUUU-UUUU") is None  # U is not in Crockford's alphabet


def test_reissue_without_change_keeps_code_and_number(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    admin = user(demo_db, "admin")
    first_pdf, first = reports.issue_individual(demo_db, admin, registration_id)
    rows_before = report_rows(demo_db)
    second_pdf, second = reports.issue_individual(demo_db, admin, registration_id)
    assert (second["code"], second["number"], second["id"]) == (first["code"], first["number"], first["id"])
    assert report_rows(demo_db) == rows_before == 1
    assert pdf_text(second_pdf) == pdf_text(first_pdf)


def test_changed_result_gets_a_new_code_and_the_old_one_is_superseded(demo_db):
    registration_id = finalised(demo_db, PEMETAAN)[0]
    admin = user(demo_db, "admin")
    _pdf, old = reports.issue_individual(demo_db, admin, registration_id)
    reopen_and_change(demo_db, registration_id)
    pdf, new = reports.issue_individual(demo_db, admin, registration_id)
    assert new["code"] != old["code"] and new["number"] != old["number"]
    assert reports.verify(demo_db, old["code"])["status"] == "superseded"
    assert reports.verify(demo_db, new["code"])["status"] == "valid"
    assert expected_jpm_sentence(demo_db, registration_id) in pdf_text(pdf)
    issued = db.rows(demo_db, "SELECT * FROM audit_log WHERE action = 'issue' AND entity = 'report'")
    assert [e["entity_id"] for e in issued] == [str(old["id"]), str(new["id"])]


def test_code_collision_is_salted(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    data = reports.individual_data(demo_db, registration_id)
    taken = reports.short_code(reports.content_hash(data))
    other = finalised(demo_db, SELEKSI)[1]
    demo_db.execute("INSERT INTO reports (registration_id, number, code, content_hash, issued_at, issued_by)"
                    " VALUES (?, 'x', ?, 'lain', '2026-01-01T00:00:00+00:00', 1)", (other, taken))
    _pdf, record = reports.issue_individual(demo_db, user(demo_db, "admin"), registration_id)
    assert record["code"] != taken and CODE_RE.match(record["code"])
    assert reports.verify(demo_db, record["code"])["status"] == "valid"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.one_of(st.text(max_size=60), st.from_regex(r"[0-9A-Za-z \-]{10,20}", fullmatch=True),
                      st.none(), st.integers(), st.binary(max_size=20)))
def test_verify_never_raises_on_junk(demo_db, junk):
    found = reports.verify(demo_db, junk)
    assert found is None or set(found) == {"status", "name", "issued_at", "issued_on", "number", "event"}


def test_content_hash_and_code_are_stable_and_sensitive(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    data = reports.individual_data(demo_db, registration_id)
    digest = reports.content_hash(data)
    assert reports.content_hash(reports.individual_data(demo_db, registration_id)) == digest
    changed = data | {"profile": [dict(data["profile"][0], consensus=1), *data["profile"][1:]]}
    assert reports.content_hash(changed) != digest
    assert reports.content_hash(data | {"event": data["event"] | {"venue": "Aula lain"}}) != digest
    unprinted = data | {"event": data["event"] | {"start_date": "2020-01-01"}, "finalised": False}
    assert reports.content_hash(unprinted) == digest
    assert reports.short_code(digest) == reports.short_code(digest)
    assert reports.short_code(digest, "1") != reports.short_code(digest)
    assert CODE_RE.match(reports.short_code(digest, "1"))


# Permissions ----------------------------------------------------------------------------------

def test_non_lead_assessor_is_refused(demo_db):
    registration_id = finalised(demo_db, SELEKSI)[0]
    outsider = user(demo_db, "asesor.hasan")
    assert lead(demo_db, SELEKSI)["id"] != outsider["id"]
    for attempt in (lambda: reports.issue_individual(demo_db, outsider, registration_id),
                    lambda: reports.draft_individual(demo_db, outsider, registration_id),
                    lambda: reports.zip_individual(demo_db, outsider, SELEKSI)):
        with pytest.raises(PermissionDenied):
            attempt()
    assert report_rows(demo_db) == 0


def test_lead_of_another_event_is_refused(demo_db):
    with pytest.raises(PermissionDenied):
        reports.issue_individual(demo_db, lead(demo_db, PEMETAAN), finalised(demo_db, SELEKSI)[0])


def test_non_final_result_is_refused(demo_db):
    with pytest.raises(Conflict) as refused:
        reports.issue_individual(demo_db, user(demo_db, "admin"), open_not_final(demo_db))
    assert refused.value.key == "report.not_final"
    assert report_rows(demo_db) == 0


@pytest.mark.parametrize("username", ["pimpinan.sekda", "asesor.rini"])  # pimpinan; Ketua Tim of the seleksi
def test_pimpinan_and_the_lead_may_issue(demo_db, username):
    _pdf, record = reports.issue_individual(demo_db, user(demo_db, username), finalised(demo_db, SELEKSI)[0])
    assert reports.verify(demo_db, record["code"])["status"] == "valid"


# The ZIP --------------------------------------------------------------------------------------

def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


@pytest.mark.parametrize("parallel", [False, True], ids=["here", "worker-processes"])
def test_zip_has_one_pdf_per_finalised_registration(demo_db, monkeypatch, parallel):
    admin = user(demo_db, "admin")
    for registration_id in finalised(demo_db, PEMETAAN)[3:]:  # keep the ZIP small: three stay final
        integration.reopen_result(demo_db, admin, registration_id, "Uji arsip laporan")
    monkeypatch.setattr(reports, "PARALLEL_FROM", 2 if parallel else 10_000)
    pooled, read_frame = [], pool.read_frame

    def counted(pipe):
        pooled.append(read_frame(pipe))
        return pooled[-1]

    monkeypatch.setattr(pool, "read_frame", counted)
    calls = []
    archive = zipfile.ZipFile(io.BytesIO(reports.zip_individual(
        demo_db, admin, PEMETAAN, base_url="http://server:8501", progress=lambda i, n: calls.append((i, n)))))
    people = [db.one(demo_db, """SELECT r.participant_no, c.name FROM registrations r
        JOIN candidates c ON c.id = r.candidate_id WHERE r.id = ?""", (r,)) for r in finalised(demo_db, PEMETAAN)]
    assert sorted(archive.namelist()) == sorted(f"{p['participant_no']}_{slug(p['name'])}.pdf" for p in people)
    assert len(people) == 3 and calls == [(1, 3), (2, 3), (3, 3)]
    assert (len(pooled) > 0) == parallel  # a worker process built some (this process the rest), or none
    for person in people:
        name = f"{person['participant_no']}_{slug(person['name'])}.pdf"
        assert re.fullmatch(r"\d{3}_[a-z0-9-]+\.pdf", name)
        assert person["name"] in pdf_text(archive.read(name))
    assert report_rows(demo_db) == 3
