from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import TenancyStatus

ACTIVE = "status = 'active'"


class Tenancy(Base):
    """A vacancy and a household are each in at most one active tenancy (partial unique
    indexes). Keeps only what quota accounting needs once the household is erased."""

    __tablename__ = "tenancies"
    __table_args__ = (
        Index(
            "uq_tenancies_active_vacancy",
            "vacancy_id",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        Index(
            "uq_tenancies_active_household",
            "household_id",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
        # The list's (updated_at, id) order within each scope (app/core/pagination.py).
        Index("ix_tenancies_landlord_id_updated_at_id", "landlord_id", "updated_at", "id"),
        Index(
            "ix_tenancies_municipality_code_updated_at_id",
            "municipality_code",
            "updated_at",
            "id",
        ),
        # A tenancy is followed by at most one: the next link of its move chain.
        Index("uq_tenancies_moved_from_id", "moved_from_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # None for a contract registered as already running (`registered`): no proposal made it.
    proposal_id: Mapped[str | None] = mapped_column(
        ForeignKey("proposals.id"), unique=True, default=None
    )
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    landlord_id: Mapped[str] = mapped_column(ForeignKey("landlords.id"), index=True)
    # None for a registered contract whose flat the landlord never posted (`external_ref`).
    vacancy_id: Mapped[str | None] = mapped_column(ForeignKey("vacancies.id"), default=None)
    household_id: Mapped[str | None] = mapped_column(ForeignKey("households.id"), default=None)
    contract_form: Mapped[str] = mapped_column(String(30))
    exception: Mapped[bool] = mapped_column(default=False)
    agreement_year: Mapped[int] = mapped_column(index=True)
    start_date: Mapped[date]
    trial_period_end: Mapped[date | None] = mapped_column(default=None)
    # The terms it was signed on (app/tenancies/terms.py): a fixed term of `term_months`
    # ending on `term_end` (renewable or not), and the notice period in days.
    term_months: Mapped[int | None] = mapped_column(default=None)
    term_end: Mapped[date | None] = mapped_column(default=None)
    notice_days: Mapped[int | None] = mapped_column(default=None)
    renewable: Mapped[bool] = mapped_column(default=False, server_default=false())
    conditions: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    """The support the household's assessment named, the tenancy's conditions (Jönköping:
    home visits accepted); codes only. The landlord sees only that a support plan exists."""
    quota_apartment: Mapped[bool] = mapped_column(default=True, server_default=true())
    """Counts toward its landlord's quota; False when the flat is one a move chain freed and
    its landlord did not post it again as a quota apartment (Helsingborg 3:6)."""
    outside_quota: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A move-on placement on one of its agreement's places outside the quota (Helsingborg
    Delmål 3, `Agreement.move_on_outside_quota`): counted apart, never against the quota."""
    moved_from_id: Mapped[str | None] = mapped_column(String(36), default=None)
    """The tenancy the household moved on from (a move chain, Helsingborg 3:6): ended
    `moved_on` on this one's start, its flat back in the pool."""
    move_on_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """A move-on need was posted for the household living here: it stays until the move and
    takes part in match rounds meanwhile (app/flows/move_chain.py)."""
    status: Mapped[str] = mapped_column(String(12), default=TenancyStatus.active)
    # --- The transfer to the tenant's own lease (issue 24; docs/tenancies.md) ---
    registered: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A contract that began before the service, registered by the coordinator (`POST
    /v1/tenancies`): no proposal; it counts toward the quota of the year it began."""
    external_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    """A registered contract's flat, by the landlord's own reference."""
    transfer_latest_on: Mapped[date | None] = mapped_column(default=None)
    """The agreement's latest month of the trial from the start (Norrköping: two years);
    past it, active and without a standing delay, the tenancy is `transfer_overdue`."""
    transfer_delay: Mapped[str | None] = mapped_column(String(30), default=None)
    """The standing reason an overdue transfer waits (`TransferDelayReason`)."""
    serious_notice_days: Mapped[int | None] = mapped_column(default=None)
    """The municipality's notice for a serious cause under the current terms (Västerås: 1)."""
    aftercare_until: Mapped[date | None] = mapped_column(default=None)
    """A transferred tenancy: the landlord's reports are taken and answered until then."""
    tenure_waived_until: Mapped[date | None] = mapped_column(default=None)
    """A transferred tenancy: tenure protection is waived on the own lease until then."""
    # The earliest response deadline of a landlord's report (remark or incident) not yet
    # answered; None when every report is answered (the `response_overdue` worklist).
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A change of the tenancy's view: its row, or an event appended to it (journal.append_event).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TenancyEvent(Base):
    """One thing that happened to a tenancy, appended in order: a step up the housing
    staircase, a remark from the landlord (it restarts the trial period), a landlord's
    incident, the municipality's response to a report, the end. The
    tenancy row holds the current state; these rows are its history, so a step never
    rewrites what came before. Codes only: no free text about the household."""

    __tablename__ = "tenancy_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    tenancy_id: Mapped[str] = mapped_column(ForeignKey("tenancies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    effective_on: Mapped[date]
    from_form: Mapped[str | None] = mapped_column(String(30), default=None)
    to_form: Mapped[str | None] = mapped_column(String(30), default=None)
    reason: Mapped[str | None] = mapped_column(String(30), default=None)
    # An end for a serious cause (`SeriousCause`): the municipality's short notice applied.
    serious_cause: Mapped[str | None] = mapped_column(String(30), default=None)
    # A landlord's report (remark or incident): its id, to respond to, and the
    # municipality's response deadline (the agreement's response_hours after recording).
    report_id: Mapped[str | None] = mapped_column(String(36), unique=True, index=True, default=None)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A response: the report_id it answers (the report row is never rewritten).
    answers: Mapped[str | None] = mapped_column(String(36), default=None)
    role: Mapped[str] = mapped_column(String(20))
    credential_id: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
