"""Event-level PDF reports (SPEC §4.5, §6 items 2–3): the recap of results and the berita acara."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from core import db, report_recap, results
from core.db import one, rows
from core.errors import NotFound, PermissionDenied
from core.i18n import format_date, format_percent, t
from core.pdf import MARGIN

PASSWORD = "rahasia123"
SELEKSI, PEMETAAN = 1, 2  # event ids of the demo: a seleksi terbuka with stages, a pemetaan all final
ON = dt.date(2026, 11, 27)  # a Friday


@pytest.fixture(scope="module")
def recaps(demo_file):
    """The recap PDFs of both demo events, built once (they are only read)."""
    database = db.connect(demo_file)
    admin = user(database, "admin")
    built = {event: report_recap.recap_pdf(database, admin, event, on=ON) for event in (SELEKSI, PEMETAAN)}
    database.close()
    return built


def user(database, username: str) -> dict:
    return one(database, "SELECT * FROM users WHERE username = ?", (username,))


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed: lines wrap and justified text spreads words apart."""
    return " ".join(text.split())


def text_of(pdf: bytes) -> str:
    return flat(" ".join(pages(pdf)))


def final_positions(database, event_id: int) -> list[str]:
    return [r["name"] for r in rows(database, """
        SELECT DISTINCT p.name FROM positions p JOIN registrations r ON r.position_id = p.id
        JOIN results res ON res.registration_id = r.id
        WHERE p.event_id = ? AND res.finalized_at IS NOT NULL""", (event_id,))]


# The recap -----------------------------------------------------------------------------------

def test_recap_names_every_position_with_final_results(recaps, demo_file):
    database = db.connect(demo_file)
    names = final_positions(database, SELEKSI)
    database.close()
    text = text_of(recaps[SELEKSI])
    assert len(names) == 4
    assert all(name in text for name in names)


def test_recap_shows_the_top_candidate_with_jpm_in_decimal_comma(recaps, demo_db):
    table = results.event_results(demo_db, SELEKSI)
    top = table[table["rank"] == 1].iloc[0]
    jpm = format_percent(float(top["jpm"]))
    assert re.fullmatch(r"\d+,\d\d%", jpm)
    text = text_of(recaps[SELEKSI])
    assert f"{top['name']} {jpm}" in text


def test_recap_prints_the_tiebreak_rule_of_the_event(recaps, demo_db):
    sentence = report_recap.tiebreak_sentence(results.tiebreak_chain(demo_db, SELEKSI), has_stages=True)
    assert sentence.startswith("Peringkat menurut nilai akhir; bila sama: JPM lebih tinggi, lebih sedikit")
    assert text_of(recaps[SELEKSI]).count(flat(sentence)) == 4  # under each ranked position's table


def test_recap_ranks_a_pemetaan_event_by_jpm(recaps):
    assert "Peringkat menurut JPM; bila sama: lebih sedikit kompetensi" in text_of(recaps[PEMETAAN])


def test_recap_is_landscape_only_when_the_stage_columns_need_it(recaps):
    seleksi, pemetaan = (PdfReader(io.BytesIO(recaps[e])).pages for e in (SELEKSI, PEMETAAN))
    assert len(seleksi) >= 1 and len(pemetaan) >= 1
    assert all(page.mediabox.width > page.mediabox.height for page in seleksi)
    assert all(page.mediabox.width < page.mediabox.height for page in pemetaan)


def test_recap_is_draft_on_every_page_until_every_result_is_final(recaps):
    assert all("DRAF" in page for page in pages(recaps[SELEKSI]))
    assert not any("DRAF" in page for page in pages(recaps[PEMETAAN]))


def test_recap_counts_candidates_without_a_final_result(recaps):
    text = text_of(recaps[SELEKSI])
    assert text.count(t("export.pending", n=10)) == 8  # eight positions where nobody is final yet


def test_recap_ends_with_the_signatures(recaps):
    last = flat(pages(recaps[SELEKSI])[-1])
    assert "Mengetahui, Kepala BKPSDM" in last
    assert f"Kota Harapan Jaya, {format_date(ON)} Ketua Tim Asesor" in last
    assert "Dra. Rini Astuti, M.Psi., Psikolog" in last  # the demo's Ketua Tim


