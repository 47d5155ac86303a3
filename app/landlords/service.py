from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import Principal
from app.core.errors import Conflict, NotFound
from app.landlords import repository
from app.landlords.models import Landlord
from app.landlords.schemas import LandlordCreate, LandlordRead
from app.vocabulary import LandlordKind


def create_landlord(session: Session, data: LandlordCreate) -> Landlord:
    """Register a landlord; one organisation number is one landlord."""
    if repository.org_number_taken(session, data.org_number):
        raise Conflict(f"A landlord with org_number {data.org_number} is already registered.")
    landlord = Landlord(name=data.name, org_number=data.org_number, kind=data.kind.value)
    session.add(landlord)
    session.flush()
    return landlord


def list_landlords(
    session: Session, principal: Principal, *, after: str | None, limit: int
) -> list[Landlord]:
    """A page of the landlords the caller may see (`repository.list_page_for`)."""
    return repository.list_page_for(session, principal, after=after, limit=limit)


def get_landlord(session: Session, principal: Principal, landlord_id: str) -> Landlord:
    landlord = repository.get_for(session, principal, landlord_id)
    if landlord is None:
        raise NotFound("No such landlord.")
    return landlord


def to_read(landlord: Landlord) -> LandlordRead:
    return LandlordRead(
        id=landlord.id,
        name=landlord.name,
        org_number=landlord.org_number,
        kind=LandlordKind(landlord.kind),
        created_at=landlord.created_at,
    )
