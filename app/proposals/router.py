"""HTTP for proposals (read, release, accept, decline, withdraw), pins and forbidden pairs.

A landlord's responses use `ProposalLandlordView` (minimal, docs/domain.md §6), the
municipality's `ProposalRead`; both carry `view` so clients and OpenAPI tell them apart.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.audit.schemas import PurposeHeader
from app.auth import Principal, Role, require
from app.core.csv_export import CSV_RESPONSE, CsvWanted, csv_response
from app.core.db import SessionDep
from app.core.pagination import SYNC_DESCRIPTION, PageDep, SyncPageDep, next_cursor, sync_cursor
from app.core.params import CaseRefQuery, ExternalRefQuery, id_path, id_query
from app.core.problems import AUTHENTICATED, problems
from app.flows import contract
from app.idempotency.route import IdempotentRoute
from app.proposals import service, views
from app.proposals.schemas import (
    DeclineBody,
    ForbiddenPairPage,
    ForbiddenPairRead,
    PairBody,
    PinPage,
    PinRead,
    ProposalPage,
    ProposalView,
)
from app.vocabulary import ProposalStatus

router = APIRouter(route_class=IdempotentRoute, tags=["proposals"])

Reader = Annotated[
    Principal,
    Depends(require(Role.landlord, Role.intermediary, Role.social_services, Role.coordinator)),
]
Coordinator = Annotated[Principal, Depends(require(Role.coordinator))]
ProposalId = Annotated[str, id_path("The proposal's id")]
PinId = Annotated[str, id_path("The pin's id")]
UUIDQuery = Annotated[str | None, id_query()]


@router.get(
    "/v1/proposals",
    response_model=ProposalPage,
    summary="List proposals in the caller's scope",
    description="A landlord: proposals for its own vacancies once released, minimal view. "
    "An intermediary: the same for the landlords that mandated it, where they did "
    "(`landlord`: one of them; another → `404`). Social services and the coordinator: the "
    "municipality's, full view. A proposal past its deadline reads as `expired` (the "
    "workers' sweep writes the expiry and its event within a minute). `Accept: text/csv` "
    "answers the page as CSV, each caller's view as rows." + SYNC_DESCRIPTION,
    responses={**problems(*AUTHENTICATED, 404), **CSV_RESPONSE},
)
def list_proposals(
    session: SessionDep,
    principal: Reader,
    purpose: PurposeHeader,
    page: SyncPageDep,
    status_filter: Annotated[ProposalStatus | None, Query(alias="status")] = None,
    round_id: Annotated[
        str | None,
        id_query(alias="round"),
    ] = None,
    landlord: Annotated[
        str | None,
        id_query("Only an intermediary: the proposals of this landlord it acts for"),
    ] = None,
    case_ref: CaseRefQuery = None,
    external_ref: ExternalRefQuery = None,
    csv: CsvWanted = False,
) -> ProposalPage | Response:
    rows = service.list_proposals(
        session,
        principal=principal,
        status=status_filter,
        round_id=round_id,
        page=page,
        landlord=landlord,
        case_ref=case_ref,
        external_ref=external_ref,
    )
    result = ProposalPage(
        items=views.to_views(session, principal, rows, purpose=purpose),
        next_cursor=sync_cursor([(p.updated_at, p.id) for p in rows], page.limit),
    )
    return csv_response(result.items, result.next_cursor) if csv else result


@router.get(
    "/v1/proposals/{proposal_id}",
    response_model=ProposalView,
    summary="Read one proposal",
    responses=problems(*AUTHENTICATED, 404),
)
def get_proposal(
    session: SessionDep, principal: Reader, purpose: PurposeHeader, proposal_id: ProposalId
) -> ProposalView:
    proposal = service.get_proposal(session, principal=principal, proposal_id=proposal_id)
    return views.to_view(session, principal, proposal, purpose=purpose)


@router.post(
    "/v1/proposals/{proposal_id}/release",
    response_model=ProposalView,
    summary="Send a proposed match to the landlord",
    description="`proposed` → `released`; the landlord's answer is due within the "
    "agreement's `answer_hours` (72 by default). Any other status → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def release_proposal(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, proposal_id: ProposalId
) -> ProposalView:
    proposal = service.release_proposal(session, principal=principal, proposal_id=proposal_id)
    return views.to_view(session, principal, proposal, purpose=purpose)


@router.post(
    "/v1/proposals/{proposal_id}/accept",
    response_model=ProposalView,
    summary="Accept a proposal for the caller's side",
    description="The landlord (or its intermediary) answers first (`released` → "
    "`landlord_accepted`); then social "
    "services or the coordinator for the household (`landlord_accepted` → `contracted`: "
    "the tenancy is created, the vacancy let, the case closed as housed). Out of turn, "
    "twice, or after the deadline → `409` naming the status.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def accept_proposal(
    session: SessionDep, principal: Reader, purpose: PurposeHeader, proposal_id: ProposalId
) -> ProposalView:
    proposal = contract.accept_proposal(
        session, principal=principal, proposal_id=proposal_id, purpose=purpose
    )
    return views.accepted_view(session, principal, proposal, purpose=purpose)


@router.post(
    "/v1/proposals/{proposal_id}/decline",
    response_model=ProposalView,
    summary="Decline a proposal for the caller's side, with a coded reason",
    description="The pair is never proposed again and both sides are free for the next "
    "round. A reason code of the other side → `422`; out of turn or twice → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def decline_proposal(
    session: SessionDep,
    principal: Reader,
    purpose: PurposeHeader,
    proposal_id: ProposalId,
    body: DeclineBody,
) -> ProposalView:
    proposal = service.decline_proposal(
        session, principal=principal, proposal_id=proposal_id, body=body, purpose=purpose
    )
    return views.to_view(session, principal, proposal, purpose=purpose)


@router.post(
    "/v1/proposals/{proposal_id}/withdraw",
    response_model=ProposalView,
    summary="Withdraw a live proposal",
    description="Both sides are free again; the pair is not forbidden. Not live → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def withdraw_proposal(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, proposal_id: ProposalId
) -> ProposalView:
    proposal = service.withdraw_proposal(session, principal=principal, proposal_id=proposal_id)
    return views.to_view(session, principal, proposal, purpose=purpose)


# --- Pins --------------------------------------------------------------------------------


@router.post(
    "/v1/pins",
    status_code=status.HTTP_201_CREATED,
    response_model=PinRead,
    summary="Pin a household to a vacancy for the next round",
    description="Both must be the coordinator's municipality's (else `422`). A closed case, "
    "a let or withdrawn vacancy, a forbidden pair, or a household or vacancy already "
    "pinned → `409`.",
    responses=problems(*AUTHENTICATED, 409),
)
def create_pin(
    session: SessionDep, principal: Coordinator, body: PairBody, response: Response
) -> PinRead:
    pin = service.create_pin(session, principal=principal, body=body)
    response.headers["Location"] = f"/v1/pins/{pin.id}"
    return views.pin_reads(session, [pin])[0]


@router.get(
    "/v1/pins",
    response_model=PinPage,
    summary="List the municipality's pins",
    responses=problems(*AUTHENTICATED),
)
def list_pins(session: SessionDep, principal: Coordinator, page: PageDep) -> PinPage:
    rows = service.list_pins(session, principal=principal, page=page)
    return PinPage(
        items=views.pin_reads(session, rows),
        next_cursor=next_cursor([p.id for p in rows], page.limit),
    )


@router.delete(
    "/v1/pins/{pin_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a pin",
    responses=problems(*AUTHENTICATED, 404),
)
def delete_pin(session: SessionDep, principal: Coordinator, pin_id: PinId) -> Response:
    service.delete_pin(session, principal=principal, pin_id=pin_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Forbidden pairs ---------------------------------------------------------------------


@router.post(
    "/v1/forbidden-pairs",
    status_code=status.HTTP_201_CREATED,
    response_model=ForbiddenPairRead,
    summary="Forbid a pair in every later round",
    description="Both must be the coordinator's municipality's (else `422`). Already "
    "forbidden, or pinned as this very pair → `409`. A live proposal of the pair stays "
    "until it is withdrawn.",
    responses=problems(*AUTHENTICATED, 409),
)
def forbid_pair(session: SessionDep, principal: Coordinator, body: PairBody) -> ForbiddenPairRead:
    pair = service.forbid_pair(session, principal=principal, body=body)
    return views.forbidden_reads(session, [pair])[0]


@router.get(
    "/v1/forbidden-pairs",
    response_model=ForbiddenPairPage,
    summary="List the municipality's forbidden pairs (declined, expired, or forbidden)",
    responses=problems(*AUTHENTICATED),
)
def list_forbidden_pairs(
    session: SessionDep,
    principal: Coordinator,
    page: PageDep,
    household: UUIDQuery = None,
    vacancy: UUIDQuery = None,
) -> ForbiddenPairPage:
    rows = service.list_forbidden(
        session, principal=principal, household_id=household, vacancy_id=vacancy, page=page
    )
    return ForbiddenPairPage(
        items=views.forbidden_reads(session, rows),
        next_cursor=next_cursor([p.id for p in rows], page.limit),
    )
