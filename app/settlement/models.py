from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow


class SettlementFigure(Base):
    """A municipality's figure for a year under the Settlement Act (bosättningslagen
    2016:38, the kommuntal): how many newly arrived it is to settle, as the coordinator
    recorded it. Rounds take what remains of it as their floor for newly arrived."""

    __tablename__ = "settlement_figures"
    __table_args__ = (UniqueConstraint("municipality_code", "year"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    year: Mapped[int]
    figure: Mapped[int]
    recorded_by: Mapped[str | None] = mapped_column(String(40), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
