"""Structural rules a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
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
    from pydantic import ValidationError

    from app.core.config import Settings, backend

    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path == ROOT / "app" / "core" / "config.py":
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


# The order of the rooms, from the ground up (docs/architecture.md). A file may import files
# of its own layer or of a layer below, never above; no two files may import each other, even
# through others. A room is a package of app/ or a file; three kinds of file leave their
# package's layer: every `models.py` (the tables, low in the house, as Polar keeps its models),
# every `router.py` (HTTP, at the top: a router may call a flow), and a package's `__init__.py`
# stays with its package.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ground: the vocabulary and the plumbing",
        ("app/__init__.py", "app/vocabulary.py", "app/core/"),
    ),
    ("tables", ("app/*/models.py",)),
    (
        "access: who is calling, what they may read, what names a row",
        ("app/auth.py", "app/references.py", "app/identity/tokens.py"),
    ),
    ("the trail, idempotency and events", ("app/audit/", "app/idempotency/", "app/events/")),
    (
        "organisations",
        (
            "app/municipalities/",
            "app/landlords/",
            "app/intermediaries/",
            "app/credentials/",
            "app/identity/",
        ),
    ),
    (
        "agreements, areas and settlement figures",
        ("app/agreements/", "app/areas/", "app/settlement/"),
    ),
    ("vacancies and households", ("app/vacancies/", "app/households/", "app/prevention/")),
    ("the municipality's priority policy", ("app/policies/",)),
    ("referrals between municipalities of a network", ("app/referrals/",)),
    ("rounds", ("app/rounds/",)),
    ("proposals", ("app/proposals/",)),
    ("tenancies", ("app/tenancies/",)),
    ("reports", ("app/statistics/", "app/dashboard/")),
    ("flows across domains", ("app/flows/",)),
    ("HTTP, jobs and scenarios", ("app/*/router.py", "app/http/", "app/jobs/", "app/scenarios/")),
    ("the application", ("app/main.py", "app/__main__.py")),
)
LOCAL_IMPORT_REASON = "import-time"
"""A function-local `app.` import must say why, naming this, in a comment on its line or in
the block of imports and comments right above it."""


def layer_of(path: str, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS) -> int:
    """The layer a file of app/ stands on: the most specific pattern wins (a file pattern
    such as `app/*/router.py` before its package's folder)."""
    parts = path.split("/")
    best: tuple[int, int] | None = None  # (specificity, layer)
    for index, (_, patterns) in enumerate(layers):
        for pattern in patterns:
            bits = pattern.rstrip("/").split("/")
            folder = pattern.endswith("/")
            if folder:
                matches = parts[: len(bits)] == bits and len(parts) > len(bits)
            else:
                matches = len(parts) == len(bits) and all(
                    bit in ("*", part) for bit, part in zip(bits, parts, strict=True)
                )
            if matches:
                specificity = 2 if not folder and "*" in bits else (3 if not folder else 1)
                if best is None or specificity > best[0]:
                    best = (specificity, index)
    if best is None:
        raise AssertionError(f"{path} stands in no declared layer: add its room to LAYERS")
    return best[1]


def _module_file(module: str, files: set[str]) -> str | None:
    """The file of app/ a dotted module name is: `app.core.db` → `app/core/db.py`, a package
    → its `__init__.py`; `None` outside app/."""
    base = module.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if candidate in files:
            return candidate
    return None


def _import_block_above(lines: list[str], lineno: int) -> str:
    """The text of an import's line and of the block of imports, comments and blank lines
    right above it: one comment may give the reason for a group of imports."""
    start = lineno - 1
    while start > 0:
        text = lines[start - 1].strip()
        continued = text.endswith((",", "(")) or text == ")"
        if text and not text.startswith(("#", "from ", "import ")) and not continued:
            break
        start -= 1
    return "\n".join(lines[start:lineno])


def import_graph(root: Path = ROOT) -> dict[str, dict[str, list[tuple[int, bool, str]]]]:
    """Every import between files of app/: importer → imported → [(line, local, comment)],
    where `local` says the import sits inside a function and `comment` is the text of its
    line and the line above. `from app.x import y` points at `app/x/y.py` when y is a module,
    else at `app/x.py` (or the package's `__init__.py`)."""
    files = {str(path.relative_to(root)) for path in (root / "app").rglob("*.py")}
    graph: dict[str, dict[str, list[tuple[int, bool, str]]]] = {}
    for name in sorted(files):
        source = (root / name).read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        local_nodes = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(node)
        }
        edges: dict[str, list[tuple[int, bool, str]]] = {}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif node.module and node.level == 0:
                for alias in node.names:
                    sub = _module_file(f"{node.module}.{alias.name}", files)
                    targets.append(f"{node.module}.{alias.name}" if sub else node.module)
            for target in targets:
                found = _module_file(target, files)
                if found is None or found == name:
                    continue
                comment = _import_block_above(lines, node.lineno)
                edges.setdefault(found, []).append((node.lineno, id(node) in local_nodes, comment))
        graph[name] = edges
    return graph


