"""Tenancies: what a contracted proposal becomes, and the quota each one counts toward.

A tenancy keeps only what quota accounting needs (DOMAIN.md §6): contract form, start,
trial-period end, the agreement year, whether it used an exception place.
"""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import Principal, Role
from app.errors import NotFound
from app.pagination import Page
from app.proposals.models import Proposal
from app.tenancies import repository
from app.tenancies.models import Tenancy
from app.tenancies.schemas import (
    LandlordKind,
    QuotaReport,
    QuotaRow,
    QuotaSplit,
    QuotaTotals,
    TenancyLandlordView,
    TenancyRead,
    TenancyStatus,
)
from app.vacancies.models import Vacancy


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day
    (31 January + 1 month = 28/29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def start_date_for(vacancy: Vacancy, today: date) -> date:
    """The move-in day: when the vacancy is available, never in the past."""
    if vacancy.available_from is not None and vacancy.available_from > today:
        return vacancy.available_from
    return today


def create_from_proposal(
    session: Session, *, proposal: Proposal, vacancy: Vacancy, round_year: int | None, today: date
) -> Tenancy:
    """The tenancy of a proposal both sides accepted.

    Starts when the vacancy is available, never in the past; counts toward the round's
    agreement year (the quota the round planned with), else the start's year; the trial
    period (Göteborg 18 months, Södertälje 24) is the agreement's. The partial unique
    indexes refuse a second active tenancy of the vacancy or the household (→ 409).
    """
    start = start_date_for(vacancy, today)
    year = round_year or start.year
    trial_months = session.scalar(
        select(Agreement.trial_period_months).where(
            Agreement.municipality_code == proposal.municipality_code,
            Agreement.landlord_id == proposal.landlord_id,
            Agreement.year == year,
        )
    )
    tenancy = Tenancy(
        proposal_id=proposal.id,
        municipality_code=proposal.municipality_code,
        landlord_id=proposal.landlord_id,
        vacancy_id=proposal.vacancy_id,
        household_id=proposal.household_id,
        contract_form=proposal.contract_form,
        exception=proposal.exception,
        agreement_year=year,
        start_date=start,
        trial_period_end=add_months(start, trial_months) if trial_months else None,
        status=TenancyStatus.active.value,
    )
    session.add(tenancy)
    session.flush()
    return tenancy


def list_tenancies(
    session: Session,
    *,
    principal: Principal,
    status: TenancyStatus | None,
    year: int | None,
    page: Page,
) -> list[Tenancy]:
    return repository.list_page_for(
        session,
        principal,
        status=status.value if status else None,
        year=year,
        after=page.after,
        limit=page.limit,
    )


def to_views(
    session: Session, principal: Principal, tenancies: list[Tenancy]
) -> list[TenancyRead | TenancyLandlordView]:
    refs: dict[str, str] = {}
    if tenancies:
        query = select(Vacancy.id, Vacancy.external_ref).where(
            Vacancy.id.in_({t.vacancy_id for t in tenancies})
        )
        refs = {row.id: row.external_ref for row in session.execute(query)}
    views: list[TenancyRead | TenancyLandlordView] = []
    for tenancy in tenancies:
        common = {
            "id": tenancy.id,
            "proposal": tenancy.proposal_id,
            "municipality": tenancy.municipality_code,
            "vacancy": tenancy.vacancy_id,
            "external_ref": refs.get(tenancy.vacancy_id, ""),
            "contract_form": tenancy.contract_form,
            "agreement_year": tenancy.agreement_year,
            "start_date": tenancy.start_date,
            "trial_period_end": tenancy.trial_period_end,
            "status": tenancy.status,
            "created_at": tenancy.created_at,
        }
        if principal.role is Role.landlord:
            views.append(TenancyLandlordView.model_validate(common))
        else:
            views.append(
                TenancyRead.model_validate(
                    {
                        **common,
                        "landlord": tenancy.landlord_id,
                        "household": tenancy.household_id,
                        "exception": tenancy.exception,
                    }
                )
            )
    return views


def _totals(rows: list[QuotaRow]) -> QuotaTotals:
    return QuotaTotals(
        quota=sum(r.quota for r in rows),
        delivered=sum(r.delivered for r in rows),
        exception_quota=sum(r.exception_quota for r in rows),
        exceptions_used=sum(r.exceptions_used for r in rows),
        remaining=sum(r.remaining for r in rows),
    )


def quota_report(
    session: Session, *, principal: Principal, municipality: str, year: int
) -> QuotaReport:
    """Committed versus delivered per landlord for the municipality's agreement year, with
    public and private totals. A coordinator sees its municipality's landlords; a landlord
    only its own row (the totals then cover that row only). A landlord with tenancies
    counted toward a year without an agreement appears with quota 0."""
    landlord_id: str | None = None
    if principal.role is Role.coordinator:
        if principal.municipality != municipality:
            raise NotFound("No such municipality.")
    elif principal.role is Role.landlord and principal.landlord_id is not None:
        landlord_id = principal.landlord_id
    else:
        raise NotFound("No such municipality.")
    agreements = {
        a.landlord_id: a
        for a in repository.agreements_of_year(session, municipality, year, landlord_id)
    }
    delivered = repository.delivered_per_landlord(session, municipality, year, landlord_id)
    landlords = repository.landlords_by_id(session, set(agreements) | set(delivered))
    rows = []
    for lid in sorted(landlords, key=lambda i: (landlords[i].name, i)):
        agreement = agreements.get(lid)
        quota = agreement.quota if agreement else 0
        count, exceptions = delivered.get(lid, (0, 0))
        rows.append(
            QuotaRow(
                landlord=lid,
                name=landlords[lid].name,
                kind=LandlordKind(landlords[lid].kind),
                quota=quota,
                delivered=count,
                exception_quota=agreement.exception_quota if agreement else 0,
                exceptions_used=exceptions,
                remaining=max(quota - count, 0),
            )
        )
    return QuotaReport(
        municipality=municipality,
        year=year,
        rows=rows,
        totals=QuotaSplit(
            public=_totals([r for r in rows if r.kind is LandlordKind.public]),
            private=_totals([r for r in rows if r.kind is LandlordKind.private]),
            all=_totals(rows),
        ),
    )
