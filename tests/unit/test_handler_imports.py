"""No import cycle between the handler modules (bot/handlers/): each flow's room stands on the
rules layer and on shared rendering below it, never on a handler that leans back on it.

Read from the source with ``ast`` (nothing is imported), so a cycle fails here before it
can surface as a half-initialised module at start-up.
"""

from __future__ import annotations

import ast
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[2] / "bot" / "handlers"
PACKAGE = "bot.handlers"


def _module_name(path: Path) -> str:
    parts = path.relative_to(HANDLERS.parent.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(HANDLERS.rglob("*.py"))}


def _imported(path: Path, name: str, known: set[str]) -> set[str]:
    """The handler modules ``path`` imports at module level or in a function (both run)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from bot.handlers import report" imports the module bot.handlers.report.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            # Importing bot.handlers.report.answers runs bot/handlers/report/__init__.py too.
            parts = target.split(".")
            found |= {".".join(parts[:n]) for n in range(1, len(parts) + 1)} & known
    found.discard(name)
    # A package is not a dependency of its own modules (Python imports it first anyway).
    return {target for target in found if not name.startswith(target + ".")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            found = visit(target)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return None


def test_no_import_cycle_between_handler_modules() -> None:
    modules = _modules()
    known = set(modules) - {PACKAGE}
    graph = {name: _imported(path, name, known) for name, path in modules.items()}
    assert _cycle(graph) is None


def test_the_check_sees_a_cycle() -> None:
    """The check itself: two modules importing each other are a cycle."""
    graph = {"a": {"b"}, "b": {"a"}, "c": set()}
    assert _cycle(graph) == ["a", "b", "a"]


def test_the_report_form_and_the_urgent_lane_do_not_import_each_other() -> None:
    """They meet only through the filing rules' announcement and bot/app.py's wiring."""
    modules = _modules()
    known = set(modules) - {PACKAGE}
    for name, path in modules.items():
        imported = _imported(path, name, known)
        if name.startswith(f"{PACKAGE}.report"):
            assert not {m for m in imported if m.startswith(f"{PACKAGE}.urgent")}, name
        if name.startswith(f"{PACKAGE}.urgent"):
            assert not {m for m in imported if m.startswith(f"{PACKAGE}.report")}, name
