from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.agreements import service, views
from app.agreements.schemas import AgreementPage, AgreementRead, AgreementUpsert
from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, set_etag
from app.core.pagination import PageDep, next_cursor
from app.core.params import MunicipalityPath, id_query
from app.core.problems import AUTHENTICATED, problems
from app.landlords.router import LandlordPath

router = APIRouter(tags=["agreements"])
YearPath = Annotated[int, Path(ge=2000, le=2100, examples=[2026])]
AGREEMENT_PATH = "/v1/agreements/{municipality}/{landlord_id}/{year}"


@router.put(
    AGREEMENT_PATH,
    response_model=AgreementRead,
    summary="Create or replace a landlord's agreement with the coordinator's municipality",
    description="`201` when created, `200` when replaced (an identical body keeps the "
    "version). Send the `ETag` you read as `If-Match` to refuse lost updates.",
    responses={
        200: {"description": "Replaced (or unchanged)"},
        201: {"description": "Created", "model": AgreementRead},
        **problems(*AUTHENTICATED, 404, 409, 412),
    },
)
def put_agreement(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    municipality: MunicipalityPath,
    landlord_id: LandlordPath,
    year: YearPath,
    body: AgreementUpsert,
    response: Response,
    if_match: IfMatchHeader = None,
) -> AgreementRead:
    agreement, created = service.upsert_agreement(
        session,
        principal=principal,
        municipality=municipality,
        landlord_id=landlord_id,
        year=year,
        data=body,
        if_match=if_match,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    set_etag(response, agreement.version)
    return views.to_read(agreement)


@router.get(
    "/v1/agreements",
    response_model=AgreementPage,
    summary="List agreements",
    description="Coordinators see their municipality's, landlords their own, "
    "intermediaries those of the landlords that mandated them where they did, admins all. "
    "A filter naming another organisation is `404`.",
    responses=problems(*AUTHENTICATED, 404),
)
def list_agreements(
    session: SessionDep,
    principal: Annotated[
        Principal,
        Depends(require(Role.admin, Role.coordinator, Role.landlord, Role.intermediary)),
    ],
    page: PageDep,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    landlord: Annotated[str | None, id_query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> AgreementPage:
    rows = service.list_agreements(
        session,
        principal=principal,
        municipality=municipality,
        landlord_id=landlord,
        year=year,
        after=page.after,
        limit=page.limit,
    )
    return AgreementPage(
        items=[views.to_read(agreement) for agreement in rows],
        next_cursor=next_cursor([agreement.id for agreement in rows], page.limit),
    )


@router.get(
    AGREEMENT_PATH,
    response_model=AgreementRead,
    summary="Read an agreement",
    description="Coordinators read their municipality's, landlords their own, "
    "intermediaries their mandated ones.",
    responses=problems(*AUTHENTICATED, 404),
)
def get_agreement(
    session: SessionDep,
    principal: Annotated[
        Principal,
        Depends(require(Role.admin, Role.coordinator, Role.landlord, Role.intermediary)),
    ],
    municipality: MunicipalityPath,
    landlord_id: LandlordPath,
    year: YearPath,
    response: Response,
) -> AgreementRead:
    agreement = service.get_agreement(
        session, principal=principal, municipality=municipality, landlord_id=landlord_id, year=year
    )
    set_etag(response, agreement.version)
    return views.to_read(agreement)
