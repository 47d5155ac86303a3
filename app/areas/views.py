"""An area as the API answers it."""

from __future__ import annotations

from app.areas.models import Area
from app.areas.schemas import AreaRead


def to_read(area: Area) -> AreaRead:
    """The area as the API answers it: its code is its id within the municipality."""
    return AreaRead(
        id=area.code,
        municipality=area.municipality_code,
        name=area.name,
        excluded=area.excluded,
        cap=area.cap,
        period_cap=area.period_cap,
        version=area.version,
    )
