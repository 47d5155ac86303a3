from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.auth import Role
from app.core.types import MunicipalityCode, ShortText, UUIDStr, refuse_identity_number
from app.vocabulary import SigningAlgorithm

ClaimPath = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_:/.-]{1,100}$"),
    AfterValidator(refuse_identity_number),
]
"""A claim's name, or a dotted path into nested claims (`realm_access.roles`)."""
Scope = Annotated[
    str,
    StringConstraints(pattern=r"^[\x21\x23-\x5B\x5D-\x7E]{1,200}$"),
    AfterValidator(refuse_identity_number),
]
"""One OAuth 2.0 scope token (RFC 6749 §3.3)."""
IssuerUrl = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[^\s]{1,290}$"),
    AfterValidator(refuse_identity_number),
]


class IssuerCreate(BaseModel):
    """An OpenID Connect issuer trusted for ONE organisation: a municipality (its
    coordinators and social secretaries) or a landlord."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-"
                    "000000000000/v2.0",
                    "municipality": "1980",
                    "audience": "api://en-vag-in",
                    "role_claim": "roles",
                    "role_map": {
                        "EnVagIn.Coordinator": "coordinator",
                        "EnVagIn.SocialServices": "social_services",
                    },
                    "client_id": "11111111-1111-1111-1111-111111111111",
                }
            ]
        },
    )

    issuer: IssuerUrl = Field(description="The `iss` claim exactly as the provider writes it")
    municipality: MunicipalityCode | None = None
    landlord: UUIDStr | None = None
    audience: ShortText = Field(description="The `aud` the service's tokens must carry")
    jwks: dict[str, Any] | None = Field(
        default=None,
        description="The issuer's public keys inline (a closed network); none: read from "
        "its discovery document and refreshed when it rotates",
    )
    role_claim: ClaimPath = Field(default="roles", description="The claim naming roles/groups")
    role_map: dict[ShortText, Role] = Field(
        description="Claim value → the service's role", min_length=1, max_length=20
    )
    name_claim: ClaimPath = Field(default="name", description="The claim with the display name")
    algorithms: list[SigningAlgorithm] = Field(
        default=[SigningAlgorithm.RS256], min_length=1, max_length=10
    )
    client_id: ShortText | None = Field(
        default=None,
        description="The public client people sign in with from Swagger UI and the "
        "dashboard (authorization code with PKCE; no secret)",
    )
    scopes: list[Scope] = Field(
        default=["openid", "profile"],
        max_length=10,
        description="The scopes the browser asks for at sign-in (Entra ID: add the API's "
        "own scope, e.g. `api://en-vag-in/access_as_user`)",
    )
    label: ShortText | None = None


class IssuerRead(BaseModel):
    id: str
    issuer: str
    municipality: str | None
    landlord: str | None
    audience: str
    jwks: dict[str, Any] | None
    role_claim: str
    role_map: dict[str, Role]
    name_claim: str
    algorithms: list[SigningAlgorithm]
    client_id: str | None
    scopes: list[str]
    label: str | None
    created_at: datetime


class IssuerPage(BaseModel):
    items: list[IssuerRead]
    next_cursor: str | None
