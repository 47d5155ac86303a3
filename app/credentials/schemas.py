from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.auth import Role
from app.core.types import MunicipalityCode, ShortText, UUIDStr


class CredentialCreate(BaseModel):
    """A new credential: coordinators and social services belong to a municipality,
    landlords to a landlord, intermediaries to an intermediary, admins to nobody."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "coordinator", "municipality": "1980"}]},
    )

    role: Role
    municipality: MunicipalityCode | None = None
    landlord: UUIDStr | None = None
    intermediary: UUIDStr | None = None
    label: ShortText | None = None


class CredentialRead(BaseModel):
    id: str = Field(description="The OAuth2 client_id")
    role: Role
    municipality: str | None
    landlord: str | None
    intermediary: str | None
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


class TokenRequest(BaseModel):
    """The OAuth2 client credentials grant's form (RFC 6749 §4.4). The client may instead
    authenticate with HTTP Basic, as Swagger UI does. Unknown form fields (`scope`, as
    Swagger UI sends) are ignored, as RFC 6749 §3.2 requires."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "grant_type": "client_credentials",
                    "client_id": "cid_Ab3dE5gH7jK9mN1p",
                    "client_secret": "the secret shown once at creation",
                }
            ]
        },
    )

    grant_type: Literal["client_credentials"]
    client_id: str | None = Field(default=None, max_length=100)
    client_secret: str | None = Field(default=None, max_length=200)
