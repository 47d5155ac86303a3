"""HTTP for tenancies and quota fulfilment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth import Principal, Role, require
from app.db import SessionDep
from app.pagination import PageDep, next_cursor
from app.problems import AUTHENTICATED, problems
from app.tenancies import service
from app.tenancies.schemas import QuotaReport, TenancyPage, TenancyStatus

router = APIRouter(tags=["tenancies"])
Reader = Annotated[Principal, Depends(require(Role.coordinator, Role.landlord))]
Year = Annotated[int, Query(ge=2000, le=2100, description="The agreement year")]


@router.get(
    "/v1/tenancies",
    response_model=TenancyPage,
    summary="List tenancies",
    description="A coordinator: its municipality's, with the household. A landlord: its own, "
    "without any household data.",
    responses=problems(*AUTHENTICATED),
)
def list_tenancies(
    session: SessionDep,
    principal: Reader,
    page: PageDep,
    status_filter: Annotated[TenancyStatus | None, Query(alias="status")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Agreement year")] = None,
) -> TenancyPage:
    rows = service.list_tenancies(
        session, principal=principal, status=status_filter, year=year, page=page
    )
    return TenancyPage(
        items=service.to_views(session, principal, rows),
        next_cursor=next_cursor([t.id for t in rows], page.limit),
    )


@router.get(
    "/v1/quota",
    response_model=QuotaReport,
    summary="Quota fulfilment per landlord for one municipality and agreement year",
    description="Committed (`quota`) against delivered (tenancies, active or ended, "
    "counted toward the year), exception places, and totals split public/private. A "
    "coordinator names its own municipality (another → `404`); a landlord sees its own row.",
    responses=problems(*AUTHENTICATED, 404),
)
def get_quota(
    session: SessionDep,
    principal: Reader,
    municipality: Annotated[str, Query(pattern=r"^\d{4}$", description="Kommunkod")],
    year: Year,
) -> QuotaReport:
    return service.quota_report(session, principal=principal, municipality=municipality, year=year)
