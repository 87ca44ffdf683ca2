"""The one reader (SPEC §9): every format × every mess, over small generated files."""

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import importer, mappings, reader, registry
from core.errors import PermissionDenied, ValidationError
from core.fields import canonical_golongan
from core.importer import clean_nip, joined_name, parse_candidate_file, parse_date, phone_text
from tests import filegen
from tests.filegen import EXACT, FORMATS, build, extension

TODAY = date(2026, 11, 23)
BUDI = "197501012000031001"
SITI = "198005122005012002"
RINA = "198203152006042004"
SIASN = ["PNS ID", "NIP BARU", "NIP LAMA", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TANGGAL LAHIR",
         "JENIS KELAMIN", "AGAMA NAMA", "GOL AKHIR NAMA", "TMT GOLONGAN", "JENIS JABATAN NAMA", "JABATAN NAMA",
         "UNOR NAMA", "INSTANSI INDUK NAMA", "NOMOR HP", "EMAIL"]


def siasn_row(nip, name, front="", back="", gol="IV/a", unor="Dinas Kominfo", phone="", born=""):
    return ["a1b2", nip, "", name, front, back, born, "Laki-laki", "Islam", gol, "01-04-2020", "Struktural",
            "Kepala Bidang", unor, "Pemerintah Kota Contoh", phone, ""]


def parse(fmt, sheets, **kwargs):
    return parse_candidate_file("daftar" + extension(fmt), build(fmt, sheets), today=TODAY, **kwargs)


def errors_of(result):
    return [(error.row, error.column, error.key) for error in result.errors]


TITLE = [["DAFTAR PESERTA SELEKSI TERBUKA JPT PRATAMA"], ["PEMERINTAH KOTA CONTOH TAHUN 2026"], []]
FOOTER = [[], ["", "", "", "Jumlah", "", "", "", "", "", "3"], [],
          ["", "", "", "", "", "", "", "", "", "", "", "", "Contoh, 12 Mei 2026"],
          ["", "", "", "", "", "", "", "", "", "", "", "", "Kepala BKPSDM"],
          ["", "", "", "", "", "", "", "", "", "", "", "", "Drs. Ahmad Fauzi, M.Si."],
          ["", "", "", "", "", "", "", "", "", "", "", "", "NIP. 196801011990031001"]]
