"""Intermediaries and mandates as the API answers them: a mandate with the intermediary's and
the landlord's names, and whether it is live today."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.core.db import local_today
from app.intermediaries import repository
from app.intermediaries.models import Intermediary, Mandate
from app.intermediaries.schemas import IntermediaryRead, MandateRead


def to_intermediary_read(intermediary: Intermediary) -> IntermediaryRead:
    """The intermediary as the API answers it."""
    return IntermediaryRead(
        id=intermediary.id,
        name=intermediary.name,
        org_number=intermediary.org_number,
        created_at=intermediary.created_at,
    )


def _is_live(mandate: Mandate, today: date) -> bool:
    return (
        mandate.ended_at is None
        and mandate.valid_from <= today
        and (mandate.valid_to is None or today <= mandate.valid_to)
    )


def to_mandate_reads(session: Session, mandates: list[Mandate]) -> list[MandateRead]:
    """The mandates with the intermediary's and the landlord's names, loaded per page."""
    intermediaries, landlords = repository.names(session, mandates)
    today = local_today()
    return [
        MandateRead(
            id=m.id,
            intermediary=m.intermediary_id,
            intermediary_name=intermediaries.get(m.intermediary_id),
            landlord=m.landlord_id,
            landlord_name=landlords.get(m.landlord_id),
            municipality=m.municipality_code,
            valid_from=m.valid_from,
            valid_to=m.valid_to,
            live=_is_live(m, today),
            created_by=m.created_by,
            created_at=m.created_at,
            ended_at=m.ended_at,
            ended_by=m.ended_by,
        )
        for m in mandates
    ]
