"""The year's raw facts for the follow-up, read in a handful of grouped queries: one row per
placement (tenancy), one per proposal, one per staircase step or end. Counting and
suppression happen in the service, on these rows, so the same rows give the JSON and the
CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.core.db import local_date, local_year_start
from app.households.models import Household
from app.landlords.models import Landlord
from app.proposals.models import Proposal
from app.tenancies.models import Tenancy, TenancyEvent
from app.tenancies.repository import transfer_overdue
from app.vacancies.models import Vacancy
from app.vocabulary import EventKind, HouseholdStatus


@dataclass(frozen=True, slots=True)
class Placement:
    """A household housed: a tenancy counted toward the year's agreements."""

    landlord_id: str
    landlord_name: str
    landlord_kind: str
    area: str
    area_name: str | None
    contract_form: str
    exception: bool
    contracted_on: date
    target_groups: tuple[str, ...]
    registered_at: datetime | None
    erased: bool
    """The case was erased: its target groups and registration time are gone."""
    outside_quota: bool = False
    """A move-on place outside the quota (Helsingborg Delmål 3)."""


@dataclass(frozen=True, slots=True)
class ProposalFact:
    status: str
    decline_reason: str | None
    released_on: date


@dataclass(frozen=True, slots=True)
class TenancyFact:
    """A step or an end recorded in the year."""

    kind: str
    to_form: str | None
    reason: str | None


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return local_year_start(year), local_year_start(year + 1)


def placements(session: Session, municipality: str, year: int) -> list[Placement]:
    """Tenancies counted toward the municipality's agreements of `year` (as `/v1/quota`
    counts them), with what the breakdowns need. An erased case keeps its tenancy but no
    longer its target groups or registration time."""
    rows = session.execute(
        select(
            Tenancy.landlord_id,
            Landlord.name,
            Landlord.kind,
            func.coalesce(Vacancy.area, "").label("area"),
            Area.name.label("area_name"),
            # The form it was let in; a registered running contract has no proposal.
            func.coalesce(Proposal.contract_form, Tenancy.contract_form).label("contract_form"),
            Tenancy.exception,
            Tenancy.outside_quota,
            Tenancy.created_at,
            Household.target_groups,
            Household.registered_at,
            Household.status.label("household_status"),
            Tenancy.registered,
            Tenancy.start_date,
        )
        .join(Landlord, Landlord.id == Tenancy.landlord_id)
        .outerjoin(Vacancy, Vacancy.id == Tenancy.vacancy_id)
        .outerjoin(Proposal, Proposal.id == Tenancy.proposal_id)
        .outerjoin(Household, Household.id == Tenancy.household_id)
        .outerjoin(
            Area,
            and_(Area.municipality_code == Tenancy.municipality_code, Area.code == Vacancy.area),
        )
        .where(Tenancy.municipality_code == municipality, Tenancy.agreement_year == year)
    ).all()
    return [
        Placement(
            landlord_id=row.landlord_id,
            landlord_name=row.name,
            landlord_kind=row.kind,
            area=row.area,
            area_name=row.area_name,
            contract_form=row.contract_form,
            exception=row.exception,
            # A registered running contract began on its start; its case's registration says
            # nothing of a wait the service saw, so it takes no part in the waiting times.
            contracted_on=row.start_date if row.registered else local_date(row.created_at),
            target_groups=tuple(row.target_groups or ()),
            registered_at=None if row.registered else row.registered_at,
            erased=row.household_status in (None, HouseholdStatus.erased),
            outside_quota=row.outside_quota,
        )
        for row in rows
    ]


def proposals_released(session: Session, municipality: str, year: int) -> list[ProposalFact]:
    """Proposals released to a landlord during the (Swedish) calendar year, whatever became
    of them."""
    start, end = _year_bounds(year)
    rows = session.execute(
        select(Proposal.status, Proposal.decline_reason, Proposal.released_at).where(
            Proposal.municipality_code == municipality,
            Proposal.released_at >= start,
            Proposal.released_at < end,
        )
    ).all()
    return [
        ProposalFact(status=status, decline_reason=reason, released_on=local_date(released_at))
        for status, reason, released_at in rows
        if released_at is not None  # the filter says so; the type does not
    ]


def transfers_overdue(session: Session, municipality: str, on: date) -> list[str]:
    """The landlord of each of the municipality's tenancies on the lock-in watch `on` that
    day (app/tenancies/repository.py: `transfer_overdue`, the one declaration)."""
    query = select(Tenancy.landlord_id).where(
        Tenancy.municipality_code == municipality, transfer_overdue(on)
    )
    return list(session.scalars(query))


def tenancy_events(session: Session, municipality: str, year: int) -> list[TenancyFact]:
    """Staircase steps and ends that took effect during the year."""
    rows = session.execute(
        select(TenancyEvent.kind, TenancyEvent.to_form, TenancyEvent.reason)
        .join(Tenancy, Tenancy.id == TenancyEvent.tenancy_id)
        .where(
            Tenancy.municipality_code == municipality,
            TenancyEvent.kind.in_((EventKind.step, EventKind.end)),
            TenancyEvent.effective_on >= date(year, 1, 1),
            TenancyEvent.effective_on <= date(year, 12, 31),
        )
    ).all()
    return [TenancyFact(kind=row.kind, to_form=row.to_form, reason=row.reason) for row in rows]
