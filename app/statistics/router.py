"""The yearly follow-up: `GET /v1/statistics` as JSON, or CSV for a spreadsheet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from app.auth import Principal, Role, require
from app.core.db import SessionDep, local_year
from app.core.problems import AUTHENTICATED, problems
from app.statistics import service
from app.statistics.schemas import StatisticsRead

router = APIRouter(tags=["statistics"])
CSV = "text/csv"


@router.get(
    "/v1/statistics",
    response_model=StatisticsRead,
    summary="The yearly follow-up of one municipality",
    description="Placements by target group, landlord, landlord kind, area, contract form and "
    "quarter; proposals released, accepted and declined by side and reason; expiries; days "
    "from registration to contract (median, p90); staircase steps, transfers to own lease and "
    'ended tenancies; newly arrived housed. Every count below 5 is shown as `"<5"`, and a '
    "lone hidden part of a breakdown is hidden together with the smallest other part "
    "(docs/statistics.md). `Accept: text/csv` gives the same figures as "
    "`municipality,year,section,key,value` rows.",
    responses={
        200: {
            "description": "The year's figures",
            "content": {CSV: {"schema": {"type": "string"}}},
        },
        **problems(*AUTHENTICATED, 404),
    },
)
def get_statistics(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="The agreement year; this year if left out")
    ] = None,
    municipality: Annotated[
        str | None,
        Query(pattern=r"^\d{4}$", description="Kommunkod; the coordinator's own if left out"),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StatisticsRead | Response:
    report = service.yearly_statistics(
        session,
        principal=principal,
        municipality=municipality,
        year=year if year is not None else local_year(),
    )
    if accept is not None and CSV in accept and "application/json" not in accept:
        return Response(service.as_csv(report), media_type=f"{CSV}; charset=utf-8")
    return report
