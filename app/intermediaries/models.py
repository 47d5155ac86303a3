"""An intermediary and the mandates landlords give it (Västerås: Bostad Västerås
"administrerar även det så kallade samarbetsavtalet mellan kommunen och fastighetsägarna")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, ForeignKey, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow


class Intermediary(Base):
    """An organisation that administers the cooperation agreement for several landlords."""

    __tablename__ = "intermediaries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    org_number: Mapped[str] = mapped_column(String(11), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mandate(Base):
    """One landlord's mandate to an intermediary in one municipality, for a period
    (`valid_to` inclusive; none: until ended). Ending it keeps the row (`ended_at`): what
    the intermediary did while it held the mandate stays explained."""

    __tablename__ = "mandates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    intermediary_id: Mapped[str] = mapped_column(ForeignKey("intermediaries.id"), index=True)
    landlord_id: Mapped[str] = mapped_column(ForeignKey("landlords.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_by: Mapped[str | None] = mapped_column(String(40), default=None)


def live_on(day: date) -> ColumnElement[bool]:
    """A mandate in force on `day`: begun, not past its `valid_to`, not ended. Beside the
    table, so authentication (app/auth.py) and the mandate queries read the same clause."""
    return and_(
        Mandate.valid_from <= day,
        or_(Mandate.valid_to.is_(None), Mandate.valid_to >= day),
        Mandate.ended_at.is_(None),
    )
