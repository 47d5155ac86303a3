"""Views apart from services (issue 22): each domain's read models live in its `views.py`,
so a publisher of events never needs the service and a service never builds an answer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
VIEW_BUILDER = re.compile(r"^(to_\w+|(?!emit_)\w+_(view|views|read|reads))$")
"""`to_read`, `to_views`, `webhook_view`, `pin_reads` …; not `emit_views`, which sends them."""


def _imported_modules(path: Path) -> set[str]:
    """Every `app.` module the file imports, also inside functions (`from app.x import y`
    counts as both `app.x` and `app.x.y`, since y may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("app.")}


def test_event_publishers_import_views_never_a_service() -> None:
    offenders = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in sorted(APP.glob("*/events.py"))
        for name in sorted(_imported_modules(path))
        if name.endswith(".service")
    ]
    assert offenders == []


def test_no_service_imports_a_view() -> None:
    offenders = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in sorted(APP.glob("*/service.py"))
        for name in sorted(_imported_modules(path))
        if name.endswith(".views")
    ]
    assert offenders == []


def test_view_builders_live_in_views_files() -> None:
    """A function named like a view builder (`to_read`, `to_views`, `webhook_view`,
    `pin_reads` …) outside a domain's `views.py` is a view that went back into a service
    or a router."""
    offenders = [
        f"{path.relative_to(APP.parent)}:{node.lineno} {node.name}"
        for path in sorted(APP.rglob("*.py"))
        if path.name != "views.py"
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and VIEW_BUILDER.match(node.name)
    ]
    assert offenders == []
