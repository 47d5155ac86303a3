from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import COORDINATOR, Principal, Role, landlord_scope, municipal_scope


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


def _scope(principal: Principal) -> ColumnElement[bool]:
    """The agreements the caller may see, as a clause: admins all; the landlord side (a
    landlord, an intermediary under its mandates) by `landlord_scope`; a coordinator its
    municipality's by `municipal_scope`."""
    if principal.role is Role.admin:
        return true()
    if principal.landlord_side:
        return landlord_scope(principal, Agreement.landlord_id, Agreement.municipality_code)
    return municipal_scope(principal, Agreement.municipality_code, COORDINATOR)


def get_for(
    session: Session, principal: Principal, municipality: str, landlord_id: str, year: int
) -> Agreement | None:
    """The agreement if the caller may see it: coordinators their municipality's,
    landlords their own, intermediaries their mandated ones, admins any."""
    scope = _scope(principal)
    return session.scalar(
        select(Agreement).where(
            Agreement.municipality_code == municipality,
            Agreement.landlord_id == landlord_id,
            Agreement.year == year,
            scope,
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
    query = select(Agreement).where(_scope(principal)).order_by(Agreement.id).limit(limit)
    if municipality is not None:
        query = query.where(Agreement.municipality_code == municipality)
    if landlord_id is not None:
        query = query.where(Agreement.landlord_id == landlord_id)
    if year is not None:
        query = query.where(Agreement.year == year)
    if after is not None:
        query = query.where(Agreement.id > after)
    return list(session.scalars(query))
