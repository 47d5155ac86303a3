"""The Settlement Act's yearly figure (kommuntal) of a municipality."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.params import MunicipalityPath
from app.core.problems import AUTHENTICATED, problems
from app.settlement import service
from app.settlement.schemas import SettlementFigureInput, SettlementStatus

router = APIRouter(tags=["settlement"])
SETTLEMENT_PATH = "/v1/municipalities/{code}/settlement/{year}"
Year = Annotated[int, Path(ge=2000, le=2100, description="The agreement year")]


@router.get(
    SETTLEMENT_PATH,
    response_model=SettlementStatus,
    summary="The year's settlement figure, the newly arrived housed so far and what remains",
    responses=problems(*AUTHENTICATED, 404),
)
def get_settlement(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    code: MunicipalityPath,
    year: Year,
) -> SettlementStatus:
    return service.get_settlement(session, principal=principal, code=code, year=year)


@router.put(
    SETTLEMENT_PATH,
    response_model=SettlementStatus,
    summary="Record the year's settlement figure (bosättningslagen 2016:38)",
    description="The municipality's figure for the year. Rounds of the year take what "
    "remains of it (figure − housed − in live proposals) as their floor for newly arrived "
    "unless the round request gives `newly_arrived_min`; a floor the round cannot reach is "
    "reported as the round's `newly_arrived_shortfall`.",
    responses={
        200: {"description": "Replaced"},
        201: {"description": "Recorded", "model": SettlementStatus},
        **problems(*AUTHENTICATED, 404),
    },
)
def put_settlement(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    code: MunicipalityPath,
    year: Year,
    body: SettlementFigureInput,
    response: Response,
) -> SettlementStatus:
    result, created = service.put_settlement(
        session, principal=principal, code=code, year=year, data=body
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return result
