from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from app.areas import service, views
from app.areas.schemas import AreaList, AreaRead, AreaUpsert
from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.params import MunicipalityPath
from app.core.problems import AUTHENTICATED, problems
from app.core.types import AreaId

router = APIRouter(tags=["areas"])
# The municipality's own area id, stored and shown to landlords: free text's guard.
AreaPath = Annotated[AreaId, Path()]


@router.put(
    "/v1/municipalities/{code}/areas/{area_id}",
    response_model=AreaRead,
    summary="Create or replace an area of the coordinator's municipality",
    responses={201: {"description": "Created", "model": AreaRead}, **problems(*AUTHENTICATED, 404)},
)
def put_area(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    code: MunicipalityPath,
    area_id: AreaPath,
    body: AreaUpsert,
    response: Response,
) -> AreaRead:
    area, created = service.upsert_area(session, principal, code, area_id, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = f'"{area.version}"'
    return views.to_read(area)


@router.get(
    "/v1/municipalities/{code}/areas",
    response_model=AreaList,
    summary="List a municipality's areas",
    responses=problems(*AUTHENTICATED, 404),
)
def list_areas(
    session: SessionDep,
    principal: Annotated[
        Principal,
        Depends(
            require(
                Role.admin,
                Role.coordinator,
                Role.social_services,
                Role.landlord,
                Role.intermediary,
            )
        ),
    ],
    code: MunicipalityPath,
) -> AreaList:
    return AreaList(items=[views.to_read(a) for a in service.list_areas(session, principal, code)])
