"""The tables of eviction prevention: a landlord's signal is a case of the municipality's
social services, its outreach actions, and the municipality's versioned prevention policy."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import SignalStatus


class PreventionCase(Base):
    """One signal from a landlord and the municipality's work on it. The tenant's name and
    personal identity number are kept only sealed (`tenant_sealed`, AES-GCM bound to the
    case's id, app/core/sealing.py); erasure after retention clears it with the address and
    the landlord's reference, and leaves the counted facts (kind, landlord, dates, outcome)."""

    __tablename__ = "prevention_cases"
    __table_args__ = (
        Index("ix_prevention_cases_municipality_code_due_at", "municipality_code", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    landlord_id: Mapped[str] = mapped_column(ForeignKey("landlords.id"), index=True)
    sent_by_role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    basis: Mapped[str] = mapped_column(String(30))
    consent_on: Mapped[date | None] = mapped_column(default=None)
    disturbance: Mapped[str | None] = mapped_column(String(30), default=None)
    tenant_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    tenant_initials: Mapped[str | None] = mapped_column(String(8), default=None)
    external_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    address: Mapped[str | None] = mapped_column(String(200), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(6), default=None)
    notified_on: Mapped[date | None] = mapped_column(default=None)
    debt: Mapped[int | None] = mapped_column(default=None)
    months_in_arrears: Mapped[int | None] = mapped_column(default=None)
    monthly_rent: Mapped[int | None] = mapped_column(default=None)
    children_in_household: Mapped[bool | None] = mapped_column(default=None)
    priority_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(default=0)
    """Rank in the worklist under the policy in force at intake: 0 first."""
    must_contact: Mapped[bool] = mapped_column(default=False)
    policy_version: Mapped[int | None] = mapped_column(default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=SignalStatus.received, index=True)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    consent_to_tell_landlord: Mapped[bool] = mapped_column(default=False)
    payment_plan: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(30), default=None)
    children_affected: Mapped[int | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    household_id: Mapped[str | None] = mapped_column(ForeignKey("households.id"), default=None)
    """The housing need social services opened from the case (app/flows), if any: the one
    way anything of a signal reaches matching."""
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PreventionAction(Base):
    """One outreach step in a case, as a code: dated, and by whom (the credential)."""

    __tablename__ = "prevention_actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("prevention_cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date]
    after_hours: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[int | None] = mapped_column(default=None)
    months: Mapped[int | None] = mapped_column(default=None)
    role: Mapped[str] = mapped_column(String(20))
    credential_id: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PreventionPolicy(Base):
    """One version of a municipality's prevention policy: a change adds a version, so a
    case names the version it was triaged under."""

    __tablename__ = "prevention_policies"
    __table_args__ = (UniqueConstraint("municipality_code", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    version: Mapped[int]
    priority_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    always_contact_debt_months: Mapped[float | None] = mapped_column(default=None)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    recovery_days: Mapped[int | None] = mapped_column(default=None)
    first_contact_days: Mapped[int | None] = mapped_column(default=None)
    first_contact_working_days: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(40))
