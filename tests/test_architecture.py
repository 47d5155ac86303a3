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
    """One session per request, committed once by the dependency (app/db.py)."""
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
