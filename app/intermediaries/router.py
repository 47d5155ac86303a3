"""HTTP for intermediaries and the mandates landlords give them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.pagination import PageDep, next_cursor
from app.core.params import id_path, id_query
from app.core.problems import AUTHENTICATED, problems
from app.idempotency.route import IdempotentRoute
from app.intermediaries import service
from app.intermediaries.schemas import (
    IntermediaryCreate,
    IntermediaryPage,
    IntermediaryRead,
    MandateCreate,
    MandateEnd,
    MandatePage,
    MandateRead,
)

router = APIRouter(route_class=IdempotentRoute, tags=["intermediaries"])
IntermediaryPath = Annotated[str, id_path("The intermediary's id")]
MandatePath = Annotated[str, id_path("The mandate's id")]
Readers = Annotated[
    Principal,
    Depends(require(Role.admin, Role.coordinator, Role.landlord, Role.intermediary)),
]
Recorders = Annotated[Principal, Depends(require(Role.admin, Role.coordinator))]


@router.post(
    "/v1/intermediaries",
    status_code=status.HTTP_201_CREATED,
    response_model=IntermediaryRead,
    summary="Register an intermediary",
    description="An organisation that administers the cooperation agreement for several "
    "landlords (Västerås: Bostad Västerås). It acts only under mandates (`/v1/mandates`).",
    responses=problems(*AUTHENTICATED, 409),
)
def create_intermediary(
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.admin))],
    body: IntermediaryCreate,
) -> IntermediaryRead:
    return service.to_intermediary_read(service.create_intermediary(session, body))


@router.get(
    "/v1/intermediaries",
    response_model=IntermediaryPage,
    summary="List the intermediaries the caller may see",
    description="Admins see all; a coordinator those with a mandate in its municipality; a "
    "landlord those it gave a mandate; an intermediary itself.",
    responses=problems(*AUTHENTICATED),
)
def list_intermediaries(session: SessionDep, principal: Readers, page: PageDep) -> IntermediaryPage:
    rows = service.list_intermediaries(session, principal, after=page.after, limit=page.limit)
    return IntermediaryPage(
        items=[service.to_intermediary_read(row) for row in rows],
        next_cursor=next_cursor([row.id for row in rows], page.limit),
    )


@router.get(
    "/v1/intermediaries/{intermediary_id}",
    response_model=IntermediaryRead,
    summary="Read an intermediary",
    responses=problems(*AUTHENTICATED, 404),
)
def get_intermediary(
    session: SessionDep, principal: Readers, intermediary_id: IntermediaryPath
) -> IntermediaryRead:
    return service.to_intermediary_read(
        service.get_intermediary(session, principal, intermediary_id)
    )


@router.post(
    "/v1/mandates",
    status_code=status.HTTP_201_CREATED,
    response_model=MandateRead,
    summary="Record a landlord's mandate to an intermediary in one municipality",
    description="The coordinator of the municipality (its own by default; another → `404`) "
    "or an admin (who names it). Within a live mandate the intermediary posts and withdraws "
    "the landlord's vacancies there, answers its proposals in the landlord's minimal view "
    "and reads its quota. Unknown intermediary or landlord → `422`; a period overlapping "
    "another mandate of the same three → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def create_mandate(session: SessionDep, principal: Recorders, body: MandateCreate) -> MandateRead:
    mandate = service.create_mandate(session, principal=principal, data=body)
    return service.to_mandate_reads(session, [mandate])[0]


@router.get(
    "/v1/mandates",
    response_model=MandatePage,
    summary="List mandates",
    description="Admins all; a coordinator its municipality's; an intermediary its own; a "
    "landlord those it gave. Ended and expired ones too, unless `live=true`.",
    responses=problems(*AUTHENTICATED),
)
def list_mandates(
    session: SessionDep,
    principal: Readers,
    page: PageDep,
    intermediary: Annotated[str | None, id_query("Only this intermediary's")] = None,
    landlord: Annotated[str | None, id_query("Only this landlord's")] = None,
    live: Annotated[bool, Query(description="Only those in force today")] = False,
) -> MandatePage:
    rows = service.list_mandates(
        session,
        principal=principal,
        intermediary_id=intermediary,
        landlord_id=landlord,
        live=live,
        after=page.after,
        limit=page.limit,
    )
    return MandatePage(
        items=service.to_mandate_reads(session, rows),
        next_cursor=next_cursor([row.id for row in rows], page.limit),
    )


@router.get(
    "/v1/mandates/{mandate_id}",
    response_model=MandateRead,
    summary="Read a mandate",
    responses=problems(*AUTHENTICATED, 404),
)
def get_mandate(session: SessionDep, principal: Readers, mandate_id: MandatePath) -> MandateRead:
    mandate = service.get_mandate(session, principal=principal, mandate_id=mandate_id)
    return service.to_mandate_reads(session, [mandate])[0]


NO_BODY = Body(default_factory=MandateEnd)
"""Ending takes no parameters: a client may send `{}` or nothing at all."""


@router.post(
    "/v1/mandates/{mandate_id}/end",
    response_model=MandateRead,
    summary="End a mandate now",
    description="The coordinator of its municipality or an admin. From the next request "
    "on, the intermediary gets `404` for the landlord's objects in that municipality. "
    "Ending an ended mandate changes nothing. The body may be left out.",
    responses=problems(*AUTHENTICATED, 404),
)
def end_mandate(
    session: SessionDep,
    principal: Recorders,
    mandate_id: MandatePath,
    body: MandateEnd = NO_BODY,
) -> MandateRead:
    mandate = service.end_mandate(session, principal=principal, mandate_id=mandate_id)
    return service.to_mandate_reads(session, [mandate])[0]
