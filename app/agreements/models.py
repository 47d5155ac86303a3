from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import PERMISSIVE_LETTING_RULES, Pacing, RemarkEffect


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
    # --- The transfer to the tenant's own lease (issue 24; docs/tenancies.md) ---
    # The landlord must consent before a tenancy is transferred to the tenant (by default:
    # Jönköping's social services only "rekommenderar … fastighetsägaren"); false: it may
    # refuse only with problems recorded in the trial (Göteborg).
    transfer_needs_landlord_consent: Mapped[bool] = mapped_column(
        default=True, server_default=true()
    )
    # The trial's latest month (Norrköping: "träningsboende i upp till två år"); past it
    # without a transfer or a recorded reason the tenancy is on the lock-in watch.
    transfer_latest_months: Mapped[int | None] = mapped_column(default=None)
    # What a remark does to the trial (`RemarkEffect`), and by how much `extend` moves it.
    remark_effect: Mapped[str] = mapped_column(
        String(8), default=RemarkEffect.restart, server_default=RemarkEffect.restart
    )
    remark_extend_months: Mapped[int | None] = mapped_column(default=None)
    # After-care after a transfer (Karlstad: "Under påföljande tolv månaders period bistår
    # kommunen bostadsföretaget"): reports still accepted and answered for this many months.
    aftercare_months: Mapped[int] = mapped_column(default=0, server_default="0")
    # Karlstad: "besittningsskyddet avtals bort under en treårsperiod": recorded on the lease.
    tenure_waiver_months: Mapped[int | None] = mapped_column(default=None)
    # Helsingborg Delmål 3: move-on places "med hyresgaranti utanför rådande kvot" — this
    # many placements a year of households moving on count against no quota.
    move_on_outside_quota: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
