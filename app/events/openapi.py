"""The OpenAPI 3.1 `webhooks` section: every event type, with its payload per audience.

`PAYLOADS` declares which view each audience receives for each kind of subject; the
publishers build those same views (app/<domain>/events.py), and tests/test_events.py
validates every payload a story produces against this declaration, so the document cannot
drift from what is sent.
"""

from __future__ import annotations

from typing import Any

from app.auth import Role
from app.events.catalogue import DESCRIPTIONS, MUNICIPAL_ONLY, SUBJECT_OF
from app.vocabulary import EventType, SubjectType

PAYLOADS: dict[SubjectType, dict[Role, tuple[str, ...]]] = {
    SubjectType.proposal: {
        Role.landlord: ("ProposalLandlordView",),
        Role.social_services: ("ProposalRead", "ProposalRestricted"),
        Role.coordinator: ("ProposalRead",),
    },
    SubjectType.vacancy: {Role.landlord: ("VacancyRead",), Role.coordinator: ("VacancyRead",)},
    SubjectType.round: {Role.coordinator: ("RoundSummary",)},
    SubjectType.tenancy: {
        Role.landlord: ("TenancyLandlordView",),
        Role.coordinator: ("TenancyRead",),
    },
    SubjectType.prevention: {
        Role.landlord: ("SignalRead",),
        Role.social_services: ("CaseSummary",),
        Role.coordinator: ("CaseSummary",),
    },
    SubjectType.referral: {
        Role.social_services: ("ReferralRead",),
        Role.coordinator: ("ReferralRead",),
    },
    SubjectType.household: {Role.coordinator: ("HouseholdRead",)},
    SubjectType.webhook: {
        Role.landlord: ("WebhookRead",),
        Role.social_services: ("WebhookRead",),
        Role.coordinator: ("WebhookRead",),
    },
}
"""Component schema names of the `data` each audience gets, per subject type."""

_AUDIENCE_NAMES = {
    Role.landlord: "a landlord",
    Role.social_services: "social services",
    Role.coordinator: "coordinators",
}
_ROLE_TITLES = {
    Role.landlord: "Landlord",
    Role.social_services: "SocialServices",
    Role.coordinator: "Coordinator",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _envelope(event_type: EventType, view: dict[str, Any]) -> dict[str, Any]:
    """`WebhookPayload` with the event's `type` fixed and its `data.data` the view."""
    return {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": event_type.value},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {
                "allOf": [_ref("EventRead")],
                "properties": {"type": {"const": event_type.value}, "data": view},
            },
        },
    }


def _view(names: tuple[str, ...]) -> dict[str, Any]:
    if len(names) == 1:
        return _ref(names[0])
    return {"oneOf": [_ref(name) for name in names]}


def webhooks_section(components: dict[str, Any]) -> dict[str, Any]:
    """One `post` per event type; its body is a `oneOf` over the audiences' payloads, each
    also a named component (`<Type><Audience>Payload`) that clients can generate from."""
    section: dict[str, Any] = {}
    for event_type in EventType:
        subject = SUBJECT_OF[event_type]
        members = []
        for role, names in PAYLOADS[subject].items():
            if event_type in MUNICIPAL_ONLY and role is Role.landlord:
                continue
            if event_type is EventType.ping:
                view: dict[str, Any] = {"type": "object"}
            else:
                view = _view(names)
            title = "".join(part.title() for part in event_type.value.replace("_", ".").split("."))
            name = f"{title}{_ROLE_TITLES[role]}Payload"
            components[name] = {
                **_envelope(event_type, view),
                "title": name,
                "description": f"`{event_type.value}` as delivered to {_AUDIENCE_NAMES[role]}.",
            }
            members.append(_ref(name))
        section[event_type.value] = {
            "post": {
                "summary": DESCRIPTIONS[event_type],
                "description": "Sent to each subscribed endpoint of an audience that can see "
                "the subject, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, "
                "`webhook-signature`); the same event is in `GET /v1/events`.",
                "operationId": f"webhook_{event_type.value.replace('.', '_')}",
                "tags": ["events"],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"oneOf": members}}},
                },
                "responses": {
                    "200": {"description": "Any 2xx ends the delivery; anything else is retried"}
                },
            }
        }
    return section