DATA = [siasn_row(BUDI, "Budi Santoso", "Dr.", "S.Kom., M.T."),
        siasn_row(SITI, "Siti Aminah", "", "S.Psi., M.Si.", gol="Pembina Tk. I (IV/b)"),
        siasn_row(RINA, "Rina Wati", gol="III.d")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_siasn_export_with_title_footer_and_cover_sheet(fmt):
    sheets = [("Sampul", [["Laporan data pegawai"], ["Dicetak dari SIASN"]]),
              ("Peserta", TITLE + [SIASN] + DATA + FOOTER)]
    result = parse(fmt, sheets)
    assert result.ok, errors_of(result)
    assert [row["nip"] for row in result.rows] == [BUDI, SITI, RINA]
    assert [row["row"] for row in result.rows] == [5, 6, 7]
    assert result.rows[0]["name"] == "Dr. Budi Santoso, S.Kom., M.T."
    assert [row["golongan"] for row in result.rows] == ["IV/a", "IV/b", "III/d"]
    table = result.table
    assert table.header_row == 4 and {"PNS ID", "AGAMA NAMA", "TMT GOLONGAN"} <= set(table.ignored)
    assert [(item.row, item.reason) for item in table.left_out] == [
        (1, "reader.left_out.title"), (2, "reader.left_out.title"), (9, "reader.left_out.footer"),
        (11, "reader.left_out.footer"), (12, "reader.left_out.footer"), (13, "reader.left_out.footer"),
        (14, "reader.left_out.footer")]
    if fmt in ("xlsx", "xls", "ods"):
        assert table.sheet == "Peserta"


@pytest.mark.parametrize("fmt", FORMATS)
def test_data_sheet_found_by_header_not_position(fmt):
    sheets = [("Petunjuk", [["Isi NIP dan Nama"], ["NIP", "keterangan"]]),
              ("Lembar1", [["NIP", "Nama Lengkap"], [BUDI, "Budi"]])]
    result = parse(fmt, sheets)
    assert result.ok and [row["nip"] for row in result.rows] == [BUDI]


@pytest.mark.parametrize("fmt", FORMATS)
def test_merged_two_row_header(fmt):
    rows = [["No", "NIP", "Nama", "Jabatan", "", "Unit Kerja"],
            ["", "", "", "Nama", "Eselon", ""],
            ["1", "2", "3", "4", "5", "6"],
            [1, BUDI, "Budi Santoso", "Kepala Bidang", "III.a", "Bappeda"]]
    result = parse(fmt, [("Data", rows)])
    assert result.ok, errors_of(result)
    assert result.rows[0]["current_position"] == "Kepala Bidang" and result.rows[0]["current_unit"] == "Bappeda"
    assert result.table.header_rows == (1, 2)
    assert [(i.row, i.reason) for i in result.table.left_out] == [(3, "reader.left_out.numbers")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("error", ["#N/A", "#REF!"])
def test_excel_error_values_are_refused_with_row_and_column(fmt, error):
    rows = [SIASN, DATA[0], siasn_row(SITI, "Siti", unor=error)]
    result = parse(fmt, [("Data", rows)])
    assert errors_of(result) == [(3, "UNOR NAMA", "reader.excel_error")]
    assert error in result.errors[0].text()


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_exact_whole_number_nip_is_accepted(fmt):
    result = parse(fmt, [("Data", [["NIP", "Nama"], [EXACT(int(BUDI)), "Budi"]])])
    assert result.ok and result.rows[0]["nip"] == BUDI


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_rounded_nip_is_refused_saying_so(fmt):
    result = parse(fmt, [("Data", [["NIP", "Nama"], [float(BUDI), "Budi"]])])
    assert errors_of(result) == [(2, "NIP", "nip.spreadsheet_number")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("written", ["NIP. 19750101 200003 1 001", "19750101-200003-1-001", "1975.0101.2000.0310.01",
                                     "NIP 197501012000031001"])
def test_nip_spellings_are_normalised(fmt, written):
    result = parse(fmt, [("Data", [["N I P", "Nama."], [written, "Budi"]])])
    assert result.ok and result.rows[0]["nip"] == BUDI


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods", "csv:utf-8:,"])
def test_phone_leading_zero_kept(fmt):
    rows = [["NIP", "Nama", "No. HP"], [BUDI, "Budi", 81234567890], [SITI, "Siti", "081234567891"]]
    result = parse(fmt, [("Data", rows)])
    assert [row["phone"] for row in result.rows] == ["081234567890", "081234567891"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("born", ["01-01-1975", "1 Januari 1975", "01/01/1975", date(1975, 1, 1)])
def test_birth_dates_in_every_spelling(fmt, born):
    result = parse(fmt, [("Data", [["NIP", "Nama", "Tanggal Lahir"], [BUDI, "Budi", born]])])
    assert result.ok, errors_of(result)


def test_birth_date_that_contradicts_the_nip():
    result = parse("csv:utf-8:;", [("Data", [["NIP", "Nama", "Tgl Lahir"], [BUDI, "Budi", "12 Mei 1980"]])])
    assert errors_of(result) == [(2, "Tgl Lahir", "reader.birth_date_mismatch")]


@pytest.mark.parametrize("text, code", [
    ("IV/b", "IV/b"), ("IV.b", "IV/b"), ("IV-b", "IV/b"), ("ivb", "IV/b"), ("Pembina Tk. I (IV/b)", "IV/b"),
    ("Penata Muda (III/a)", "III/a"), ("III/a - Penata Muda", "III/a"), ("II/c", "II/c"), ("I/a", "I/a"),
    ("IV/f", None), ("Pembina", None), ("V/a", None), ("", None),
])
def test_golongan_forms(text, code):
    assert canonical_golongan(text) == code


@pytest.mark.parametrize("value, expected", [
    ("12-05-1980", date(1980, 5, 12)), ("12/05/1980", date(1980, 5, 12)), ("12.05.1980", date(1980, 5, 12)),
    ("1980-05-12", date(1980, 5, 12)), ("12 Mei 1980", date(1980, 5, 12)), ("12 Agustus 1980", date(1980, 8, 12)),
    ("1 Des 1999", date(1999, 12, 1)), (29353, date(1980, 5, 12)), (29353.0, date(1980, 5, 12)),
    ("29353", date(1980, 5, 12)), (1, date(1899, 12, 31)),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31-02-1980", "12 Foo 1980", "kemarin", 0, -5, 3_000_000, "13-13-1980"])
def test_parse_date_refuses(value):
    with pytest.raises(ValidationError) as caught:
        parse_date(value)
    assert caught.value.key == "reader.date_invalid"


@pytest.mark.parametrize("raw, expected", [
    (int(BUDI), BUDI), ("NIP. 19750101 200003 1 001", "19750101 200003 1 001"), ("1975-0101-2000", "197501012000"),
    (1.97501012000031e17, 1.97501012000031e17), ("Dr-x", "Dr-x"),
])
def test_clean_nip(raw, expected):
    assert clean_nip(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    (81234567890, "081234567890"), (6281234567890, "+6281234567890"), ("0812-3456", "0812-3456"), (1234567, "1234567"),
    (8123456, "8123456"), ("81234567890", "081234567890"), ("True", "True"),
])
def test_phone_text(raw, expected):
    assert phone_text(raw) == expected


@pytest.mark.parametrize("name, front, back, full", [
    ("Siti Rahmawati", "Dr.", "S.Psi., M.Si.", "Dr. Siti Rahmawati, S.Psi., M.Si."),
    ("Siti", "", "", "Siti"), ("Siti", "", ", S.E.", "Siti, S.E."), ("", "Dr.", "S.E.", "Dr."),
])
def test_gelar_joined_as_written(name, front, back, full):
    assert joined_name(name, front, back) == full


@pytest.mark.parametrize("header, key", [("N I P", "nip"), ("NIP.", "nip"), (" nip ", "nip"), ("NIP_BARU", "nip"),
                                         ("Gol. Akhir Nama", "golongan"), ("unor nama", "current_unit")])
def test_header_synonyms_normalised(header, key):
    mapping, ignored = reader.match_columns([header], reader.fields_of("peserta"))
    assert mapping == {key: 0} and ignored == []


def test_unknown_columns_listed_and_required_missing_named():
    mapping, ignored = reader.match_columns(["NIP", "Hobi", ""], reader.fields_of("peserta"))
    assert mapping == {"nip": 0} and ignored == ["Hobi"]
    with pytest.raises(importer.MappingNeeded) as caught:
        parse("csv:utf-8:,", [("Data", [["NIP", "Hobi"], [BUDI, "catur"]])])
    assert caught.value.table.missing == ["name"] and "Nama" in str(caught.value)


def test_chosen_mapping_imports_a_file_without_known_headers():
    rows = [["Kode", "Pegawai", "Bagian"], [BUDI, "Budi", "Bappeda"]]
    result = parse("xlsx", [("Data", rows)], mapping={"nip": 0, "name": 1, "current_unit": 2})
    assert result.ok and result.rows[0]["current_unit"] == "Bappeda"


def test_footer_directly_under_data_without_nip_is_data():
    rows = [["NIP", "Nama", "Email"], [BUDI, "Budi", ""], ["", "", "a@b.go.id"]]
    result = parse("csv:utf-8:,", [("Data", rows)])
    assert errors_of(result) == [(3, "NIP", "nip.empty"), (3, "Nama", "import.required")]


@pytest.mark.parametrize("damaged", ["1.97501E+17", "197501012000031000", "1,97501E+17"])
def test_last_row_naming_a_kepala_post_with_a_damaged_nip_is_data(damaged):
    """Found by the fuzz test: the post "Kepala Dinas …" is no signature line, the broken NIP is reported."""
    rows = [["NIP", "Nama", "Jabatan yang Dilamar"], [SITI, "Siti", "Kepala Dinas Pendidikan"],
            [damaged, "Budi", "Kepala Dinas Pendidikan"]]
    result = parse("csv:cp1252:\t", [("Data", rows)])
    assert not result.ok and [row for row, _, _ in errors_of(result)] == [3]


def test_signature_block_after_data_is_still_left_out():
    rows = [["NIP", "Nama", "Jabatan yang Dilamar"], [SITI, "Siti", "Kepala Dinas Pendidikan"], [],
            ["", "", "Kepala BKPSDM"], ["", "", "NIP. 196001012000031001"]]
    result = parse("csv:utf-8:;", [("Data", rows)])
    assert result.ok and [r["nip"] for r in result.rows] == [SITI]


@pytest.mark.parametrize("filename, data", [
    ("a.xls", b"<html><body><p>tidak ada tabel</p></body></html>"),
])
def test_html_without_table(filename, data):
    with pytest.raises(ValidationError) as caught:
        reader.load_sheets(filename, data)
    assert caught.value.key == "reader.html_no_table"


@pytest.mark.parametrize("filename", ["a.pdf", "a.docx", "a", "a.numbers"])
def test_unsupported_extension_is_refused_in_indonesian(filename):
    with pytest.raises(ValidationError) as caught:
        reader.check_extension(filename)
    assert caught.value.key == "reader.unsupported_type" and "tidak dapat dibaca" in str(caught.value)


@pytest.mark.parametrize("make, filename", [(filegen.dense_xlsx, "padat.xlsx"), (filegen.ods_bomb, "bom.ods")])
def test_hostile_file_refused_by_cell_count_quickly(make, filename):
    data = make()
    started = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        reader.load_sheets(filename, data)
    assert caught.value.key == "reader.too_many_cells"
    assert time.perf_counter() - started < 5


def test_cell_budget_boundary(monkeypatch):
    data = build("xlsx", [("Data", [["NIP", "Nama"], [BUDI, "Budi"]])])  # 4 cells
    monkeypatch.setattr(reader, "CELL_BUDGET", 4)
    assert reader.load_sheets("a.xlsx", data)
    monkeypatch.setattr(reader, "CELL_BUDGET", 3)
    with pytest.raises(ValidationError):
        reader.load_sheets("a.xlsx", data)


def test_xlsx_with_a_far_right_cell_is_refused(monkeypatch):
    rows = [["NIP", "Nama"] + [""] * 400 + ["x"], [BUDI, "Budi"]]
    with pytest.raises(ValidationError) as caught:
        reader.load_sheets("a.xlsx", build("xlsx", [("Data", rows)]))
    assert caught.value.key == "reader.too_many_columns"


# --- property: a mangled file is imported whole or refused with nothing written --------------

GOOD = build("xlsx", [("Data", [["NIP", "Nama Lengkap", "Golongan"], [BUDI, "Budi", "IV/a"],
                                [SITI, "Siti", "III/b"]])])
GOOD_CSV = build("csv:utf-8:;", [("Data", [["NIP", "Nama Lengkap", "Golongan"], [BUDI, "Budi", "IV/a"],
                                          [SITI, "Siti", "III/b"]])])


@st.composite
def mangled(draw):
    data = bytearray(draw(st.sampled_from([GOOD, GOOD_CSV])))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
    return draw(st.sampled_from(["m.xlsx", "m.csv", "m.ods", "m.xls", "m.txt"])), bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mangled())
def test_mangled_file_imported_whole_or_refused_with_nothing_written(fresh_db, admin, case):
    filename, data = case
    before = fresh_db.execute("SELECT count(*) FROM candidates").fetchone()[0]
    try:
        result = registry.import_candidates(fresh_db, admin, filename, data)
    except ValidationError:
        result = None
    after = fresh_db.execute("SELECT count(*) FROM candidates").fetchone()[0]
    if result is not None and result.ok:
        assert after - before == len(result.rows)
    else:
        assert after == before


# --- remembered mappings ---------------------------------------------------------------------

HEADER3 = ["Kode", "Pegawai", "Bagian"]


@pytest.mark.parametrize("chosen, key", [
    ({"nip": 0}, "reader.map.required"),
    ({"nip": 0, "name": 0}, "reader.map.duplicate"),
    ({"nip": 0, "name": 3}, "reader.map.required"),
    ({"nip": 0, "name": -1}, "reader.map.required"),
])
def test_mapping_check_refuses(chosen, key):
    with pytest.raises(ValidationError) as caught:
        mappings.check("peserta", HEADER3, chosen)
    assert caught.value.key == key


def test_mapping_check_keeps_known_fields_only():
    assert mappings.check("peserta", HEADER3, {"nip": 0, "name": 2, "hobi": 1}) == {"nip": 0, "name": 2}


def test_mapping_remembered_and_audited_with_old_value(fresh_db, admin):
    mappings.remember(fresh_db, admin, "peserta", "kode|pegawai", {"nip": 0, "name": 1})
    mappings.remember(fresh_db, admin, "peserta", "kode|pegawai", {"nip": 1, "name": 0})
    assert mappings.saved(fresh_db, "peserta", "kode|pegawai") == {"nip": 1, "name": 0}
    assert mappings.saved(fresh_db, "stage_scores", "kode|pegawai") is None
    audit = fresh_db.execute("SELECT action, old_value, new_value FROM audit_log WHERE entity = 'import_mapping' "
                             "ORDER BY id").fetchall()
    assert [tuple(r) for r in audit] == [("create", None, '{"nip": 0, "name": 1}'),
                                        ("update", '{"nip": 0, "name": 1}', '{"nip": 1, "name": 0}')]


def test_mapping_needs_an_admin(fresh_db, asesor):
    with pytest.raises(PermissionDenied):
        mappings.remember(fresh_db, asesor, "peserta", "kode|pegawai", {"nip": 0, "name": 1})
    assert mappings.saved(fresh_db, "peserta", "kode|pegawai") is None


def test_signature_ignores_case_spaces_and_dots():
    one = reader.Table(header=["N.I.P", "Nama  Lengkap"], rows=[], kind="")
    two = reader.Table(header=["nip", "nama lengkap"], rows=[], kind="")
    assert one.signature() == two.signature()


@pytest.mark.parametrize("filename", ["ekspor.xls", "ekspor.csv", "ekspor.txt"])
def test_html_table_saved_under_a_spreadsheet_name(filename):
    data = filegen.html_table([["NIP", "Nama Lengkap", "Golongan"], [BUDI, "Budi &amp; Co", "IV/a"]])
    result = parse_candidate_file(filename, data, today=TODAY)
    assert result.ok and result.rows[0]["name"] == "Budi &amp; Co"  # the page's own text, entities decoded once
    assert result.table.sheet == "Tabel 1"


def test_an_xlsx_whose_compressed_sheet_is_damaged_is_refused_in_words():
    """A corrupt deflate stream (zlib's "invalid distance too far back") is a damaged file, not a crash."""
    import io
    import zipfile

    good = build("xlsx", [("Peserta", [["NIP", "Nama"], ["198203152006042003", "Budi"]] * 40)])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
    data = bytearray(broken.getvalue())
    start = data.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    data[start + 5:start + 40] = bytes(35)  # inside the sheet's compressed bytes
    with pytest.raises(ValidationError):
        reader.read("rusak.xlsx", bytes(data), "peserta")


@pytest.mark.parametrize("kind", ["peserta", "potensi", "rekam_jejak", "skp", "external_results"])
def test_every_field_has_an_indonesian_name_for_the_mapping_screen(kind):
    """The mapping screen and the messages name fields in words, not by their keys ("pelatihan_jp")."""
    for key in reader.fields_of(kind):
        label = importer.field_label(key)
        assert label.strip() and "_" not in label and not (label == key and key.islower()), key
