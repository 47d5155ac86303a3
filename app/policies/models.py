from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow


class Policy(Base):
    """One version of a municipality's priority policy; a change is a new row, never an
    update, so every round can name exactly the policy it used."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("municipality_code", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    version: Mapped[int]
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
