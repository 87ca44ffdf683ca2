"""The report's chart drawn as vector graphics: bar lengths and the standard's line follow the levels."""

from __future__ import annotations

import pytest

from core import pdf_charts


class Recorder:
    """Stands in for an FPDF page: records the shapes and texts a chart draws."""

    def __init__(self):
        self.rects, self.lines, self.texts = [], [], []

    def rect(self, x, y, w, h, style=None):
        self.rects.append((x, y, w, h))

    def line(self, x1, y1, x2, y2):
        self.lines.append((x1, y1, x2, y2))

    def text(self, x, y, text):
        self.texts.append(text)

    def get_string_width(self, text):
        return len(text) * 1.5

    def set_font(self, *args, **kwargs):
        pass

    set_text_color = set_draw_color = set_fill_color = set_line_width = set_font


POINTS = (("Integritas", 3, 4), ("Kerjasama", 5, 4), ("Perekat Bangsa", 0, 3))


@pytest.fixture
def drawn():
    page = Recorder()
    height = pdf_charts.profile_bars(page, POINTS, x=10, y=20, width=152)
    return page, height


def test_bar_lengths_are_the_levels_on_a_0_to_5_scale(drawn):
    page, _height = drawn
    plot_width = 152 - pdf_charts.LABEL_WIDTH
    assert [round(w, 6) for _x, _y, w, _h in page.rects] == [round(plot_width * 3 / 5, 6), plot_width]


def test_no_bar_without_a_consensus_level(drawn):
    page, _height = drawn
    assert len(page.rects) == 2  # Perekat Bangsa has level 0: only its standard is drawn


def test_standard_lines_stand_at_the_standard_level(drawn):
    page, _height = drawn
    plot_x, plot_width = 10 + pdf_charts.LABEL_WIDTH, 152 - pdf_charts.LABEL_WIDTH
    vertical_ticks = [x1 for x1, y1, x2, y2 in page.lines if x1 == x2 and y2 - y1 < pdf_charts.ROW * 2]
    for standard in (4, 4, 3):
        assert plot_x + plot_width * standard / 5 in vertical_ticks


def test_labels_and_axis(drawn):
    page, height = drawn
    assert page.texts[:1] == ["Integritas"] and "Perekat Bangsa" in page.texts
    assert [str(n) for n in range(6)] == page.texts[-6:]
    assert height == pytest.approx(pdf_charts.ROW * 3 + 5)


def test_a_long_name_is_shortened_to_its_column():
    page = Recorder()
    pdf_charts.profile_bars(page, (("Pengembangan Diri dan Orang Lain yang Sangat Panjang Sekali", 4, 4),),
                            x=0, y=0, width=150)
    label = page.texts[0]
    assert label.endswith("…") and page.get_string_width(label) <= pdf_charts.LABEL_WIDTH - 2
