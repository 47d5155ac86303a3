from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import Principal, Role, municipality_of
from app.municipalities.models import Municipality


def get_for(session: Session, principal: Principal, code: str) -> Municipality | None:
    """The municipality if the caller may see it: admins any, municipal roles their own."""
    if principal.role is not Role.admin and municipality_of(principal) != code:
        return None
    return session.get(Municipality, code)


def exists(session: Session, code: str) -> bool:
    return session.get(Municipality, code) is not None


def list_page(session: Session, *, after: str | None, limit: int) -> list[Municipality]:
    query = select(Municipality).order_by(Municipality.code).limit(limit)
    if after is not None:
        query = query.where(Municipality.code > after)
    return list(session.scalars(query))
