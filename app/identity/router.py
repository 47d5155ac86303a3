"""HTTP for the OpenID Connect issuers organisations trust for their people (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from app.auth import Principal, Role, issuer_keys, require
from app.core.db import SessionDep
from app.core.pagination import PageDep, next_cursor
from app.core.problems import AUTHENTICATED, problems
from app.core.types import UUIDStr
from app.identity import service, views
from app.identity.schemas import IssuerCreate, IssuerPage, IssuerRead

router = APIRouter(tags=["auth and credentials"])
Admin = Annotated[Principal, Depends(require(Role.admin))]


@router.post(
    "/v1/identity-providers",
    status_code=status.HTTP_201_CREATED,
    response_model=IssuerRead,
    summary="Trust an OpenID Connect issuer for one organisation's people",
    responses=problems(*AUTHENTICATED, 409, 422),
)
def register_identity_provider(
    request: Request, session: SessionDep, _: Admin, body: IssuerCreate
) -> IssuerRead:
    """Tokens of this issuer then act within its organisation only, in the role their
    claim maps to (docs/identity.md)."""
    return views.to_read(service.register_issuer(session, issuer_keys(request), body))


@router.get(
    "/v1/identity-providers",
    response_model=IssuerPage,
    summary="List the trusted OpenID Connect issuers",
    responses=problems(*AUTHENTICATED),
)
def list_identity_providers(session: SessionDep, _: Admin, page: PageDep) -> IssuerPage:
    rows = service.list_issuers(session, after=page.after, limit=page.limit)
    return IssuerPage(
        items=[views.to_read(row) for row in rows],
        next_cursor=next_cursor([row.id for row in rows], page.limit),
    )


@router.delete(
    "/v1/identity-providers/{issuer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop trusting an issuer; its tokens are refused at once",
    responses=problems(*AUTHENTICATED, 404),
)
def remove_identity_provider(
    session: SessionDep, _: Admin, issuer_id: Annotated[UUIDStr, Path()]
) -> Response:
    service.remove_issuer(session, issuer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
