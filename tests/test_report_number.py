"""Report numbers in the office's format: {seq}, {year} and the month in Roman numerals."""

from __future__ import annotations

import pytest

from core import letterhead
from core.errors import ValidationError


@pytest.mark.parametrize(("month", "roman"), [(1, "I"), (4, "IV"), (9, "IX"), (11, "XI"), (12, "XII")])
def test_month_roman(month, roman):
    assert letterhead.report_number("800/{seq:03d}/AC-BKPSDM/{month_roman}/{year}", 7, 2026, month) == \
        f"800/007/AC-BKPSDM/{roman}/2026"


def test_the_format_without_a_month_still_works():
    assert letterhead.report_number("{seq}/{year}", 12, 2026, 12) == "12/2026"


@pytest.mark.parametrize("fmt", ["{month_roman:>3}/{seq}", "{seq}/{month}", "{seq!r}", "{seq}/{year.real}", "{"])
def test_other_fields_and_specs_are_refused(fmt):
    with pytest.raises(ValidationError):
        letterhead.report_number(fmt, 1, 2026, 5)
