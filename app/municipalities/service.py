from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import Principal
from app.core.errors import Conflict, NotFound
from app.core.types import official_municipalities
from app.municipalities import repository
from app.municipalities.models import Municipality
from app.municipalities.schemas import MunicipalityCreate


def create_municipality(session: Session, data: MunicipalityCreate) -> Municipality:
    if repository.exists(session, data.code):
        raise Conflict(f"Municipality {data.code} is already registered.")
    municipality = Municipality(
        code=data.code, name=data.name or official_municipalities()[data.code]
    )
    session.add(municipality)
    session.flush()
    return municipality


def list_municipalities(session: Session, *, after: str | None, limit: int) -> list[Municipality]:
    """A page of the registered municipalities in code order (admins only)."""
    return repository.list_page(session, after=after, limit=limit)


def get_municipality(session: Session, principal: Principal, code: str) -> Municipality:
    municipality = repository.get_for(session, principal, code)
    if municipality is None:
        raise NotFound("No such municipality.")
    return municipality
