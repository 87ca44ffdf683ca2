"""Layering (STYLE §1–2): ``core`` imports no Streamlit; pages hold no SQL."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_FILES = sorted((ROOT / "core").glob("*.py"))
UI_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py")])
SQL = re.compile(r"\b(?:SELECT\b[\s\S]*\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
                 r"|CREATE\s+(?:TABLE|INDEX|TRIGGER)|DROP\s+TABLE|PRAGMA\s+\w+)\b", re.IGNORECASE)


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module an ``import`` or ``from … import`` names, at any depth of the file."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def imports_streamlit(source: str) -> bool:
    return any(name == "streamlit" or name.startswith("streamlit.") for name in imported_modules(ast.parse(source)))


def string_literals(source: str) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def sql_strings(source: str) -> list[str]:
    return [text for text in string_literals(source) if SQL.search(text)]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# The detectors themselves ----------------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("import streamlit as st", True),
    ("import streamlit.components.v1 as components", True),
    ("from streamlit import session_state", True),
    ("from streamlit.testing.v1 import AppTest", True),
    ("def f():\n    import streamlit\n", True),
    ("import os, streamlit", True),
    ("import streamlit_extras", False),
    ("import sqlite_utils", False),
    ("x = 'import streamlit'", False),
])
def test_streamlit_detector(source, expected):
    assert imports_streamlit(source) is expected


@pytest.mark.parametrize("source, expected", [
    ('q = "SELECT * FROM candidates"', True),
    ('q = "select name\\n from users where id = ?"', True),
    ('q = "INSERT INTO ratings (level) VALUES (?)"', True),
    ('q = "INSERT OR IGNORE INTO settings VALUES (?, ?)"', True),
    ('q = "UPDATE events SET state = ?"', True),
    ('q = "DELETE FROM sessions"', True),
    ('q = f"SELECT * FROM {table}"', True),
    ('db.execute("PRAGMA foreign_keys = ON")', True),
    ('label = "Pilih kegiatan dari daftar"', False),
    ('label = "Update the settings"', False),
    ('help = "Hapus jabatan"', False),
])
def test_sql_detector(source, expected):
    assert bool(sql_strings(source)) is expected


# The code --------------------------------------------------------------------------------------

def test_there_is_code_to_check():
    assert len(CORE_FILES) >= 10 and len(UI_FILES) >= 5


@pytest.mark.parametrize("path", CORE_FILES, ids=relative)
def test_core_does_not_import_streamlit(path):
    assert not imports_streamlit(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", UI_FILES, ids=relative)
def test_pages_contain_no_sql(path):
    assert sql_strings(path.read_text(encoding="utf-8")) == []
