"""The audit log as coordinators read it: who touched which household record, when and why
— never what the record contains."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header
from pydantic import BaseModel, Field

from app.core.errors import UnprocessableEntity
from app.core.types import (
    IDENTITY_NUMBER_REFUSED,
    INVISIBLE_CHARACTER_REFUSED,
    contains_identity_number,
    contains_invisible_character,
)
from app.vocabulary import AuditAction


@dataclass(frozen=True)
class AuditFilter:
    """What a data-protection officer asks of the trail. Each field set narrows it by one
    condition (`conditions`); a new filter is a field here and one line there."""

    household: str | None = None
    prevention_case: str | None = None
    """An eviction-prevention case: its events carry its id where a household's carry the
    household's."""
    actor: str | None = None
    """The credential (`client_id`) that acted."""
    action: str | None = None
    since: datetime | None = None
    """From this moment on, inclusive."""
    until: datetime | None = None
    """Up to this moment, exclusive."""
    person: str | None = None
    """The person (their identity provider's `sub`) who acted."""


class PersonRead(BaseModel):
    """The person who signed in through their organisation's identity provider."""

    subject: str = Field(description="The identity provider's `sub` for the person")
    name: str | None = Field(description="The display name the identity provider gave")


class AuditEventRead(BaseModel):
    at: datetime
    credential: str = Field(
        description="The client_id of the credential that acted; for a person who signed in, "
        "their stable id `person_…` (see `person`)"
    )
    role: str
    organisation: str | None = Field(
        description="The caller's organisation: a municipality code, or the id of the "
        "landlord or intermediary that acted"
    )
    on_behalf_of: str | None = Field(
        default=None,
        description="The landlord an intermediary acted for under its mandate; none when "
        "the caller acted for its own organisation",
    )
    person: PersonRead | None = Field(
        default=None, description="Who signed in, when a person did; none for a system"
    )
    action: AuditAction
    household: str
    purpose: str | None = Field(description="The caller's `X-Purpose` header, if sent")
    request_id: str | None = Field(description="The request's `X-Request-ID`")


class AuditPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None


MAX_PURPOSE_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_RAW_CONTROLS = r"\x00-\x1f\x7f"
"""What the header's raw text may not hold, before it is decoded: one set, read by the
header's declared pattern and by `checked_purpose`."""


async def purpose_header(
    raw: Annotated[
        str | None,
        Header(
            alias="X-Purpose",
            min_length=1,
            max_length=4 * MAX_PURPOSE_LENGTH,
            pattern=f"^[^{_RAW_CONTROLS}]+$",
            description="Why the record is read or changed (a task, a decision); written "
            "to the audit log. UTF-8, at most 200 characters, no control characters.",
        ),
    ] = None,
) -> str | None:
    """The caller's stated purpose (async: no I/O, no thread hop; docs/architecture.md)."""
    return read_purpose(raw)


def read_purpose(raw: str | None) -> str | None:
    """The stated purpose in a header FastAPI has checked. HTTP hands header bytes over as
    Latin-1; a Swedish purpose is sent as UTF-8, so it is decoded as such when it is valid
    UTF-8."""
    if raw is None:
        return None
    try:
        purpose = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        purpose = raw
    if len(purpose) > MAX_PURPOSE_LENGTH:
        raise UnprocessableEntity(f"X-Purpose: at most {MAX_PURPOSE_LENGTH} characters")
    if _CONTROL.search(purpose):
        raise UnprocessableEntity("X-Purpose: must not contain control characters")
    # Free text kept in the audit log: the same guard as every free-text field of a body.
    if contains_invisible_character(purpose):
        raise UnprocessableEntity(f"X-Purpose: {INVISIBLE_CHARACTER_REFUSED}")
    if contains_identity_number(purpose):
        raise UnprocessableEntity(f"X-Purpose: {IDENTITY_NUMBER_REFUSED}")
    return purpose


def checked_purpose(raw: str | None) -> str | None:
    """`purpose_header` with the checks FastAPI applies to the header before calling it, for
    a request answered without the handler's validation (an idempotent replay): a replay
    refuses what the first request would have refused."""
    if raw is not None and (
        not raw or len(raw) > 4 * MAX_PURPOSE_LENGTH or re.search(f"[{_RAW_CONTROLS}]", raw)
    ):
        raise UnprocessableEntity(
            f"X-Purpose: 1 to {MAX_PURPOSE_LENGTH} characters, no control characters"
        )
    return read_purpose(raw)


PurposeHeader = Annotated[str | None, Depends(purpose_header)]
