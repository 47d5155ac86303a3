"""Household queries, always through the caller's municipality (object-level scoping)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from app.auth import Principal, case_scope
from app.core.pagination import after_keyset
from app.households.models import Household
from app.vocabulary import HouseholdStatus


def get_for(
    session: Session, principal: Principal, household_id: str, *, lock: bool = False
) -> Household | None:
    """The household if it belongs to the caller's municipality (or, for social services,
    their municipality referred it elsewhere: `case_scope`), else None (the caller answers
    404, never revealing that it exists). `lock` takes a row lock for an update, so
    two concurrent writers cannot both pass the same `If-Match`."""
    query = select(Household).where(
        Household.id == household_id,
        case_scope(principal, Household.municipality_code, Household.id),
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def case_ref_taken(
    session: Session, municipality: str, case_ref: str, *, other_than: str | None = None
) -> bool:
    """Whether another household of the municipality already uses this case reference."""
    query = select(Household.id).where(
        Household.municipality_code == municipality, Household.case_ref == case_ref
    )
    if other_than is not None:
        query = query.where(Household.id != other_than)
    return session.scalar(query.limit(1)) is not None


def list_page(
    session: Session,
    municipality: str,
    *,
    status: str | None,
    after: str | None,
    limit: int,
    awaiting_assessment: bool = False,
    settled_between: tuple[date, date] | None = None,
    case_ref: str | None = None,
    case_ref_prefix: str | None = None,
) -> list[Household]:
    """One page of the municipality's households, oldest change first (keyset pagination
    in `(updated_at, id)` order; `after` is a sync page's position, app/core/pagination.py).
    `case_ref` finds one case; `case_ref_prefix` those whose reference starts with it."""
    query = (
        select(Household)
        .where(Household.municipality_code == municipality)
        .order_by(Household.updated_at, Household.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(Household.status == status)
    if case_ref is not None:
        query = query.where(Household.case_ref == case_ref)
    if case_ref_prefix is not None:
        query = query.where(Household.case_ref.startswith(case_ref_prefix, autoescape=True))
    if awaiting_assessment:
        # Open and not assessed; a JSON column's None may be SQL NULL or JSON `null`.
        query = query.where(
            Household.status == HouseholdStatus.open,
            or_(Household.assessment.is_(None), cast(Household.assessment, Text) == "null"),
        )
    if settled_between is not None:
        # Settled after the first day (the period not yet over) and by the second (it ends
        # within the notice): the establishment worklist.
        first, last = settled_between
        query = query.where(Household.settled_on > first, Household.settled_on <= last)
    if after is not None:
        query = query.where(after_keyset(Household.updated_at, Household.id, after))
    return list(session.scalars(query))
