"""Papers use a DejaVu cut to the glyphs Indonesian papers need; a rarer glyph brings in the full face."""

from __future__ import annotations

import io
import pickle

import pytest
from pypdf import PdfReader

from core import pdf as pdf_base
from core.errors import DomainError


def written(text: str) -> bytes:
    doc = pdf_base.ReportPDF({"instansi": "Pemerintah Kota"}, title="Uji")
    doc.add_page()
    doc.paragraph(text)
    return doc.output_bytes()


def embedded_fonts(data: bytes) -> int:
    """How many font files the document embeds (the paper subset: regular and bold, as used)."""
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages[0]["/Resources"]["/Font"])


def test_the_paper_subset_holds_indonesian_text_and_the_report_signs():
    text = "Dr. Siti Rahmawati, S.Psi., M.Si. — gap −1 ≤ 2 • “kutipan” № 5 ★ ✓ Café"
    data = written(text)
    assert text in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert embedded_fonts(data) == 2  # regular (text) and bold (the letterhead)


def test_a_glyph_outside_the_subset_is_written_with_the_full_face():
    data = written("Nguyễn Thị Ánh — Ωmega Жанна")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Nguyễn" in text and "Жанна" in text
    assert embedded_fonts(data) == 3  # the full regular face joins for this document only


def test_the_subset_file_is_small_and_built_once(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_base.tempfile, "gettempdir", lambda: str(tmp_path))
    first = pdf_base.paper_font_file("DejaVuSans.ttf")
    stamp = first.stat().st_mtime_ns
    assert pdf_base.paper_font_file("DejaVuSans.ttf") == first and first.stat().st_mtime_ns == stamp
    assert first.stat().st_size < pdf_base.font_file("DejaVuSans.ttf").stat().st_size / 5


def test_points_replace_typed_bullets_but_keep_the_text_as_written():
    doc = pdf_base.ReportPDF({"instansi": "Pemerintah Kota"}, title="Uji")
    doc.add_page()
    doc.points("- Integritas terjaga\n**Kerjasama** lintas unit\n3. Komunikasi runtut")
    text = PdfReader(io.BytesIO(doc.output_bytes())).pages[0].extract_text()
    assert "• Integritas terjaga" in text and "• **Kerjasama** lintas unit" in text and "• Komunikasi runtut" in text
    assert "- Integritas" not in text and "3. Komunikasi" not in text


def test_a_server_without_dejavu_says_what_to_install(tmp_path, monkeypatch):
    """No traceback and no bare apology: the officer learns which package the server lacks (README, Linux)."""
    monkeypatch.setattr(pdf_base, "FONT_DIRS", [tmp_path])
    monkeypatch.setattr(pdf_base.tempfile, "gettempdir", lambda: str(tmp_path))
    with pytest.raises(DomainError) as refused:
        written("Budi")
    assert refused.value.key == "pdf.font_missing" and "fonts-dejavu-core" in str(refused.value)
    again = pickle.loads(pickle.dumps(refused.value))  # as a report worker hands it back
    assert str(again) == str(refused.value)
