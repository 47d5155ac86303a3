"""A municipality as the API answers it."""

from __future__ import annotations

from app.municipalities.models import Municipality
from app.municipalities.schemas import MunicipalityRead


def to_read(municipality: Municipality) -> MunicipalityRead:
    """The municipality as the API answers it: its columns as they are stored."""
    return MunicipalityRead.model_validate(municipality, from_attributes=True)
