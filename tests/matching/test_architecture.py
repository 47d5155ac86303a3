"""matching/ stays pure: no web framework, ORM, schema library or app import."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"fastapi", "sqlalchemy", "pydantic", "pydantic_settings", "app", "alembic"}
PACKAGE = Path(__file__).resolve().parents[2] / "matching"


def imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_matching_never_imports_the_web_service_or_its_libraries() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert modules
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        bad = imported_roots(tree) & FORBIDDEN
        assert not bad, f"{module.name} imports {sorted(bad)}"


def test_scipy_is_imported_only_lazily_by_the_benchmark() -> None:
    for module in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        top_level = {
            alias.name.split(".")[0]
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert "scipy" not in top_level, module.name


def _matching_imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matching"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("matching."))
    return found


def test_the_matching_modules_import_each_other_without_a_cycle() -> None:
    """Every import counts, including those under TYPE_CHECKING (solve ↔ explain once)."""
    graph = {
        f"matching.{m.stem}": _matching_imports(ast.parse(m.read_text(encoding="utf-8")))
        for m in sorted(PACKAGE.glob("*.py"))
        if m.stem not in ("__init__", "__main__")
    }
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == 2 or module not in graph:
            return
        assert state.get(module) != 1, " → ".join([*path, module])
        state[module] = 1
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        state[module] = 2

    for module in graph:
        visit(module, [])
