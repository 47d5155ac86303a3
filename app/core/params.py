"""Path and query parameters shared by several routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.routing import APIRoute

from app.core.errors import UnprocessableEntity
from app.core.types import UUID_PATTERN, Identifier

MunicipalityPath = Annotated[str, Path(pattern=r"^\d{4}$", examples=["1980"])]


def id_path(description: str | None = None) -> Any:
    """A path parameter holding one of the service's ids; a malformed one is 422 before
    any lookup."""
    return Path(min_length=36, max_length=36, pattern=UUID_PATTERN, description=description)


def id_query(description: str | None = None, alias: str | None = None) -> Any:
    """The same for an optional query parameter naming an object by id."""
    return Query(
        min_length=36, max_length=36, pattern=UUID_PATTERN, description=description, alias=alias
    )


# Finding a record by the reference people use for it. The values pass the identifier's
# guard (a personnummer is refused here as in a body); an exact reference is an exact match.
CaseRefQuery = Annotated[
    Identifier | None,
    Query(description="Only the case with exactly this `case_ref`", examples=["VAS-2026-0142"]),
]
ExternalRefQuery = Annotated[
    Identifier | None,
    Query(
        description="Only the vacancy with exactly this landlord's `external_ref`",
        examples=["LGH-1001"],
    ),
]
PrefixQuery = Annotated[
    Identifier | None,
    Query(
        alias="q",
        description="Only references starting with this text (a search box's prefix)",
        examples=["VAS-2026"],
    ),
]


GUARD_MARK = "allowed_roles"  # the name app/auth.py: require sets
"""The attribute `app.auth.require(...)` sets on the dependency that admits the caller."""


def declared_query_names(route: APIRoute) -> tuple[frozenset[str], bool]:
    """The query parameters an operation declares, its dependencies' included (paging's
    `limit` and `cursor`), by the name a client writes (the alias); and whether a role
    guard (`require(...)`) admits its callers."""
    names: set[str] = set()
    guarded = False
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(field.alias for field in dependant.query_params)
        guarded = guarded or hasattr(dependant.call, GUARD_MARK)
        pending.extend(dependant.dependencies)
    return frozenset(names), guarded


def refuse_undeclared_query(request: Request, *, authorized: bool = True) -> None:
    """A query parameter the operation does not declare is a 422 naming it: a typo
    (`?stauts=closed`) must not read as "no filter" and list, and audit as read, every case.
    The names allowed are read off the operation's declared parameters, so a new filter is
    declared in one place, its router.

    When it runs: right after the caller is admitted (`app.auth.require`), so a caller who
    may not call the operation hears 401 or 403 first, as for any other invalid request; for
    an operation without a role guard, before anything else (`app.auth.refuse_early`,
    which app/main.py declares for the whole app). Either way before the handler, so a
    refused request reads, changes and audits nothing."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared, guarded = declared_query_names(route)
    if guarded and not authorized:
        return  # its guard checks, once the caller is admitted
    unknown = sorted(set(request.query_params.keys()) - declared)
    if not unknown:
        return
    accepted = ", ".join(sorted(declared)) or "none"
    raise UnprocessableEntity(
        "; ".join(f"{name}: unknown query parameter" for name in unknown),
        errors=[
            {
                "field": name,
                "message": f"unknown query parameter; this operation accepts: {accepted}",
                "type": "unknown_query_parameter",
            }
            for name in unknown
        ],
    )
