"""Tenancy and quota queries through the caller's scope: coordinators their municipality's,
landlords their own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import COORDINATOR, Principal, landlord_scope, municipal_scope
from app.core.pagination import after_keyset
from app.households.models import Household
from app.landlords.models import Landlord
from app.tenancies.models import Tenancy, TenancyEvent
from app.vacancies.models import Vacancy
from app.vocabulary import HouseholdStatus, TenancyStatus


def _scoped(principal: Principal) -> Select[Tenancy]:
    """Tenancies the caller may see: the landlord side's, its municipality's for a
    coordinator, nobody else's."""
    query = select(Tenancy)
    if principal.landlord_side:
        return query.where(
            landlord_scope(principal, Tenancy.landlord_id, Tenancy.municipality_code)
        )
    return query.where(municipal_scope(principal, Tenancy.municipality_code, COORDINATOR))


def get_for(
    session: Session, principal: Principal, tenancy_id: str, *, lock: bool = False
) -> Tenancy | None:
    """The tenancy if the caller may see it, else None (→ 404, existence not revealed);
    `lock` takes the row lock so two concurrent events see each other's result."""
    query = _scoped(principal).where(Tenancy.id == tenancy_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def step_due(on: date, climbing_forms: Collection[str]) -> ColumnElement[bool]:
    """The tenancies whose next step can be taken `on` that day: active, in a form with a
    next rung, and the trial period over (or none at all). The coordinator's worklist and
    the `tenancy.step_due` sweep both ask this."""
    return and_(
        Tenancy.status == TenancyStatus.active.value,
        Tenancy.contract_form.in_(climbing_forms),
        or_(Tenancy.trial_period_end.is_(None), Tenancy.trial_period_end <= on),
    )


def all_step_due(session: Session, on: date, climbing_forms: Collection[str]) -> list[Tenancy]:
    """Every municipality's tenancies whose step is due (the sweep: no caller scope)."""
    query = select(Tenancy).where(step_due(on, climbing_forms)).order_by(Tenancy.id)
    return list(session.scalars(query))


def transfer_overdue(on: date) -> ColumnElement[bool]:
    """The lock-in watch: active tenancies past the agreement's latest month of the trial
    `on` that day, with no standing reason recorded (a landlord's refusal, the coordinator's
    delay). The worklist, the `tenancy.transfer_overdue` sweep and the statistics ask this."""
    return and_(
        Tenancy.status == TenancyStatus.active.value,
        Tenancy.transfer_latest_on <= on,
        Tenancy.transfer_delay.is_(None),
    )


def all_transfer_overdue(session: Session, on: date) -> list[Tenancy]:
    """Every municipality's tenancies on the lock-in watch (the sweep: no caller scope)."""
    query = select(Tenancy).where(transfer_overdue(on)).order_by(Tenancy.id)
    return list(session.scalars(query))


def all_settled_between(
    session: Session, first: date, last: date
) -> list[tuple[Household, Tenancy | None]]:
    """Every municipality's households (but erased cases) settled after `first` and by
    `last`, each with the active tenancy it lives in or None (the sweep: no caller scope)."""
    query = (
        select(Household, Tenancy)
        .outerjoin(
            Tenancy,
            and_(
                Tenancy.household_id == Household.id,
                Tenancy.status == TenancyStatus.active.value,
            ),
        )
        .where(
            Household.status != HouseholdStatus.erased.value,
            Household.settled_on > first,
            Household.settled_on <= last,
        )
        .order_by(Household.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def landlord(session: Session, landlord_id: str) -> Landlord | None:
    return session.get(Landlord, landlord_id)


def vacancy_by_ref(
    session: Session, landlord_id: str, municipality: str, external_ref: str
) -> Vacancy | None:
    """The landlord's posted flat under its own reference in the municipality, if any."""
    return session.scalar(
        select(Vacancy).where(
            Vacancy.landlord_id == landlord_id,
            Vacancy.municipality_code == municipality,
            Vacancy.external_ref == external_ref,
        )
    )


def active_of_vacancy(session: Session, vacancy_id: str) -> Tenancy | None:
    return session.scalar(
        select(Tenancy).where(
            Tenancy.vacancy_id == vacancy_id, Tenancy.status == TenancyStatus.active.value
        )
    )


def agreement_for(
    session: Session, municipality: str, landlord_id: str, year: int
) -> Agreement | None:
    return session.scalar(
        select(Agreement).where(
            Agreement.municipality_code == municipality,
            Agreement.landlord_id == landlord_id,
            Agreement.year == year,
        )
    )


def list_page_for(
    session: Session,
    principal: Principal,
    *,
    status: str | None,
    year: int | None,
    after: str | None,
    limit: int,
    step_due_on: date | None = None,
    climbing_forms: Collection[str] = (),
    response_overdue_at: datetime | None = None,
    transfer_overdue_on: date | None = None,
) -> list[Tenancy]:
    """One page of the caller's tenancies, oldest change first (keyset pagination in
    `(updated_at, id)` order; `after` is a sync page's position, app/core/pagination.py)."""
    query = _scoped(principal).order_by(Tenancy.updated_at, Tenancy.id).limit(limit)
    if step_due_on is not None:
        query = query.where(step_due(step_due_on, climbing_forms))
    if response_overdue_at is not None:
        query = query.where(Tenancy.response_due_at < response_overdue_at)
    if transfer_overdue_on is not None:
        query = query.where(transfer_overdue(transfer_overdue_on))
    if status is not None:
        query = query.where(Tenancy.status == status)
    if year is not None:
        query = query.where(Tenancy.agreement_year == year)
    if after is not None:
        query = query.where(after_keyset(Tenancy.updated_at, Tenancy.id, after))
    return list(session.scalars(query))


def agreements_of_year(
    session: Session, municipality: str, year: int, landlord_id: str | None
) -> list[Agreement]:
    query = select(Agreement).where(
        Agreement.municipality_code == municipality, Agreement.year == year
    )
    if landlord_id is not None:
        query = query.where(Agreement.landlord_id == landlord_id)
    return list(session.scalars(query))


def landlords_by_id(session: Session, ids: set[str]) -> dict[str, Landlord]:
    if not ids:
        return {}
    return {x.id: x for x in session.scalars(select(Landlord).where(Landlord.id.in_(ids)))}


def events_of(session: Session, tenancy_ids: set[str]) -> dict[str, list[TenancyEvent]]:
    """Each tenancy's events in the order they were recorded, in one query for a page."""
    found: dict[str, list[TenancyEvent]] = defaultdict(list)
    if tenancy_ids:
        query = (
            select(TenancyEvent)
            .where(TenancyEvent.tenancy_id.in_(tenancy_ids))
            .order_by(TenancyEvent.id)
        )
        for event in session.scalars(query):
            found[event.tenancy_id].append(event)
    return found


def agreements_of(
    session: Session, tenancies: list[Tenancy]
) -> dict[tuple[str, str, int], Agreement]:
    """The agreements a page of tenancies count toward, by (municipality, landlord, year),
    in one query."""
    landlords = {t.landlord_id for t in tenancies}
    if not landlords:
        return {}
    query = select(Agreement).where(
        Agreement.landlord_id.in_(landlords),
        Agreement.municipality_code.in_({t.municipality_code for t in tenancies}),
        Agreement.year.in_({t.agreement_year for t in tenancies}),
    )
    return {(a.municipality_code, a.landlord_id, a.year): a for a in session.scalars(query)}


def agreement_of(session: Session, tenancy: Tenancy) -> Agreement | None:
    """The agreement the tenancy counts toward: its trial period and contract forms apply."""
    return agreement_for(
        session, tenancy.municipality_code, tenancy.landlord_id, tenancy.agreement_year
    )


def active_of_household(
    session: Session, household_id: str, *, lock: bool = False
) -> Tenancy | None:
    """The household's active tenancy (at most one: a partial unique index), the caller
    having loaded the household through its own scope."""
    query = select(Tenancy).where(
        Tenancy.household_id == household_id, Tenancy.status == TenancyStatus.active.value
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def settled_on_of(session: Session, tenancies: list[Tenancy]) -> dict[str, date]:
    """household id → its settlement day (Settlement Act), for the households of a page."""
    ids = {t.household_id for t in tenancies if t.household_id is not None}
    if not ids:
        return {}
    query = select(Household.id, Household.settled_on).where(Household.id.in_(ids))
    return {str(hid): on for hid, on in session.execute(query) if on is not None}


def successors_of(session: Session, tenancy_ids: set[str]) -> dict[str, str]:
    """tenancy id → the id of the tenancy its household moved on to (a move chain)."""
    if not tenancy_ids:
        return {}
    query = select(Tenancy.moved_from_id, Tenancy.id).where(Tenancy.moved_from_id.in_(tenancy_ids))
    return {str(old): new for old, new in session.execute(query)}
