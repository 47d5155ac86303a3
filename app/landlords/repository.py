from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import COORDINATOR, Principal, Role, municipal_scope
from app.landlords.models import Landlord


def _visible(principal: Principal) -> Select[Landlord]:
    """Landlords the caller may see: admins all; a landlord itself; an intermediary those
    that mandated it (live mandates); a coordinator those with an agreement (any year) in
    its municipality (`municipal_scope` on the agreements); anyone else none."""
    query = select(Landlord)
    if principal.role is Role.admin:
        return query
    if principal.landlord_side:
        # Itself, or (an intermediary) the landlords with a live mandate to it.
        return query.where(Landlord.id.in_(principal.landlords()))
    return query.where(
        exists().where(
            Agreement.landlord_id == Landlord.id,
            municipal_scope(principal, Agreement.municipality_code, COORDINATOR),
        )
    )


def get(session: Session, landlord_id: str) -> Landlord | None:
    """Unscoped: only for services that check existence on the caller's behalf."""
    return session.get(Landlord, landlord_id)


def get_for(session: Session, principal: Principal, landlord_id: str) -> Landlord | None:
    """The landlord if the caller may see it, else None (the caller answers 404)."""
    return session.scalar(_visible(principal).where(Landlord.id == landlord_id))


def org_number_taken(session: Session, org_number: str) -> bool:
    return (
        session.scalar(select(Landlord.id).where(Landlord.org_number == org_number).limit(1))
        is not None
    )


def list_page_for(
    session: Session, principal: Principal, *, after: str | None, limit: int
) -> list[Landlord]:
    query = _visible(principal).order_by(Landlord.id).limit(limit)
    if after is not None:
        query = query.where(Landlord.id > after)
    return list(session.scalars(query))