def test_recap_warns_of_fewer_than_three_and_not_recommended(demo_db):
    position = one(demo_db, "SELECT id, name FROM positions WHERE event_id = ? ORDER BY sort", (SELEKSI,))
    regs = [r["id"] for r in rows(demo_db, "SELECT id FROM registrations WHERE position_id = ? ORDER BY id",
                                  (position["id"],))]
    demo_db.execute(f"UPDATE results SET finalized_at = NULL WHERE registration_id IN ({','.join('?' * 8)})",
                    regs[2:])
    demo_db.execute("UPDATE consensus SET level = 1, rationale = ? WHERE registration_id = ?",
                    ("Uji: seluruh kompetensi di level 1.", regs[0]))  # JPM 25% → KMS
    weak = one(demo_db, "SELECT c.name FROM registrations r JOIN candidates c ON c.id = r.candidate_id"
                        " WHERE r.id = ?", (regs[0],))["name"]
    text = text_of(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), SELEKSI))
    assert t("export.warn.fewer_than_three", n=2) in text
    assert t("export.warn.not_recommended", category="Kurang Memenuhi Syarat", names=weak) in text
    assert "25,00%" in text


def test_recap_shades_the_top_three_rows(recaps, tmp_path):
    (tmp_path / "recap.pdf").write_bytes(recaps[SELEKSI])
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(tmp_path / "recap.pdf"),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    shade = report_recap.TOP_STYLE.fill_color
    target = tuple(round(c * 255) for c in (shade.r, shade.g, shade.b))
    shaded_rows = {y for x in range(0, image.width, 4) for y in range(image.height)
                   if max(abs(a - b) for a, b in zip(image.getpixel((x, y)), target, strict=True)) < 6}
    row_height = 4.2 / 25.4 * 50  # mm at 50 dpi; a three-row block is at least three rows high
    assert len(shaded_rows) >= 3 * row_height


# Nothing outside the margins -------------------------------------------------------------------

def blank_border(pdf: bytes, tmp_path, name: str) -> list[int]:
    """Pages (1-based) with a pixel darker than near-white within MARGIN − 3 mm of an edge, at 50 dpi."""
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                   check=True)
    band = int((MARGIN - 3) / 25.4 * 50)
    bad = []
    for number, png in enumerate(sorted(tmp_path.glob(f"{name}-*.png"), key=lambda p: int(p.stem.split("-")[-1])),
                                 start=1):
        image = Image.open(png).convert("L")
        width, height = image.size
        strips = [(0, 0, width, band), (0, height - band, width, height), (0, 0, band, height),
                  (width - band, 0, width, height)]
        if any(image.crop(box).getextrema()[0] < 235 for box in strips):
            bad.append(number)
    return bad


def test_recap_and_berita_acara_stay_inside_the_margins(demo_db, tmp_path):
    admin = user(demo_db, "admin")
    long_name = "Prof. Dr. Ir. Raden Mas Bambang Sulistyo Hadiningrat Wicaksono Adikusumo, S.T., M.T., M.Sc., Ph.D."
    demo_db.execute("UPDATE candidates SET name = ? WHERE id = (SELECT candidate_id FROM registrations"
                    " WHERE id = 10)", (long_name,))
    builds = {"seleksi": report_recap.recap_pdf(demo_db, admin, SELEKSI),
              "pemetaan": report_recap.recap_pdf(demo_db, admin, PEMETAAN),
              "ba": report_recap.berita_acara_pdf(demo_db, admin, SELEKSI, 1)}
    assert {name: blank_border(pdf, tmp_path, name) for name, pdf in builds.items()} == \
        {"seleksi": [], "pemetaan": [], "ba": []}
    assert long_name in text_of(builds["seleksi"]) and long_name in text_of(builds["ba"])  # wrapped, whole


def test_the_margin_check_sees_ink_at_the_edge(tmp_path):
    """Guards the check above: a page with text in the margin fails it."""
    from core.pdf import ReportPDF

    pdf = ReportPDF({}, "x")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.text(3, 100, "tepi")
    assert blank_border(pdf.output_bytes(), tmp_path, "edge") == [1]


# The berita acara ----------------------------------------------------------------------------

def test_berita_acara_names_the_three_best_in_rank_order(demo_db):
    table = results.event_results(demo_db, SELEKSI)
    position_id = int(table["position_id"].iloc[0])
    best, _ = results.top_three(table, position_id)
    text = text_of(report_recap.berita_acara_pdf(demo_db, user(demo_db, "admin"), SELEKSI, position_id, on=ON))
    places = [text.find(f"{b['rank']} {b['name']} {b['nip']} {format_percent(b['jpm'])}") for b in best]
    assert len(best) == 3 and -1 not in places
    assert places == sorted(places)
    assert "Pada hari ini, Jumat, tanggal 27 November 2026, Panitia Seleksi" in text


