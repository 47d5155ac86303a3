"""HTTP for networks of municipalities, referrals between their members and the reciprocal
ledger (docs/referrals.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response, status

from app.audit.schemas import PurposeHeader
from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.pagination import PageDep, next_cursor
from app.core.params import MunicipalityPath, id_path, id_query
from app.core.problems import AUTHENTICATED, problems
from app.flows import referral_acceptance
from app.idempotency.route import IdempotentRoute
from app.referrals import service, views
from app.referrals.schemas import (
    Disclosure,
    Ledger,
    MembershipPut,
    NetworkCreate,
    NetworkPage,
    NetworkRead,
    ReferralAnswer,
    ReferralCreate,
    ReferralDecline,
    ReferralPage,
    ReferralRead,
)
from app.vocabulary import ReferralStatus

router = APIRouter(route_class=IdempotentRoute, tags=["referrals"])
NetworkPath = Annotated[str, id_path("The network's id")]
ReferralPath = Annotated[str, id_path("The referral's id")]
Admin = Annotated[Principal, Depends(require(Role.admin))]
Coordinator = Annotated[Principal, Depends(require(Role.coordinator))]
NetworkReaders = Annotated[Principal, Depends(require(Role.admin, Role.coordinator))]
ReferralReaders = Annotated[Principal, Depends(require(Role.coordinator, Role.social_services))]
NO_BODY = Body(default_factory=ReferralAnswer)
"""Accepting and withdrawing take no parameters: a client may send `{}` or nothing."""


@router.post(
    "/v1/networks",
    status_code=status.HTTP_201_CREATED,
    response_model=NetworkRead,
    summary="Create a network of municipalities",
    description="Municipalities that take each other's households who must move for their "
    "safety (Södertälje: Kompotten). A name taken → `409`.",
    responses=problems(*AUTHENTICATED, 409),
)
def create_network(session: SessionDep, _: Admin, body: NetworkCreate) -> NetworkRead:
    return views.to_network_reads(session, [service.create_network(session, body)])[0]


@router.get(
    "/v1/networks",
    response_model=NetworkPage,
    summary="List the networks the caller may see",
    description="Admins all; a coordinator those its municipality is a member of today.",
    responses=problems(*AUTHENTICATED),
)
def list_networks(session: SessionDep, principal: NetworkReaders, page: PageDep) -> NetworkPage:
    rows = service.list_networks(session, principal, page)
    return NetworkPage(
        items=views.to_network_reads(session, rows),
        next_cursor=next_cursor([row.id for row in rows], page.limit),
    )


@router.get(
    "/v1/networks/{network_id}",
    response_model=NetworkRead,
    summary="Read a network and its members",
    responses=problems(*AUTHENTICATED, 404),
)
def get_network(
    session: SessionDep, principal: NetworkReaders, network_id: NetworkPath
) -> NetworkRead:
    network = service.get_network(session, principal, network_id)
    return views.to_network_reads(session, [network])[0]


@router.put(
    "/v1/networks/{network_id}/members/{code}",
    response_model=NetworkRead,
    summary="Make a municipality a member of a network for a period",
    description="Created (`201`) or its period changed (`200`). Unknown network or "
    "municipality → `404`.",
    responses={
        201: {"description": "Created", "model": NetworkRead},
        **problems(*AUTHENTICATED, 404),
    },
)
def put_member(
    session: SessionDep,
    _: Admin,
    network_id: NetworkPath,
    code: MunicipalityPath,
    body: MembershipPut,
    response: Response,
) -> NetworkRead:
    network, made = service.put_member(session, network_id=network_id, code=code, data=body)
    response.status_code = status.HTTP_201_CREATED if made else status.HTTP_200_OK
    return views.to_network_reads(session, [network])[0]


@router.post(
    "/v1/referrals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralRead,
    summary="Refer a household to another municipality of a network",
    description="The sending coordinator refers one of its open cases of target group "
    "`violence_exposed` or `protected_identity` to a member of a shared network, or offers "
    "it to the whole network (`to_municipality` left out). Not its household or network → "
    "`404`; another target group or a receiver outside the network → `422`; a closed case, "
    "one referred already or in a live proposal → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def create_referral(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, body: ReferralCreate
) -> ReferralRead:
    referral = service.create_referral(session, principal=principal, data=body, purpose=purpose)
    return views.to_view(session, principal, referral, purpose=purpose)


@router.get(
    "/v1/referrals",
    response_model=ReferralPage,
    summary="List the referrals the caller's municipality sent or may answer",
    description="Sent ones for the sending coordinator and social services; received ones "
    "and open offers to its networks for a coordinator. Every household shown is audited.",
    responses=problems(*AUTHENTICATED),
)
def list_referrals(
    session: SessionDep,
    principal: ReferralReaders,
    purpose: PurposeHeader,
    page: PageDep,
    status_: Annotated[ReferralStatus | None, Query(alias="status")] = None,
) -> ReferralPage:
    rows = service.list_referrals(session, principal=principal, status=status_, page=page)
    return ReferralPage(
        items=views.to_views(session, principal, rows, purpose=purpose),
        next_cursor=next_cursor([row.id for row in rows], page.limit),
    )


@router.get(
    "/v1/referrals/ledger",
    response_model=Ledger,
    summary="The reciprocal ledger of a network in one year",
    description="Places given and received per member and per pair, and the balance, "
    "counted when a referral is accepted: exact, for the coordinators of the network's "
    "members (another → `404`).",
    responses=problems(*AUTHENTICATED, 404),
)
def get_ledger(
    session: SessionDep,
    principal: Coordinator,
    network: Annotated[str, id_query("The network's id")],
    year: Annotated[int | None, Query(ge=2000, le=2100, description="This year by default")] = None,
) -> Ledger:
    return service.ledger(session, principal=principal, network_id=network, year=year)


@router.get(
    "/v1/referrals/{referral_id}",
    response_model=ReferralRead,
    summary="Read a referral as the caller's side may",
    responses=problems(*AUTHENTICATED, 404),
)
def get_referral(
    session: SessionDep,
    principal: ReferralReaders,
    purpose: PurposeHeader,
    referral_id: ReferralPath,
) -> ReferralRead:
    referral = service.load(session, principal, referral_id)
    return views.to_view(session, principal, referral, purpose=purpose)


@router.post(
    "/v1/referrals/{referral_id}/accept",
    response_model=ReferralRead,
    summary="Accept a referral: the household becomes a case of the caller's municipality",
    description="The receiving coordinator, within the network's answer time. The sending "
    "case closes as `referred`; the new case takes part in the municipality's rounds. The "
    "sending side → `403`; answered, withdrawn or too late → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def accept_referral(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    referral_id: ReferralPath,
    body: ReferralAnswer = NO_BODY,
) -> ReferralRead:
    referral = referral_acceptance.accept_referral(
        session, principal=principal, referral_id=referral_id, purpose=purpose
    )
    return views.to_view(session, principal, referral, purpose=purpose)


@router.post(
    "/v1/referrals/{referral_id}/decline",
    response_model=ReferralRead,
    summary="Decline a referral with a coded reason",
    description="The receiving coordinator; the case stays open in the sending "
    "municipality. The sending side → `403`; answered or too late → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def decline_referral(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    referral_id: ReferralPath,
    body: ReferralDecline,
) -> ReferralRead:
    referral = service.decline_referral(
        session, principal=principal, referral_id=referral_id, body=body
    )
    return views.to_view(session, principal, referral, purpose=purpose)


@router.put(
    "/v1/referrals/{referral_id}/disclosure",
    response_model=ReferralRead,
    summary="Choose whether the sending side sees where a protected household goes",
    description="The sending social services: with `receiver_visible` the sending side "
    "sees the receiving municipality before the household is housed (a protected identity "
    "hides it otherwise). The receiving side → `403`.",
    responses=problems(*AUTHENTICATED, 404),
)
def choose_disclosure(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.social_services))],
    purpose: PurposeHeader,
    referral_id: ReferralPath,
    body: Disclosure,
) -> ReferralRead:
    referral = service.choose_disclosure(
        session, principal=principal, referral_id=referral_id, visible=body.receiver_visible
    )
    return views.to_view(session, principal, referral, purpose=purpose)


@router.post(
    "/v1/referrals/{referral_id}/withdraw",
    response_model=ReferralRead,
    summary="Withdraw a referral before it is accepted",
    description="The sending coordinator. The receiving side → `403`; answered → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def withdraw_referral(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    referral_id: ReferralPath,
    body: ReferralAnswer = NO_BODY,
) -> ReferralRead:
    referral = service.withdraw_referral(session, principal=principal, referral_id=referral_id)
    return views.to_view(session, principal, referral, purpose=purpose)