def up_imports(
    graph: dict[str, dict[str, list[tuple[int, bool, str]]]],
    layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS,
) -> list[str]:
    """Imports that run up the declared order."""
    return [
        f"{source}:{line} imports {target} ({layers[layer_of(target, layers)][0]}, above "
        f"{layers[layer_of(source, layers)][0]})"
        for source, edges in graph.items()
        for target, uses in edges.items()
        if layer_of(target, layers) > layer_of(source, layers)
        for line, _, _ in uses
    ]


def import_cycles(graph: dict[str, dict[str, list[tuple[int, bool, str]]]]) -> list[list[str]]:
    """The files that import each other, directly or through others (Tarjan's strongly
    connected components of more than one file)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def unexplained_local_imports(
    graph: dict[str, dict[str, list[tuple[int, bool, str]]]],
) -> list[str]:
    """Function-local imports of app/ without a comment naming a measured import-time reason:
    such imports used to hide cycles."""
    return [
        f"{source}:{line} imports {target} inside a function"
        for source, edges in graph.items()
        for target, uses in edges.items()
        for line, local, comment in uses
        if local and LOCAL_IMPORT_REASON not in comment
    ]


def test_every_file_of_app_stands_in_a_declared_layer() -> None:
    for name in import_graph():
        layer_of(name)


def test_no_import_runs_up_the_order_of_the_rooms() -> None:
    assert up_imports(import_graph()) == []


def test_no_files_import_each_other() -> None:
    assert import_cycles(import_graph()) == []


def test_no_function_local_import_of_app_without_its_reason() -> None:
    assert unexplained_local_imports(import_graph()) == []


def _synthetic(
    root: Path, files: dict[str, str]
) -> dict[str, dict[str, list[tuple[int, bool, str]]]]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return import_graph(root)


def test_the_checks_catch_an_up_import_a_cycle_and_a_hidden_import(tmp_path: Path) -> None:
    """The three checks fail on a house that breaks them: a vacancy service importing a
    tenancy (up), two services importing each other (a cycle), and a function-local import
    without its reason; and they pass once it is mended."""
    broken = _synthetic(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core/__init__.py": "",
            "app/core/db.py": "",
            "app/vacancies/__init__.py": "",
            "app/vacancies/models.py": "from app.core import db\n",
            "app/vacancies/service.py": "from app.tenancies import service\n",
            "app/tenancies/__init__.py": "",
            "app/tenancies/service.py": (
                "from app.vacancies import models\n\n"
                "def f() -> None:\n    from app.rounds import service\n"
            ),
            "app/rounds/__init__.py": "",
            "app/rounds/service.py": "from app.rounds import runner\n",
            "app/rounds/runner.py": "import app.rounds.service\n",
        },
    )
    assert up_imports(broken) == [
        "app/vacancies/service.py:1 imports app/tenancies/service.py (tenancies, above "
        "vacancies and households)"
    ]
    assert import_cycles(broken) == [["app/rounds/runner.py", "app/rounds/service.py"]]
    assert unexplained_local_imports(broken) == [
        "app/tenancies/service.py:4 imports app/rounds/service.py inside a function"
    ]
    mended = _synthetic(
        tmp_path,
        {
            "app/vacancies/service.py": "from app.vacancies import models\n",
            "app/rounds/runner.py": "",
            "app/tenancies/service.py": (
                "def f() -> None:\n    # import-time: measured 40 ms saved at start\n"
                "    from app.rounds import service\n"
            ),
        },
    )
    assert up_imports(mended) == unexplained_local_imports(mended) == []
    assert import_cycles(mended) == []
    assert layer_of("app/vacancies/router.py") > layer_of("app/flows/contract.py")
    assert layer_of("app/households/models.py") < layer_of("app/auth.py")
