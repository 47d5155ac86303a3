"""Minimisation by construction (docs/domain.md §6): walk every operation a landlord — or an
intermediary acting for landlords (Västerås: Bostad Västerås) — can reach in the OpenAPI
document and fail if any of its responses could carry a household field beyond household
size, rooms, contract form, guarantee, support plan and move-in date."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from app.auth import Role
from app.events.catalogue import SUBJECT_OF
from app.events.openapi import PAYLOADS
from app.vocabulary import EventType
from tests.minimal_view import components_of, forbidden_household_fields, reachable_properties
from tests.test_architecture import _roles, api_routes


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
    forbidden = forbidden_household_fields(components_of(app.openapi()))
    assert {"target_groups", "income", "avoid_areas", "case_ref", "household"} <= forbidden
    assert {"tenant", "personal_identity_number", "actions"} <= forbidden


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
    components = components_of(schema)
    forbidden = forbidden_household_fields(components)
    operations = _landlord_operations(app, role)
    assert ("get", "/v1/proposals") in operations
    assert ("get", "/v1/prevention/signals/{signal_id}") in operations
    leaks = []
    for method, path in sorted(operations):
        for status, response in schema["paths"][path][method]["responses"].items():
            if not status.startswith("2"):
                continue
            exposed = reachable_properties(response.get("content", {}), components, set())
            for field in sorted(exposed & forbidden):
                leaks.append(f"{method.upper()} {path} {status}: {field}")
    assert leaks == []


def test_no_landlord_webhook_payload_carries_a_household_field(app: FastAPI) -> None:
    """The events a landlord hears (the OpenAPI `webhooks` section, the same `data` as its
    feed) carry its own minimal views only — among them the transfer's answers and the
    lock-in watch (`tenancy.transfer_refused`, `tenancy.transfer_overdue`, issue 24)."""
    schema = app.openapi()
    components = components_of(schema)
    forbidden = forbidden_household_fields(components)
    payloads = sorted(name for name in components if name.endswith("LandlordPayload"))
    assert {
        "TenancyTransferRefusedLandlordPayload",
        "TenancyTransferOverdueLandlordPayload",
    } <= set(payloads)
    leaks = [
        f"{name}: {field}"
        for name in payloads
        for field in sorted(reachable_properties({"$ref": name}, components, set()) & forbidden)
    ]
    assert leaks == []


def test_no_event_a_landlord_receives_carries_a_household_or_tenant_field(app: FastAPI) -> None:
    """The same walk over the webhooks section: every event's payload for the landlord
    audience (a prevention signal's status view among them) stays minimal."""
    schema = app.openapi()
    components = components_of(schema)
    forbidden = forbidden_household_fields(components)
    walked: set[str] = set()
    leaks: list[str] = []
    for event_type in EventType:
        names = PAYLOADS[SUBJECT_OF[event_type]].get(Role.landlord, ())
        for name in names:
            walked.add(name)
            exposed = reachable_properties(
                {"$ref": f"#/components/schemas/{name}"}, components, set()
            )
            leaks.extend(
                f"{event_type.value} {name}: {field}" for field in sorted(exposed & forbidden)
            )
    assert "SignalRead" in walked
    assert leaks == []
