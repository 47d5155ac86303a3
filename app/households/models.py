from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import Employment, HouseholdStatus


class Household(Base):
    """A household's need. `rooms_min`, `rooms_max` and `max_rent` hold only what the case
    worker gave; the defaults are derived on read (households/service.py), never stored,
    so a change of composition or income moves them too."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("municipality_code", "case_ref"),
        # The list's (updated_at, id) order (app/core/pagination.py).
        Index(
            "ix_households_municipality_code_updated_at_id",
            "municipality_code",
            "updated_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    case_ref: Mapped[str] = mapped_column(String(64))
    adults: Mapped[int]
    children: Mapped[int] = mapped_column(default=0)
    children_ages: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    income: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    employment: Mapped[str] = mapped_column(String(10), default=Employment.none)
    payment_remarks: Mapped[bool] = mapped_column(default=False)
    debts: Mapped[int] = mapped_column(default=0)
    municipal_guarantee: Mapped[bool] = mapped_column(default=False)
    # --- who holds the lease (issue 23) ---
    # The guarantee told apart: {kind, months_covered, valid_until}; `municipal_guarantee`
    # stays its boolean alias. Null: none.
    guarantee: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Social services' assessment that the children would otherwise be at risk (Nynäshamn).
    children_at_risk: Mapped[bool] = mapped_column(default=False, server_default=false())
    home_insurance: Mapped[bool] = mapped_column(default=False)
    drug_free_months: Mapped[int | None] = mapped_column(default=None)
    rooms_min: Mapped[int | None] = mapped_column(default=None)
    rooms_max: Mapped[int | None] = mapped_column(default=None)
    max_rent: Mapped[int | None] = mapped_column(default=None)
    needs_elevator: Mapped[bool] = mapped_column(default=False)
    needs_ground_floor: Mapped[bool] = mapped_column(default=False)
    needs_wheelchair: Mapped[bool] = mapped_column(default=False)
    avoid_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    support_plan: Mapped[bool] = mapped_column(default=False)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """Social services' assessment before any match (app/households/assessment.py)."""
    contract_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgency: Mapped[int] = mapped_column(default=0)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_on: Mapped[date | None] = mapped_column(default=None)
    """The day of the anvisning under the Settlement Act (bosättningslagen 2016:38): the
    two-year establishment period runs from it (Helsingborg 3:9; issue 24)."""
    status: Mapped[str] = mapped_column(String(10), default=HouseholdStatus.open, index=True)
    close_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    referred_by: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), default=None, index=True
    )
    """The municipality that referred the case here through a network (app/referrals): its
    social services keep their role for the case (`app.auth.case_scope`)."""
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
