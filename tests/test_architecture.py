"""Structural rules a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_OPERATIONS = {"/healthz", "/readyz", "/metrics", "/v1/auth/token"}


def _roles(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for sub in dependant.dependencies:
        allowed = getattr(sub.call, "allowed_roles", None)
        if allowed is not None:
            found.update(str(role) for role in allowed)
        found |= _roles(sub)
    return found


def api_routes(routes: Iterable[Any]) -> list[APIRoute]:
    """Every operation of the app, also inside included routers (FastAPI keeps those as
    router objects in `app.routes`, not as flattened routes)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        nested = getattr(getattr(route, "original_router", None), "routes", None)
        if nested is not None:
            found.extend(api_routes(nested))
    return found


def test_every_operation_declares_the_roles_it_admits(app: FastAPI) -> None:
    """Deny by default: an operation without `require(...)` would be open to any token."""
    routes = api_routes(app.routes)
    assert len({(route.path, m) for route in routes for m in route.methods or ()}) == sum(
        len(item) for item in app.openapi()["paths"].values()
    ), "every documented operation is inspected"
    unguarded = [
        f"{sorted(route.methods or ())} {route.path}"
        for route in routes
        if route.path not in PUBLIC_OPERATIONS and not _roles(route.dependant)
    ]
    assert unguarded == []


def test_routers_never_open_their_own_sessions_or_commit() -> None:
    """One session per request, committed once by the dependency (app/core/db.py)."""
    offenders = []
    for path in (ROOT / "app").rglob("router.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"commit", "sessionmaker"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_services_never_commit() -> None:
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if path.name in {"db.py", "__main__.py", "demo.py"}:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, with its line: `from a.b import c` gives `a.b` and
    `a.b.c` (c may be a module: `from app.rounds import repository`)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _routers() -> list[Path]:
    return sorted((ROOT / "app").rglob("router.py"))


def test_routers_import_no_repositories_and_no_queue() -> None:
    """Routers hold HTTP only: rows are reached through services (which scope them to the
    caller), and work off the request path through a dependency (a round's `Scheduler`),
    never by importing the queue or the worker."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _routers()
        for line, module in _imports(path)
        if module.endswith(".repository") or module in {"app.core.queue", "app.jobs.worker"}
    ]
    assert offenders == []


def test_routers_build_no_queries() -> None:
    """No `select()` in a router: a query is a repository's (or a service's) business."""
    offenders = []
    for path in _routers():
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Name) and node.id == "select") or (
                isinstance(node, ast.Attribute) and node.attr == "select"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


BRIDGE = "app/rounds/translate.py"
"""The one module that knows both the ORM rows and the solver's types."""
PUBLIC_FACE_USERS = {
    "app/flows/candidates.py": "the candidates view judges pairs as the solver does",
    "app/flows/match_round.py": "it solves the stored problem document, so it has no rows to "
    "translate: `Problem.from_json`, `solve`, `ProblemError` (and `Progress` reports)",
}
"""Modules that may use `matching` besides the bridge, and why: through its public face
only (`import matching`, `from matching import X`)."""
NOT_ON_THE_FACE_YET: set[tuple[str, str]] = set()
"""Inner modules a module outside matching/ may still import (none: everything the
candidates view needs is on matching's public face)."""


def test_only_the_bridge_imports_matching() -> None:
    """The service reaches the solver through app/rounds/translate.py; the few others
    allowed (PUBLIC_FACE_USERS) use `matching`'s public face (`import matching`, `from
    matching import X` for X in `matching.__all__`), never its inner modules."""
    import matching

    face = set(matching.__all__)
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        for line, module in _imports(path):
            top, _, rest = module.partition(".")
            if top != "matching" or name == BRIDGE:
                continue
            inner = rest.partition(".")[0]
            if name not in PUBLIC_FACE_USERS:
                offenders.append(f"{name}:{line} imports {module}")
            elif (
                inner
                and inner not in face
                and (name, f"matching.{inner}") not in (NOT_ON_THE_FACE_YET)
            ):
                offenders.append(f"{name}:{line} imports {module}: not matching's public face")
    assert offenders == []


def test_one_place_tells_sqlite_from_postgresql() -> None:
    """`app.core.config.backend` answers which database a URL (an engine's, a session's)
    names; nothing else looks at dialect names or URL prefixes, so the two backends are
    told apart one way, and an unsupported one is refused where settings are read."""
    import pytest
    from pydantic import ValidationError

    from app.core.config import Settings, backend

    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path == ROOT / "app" / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            looks = (isinstance(node, ast.Attribute) and node.attr == "get_backend_name") or (
                isinstance(node, ast.Attribute)
                and node.attr == "name"
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "dialect"
            )
            prefix = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "startswith"
                and any(
                    isinstance(arg, ast.Constant) and str(arg.value).startswith(("sqlite", "postg"))
                    for arg in node.args
                )
            )
            if looks or prefix:
                offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    assert offenders == []
    assert backend("postgresql+psycopg://app@db/envagin") == "postgresql"
    assert backend("sqlite://") == "sqlite"
    with pytest.raises(ValidationError, match="unsupported database 'mysql'"):
        Settings(database_url="mysql://app@db/envagin")
