from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.pagination import PageDep, next_cursor
from app.core.params import MunicipalityPath
from app.core.problems import AUTHENTICATED, problems
from app.idempotency.route import IdempotentRoute
from app.municipalities import service, views
from app.municipalities.schemas import MunicipalityCreate, MunicipalityPage, MunicipalityRead

router = APIRouter(route_class=IdempotentRoute, tags=["municipalities"])


@router.post(
    "/v1/municipalities",
    status_code=status.HTTP_201_CREATED,
    response_model=MunicipalityRead,
    summary="Register a municipality",
    responses=problems(*AUTHENTICATED, 409),
)
def create_municipality(
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.admin))],
    body: MunicipalityCreate,
) -> MunicipalityRead:
    return views.to_read(service.create_municipality(session, body))


@router.get(
    "/v1/municipalities",
    response_model=MunicipalityPage,
    summary="List registered municipalities",
    responses=problems(*AUTHENTICATED),
)
def list_municipalities(
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.admin))],
    page: PageDep,
) -> MunicipalityPage:
    rows = service.list_municipalities(session, after=page.after, limit=page.limit)
    return MunicipalityPage(
        items=[views.to_read(m) for m in rows],
        next_cursor=next_cursor([m.code for m in rows], page.limit),
    )


@router.get(
    "/v1/municipalities/{code}",
    response_model=MunicipalityRead,
    summary="Read a municipality",
    responses=problems(*AUTHENTICATED, 404),
)
def get_municipality(
    session: SessionDep,
    principal: Annotated[
        Principal, Depends(require(Role.admin, Role.coordinator, Role.social_services))
    ],
    code: MunicipalityPath,
) -> MunicipalityRead:
    return views.to_read(service.get_municipality(session, principal, code))
