from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.auth import Role
from app.types import MunicipalityCode, ShortText, UUIDStr


class CredentialCreate(BaseModel):
    """A new credential: coordinators and social services belong to a municipality,
    landlords to a landlord, admins to nobody."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "coordinator", "municipality": "1980"}]},
    )

    role: Role
    municipality: MunicipalityCode | None = None
    landlord: UUIDStr | None = None
    label: ShortText | None = None


class CredentialRead(BaseModel):
    id: str = Field(description="The OAuth2 client_id")
    role: Role
    municipality: str | None
    landlord: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


class CredentialCreated(CredentialRead):
    """Returned once, at creation: the secret is not stored and cannot be shown again."""

    client_id: str
    client_secret: str


class CredentialPage(BaseModel):
    items: list[CredentialRead]
    next_cursor: str | None


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")
