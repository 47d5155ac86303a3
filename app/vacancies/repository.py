from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.areas.models import Area
from app.auth import Principal, landlord_scope
from app.core.pagination import after_keyset
from app.policies.models import Policy
from app.tenancies.models import Tenancy
from app.vacancies.models import Vacancy


def where_it_may_go(
    session: Session, municipality: str, landlord_id: str, area: str
) -> tuple[bool, bool]:
    """(the landlord has an agreement with the municipality, the area is the
    municipality's) — both preconditions of a posting in one round trip."""
    agreement = exists().where(
        Agreement.municipality_code == municipality, Agreement.landlord_id == landlord_id
    )
    known_area = exists().where(Area.municipality_code == municipality, Area.code == area)
    row = session.execute(select(agreement, known_area)).one()
    return bool(row[0]), bool(row[1])


def forms_on_request(session: Session, municipality: str) -> tuple[str, ...]:
    """The contract forms in which the municipality's policy in force takes flats on request
    from landlords without an agreement (`vacancies_on_request`); none without a policy."""
    weights = session.scalar(
        select(Policy.weights)
        .where(Policy.municipality_code == municipality)
        .order_by(Policy.version.desc())
        .limit(1)
    )
    return tuple((weights or {}).get("vacancies_on_request", ()))


def get_own(
    session: Session, landlord_id: str, external_ref: str, *, for_update: bool = False
) -> Vacancy | None:
    """A landlord's vacancy by its own reference. References are scoped per landlord, so
    another landlord's vacancy with the same reference is simply not found."""
    query = select(Vacancy).where(
        Vacancy.landlord_id == landlord_id, Vacancy.external_ref == external_ref
    )
    if for_update:
        # Serialises concurrent writes on PostgreSQL; SQLite writers already take the
        # database lock at BEGIN IMMEDIATE.
        query = query.with_for_update()
    return session.scalar(query)


def landlord_side(principal: Principal) -> ColumnElement[bool]:
    """The vacancies the landlord side may reach: `app.auth.landlord_scope`, the one rule."""
    return landlord_scope(principal, Vacancy.landlord_id, Vacancy.municipality_code)


def get_for(
    session: Session,
    principal: Principal,
    landlord_id: str,
    external_ref: str,
    *,
    for_update: bool = False,
) -> Vacancy | None:
    """A landlord's vacancy by its reference, if the caller may act for that landlord in
    the vacancy's municipality (`landlord_scope`: the landlord itself everywhere, an
    intermediary where its mandate is); else None (→ 404)."""
    query = select(Vacancy).where(
        Vacancy.landlord_id == landlord_id,
        Vacancy.external_ref == external_ref,
        landlord_side(principal),
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def list_page(
    session: Session,
    *,
    scope: ColumnElement[bool] | None = None,
    landlord_id: str | None = None,
    municipality: str | None = None,
    status: str | None = None,
    after: str | None,
    limit: int,
    external_ref: str | None = None,
    external_ref_prefix: str | None = None,
) -> list[Vacancy]:
    """Vacancies filtered by the given scope, oldest change first (`after`: a sync page's
    position, app/core/pagination.py); the caller supplies its own scope."""
    if scope is None and landlord_id is None and municipality is None:
        raise ValueError("a vacancy listing needs a landlord or a municipality scope")
    query = select(Vacancy).order_by(Vacancy.updated_at, Vacancy.id).limit(limit)
    if scope is not None:
        query = query.where(scope)
    if landlord_id is not None:
        query = query.where(Vacancy.landlord_id == landlord_id)
    if municipality is not None:
        query = query.where(Vacancy.municipality_code == municipality)
    if status is not None:
        query = query.where(Vacancy.status == status)
    if external_ref is not None:
        query = query.where(Vacancy.external_ref == external_ref)
    if external_ref_prefix is not None:
        query = query.where(Vacancy.external_ref.startswith(external_ref_prefix, autoescape=True))
    if after is not None:
        query = query.where(after_keyset(Vacancy.updated_at, Vacancy.id, after))
    return list(session.scalars(query))


def tenancy_statuses(session: Session, vacancy_id: str) -> set[str]:
    """The statuses of the tenancies the vacancy has had (none, active, ended, …)."""
    return set(session.scalars(select(Tenancy.status).where(Tenancy.vacancy_id == vacancy_id)))


def lock(session: Session, vacancy_id: str) -> Vacancy | None:
    """The vacancy, locked for update, whoever's it is: for a change the service makes on
    its own account (a move chain reopens the flat a tenant moved out of), never for a
    caller's request, which goes through `get_for`."""
    return session.scalar(
        select(Vacancy)
        .where(Vacancy.id == vacancy_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
