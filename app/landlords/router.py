from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.pagination import PageDep, next_cursor
from app.core.params import id_path
from app.core.problems import AUTHENTICATED, problems
from app.idempotency.route import IdempotentRoute
from app.landlords import service, views
from app.landlords.schemas import LandlordCreate, LandlordPage, LandlordRead

router = APIRouter(route_class=IdempotentRoute, tags=["landlords"])
LandlordPath = Annotated[str, id_path()]


@router.post(
    "/v1/landlords",
    status_code=status.HTTP_201_CREATED,
    response_model=LandlordRead,
    summary="Register a landlord",
    responses=problems(*AUTHENTICATED, 409),
)
def create_landlord(
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.admin))],
    body: LandlordCreate,
) -> LandlordRead:
    return views.to_read(service.create_landlord(session, body))


@router.get(
    "/v1/landlords",
    response_model=LandlordPage,
    summary="List the landlords the caller may see",
    description="Admins see all; a coordinator those with an agreement in its municipality; "
    "a landlord itself; an intermediary those with a live mandate to it.",
    responses=problems(*AUTHENTICATED),
)
def list_landlords(
    session: SessionDep,
    principal: Annotated[
        Principal,
        Depends(require(Role.admin, Role.coordinator, Role.landlord, Role.intermediary)),
    ],
    page: PageDep,
) -> LandlordPage:
    rows = service.list_landlords(session, principal, after=page.after, limit=page.limit)
    return LandlordPage(
        items=[views.to_read(landlord) for landlord in rows],
        next_cursor=next_cursor([landlord.id for landlord in rows], page.limit),
    )


@router.get(
    "/v1/landlords/{landlord_id}",
    response_model=LandlordRead,
    summary="Read a landlord",
    description="Admins; the landlord itself; an intermediary it gave a live mandate; "
    "coordinators of a municipality where the landlord has an agreement (any year).",
    responses=problems(*AUTHENTICATED, 404),
)
def get_landlord(
    session: SessionDep,
    principal: Annotated[
        Principal,
        Depends(require(Role.admin, Role.coordinator, Role.landlord, Role.intermediary)),
    ],
    landlord_id: LandlordPath,
) -> LandlordRead:
    return views.to_read(service.get_landlord(session, principal, landlord_id))