def test_berita_acara_has_signature_lines_for_the_pansel(demo_db):
    text = text_of(report_recap.berita_acara_pdf(demo_db, user(demo_db, "admin"), SELEKSI, 1, on=ON))
    assert "BERITA ACARA HASIL SELEKSI" in text
    assert f"Kota Harapan Jaya, {format_date(ON)} Panitia Seleksi," in text
    assert "Kedudukan dalam Pansel Nama Tanda Tangan" in text
    for number, role in enumerate(["Ketua", "Sekretaris", "Anggota", "Anggota", "Anggota"], start=1):
        assert f"{number}. {role} ....." in text
    assert "DRAF" not in text  # every candidate of the position is final


def test_berita_acara_of_a_position_without_results(demo_db):
    position = one(demo_db, "SELECT id FROM positions WHERE event_id = ? AND name = 'Kepala Dinas Sosial'",
                   (SELEKSI,))
    text = text_of(report_recap.berita_acara_pdf(demo_db, user(demo_db, "admin"), SELEKSI, position["id"]))
    assert flat(t("export.ba.none")) in text
    assert "DRAF" in text


def test_berita_acara_refuses_a_position_of_another_event(demo_db):
    other = one(demo_db, "SELECT id FROM positions WHERE event_id = ?", (PEMETAAN,))["id"]
    with pytest.raises(NotFound):
        report_recap.berita_acara_pdf(demo_db, user(demo_db, "admin"), SELEKSI, other)


# Who may read them -----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "pimpinan.sekda", "asesor.rini"])
def test_admin_pimpinan_and_the_ketua_tim_may_read(demo_db, username):
    actor = user(demo_db, username)
    assert report_recap.berita_acara_pdf(demo_db, actor, SELEKSI, 1).startswith(b"%PDF")


@pytest.mark.parametrize(("username", "event_id"), [("asesor.bambang", SELEKSI), ("asesor.rini", PEMETAAN)],
                         ids=["not-the-lead", "lead-of-another-event"])
def test_other_assessors_may_not(demo_db, username, event_id):
    actor = user(demo_db, username)
    with pytest.raises(PermissionDenied):
        report_recap.recap_pdf(demo_db, actor, event_id)
    with pytest.raises(PermissionDenied):
        report_recap.berita_acara_pdf(demo_db, actor, event_id, 1)


def test_an_inactive_admin_may_not(demo_db):
    with pytest.raises(PermissionDenied):
        report_recap.recap_pdf(demo_db, user(demo_db, "admin") | {"active": 0}, SELEKSI)


def test_a_stage_or_position_named_without_spaces_wraps_inside_the_page(demo_db, tmp_path):
    """A 39-character stage name (and a longer position name) without a space: the recap used to fail with
    "Not enough horizontal space"; now the word breaks inside its cell and stays within the margins."""
    admin = user(demo_db, "admin")
    stage, position = "W" * 39, "KepalaDinasPendidikanPemudaDanOlahragaKotaContohProvinsiContoh"
    demo_db.execute("UPDATE stages SET name = ? WHERE id = (SELECT min(id) FROM stages WHERE event_id = ?"
                    " AND is_ac = 0)", (stage, SELEKSI))
    demo_db.execute("UPDATE positions SET name = ? WHERE id = 1", (position,))
    builds = {"recap": report_recap.recap_pdf(demo_db, admin, SELEKSI),
              "ba": report_recap.berita_acara_pdf(demo_db, admin, SELEKSI, 1)}
    assert {name: blank_border(pdf, tmp_path, name) for name, pdf in builds.items()} == {"recap": [], "ba": []}
    squeezed = "".join(text_of(builds["recap"]).split())
    assert stage in squeezed and position in squeezed
    assert position in "".join(text_of(builds["ba"]).split())


def test_fixed_columns_never_leave_the_name_column_less_than_its_minimum():
    assert report_recap.leave_room_for_names([20, 30], 200) == [20, 30]
    narrowed = report_recap.leave_room_for_names([100, 100], 155)
    assert sum(narrowed) == pytest.approx(155 - report_recap.NAME_MIN_WIDTH) and narrowed[0] == narrowed[1]
    assert report_recap.leave_room_for_names([50, 50], 100 + report_recap.NAME_MIN_WIDTH) == [50, 50]
