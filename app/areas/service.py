from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from app.agreements import repository as agreements
from app.areas import repository
from app.areas.models import Area
from app.areas.schemas import AreaRead, AreaUpsert
from app.auth import Principal
from app.core.errors import NotFound, UnprocessableEntity
from app.municipalities import repository as municipalities


def _visible_municipality(session: Session, principal: Principal, municipality: str) -> None:
    """Municipal roles see their own; landlords those they have an agreement with; an
    intermediary those where a landlord that mandated it there has one."""
    if principal.landlord_side:
        if not any(
            agreements.has_any(session, municipality, landlord)
            for landlord in principal.landlords(municipality)
        ):
            raise NotFound("No such municipality.")
    elif municipalities.get_for(session, principal, municipality) is None:
        raise NotFound("No such municipality.")


def upsert_area(
    session: Session, principal: Principal, municipality: str, code: str, data: AreaUpsert
) -> tuple[Area, bool]:
    """Create or replace an area; returns the area and whether it was created."""
    _visible_municipality(session, principal, municipality)
    area = repository.get(session, municipality, code)
    if area is None:
        area = Area(municipality_code=municipality, code=code, **data.model_dump())
        session.add(area)
        session.flush()
        return area, True
    changes = data.model_dump()
    if any(getattr(area, key) != value for key, value in changes.items()):
        for key, value in changes.items():
            setattr(area, key, value)
        area.version += 1
        session.flush()
    return area, False


def list_areas(session: Session, principal: Principal, municipality: str) -> list[Area]:
    _visible_municipality(session, principal, municipality)
    return repository.list_for_municipality(session, municipality)


def not_areas(municipality: str, missing: Collection[str], field: str) -> UnprocessableEntity:
    """The 422 naming the field and the codes that are not areas of the municipality."""
    return UnprocessableEntity(
        f"{field}: not areas of municipality {municipality}: {', '.join(sorted(missing))}"
    )


def require_areas(session: Session, municipality: str, codes: Collection[str], field: str) -> None:
    """422 naming the field when any code is not an area of the municipality."""
    missing = repository.missing_codes(session, municipality, codes)
    if missing:
        raise not_areas(municipality, missing, field)


def to_read(area: Area) -> AreaRead:
    return AreaRead(
        id=area.code,
        municipality=area.municipality_code,
        name=area.name,
        excluded=area.excluded,
        cap=area.cap,
        period_cap=area.period_cap,
        version=area.version,
    )
