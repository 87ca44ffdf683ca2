"""Every page cache that reads the database is keyed by the data version and reads at exactly that version."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parents[1] / "pages"
# Owned by another helper in issue 9's round; the lead moves it to core.freshness at the merge and empties this.
NOT_YET: set[str] = set()  # every page cache is keyed by the data version


def cached_functions(path: Path) -> list[ast.FunctionDef]:
    """The functions of a page decorated with ``st.cache_data(...)`` or ``st.cache_resource(...)``."""
    def cached(decorator) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource")

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and any(map(cached, f.decorator_list))]


def names_used(function: ast.FunctionDef) -> set[str]:
    return {n.id for n in ast.walk(function) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(function) if isinstance(n, ast.Attribute)}


def database_caches() -> list[tuple[str, ast.FunctionDef]]:
    return [(f"{path.name}:{f.name}", f) for path in sorted(PAGES.glob("*.py")) if path.name not in NOT_YET
            for f in cached_functions(path) if "database" in names_used(f) or "cached_outcome" in names_used(f)]


def test_the_pages_have_database_caches():
    assert len(database_caches()) >= 5


@pytest.mark.parametrize(("name", "function"), database_caches(), ids=[n for n, _ in database_caches()])
def test_a_database_cache_is_keyed_by_the_data_version(name, function):
    assert function.args.args[0].arg == "version", name
    used = names_used(function)
    assert "read_at" in used or "cached_outcome" in used, f"{name} must read at its version"
    assert {a.arg for a in function.args.args} <= used, f"{name} ignores one of its arguments"
