"""The recap of an event's results (SPEC §4.5, §6.2): ranked for a seleksi, never for a pemetaan.
The Pansel's berita acara: tests/test_reports_pansel.py."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from core import db, demo, letterhead, report_pansel, report_recap, results, talent_store
from core.db import one, rows
from core.errors import PermissionDenied
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


def test_pemetaan_recap_never_ranks_and_names_no_three_best(recaps):
    text = text_of(recaps[PEMETAAN])
    assert "Peringkat" not in text and "peringkat" not in text
    assert "tiga nama terbaik" not in text.lower() and "Peringkat menurut" not in text
    assert "No. Peserta Nama JPM Kategori Kotak Rekomendasi" in text


def test_pemetaan_recap_lists_peserta_by_number_with_box_and_recommendation(recaps, demo_db):
    table = results.event_results(demo_db, PEMETAAN)
    boxes = report_recap.talent_boxes(demo_db, PEMETAAN)
    text = text_of(recaps[PEMETAAN])
    for _position, group in table.groupby("position_id", sort=False):
        people = group.sort_values("participant_no").to_dict("records")
        places = [text.find(f"{p['participant_no']} {p['name']} {format_percent(p['jpm'])}") for p in people]
        assert -1 not in places and places == sorted(places)  # in number order, not by JPM
        for person in people:
            said = boxes[int(person["box"])]["action"] if person["box"] == person["box"] else t("recap.mapping.no_box")
            assert flat(said)[:40] in text  # a box (NaN when data are missing: NaN != NaN) or the reason
    assert len(table) == 24 + len(demo.MAPPING_PENGAWAS)
    assert table["box"].isna().sum() == len(demo.MAPPING_GAPS)  # the demo leaves some data out on purpose


def test_pemetaan_recap_draws_the_ninebox_as_vectors(recaps):
    reader = PdfReader(io.BytesIO(recaps[PEMETAAN]))
    last = flat(reader.pages[-1].extract_text())
    assert "Peta Talenta (9 Kotak)" in last and "KINERJA" in last and "POTENSIAL" in last
    counts = [int(n) for n in re.findall(r"(\d+) orang", last)]
    assert len(counts) == 9 and sum(counts) == 24 + len(demo.MAPPING_PENGAWAS) - len(demo.MAPPING_GAPS)
    assert not any(page.images for page in reader.pages)  # drawn, not pasted as a picture


def test_a_pemetaan_person_without_skp_gets_no_box_and_says_why(demo_db):
    reg = one(demo_db, "SELECT id FROM registrations WHERE event_id = ? ORDER BY participant_no", (PEMETAAN,))["id"]
    placed = sum(r["box"] is not None for r in talent_store.event_talent_map(demo_db, PEMETAAN)["rows"])
    results.set_skp_predikat(demo_db, user(demo_db, "admin"), PEMETAAN, {reg: None})  # the SKP the map uses
    text = text_of(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), PEMETAAN, on=ON))
    assert flat(t("recap.mapping.no_box")) in text
    assert re.search(r"(\d+) orang", text) and sum(int(n) for n in re.findall(r"(\d+) orang", text)) == placed - 1


@pytest.mark.parametrize("open_results", [1, 6])  # one peserta of a position, the whole position
def test_a_pemetaan_recap_counts_who_is_not_final_without_speaking_of_rank(demo_db, open_results):
    position = one(demo_db, "SELECT id FROM positions WHERE event_id = ? ORDER BY sort", (PEMETAAN,))["id"]
    demo_db.execute("UPDATE results SET finalized_at = NULL WHERE registration_id IN (SELECT id FROM registrations"
                    " WHERE position_id = ? ORDER BY participant_no LIMIT ?)", (position, open_results))
    text = text_of(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), PEMETAAN, on=ON))
    assert t("recap.mapping.pending", n=open_results) in text
    assert "peringkat" not in text.lower()


def test_every_recap_page_is_rahasia(recaps):
    assert all("RAHASIA" in page for event in (SELEKSI, PEMETAAN) for page in pages(recaps[event]))
    assert all("kelas jabatan" not in text_of(recaps[e]).lower() and "Saudara/i" not in text_of(recaps[e])
               for e in (SELEKSI, PEMETAAN))


def test_recap_is_landscape_only_when_its_columns_need_it(recaps, demo_db):
    seleksi, pemetaan = (PdfReader(io.BytesIO(recaps[e])).pages for e in (SELEKSI, PEMETAAN))
    assert len(seleksi) >= 1 and len(pemetaan) >= 1
    assert all(page.mediabox.width > page.mediabox.height for page in seleksi)  # the stage columns
    assert all(page.mediabox.width > page.mediabox.height for page in pemetaan)  # box and recommendation
    demo_db.execute("DELETE FROM stage_scores")
    demo_db.execute("DELETE FROM stages")
    plain = PdfReader(io.BytesIO(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), SELEKSI))).pages
    assert all(page.mediabox.width < page.mediabox.height for page in plain)


def test_recap_is_draft_on_every_page_until_every_result_is_final(recaps):
    assert all("DRAF" in page for page in pages(recaps[SELEKSI]))
    assert not any("DRAF" in page for page in pages(recaps[PEMETAAN]))


def test_recap_counts_candidates_without_a_final_result(recaps):
    text = text_of(recaps[SELEKSI])
    assert text.count(t("export.pending", n=10)) == 8  # eight positions where nobody is final yet


@pytest.mark.parametrize(("event_id", "lead"), [(SELEKSI, "Dra. Rini Astuti, M.Psi., Psikolog"),
                                              (PEMETAAN, "Drs. Bambang Sutejo, M.M.")])
def test_recap_is_signed_by_the_pimpinan_penyelenggara_and_the_ketua_tim(recaps, demo_db, event_id, lead):
    last = flat(pages(recaps[event_id])[-1])
    boss = letterhead.current(demo_db)["pimpinan"]
    assert (f"Mengetahui, {boss['title']} selaku Pimpinan Penyelenggara Penilaian Kompetensi {boss['name']}"
            f" NIP. {boss['nip']}") in last
    assert f"Kota Harapan Jaya, {format_date(ON)} Ketua Tim Asesor {lead} NIP." in last
    assert len(last) > 400  # the signatures share their page with the end of the recap


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


def test_recaps_stay_inside_the_margins(demo_db, tmp_path):
    admin = user(demo_db, "admin")
    long_name = "Prof. Dr. Ir. Raden Mas Bambang Sulistyo Hadiningrat Wicaksono Adikusumo, S.T., M.T., M.Sc., Ph.D."
    demo_db.execute("UPDATE candidates SET name = ? WHERE id = (SELECT candidate_id FROM registrations"
                    " WHERE id = 10)", (long_name,))
    builds = {"seleksi": report_recap.recap_pdf(demo_db, admin, SELEKSI),
              "pemetaan": report_recap.recap_pdf(demo_db, admin, PEMETAAN)}
    assert {name: blank_border(pdf, tmp_path, name) for name, pdf in builds.items()} == {"seleksi": [], "pemetaan": []}
    assert long_name in text_of(builds["seleksi"])  # wrapped, whole


def test_the_margin_check_sees_ink_at_the_edge(tmp_path):
    """Guards the check above: a page with text in the margin fails it."""
    from core.pdf import ReportPDF

    pdf = ReportPDF({}, "x")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.text(3, 100, "tepi")
    assert blank_border(pdf.output_bytes(), tmp_path, "edge") == [1]


# Who may read them -----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "pimpinan.sekda", "asesor.rini"])
def test_admin_pimpinan_and_the_ketua_tim_may_read(demo_db, username):
    actor = user(demo_db, username)
    assert report_recap.recap_pdf(demo_db, actor, SELEKSI).startswith(b"%PDF")


@pytest.mark.parametrize(("username", "event_id"), [("asesor.bambang", SELEKSI), ("asesor.rini", PEMETAAN)],
                         ids=["not-the-lead", "lead-of-another-event"])
def test_other_assessors_may_not(demo_db, username, event_id):
    actor = user(demo_db, username)
    with pytest.raises(PermissionDenied):
        report_recap.recap_pdf(demo_db, actor, event_id)


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
              "ba": report_pansel.issue_berita_acara(demo_db, admin, SELEKSI, 1, dt.date(2026, 11, 25),
                                                     "Ruang Rapat Sekretariat Daerah")[1]}
    assert {name: blank_border(pdf, tmp_path, name) for name, pdf in builds.items()} == {"recap": [], "ba": []}
    squeezed = "".join(text_of(builds["recap"]).split())
    assert stage in squeezed and position in squeezed
    assert position in "".join(text_of(builds["ba"]).split())


def test_fixed_columns_never_leave_the_name_column_less_than_its_minimum():
    assert report_recap.leave_room_for_names([20, 30], 200) == [20, 30]
    narrowed = report_recap.leave_room_for_names([100, 100], 155)
    assert sum(narrowed) == pytest.approx(155 - report_recap.NAME_MIN_WIDTH) and narrowed[0] == narrowed[1]
    assert report_recap.leave_room_for_names([50, 50], 100 + report_recap.NAME_MIN_WIDTH) == [50, 50]


# Ages over the limit (SPEC §3.3, §6.2) and the office's date ----------------------------------------

def make_older(database, event_id: int = SELEKSI) -> dict:
    from core import registry

    person = registry.list_registrations(database, event_id)[0]
    registry.update_candidate(database, user(database, "admin"), person["id"], "196801012000031001", person["name"],
                              person["golongan"], person["current_position"], person["current_unit"])
    return person  # 58 on the event's first day


def test_a_selection_recap_marks_who_is_over_the_age_limit_and_says_why(demo_db):
    person = make_older(demo_db)
    text = text_of(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), SELEKSI, on=ON))
    assert "Usia" in text and f"{person['name']} 58 th*" in flat(text).replace("  ", " ")
    assert "* Melebihi batas usia 56 tahun pada hari pertama penilaian (16 November 2026" in text
    assert f"{person['name']} ({person['participant_no']}), 58 tahun" in text
    assert text.count(" th*") == 1


def test_a_recap_without_anyone_over_the_limit_has_no_age_column(recaps):
    assert "Usia" not in text_of(recaps[SELEKSI]) and "batas usia" not in text_of(recaps[SELEKSI])


def test_a_pemetaan_recap_never_flags_age(demo_db):
    make_older(demo_db, PEMETAAN)
    text = text_of(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), PEMETAAN, on=ON))
    assert "batas usia" not in text and " th*" not in text


def test_the_recap_is_dated_in_the_office_time_zone(demo_db, monkeypatch):
    from core import i18n

    late = dt.datetime(2026, 12, 2, 20, 30, tzinfo=dt.UTC)  # 3 December, 03.30 WIB

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return late.astimezone(tz) if tz else late.replace(tzinfo=None)

    monkeypatch.setattr(i18n.dt, "datetime", Clock)
    monkeypatch.setattr(report_recap.dt, "date", type("Day", (dt.date,), {"today": classmethod(
        lambda cls: dt.date(2026, 12, 2))}))  # the server's UTC date
    text = text_of(report_recap.recap_pdf(demo_db, user(demo_db, "admin"), SELEKSI))
    assert "dicetak 3 Desember 2026" in text and "3 Desember 2026" in text.split("Mengetahui")[-1][:200]
    assert "2 Desember 2026" not in text
