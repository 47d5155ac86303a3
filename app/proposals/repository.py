"""Proposal, pin and forbidden-pair queries, always through the caller's scope.

A landlord sees proposals for its own vacancies once they were released (never one still
under the coordinator's review), an intermediary those of the landlords that mandated it
where they did (`app.auth.landlord_scope`, the same rule); coordinators and social services
see their municipality's, and social services also those of the cases their municipality
referred to another (`app.auth.case_scope`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.auth import Principal, case_scope, landlord_scope
from app.core.pagination import after_keyset
from app.households.models import Household
from app.proposals.models import ForbiddenPair, Pin, Proposal, overdue_at, status_at_is
from app.rounds.models import Round
from app.tenancies.models import Tenancy
from app.vacancies.models import Vacancy
from app.vocabulary import AWAITING_ANSWER


def _scoped(principal: Principal) -> Select[Proposal]:
    """Proposals the caller may see: the landlord side's once released, the municipal
    side's of its municipality, nobody else's."""
    query = select(Proposal)
    if principal.landlord_side:
        return query.where(
            landlord_scope(principal, Proposal.landlord_id, Proposal.municipality_code),
            Proposal.released_at.is_not(None),
        )
    return query.where(case_scope(principal, Proposal.municipality_code, Proposal.household_id))


def get_for(
    session: Session, principal: Principal, proposal_id: str, *, lock: bool = False
) -> Proposal | None:
    """The proposal if the caller may see it, else None (→ 404, existence not revealed).

    `lock` takes the row lock (PostgreSQL `FOR UPDATE`; SQLite serialises writers with
    BEGIN IMMEDIATE), so two concurrent answers see each other's result, not a stale row.
    """
    query = _scoped(principal).where(Proposal.id == proposal_id)
    if lock:
        # populate_existing: a row loaded earlier in this session is re-read under the lock.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def list_page_for(
    session: Session,
    principal: Principal,
    *,
    status: str | None,
    round_id: str | None,
    after: str | None,
    limit: int,
    now: datetime,
    landlord_id: str | None = None,
    case_ref: str | None = None,
    external_ref: str | None = None,
) -> list[Proposal]:
    """One page of the caller's proposals, oldest change first (keyset pagination in
    `(updated_at, id)` order; `after` is a sync page's position, app/core/pagination.py).
    `status` is the status a proposal reads as at `now`: an overdue one is `expired`."""
    query = _scoped(principal).order_by(Proposal.updated_at, Proposal.id).limit(limit)
    if status is not None:
        query = query.where(status_at_is(status, now))
    if round_id is not None:
        query = query.where(Proposal.round_id == round_id)
    if landlord_id is not None:
        query = query.where(Proposal.landlord_id == landlord_id)
    if case_ref is not None:
        query = query.where(
            Proposal.household_id.in_(select(Household.id).where(Household.case_ref == case_ref))
        )
    if external_ref is not None:
        query = query.where(
            Proposal.vacancy_id.in_(select(Vacancy.id).where(Vacancy.external_ref == external_ref))
        )
    if after is not None:
        query = query.where(after_keyset(Proposal.updated_at, Proposal.id, after))
    return list(session.scalars(query))


def overdue_ids(session: Session, now: datetime, *, municipality: str | None = None) -> list[str]:
    """Ids of released or landlord-accepted proposals past their deadline (no lock: the
    caller locks each one and checks again)."""
    query = select(Proposal.id).where(overdue_at(now))
    if municipality is not None:
        query = query.where(Proposal.municipality_code == municipality)
    return list(session.scalars(query.order_by(Proposal.id)))


def due_soon(session: Session, now: datetime, until: datetime) -> list[Proposal]:
    """Proposals whose awaited answer is due between now and `until` (the warning sweep)."""
    query = (
        select(Proposal)
        .where(
            Proposal.status.in_(AWAITING_ANSWER),
            Proposal.deadline_at.is_not(None),
            Proposal.deadline_at >= now,
            Proposal.deadline_at <= until,
        )
        .order_by(Proposal.deadline_at, Proposal.id)
    )
    return list(session.scalars(query))


def lock(session: Session, proposal_id: str) -> Proposal | None:
    """The proposal row, locked (the sweep: no caller scope)."""
    query = select(Proposal).where(Proposal.id == proposal_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def lock_vacancy(session: Session, vacancy_id: str) -> Vacancy | None:
    query = select(Vacancy).where(Vacancy.id == vacancy_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def vacancies_by_id(session: Session, ids: set[str]) -> dict[str, Vacancy]:
    if not ids:
        return {}
    return {v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))}


def households_by_id(session: Session, ids: set[str]) -> dict[str, Household]:
    if not ids:
        return {}
    return {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}


def tenancies_by_proposal(session: Session, ids: set[str]) -> dict[str, Tenancy]:
    if not ids:
        return {}
    rows = session.scalars(select(Tenancy).where(Tenancy.proposal_id.in_(ids)))
    return {t.proposal_id: t for t in rows if t.proposal_id is not None}


def round_year(session: Session, round_id: str | None) -> int | None:
    if round_id is None:
        return None
    return session.scalar(select(Round.year).where(Round.id == round_id))


def forbidden_pair(session: Session, household_id: str, vacancy_id: str) -> ForbiddenPair | None:
    return session.scalar(
        select(ForbiddenPair).where(
            ForbiddenPair.household_id == household_id, ForbiddenPair.vacancy_id == vacancy_id
        )
    )


def municipal_household(session: Session, municipality: str, household_id: str) -> Household | None:
    return session.scalar(
        select(Household).where(
            Household.id == household_id, Household.municipality_code == municipality
        )
    )


def municipal_vacancy(session: Session, municipality: str, vacancy_id: str) -> Vacancy | None:
    return session.scalar(
        select(Vacancy).where(Vacancy.id == vacancy_id, Vacancy.municipality_code == municipality)
    )


def pin_for(session: Session, municipality: str, pin_id: str) -> Pin | None:
    return session.scalar(
        select(Pin).where(Pin.id == pin_id, Pin.municipality_code == municipality)
    )


def pin_touching(session: Session, household_id: str, vacancy_id: str) -> Pin | None:
    """A pin on this household or on this vacancy (each can be pinned once)."""
    return session.scalar(
        select(Pin)
        .where((Pin.household_id == household_id) | (Pin.vacancy_id == vacancy_id))
        .limit(1)
    )


def pins_page(session: Session, municipality: str, *, after: str | None, limit: int) -> list[Pin]:
    query = select(Pin).where(Pin.municipality_code == municipality).order_by(Pin.id).limit(limit)
    if after is not None:
        query = query.where(Pin.id > after)
    return list(session.scalars(query))


def forbidden_page(
    session: Session,
    municipality: str,
    *,
    household_id: str | None,
    vacancy_id: str | None,
    after: str | None,
    limit: int,
) -> list[ForbiddenPair]:
    query = (
        select(ForbiddenPair)
        .where(ForbiddenPair.municipality_code == municipality)
        .order_by(ForbiddenPair.id)
        .limit(limit)
    )
    if household_id is not None:
        query = query.where(ForbiddenPair.household_id == household_id)
    if vacancy_id is not None:
        query = query.where(ForbiddenPair.vacancy_id == vacancy_id)
    if after is not None:
        query = query.where(ForbiddenPair.id > after)
    return list(session.scalars(query))
