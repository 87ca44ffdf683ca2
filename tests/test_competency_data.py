"""Sanity checks for data/competencies.json (PermenPANRB 38/2017 competency dictionary)."""

import json
import re
from pathlib import Path

import pytest

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "competencies.json"

EXPECTED = [
    ("M.01", "Integritas", "manajerial"),
    ("M.02", "Kerjasama", "manajerial"),
    ("M.03", "Komunikasi", "manajerial"),
    ("M.04", "Orientasi pada Hasil", "manajerial"),
    ("M.05", "Pelayanan Publik", "manajerial"),
    ("M.06", "Pengembangan Diri dan Orang Lain", "manajerial"),
    ("M.07", "Mengelola Perubahan", "manajerial"),
    ("M.08", "Pengambilan Keputusan", "manajerial"),
    ("SK.01", "Perekat Bangsa", "sosial_kultural"),
]

LEVEL_NAMES = {"1": "Paham/dalam pengembangan", "2": "Dasar", "3": "Menengah", "4": "Mumpuni", "5": "Ahli"}

LEADING_MARKER = re.compile(r"^\s*(\d|[-•*·‣▪–—])")


def _load():
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


DATA = _load()


def test_top_level():
    assert DATA["source"].strip()
    assert DATA["level_names"] == LEVEL_NAMES
    assert [(c["code"], c["name"], c["kind"]) for c in DATA["competencies"]] == EXPECTED


@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0] for e in EXPECTED])
def test_competency(index):
    comp = DATA["competencies"][index]
    code, name, kind = EXPECTED[index]
    assert (comp["code"], comp["name"], comp["kind"]) == (code, name, kind)
    assert comp["definition"].strip() == comp["definition"] and comp["definition"]
    assert [lv["level"] for lv in comp["levels"]] == [1, 2, 3, 4, 5]

    seen = set()
    for lv in comp["levels"]:
        assert lv["headline"].strip() == lv["headline"] and lv["headline"]
        assert len(lv["indicators"]) >= 2
        for ind in lv["indicators"]:
            assert isinstance(ind, str) and ind.strip() == ind and ind
            assert not LEADING_MARKER.match(ind), ind
            assert ind not in seen, f"duplicate indicator in {code}: {ind}"
            seen.add(ind)
