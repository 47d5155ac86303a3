from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, utcnow


class Credential(Base):
    """An OAuth2 client: the secret is stored only as an argon2 hash."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), default=None, index=True
    )
    landlord_id: Mapped[str | None] = mapped_column(
        ForeignKey("landlords.id"), default=None, index=True
    )
    intermediary_id: Mapped[str | None] = mapped_column(
        ForeignKey("intermediaries.id"), default=None, index=True
    )
    label: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
