"""Intermediaries, their mandates, and who acted on the landlord's side."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.audit.schemas import PersonRead
from app.core.types import MunicipalityCode, OrgNumber, ShortText, UUIDStr
from app.vocabulary import ActorRole


class IntermediaryCreate(BaseModel):
    """An intermediary, identified by its organisationsnummer (the check digit is verified)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Bostad Västerås", "org_number": "559908-0081"}]},
    )

    name: ShortText
    org_number: OrgNumber


class IntermediaryRead(BaseModel):
    id: str
    name: str
    org_number: str
    created_at: datetime


class IntermediaryPage(BaseModel):
    items: list[IntermediaryRead]
    next_cursor: str | None


class MandateCreate(BaseModel):
    """A landlord's mandate to an intermediary in one municipality. A coordinator's
    municipality is its own (naming another is 404); an admin names it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "intermediary": "0b6f5a0e-2d7c-4c1e-9f43-8a2b1d6e5c70",
                    "landlord": "3f2a9c4e-8b1d-4e6f-a7c2-5d9e0b1f2a3c",
                    "municipality": "1980",
                    "valid_from": "2026-01-01",
                    "valid_to": "2026-12-31",
                }
            ]
        },
    )

    intermediary: UUIDStr
    landlord: UUIDStr
    municipality: MunicipalityCode | None = None
    valid_from: date | None = Field(default=None, description="Today when left out")
    valid_to: date | None = Field(default=None, description="Inclusive; none: until ended")


class MandateEnd(BaseModel):
    """Ending a mandate takes effect at once: the intermediary's next request no longer
    reaches the landlord's objects in that municipality."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class MandateRead(BaseModel):
    id: str
    intermediary: str
    intermediary_name: str | None
    landlord: str
    landlord_name: str | None
    municipality: str
    valid_from: date
    valid_to: date | None
    live: bool = Field(description="In its period today and not ended")
    created_by: str = Field(description="The client_id that created it")
    created_at: datetime
    ended_at: datetime | None
    ended_by: str | None


class MandatePage(BaseModel):
    items: list[MandateRead]
    next_cursor: str | None


class ActedBy(BaseModel):
    """Who acted on the landlord's side: the landlord itself, or an intermediary under its
    mandate. `organisation` is the landlord's id or the intermediary's."""

    role: ActorRole
    credential: str = Field(
        description="The client_id of the credential that acted; for a person who signed in, "
        "their stable id `person_…` (see `person`)"
    )
    organisation: str | None
    person: PersonRead | None = Field(
        default=None, description="The person who signed in and acted; none for a system"
    )


def acted_by(
    credential: str | None,
    intermediary: str | None,
    landlord: str,
    person: tuple[str | None, str | None] = (None, None),
) -> ActedBy | None:
    """The actor recorded beside a change (none recorded: None); `person` the subject and
    name of a person who signed in (docs/identity.md)."""
    if credential is None:
        return None
    subject, name = person
    someone = None if subject is None else PersonRead(subject=subject, name=name)
    if intermediary is not None:
        return ActedBy(
            role=ActorRole.intermediary,
            credential=credential,
            organisation=intermediary,
            person=someone,
        )
    return ActedBy(
        role=ActorRole.landlord, credential=credential, organisation=landlord, person=someone
    )
