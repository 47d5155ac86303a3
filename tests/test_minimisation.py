"""Minimisation by construction (docs/domain.md §6): walk every operation a landlord — or an
intermediary acting for landlords (Västerås: Bostad Västerås) — can reach in the OpenAPI
document and fail if any of its responses could carry a household field beyond household
size, rooms, contract form, guarantee, support plan and move-in date."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.test_architecture import _roles, api_routes

# What a landlord may learn of a household (docs/domain.md §6), under the names our schemas use.
ALLOWED_FOR_LANDLORDS = {
    "household_size",
    "rooms",
    "contract_form",
    "municipal_guarantee",
    "support_plan",
    "move_in_date",
}
# Fields of a household that describe nothing about a person.
NEUTRAL = {"id", "status", "version", "created_at", "updated_at", "municipality", "view"}
# Fields outside the household schema that would still reveal something about one.
ALSO_FORBIDDEN = {"household", "household_id", "score", "weight", "exception", "priority"}


def _components(schema: dict[str, Any]) -> dict[str, Any]:
    return dict(schema["components"]["schemas"])


def _properties(node: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    """Every property name reachable from a schema node, following $refs. Where a union is
    discriminated by audience (`view`), only the landlord's member is followed: the server
    picks the member from the caller's role (tests/test_proposals.py asserts that a landlord
    always gets `view: landlord`)."""
    found: set[str] = set()
    if isinstance(node, dict):
        landlord_member = node.get("discriminator", {}).get("mapping", {}).get("landlord")
        if landlord_member is not None:
            return _properties({"$ref": landlord_member}, components, seen)
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return found
            seen.add(name)
            return _properties(components[name], components, seen)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= _properties(value, components, seen)
    elif isinstance(node, list):
        for item in node:
            found |= _properties(item, components, seen)
    return found


def _forbidden(components: dict[str, Any]) -> set[str]:
    household = set(components["HouseholdRead"]["properties"])
    vacancy = set(components["VacancyRead"]["properties"])
    return (household - vacancy - NEUTRAL - ALLOWED_FOR_LANDLORDS) | ALSO_FORBIDDEN


def _landlord_operations(app: FastAPI, role: str = "landlord") -> set[tuple[str, str]]:
    """The operations the role is admitted to (`require(...)`, tests/test_architecture.py)."""
    return {
        (method.lower(), route.path)
        for route in api_routes(app.routes)
        if role in _roles(route.dependant)
        for method in route.methods or ()
    }


# What an intermediary may reach beyond a landlord's operations: its own organisation and
# the mandates it holds. Nothing of the municipality's (households, rounds, audit, policy).
INTERMEDIARY_OWN = {
    ("get", "/v1/intermediaries"),
    ("get", "/v1/intermediaries/{intermediary_id}"),
    ("get", "/v1/mandates"),
    ("get", "/v1/mandates/{mandate_id}"),
}


def test_the_forbidden_list_is_not_empty_and_covers_the_sensitive_fields(app: FastAPI) -> None:
    forbidden = _forbidden(_components(app.openapi()))
    assert {"target_groups", "income", "avoid_areas", "case_ref", "household"} <= forbidden


def test_an_intermediary_reaches_only_landlord_operations_and_its_own_mandates(
    app: FastAPI,
) -> None:
    """Never more than a landlord: every operation an intermediary is admitted to is one a
    landlord is admitted to (so it answers in the landlord's own schemas, walked below), or
    a read of its own organisation and mandates."""
    intermediary = _landlord_operations(app, "intermediary")
    assert {
        ("put", "/v1/vacancies/{external_ref}"),
        ("post", "/v1/proposals/{proposal_id}/accept"),
        ("get", "/v1/quota"),
    } <= intermediary
    assert intermediary - _landlord_operations(app) <= INTERMEDIARY_OWN


@pytest.mark.parametrize("role", ["landlord", "intermediary"])
def test_no_landlord_reachable_response_carries_a_household_field(app: FastAPI, role: str) -> None:
    schema = app.openapi()
    components = _components(schema)
    forbidden = _forbidden(components)
    operations = _landlord_operations(app, role)
    assert ("get", "/v1/proposals") in operations
    leaks = []
    for method, path in sorted(operations):
        for status, response in schema["paths"][path][method]["responses"].items():
            if not status.startswith("2"):
                continue
            exposed = _properties(response.get("content", {}), components, set())
            for field in sorted(exposed & forbidden):
                leaks.append(f"{method.upper()} {path} {status}: {field}")
    assert leaks == []
