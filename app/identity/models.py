from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, utcnow


class TrustedIssuer(Base):
    """An OpenID Connect issuer whose tokens act within ONE organisation: its people sign
    in as themselves, with the role their group or role claim maps to (docs/identity.md)."""

    __tablename__ = "trusted_issuers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300), unique=True)
    """The `iss` claim exactly as the provider writes it (also the discovery base)."""
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), default=None, index=True
    )
    landlord_id: Mapped[str | None] = mapped_column(
        ForeignKey("landlords.id"), default=None, index=True
    )
    audience: Mapped[str] = mapped_column(String(200))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """Keys given inline (a closed network); None: read from the discovery document."""
    role_claim: Mapped[str] = mapped_column(String(100))
    role_map: Mapped[dict[str, str]] = mapped_column(JSON)
    name_claim: Mapped[str] = mapped_column(String(100))
    algorithms: Mapped[list[str]] = mapped_column(JSON)
    client_id: Mapped[str | None] = mapped_column(String(200), default=None)
    """The public client people's browsers sign in with (authorization code + PKCE)."""
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The scopes a browser asks for at sign-in (Entra ID: the API's own scope)."""
    label: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
