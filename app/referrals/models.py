from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import ReferralStatus


class Network(Base):
    """A named network of municipalities that take each other's households who must move
    for their safety (Södertälje: Kompotten, "ett trettiotal kommuner"), made by an admin."""

    __tablename__ = "networks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    answer_hours: Mapped[int] = mapped_column(default=72)
    """How long a receiving municipality has to accept or decline a referral."""
    reciprocal: Mapped[bool] = mapped_column(default=False)
    """The network states that each member houses as many as it sends over a year."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NetworkMember(Base):
    """A municipality's membership of a network for a period (`valid_to` None: open)."""

    __tablename__ = "network_members"
    __table_args__ = (UniqueConstraint("network_id", "municipality_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)


class Referral(Base):
    """One household referred from its municipality to another of a shared network (or
    offered to the whole network: `to_municipality` None until a member accepts). On
    acceptance the receiving municipality's new case is `received_household_id`."""

    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    from_municipality: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    to_municipality: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=ReferralStatus.pending, index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    receiver_visible: Mapped[bool] = mapped_column(default=False)
    """The sending social services chose to let the sending side see the receiving
    municipality before the household is housed (protected identity only hides it)."""
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    received_household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.id"), default=None
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
