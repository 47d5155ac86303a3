from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what to which household record, when and why — never the field values."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    credential_id: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(36))
    on_behalf_of: Mapped[str | None] = mapped_column(String(36), default=None)
    """The landlord an intermediary acted for (`organisation` is then the intermediary)."""
    person_subject: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    """The person who signed in (their identity provider's `sub`); None for a system."""
    person_name: Mapped[str | None] = mapped_column(String(200), default=None)
    action: Mapped[str] = mapped_column(String(20))
    household_id: Mapped[str] = mapped_column(String(36), index=True)
    purpose: Mapped[str | None] = mapped_column(String(200), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
