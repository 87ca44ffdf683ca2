"""Signature blocks (SPEC §6.1, issue 13 item 7): a name on one line where it can be, every line of a name that
must wrap underlined, no lone word on a line of a role."""

from __future__ import annotations

import io

from pypdf import PdfReader

from core import pdf as pdf_base

BOSS = "Dr. Hj. Nurhayati, S.Sos., M.Si."
LONG_NAME = "Prof. Dr. Ir. Hj. Siti Nurhaliza Rahmawati Kusumaningtyas, S.E., M.Si., M.M."
ROLE = "Mengetahui,\nKepala BKPSDM Kota Harapan Jaya\nselaku Pimpinan Penyelenggara\nPenilaian Kompetensi"


def characters(text: str) -> float:
    return len(text)


def test_greedy_lines_fill_each_line_and_keep_a_too_long_word_whole():
    assert pdf_base.greedy_lines("aa bb cc dd", 5, characters) == ["aa bb", "cc dd"]
    assert pdf_base.greedy_lines("aa bb cc dd", 8, characters) == ["aa bb cc", "dd"]
    assert pdf_base.greedy_lines("Kusumaningtyas, S.E.", 6, characters) == ["Kusumaningtyas,", "S.E."]
    assert pdf_base.greedy_lines("", 6, characters) == []


def test_even_lines_leave_no_lone_word():
    # Greedy at 27 characters: "Kepala BKPSDM Kota Harapan" (26) / "Jaya". The same two lines at their most
    # even: "Kepala BKPSDM" (13) / "Kota Harapan Jaya" (17) beats "Kepala BKPSDM Kota" (18) / "Harapan Jaya".
    assert pdf_base.greedy_lines("Kepala BKPSDM Kota Harapan Jaya", 27, characters)[-1] == "Jaya"
    assert pdf_base.even_lines("Kepala BKPSDM Kota Harapan Jaya", 27, characters) == ["Kepala BKPSDM",
                                                                                        "Kota Harapan Jaya"]
    assert pdf_base.even_lines("aa bb cc dd", 8, characters) == ["aa bb", "cc dd"]
    assert pdf_base.even_lines("Ketua Tim Asesor", 27, characters) == ["Ketua Tim Asesor"]


def test_name_size_is_the_largest_at_which_every_name_that_can_fits_one_line():
    def at(text: str, size: float) -> float:
        return len(text) * size / 10

    # BOSS has 32 characters: 30.4 at 9.5, 28.8 at 9; the column holds 29.
    assert pdf_base.name_size([BOSS, "Drs. Bambang Sutejo, M.M."], 29, at) == 9
    # LONG_NAME (76 characters) wraps at any size and does not shrink the others.
    assert pdf_base.name_size([BOSS, LONG_NAME], 29, at) == 9
    assert pdf_base.name_size(["Ani"], 29, at) == 9.5
    assert pdf_base.name_size([LONG_NAME], 29, at) == 8


def signed(blocks: list[dict]) -> tuple[list[str], int]:
    """The text lines of a page holding only the signatures, and how many underlines it draws."""
    doc = pdf_base.ReportPDF({}, title="Uji")
    doc.add_page()
    doc.signatures(blocks)
    page = PdfReader(io.BytesIO(doc.output_bytes())).pages[0]
    return page.extract_text().splitlines(), page.get_contents().get_data().count(b" re f")


def test_three_signatories_names_on_one_line_a_long_one_underlined_on_every_line():
    lines, underlines = signed([{"role": ROLE, "name": BOSS, "nip": "197006151996032003"},
                                {"role": "Asesor Penanggung Jawab", "name": LONG_NAME, "nip": "196805121994032004"},
                                {"role": "Ketua Tim Asesor", "name": "", "nip": ""}])
    assert BOSS in lines  # "Dr. Hj. Nurhayati, S.Sos.," / "M.Si." before
    wrapped = [line for line in lines if line and line in LONG_NAME]
    assert " ".join(wrapped) == LONG_NAME and len(wrapped) >= 2
    assert underlines == 1 + len(wrapped)  # every line of a name, none under the blank one
    assert "Jaya" not in lines and "Kota Harapan Jaya" in lines  # "Kepala BKPSDM Kota Harapan" / "Jaya" before
    assert all(len(line.split()) > 1 for line in lines if line in ROLE and line not in ROLE.splitlines())


def test_two_signatories_keep_even_a_long_name_on_one_line_where_it_fits():
    lines, underlines = signed([{"role": ROLE, "name": BOSS, "nip": "1"},
                                {"role": "Ketua Tim Asesor", "name": "Dra. Rini Astuti, M.Psi., Psikolog", "nip": "2"}])
    assert BOSS in lines and "Dra. Rini Astuti, M.Psi., Psikolog" in lines
    assert underlines == 2
