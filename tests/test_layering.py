"""The layers of core: no import cycle among core modules, counting imports inside functions too.

Run: python3 -m pytest tests/test_layering.py -q -p no:cacheprovider
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "core"
FOUNDATION = {"db": set(), "i18n": set(), "errors": {"i18n"}, "roles": {"errors"}}  # what each may import


def ours(node: ast.AST, module: str) -> set[str]:
    """The core modules one import statement names (``from core import a, b``, ``from core.x import y``, …)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level:  # relative: from . import x / from .x import y
        names = [f"core.{node.module}" if node.module else f"core.{a.name}" for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        names = [f"core.{a.name}" for a in node.names] if node.module == "core" else [node.module or ""]
    else:
        return set()
    found = {n.split(".")[1] for n in names if n.startswith("core.") and n.count(".") >= 1}
    return found - {module}


def import_graph(source_dir: Path = CORE) -> dict[str, set[str]]:
    """module → the core modules it imports anywhere in its file (top level, functions, methods)."""
    graph = {}
    for path in sorted(source_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = set().union(*(ours(n, path.stem) for n in ast.walk(tree)))
    modules = set(graph)
    return {m: deps & modules for m, deps in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each as a sorted list."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_core_has_no_import_cycle():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("module", sorted(FOUNDATION))
def test_the_foundation_imports_only_what_lies_below_it(module):
    assert import_graph()[module] <= FOUNDATION[module]


def test_db_imports_no_module_of_ours():
    assert import_graph()["db"] == set()


def imports_inside_functions(source_dir: Path = CORE) -> list[str]:
    """``module:line`` of every import of a core module made inside a function or method."""
    found = []
    for path in sorted(source_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                found += [f"{path.stem}:{n.lineno}" for n in ast.walk(function) if ours(n, path.stem)]
    return sorted(set(found))


def test_core_modules_import_each_other_at_the_top_only():
    """Issue 9: with the layers in order, no import hides inside a function to dodge a cycle."""
    assert imports_inside_functions() == []


# The checker itself: it must see what it is meant to see -------------------------------------

def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / f"{name}.py").write_text(text, encoding="utf-8")
    return directory


def test_an_import_inside_a_function_counts(tmp_path):
    graph = import_graph(write(tmp_path, {"a": "from core import b\n",
                                          "b": "def f():\n    from core.a import g\n"}))
    assert cycles(graph) == [["a", "b"]]


@pytest.mark.parametrize("statement", ["import core.b", "from core.b import x", "from core import b, c",
                                       "from . import b", "from .b import x"])
def test_every_form_of_import_is_an_edge(tmp_path, statement):
    graph = import_graph(write(tmp_path, {"a": statement + "\n", "b": "", "c": ""}))
    assert "b" in graph["a"]


def test_a_longer_cycle_is_found_and_a_chain_is_not(tmp_path):
    chain = import_graph(write(tmp_path, {"a": "from core import b\n", "b": "from core import c\n", "c": ""}))
    assert cycles(chain) == []
    (tmp_path / "c.py").write_text("class K:\n    def m(self):\n        import core.a\n", encoding="utf-8")
    assert cycles(import_graph(tmp_path)) == [["a", "b", "c"]]


def test_an_import_inside_a_method_is_reported(tmp_path):
    write(tmp_path, {"a": "from core import b\n", "b": "class K:\n    def m(self):\n        from core.a import x\n"})
    assert imports_inside_functions(tmp_path) == ["b:3"]


def test_outside_packages_are_not_ours(tmp_path):
    graph = import_graph(write(tmp_path, {"a": "import sqlite3\nfrom sqlite_utils import Database\n"
                                               "from corelib import b\n", "b": ""}))
    assert graph["a"] == set()
