"""What a landlord may learn of a household (docs/domain.md §6), and the walk over the
OpenAPI document that finds every property a response could carry."""

from __future__ import annotations

from typing import Any

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
# What social services know of a tenant in a prevention case (issue 25): a landlord reads its
# own signal's status and the initials it sent, never the identity or the municipality's work.
PREVENTION_FORBIDDEN = {
    "tenant",
    "personal_identity_number",
    "priority_groups",
    "must_contact",
    "actions",
    "consent_to_tell_landlord",
    "children_affected",
}

# Every property of the landlord's proposal view (app/proposals/schemas.py), walked field by
# field by tests/test_proposals.py and tests/test_intermediaries.py.
LANDLORD_VIEW_FIELDS = {
    "view",
    "id",
    "status",
    "vacancy",
    "external_ref",
    "contract_form",
    "household_size",
    "rooms",
    "municipal_guarantee",
    "support_plan",
    "move_in_date",
    "deadline_at",
    "decline",
    # inside `decline`: the landlord's own answer
    "reason",
    "comment",
    # who gave the landlord's answer (the landlord, or its intermediary): no household data
    "landlord_answer_by",
    "role",
    "credential",
    "organisation",
    # the landlord's own person who gave it, when one signed in (docs/identity.md)
    "person",
    "subject",
    "name",
}


def components_of(schema: dict[str, Any]) -> dict[str, Any]:
    return dict(schema["components"]["schemas"])


def reachable_properties(node: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    """Every property name reachable from a schema node, following $refs. Where a union is
    discriminated by audience (`view`), only the landlord's member is followed: the server
    picks the member from the caller's role (tests/test_proposals.py asserts that a landlord
    always gets `view: landlord`)."""
    found: set[str] = set()
    if isinstance(node, dict):
        landlord_member = node.get("discriminator", {}).get("mapping", {}).get("landlord")
        if landlord_member is not None:
            return reachable_properties({"$ref": landlord_member}, components, seen)
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return found
            seen.add(name)
            return reachable_properties(components[name], components, seen)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= reachable_properties(value, components, seen)
    elif isinstance(node, list):
        for item in node:
            found |= reachable_properties(item, components, seen)
    return found


def forbidden_household_fields(components: dict[str, Any]) -> set[str]:
    household = set(components["HouseholdRead"]["properties"])
    vacancy = set(components["VacancyRead"]["properties"])
    return (
        (household - vacancy - NEUTRAL - ALLOWED_FOR_LANDLORDS)
        | ALSO_FORBIDDEN
        | PREVENTION_FORBIDDEN
    )
