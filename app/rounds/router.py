"""Match rounds over HTTP: start (202, runs off the request path), read, list, download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from app.audit.schemas import PurposeHeader
from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.pagination import PageDep
from app.core.params import id_path
from app.core.problems import AUTHENTICATED, problems
from app.flows.round_scheduler import Scheduler
from app.idempotency.route import IdempotentRoute
from app.rounds import service, views
from app.rounds.schemas import RoundComparison, RoundCreate, RoundPage, RoundRead

router = APIRouter(route_class=IdempotentRoute, tags=["rounds"])
RoundPath = Annotated[str, id_path()]
Coordinator = Annotated[Principal, Depends(require(Role.coordinator))]


@router.post(
    "/v1/rounds",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RoundRead,
    summary="Start a match round for the coordinator's municipality",
    description="The round is queued and runs off the request path; follow `Location` "
    "until its status is `succeeded` or `failed`. `409` while another round of the "
    "municipality is queued or running.",
    responses={
        202: {
            "description": "Queued",
            "headers": {"Location": {"description": "The round", "schema": {"type": "string"}}},
        },
        **problems(*AUTHENTICATED, 404, 409),
    },
)
def start_round(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    body: RoundCreate,
    response: Response,
    scheduler: Scheduler,
) -> RoundRead:
    round_ = service.start_round(session, principal=principal, data=body)
    scheduler.schedule(round_.id)
    response.headers["Location"] = f"/v1/rounds/{round_.id}"
    return views.to_audited_read(session, round_, principal=principal, purpose=purpose)


@router.get(
    "/v1/rounds",
    response_model=RoundPage,
    summary="List the municipality's rounds, newest first",
    responses=problems(*AUTHENTICATED, 404),
)
def list_rounds(session: SessionDep, principal: Coordinator, page: PageDep) -> RoundPage:
    rounds = service.list_rounds(session, principal=principal, page=page)
    return RoundPage(
        items=[views.to_summary(r) for r in rounds],
        next_cursor=service.cursor_after(rounds, page.limit),
    )


@router.get(
    "/v1/rounds/{round_id}",
    response_model=RoundRead,
    summary="A round: status, solver statistics, proposals, unmatched households and why",
    responses=problems(*AUTHENTICATED, 404),
)
def get_round(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, round_id: RoundPath
) -> RoundRead:
    """Every household the round names (proposed or unmatched) is audited as read."""
    round_ = service.get_round(session, principal=principal, round_id=round_id)
    return views.to_audited_read(session, round_, principal=principal, purpose=purpose)


@router.get(
    "/v1/rounds/{round_id}/compare/{other_id}",
    response_model=RoundComparison,
    summary="Two rounds side by side, and the households one housed and the other did not",
    description="Any two rounds of the coordinator's municipality that have a result (dry or "
    "real): households housed, Σ weight, housed by target group and urgency, waiting days of "
    "the housed and of those still waiting (median, p90), placements per landlord, kind and "
    "area, exception places, and the households housed by only one of them (ids and case "
    "references; each is audited as read). A round without a result is `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def compare_rounds(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    round_id: RoundPath,
    other_id: RoundPath,
) -> RoundComparison:
    return service.compare_rounds(
        session, principal=principal, first_id=round_id, second_id=other_id, purpose=purpose
    )


@router.get(
    "/v1/rounds/{round_id}/problem",
    summary="The exact matching-problem/1 the round solved (404 until it is built)",
    description="Solve it offline with `python -m matching solve problem.json` to "
    "reproduce the round's result.",
    responses={
        200: {
            "description": "A matching-problem/1 document (docs/matching-format.md)",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **problems(*AUTHENTICATED, 404),
    },
)
def get_problem(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, round_id: RoundPath
) -> dict[str, Any]:
    """Every household in the problem is audited as `export`."""
    return service.get_problem(session, principal=principal, round_id=round_id, purpose=purpose)
