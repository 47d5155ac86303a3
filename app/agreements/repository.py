from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import Principal, Role


def has_any(session: Session, municipality: str, landlord_id: str) -> bool:
    """Whether the landlord has an agreement with the municipality for any year."""
    return (
        session.scalar(
            select(Agreement.id)
            .where(
                Agreement.municipality_code == municipality, Agreement.landlord_id == landlord_id
            )
            .limit(1)
        )
        is not None
    )


def get_for_update(
    session: Session, municipality: str, landlord_id: str, year: int
) -> Agreement | None:
    """The agreement, row-locked on PostgreSQL so concurrent If-Match writes serialise
    (SQLite serialises writers with BEGIN IMMEDIATE already)."""
    return session.scalar(
        select(Agreement)
        .where(
            Agreement.municipality_code == municipality,
            Agreement.landlord_id == landlord_id,
            Agreement.year == year,
        )
        .with_for_update()
    )


def _scope(principal: Principal) -> tuple[str | None, str | None] | None:
    """(municipality, landlord) the caller is confined to; None when it sees nothing."""
    if principal.role is Role.admin:
        return None, None
    if principal.role is Role.coordinator and principal.municipality is not None:
        return principal.municipality, None
    if principal.role is Role.landlord and principal.landlord_id is not None:
        return None, principal.landlord_id
    return None


def get_for(
    session: Session, principal: Principal, municipality: str, landlord_id: str, year: int
) -> Agreement | None:
    """The agreement if the caller may see it: coordinators their municipality's,
    landlords their own, admins any."""
    scope = _scope(principal)
    if scope is None:
        return None
    own_municipality, own_landlord = scope
    if own_municipality is not None and own_municipality != municipality:
        return None
    if own_landlord is not None and own_landlord != landlord_id:
        return None
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
    municipality: str | None,
    landlord_id: str | None,
    year: int | None,
    after: str | None,
    limit: int,
) -> list[Agreement]:
    """The caller's agreements, optionally filtered; ordered by id for keyset paging."""
    scope = _scope(principal)
    if scope is None:
        return []
    own_municipality, own_landlord = scope
    query = select(Agreement).order_by(Agreement.id).limit(limit)
    if own_municipality is not None:
        query = query.where(Agreement.municipality_code == own_municipality)
    if own_landlord is not None:
        query = query.where(Agreement.landlord_id == own_landlord)
    if municipality is not None:
        query = query.where(Agreement.municipality_code == municipality)
    if landlord_id is not None:
        query = query.where(Agreement.landlord_id == landlord_id)
    if year is not None:
        query = query.where(Agreement.year == year)
    if after is not None:
        query = query.where(Agreement.id > after)
    return list(session.scalars(query))
