from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import PERMISSIVE_LETTING_RULES, Pacing


class Agreement(Base):
    """One landlord's commitments to one municipality for one year (docs/domain.md §3)."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("municipality_code", "landlord_id", "year"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    landlord_id: Mapped[str] = mapped_column(ForeignKey("landlords.id"), index=True)
    year: Mapped[int]
    quota: Mapped[int]
    exception_quota: Mapped[int] = mapped_column(default=0)
    pacing: Mapped[str] = mapped_column(String(8), default=Pacing.none, server_default=Pacing.none)
    excluded_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The letting rules (`app.vocabulary.LettingRules`), permissive unless the agreement says.
    income_multiple: Mapped[float] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["income_multiple"]
    )
    accepts_income_support: Mapped[bool] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["accepts_income_support"]
    )
    accepts_housing_allowance: Mapped[bool] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["accepts_housing_allowance"]
    )
    requires_permanent_employment: Mapped[bool] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["requires_permanent_employment"]
    )
    accepts_payment_remarks: Mapped[bool] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["accepts_payment_remarks"]
    )
    accepts_municipal_guarantee: Mapped[bool] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["accepts_municipal_guarantee"]
    )
    requires_home_insurance: Mapped[bool] = mapped_column(
        default=PERMISSIVE_LETTING_RULES["requires_home_insurance"]
    )
    contract_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    trial_period_months: Mapped[int | None] = mapped_column(default=None)
    # Each side's time to answer a released proposal (the proposal's deadline).
    answer_hours: Mapped[int] = mapped_column(default=72, server_default="72")
    # The municipality's promised response to a landlord's report on a tenancy (Karlstad:
    # 48 hours); none: no promise.
    response_hours: Mapped[int | None] = mapped_column(default=None)
    # The landlord must consent before a tenancy is transferred to the tenant (Karlstad:
    # "om parterna är överens"); false: it cannot refuse without problems (Göteborg).
    transfer_needs_landlord_consent: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    # Term and notice per contract form ({form: {term_months, notice_days, renewable}});
    # a form left out has its default (app/tenancies/terms.py).
    tenancy_terms: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    # The conditions its exception places ask of a household (Helsingborg 3:5):
    # {no_remarks_months, requires_vouching}; none: any household failing the letting rules
    # may take one (app/agreements/exceptions.py).
    exception_conditions: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # --- who holds the lease (issue 23): what the agreement rests on and its quota as a
    # share, the guarantees it accepts and what each lifts, and its own conditions for the
    # municipality's subtenants (app/agreements/lease.py).
    basis: Mapped[str] = mapped_column(
        String(24), default="cooperation_agreement", server_default="cooperation_agreement"
    )
    # {of: stock | turnover, percent, base}; none: the quota is a number.
    quota_share: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The guarantee kinds it accepts; none: `accepts_municipal_guarantee` decides (every kind).
    accepted_guarantees: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    # Per accepted kind, the letting rules it lifts; a kind left out lifts them all.
    guarantee_lifts: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    placement_refuses_income_support: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    # The target groups it takes as the municipality's subtenants; empty: all.
    accepted_target_groups: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
