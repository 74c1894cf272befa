"""No test module imports another: what tests share lives in a helper module named for what it
holds (tests/e2e/urgent_steps.py, tests/unit/form_walks.py, ...), so a newcomer finds each
helper once and running one test file never runs the tests of another.

Read with ``ast`` only: nothing under tests/ is imported here.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):  # relative: from . import x, from .test_x import y
            found.add("." * node.level + (node.module or ""))
            found.update(f"{'.' * node.level}{alias.name}" for alias in node.names)
    return found


def is_test_module(name: str) -> bool:
    return name.rsplit(".", 1)[-1].startswith("test_")


def test_no_test_module_imports_another() -> None:
    offending = {
        (str(path.relative_to(TESTS)), module)
        for path in TESTS.rglob("test_*.py")
        for module in imported_modules(path)
        if is_test_module(module) and module.split(".")[0] in ("tests", "")
    }
    assert offending == set()
