from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement


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
