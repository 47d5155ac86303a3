"""A landlord as the API answers it."""

from __future__ import annotations

from app.landlords.models import Landlord
from app.landlords.schemas import LandlordRead
from app.vocabulary import LandlordKind


def to_read(landlord: Landlord) -> LandlordRead:
    """The landlord as the API answers it."""
    return LandlordRead(
        id=landlord.id,
        name=landlord.name,
        org_number=landlord.org_number,
        kind=LandlordKind(landlord.kind),
        created_at=landlord.created_at,
    )
