from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow


class Area(Base):
    """`code` is the municipality's own area id (a stadsdel or DeSO code)."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("municipality_code", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    excluded: Mapped[bool] = mapped_column(default=False)
    cap: Mapped[int | None] = mapped_column(default=None)
    # At most this many placements over the agreement year (tenancies and live proposals
    # counted toward it), besides `cap` per round.
    period_cap: Mapped[int | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
