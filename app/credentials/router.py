"""HTTP for credentials and the OAuth2 token endpoint."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Header, Path, Request, Response, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.errors import BadRequest, InvalidClient
from app.core.pagination import PageDep, next_cursor
from app.core.problems import AUTHENTICATED, problems
from app.credentials import service, views
from app.credentials.schemas import (
    CredentialCreate,
    CredentialCreated,
    CredentialPage,
    TokenRead,
    TokenRequest,
)

router = APIRouter(tags=["auth and credentials"])
Admin = Annotated[Principal, Depends(require(Role.admin))]
CredentialId = Annotated[str, Path(pattern=r"^cid_[A-Za-z0-9_-]{1,40}$")]


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("The Basic authorization header is malformed.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("The Basic authorization header is malformed.")
    return unquote(client_id), unquote(secret)


@router.post(
    "/v1/auth/token",
    response_model=TokenRead,
    summary="Exchange client credentials for a bearer token",
    responses={
        200: {
            "headers": {
                "Cache-Control": {
                    "description": "`no-store`: a token is never cached (RFC 6749 §5.1)",
                    "schema": {"type": "string", "enum": ["no-store"]},
                }
            }
        },
        **problems(400, 401, 413, 422, 429, 503),
    },
)
def create_token(
    request: Request,
    session: SessionDep,
    form: Annotated[TokenRequest, Form()],
    response: Response,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenRead:
    """OAuth2 client credentials grant (RFC 6749 §4.4). The client authenticates with
    `client_id`/`client_secret` in the form body or with HTTP Basic, as Swagger UI does."""
    client_id, client_secret = form.client_id, form.client_secret
    basic = _basic_credentials(authorization)
    if basic is not None:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        raise BadRequest("client_id and client_secret are required.", error="invalid_request")
    token, ttl = service.exchange_for_token(
        session, request.app.state.settings, client_id, client_secret
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return TokenRead(access_token=token, expires_in=ttl)


@router.post(
    "/v1/credentials",
    status_code=status.HTTP_201_CREATED,
    response_model=CredentialCreated,
    summary="Create a credential (the secret is shown once)",
    responses=problems(*AUTHENTICATED),
)
def create_credential(
    request: Request, session: SessionDep, _: Admin, body: CredentialCreate
) -> CredentialCreated:
    credential, secret = service.create_credential(session, request.app.state.settings, body)
    return CredentialCreated(
        **views.to_read(credential).model_dump(), client_id=credential.id, client_secret=secret
    )


@router.get(
    "/v1/credentials",
    response_model=CredentialPage,
    summary="List credentials",
    responses=problems(*AUTHENTICATED),
)
def list_credentials(session: SessionDep, _: Admin, page: PageDep) -> CredentialPage:
    rows = service.list_credentials(session, after=page.after, limit=page.limit)
    return CredentialPage(
        items=[views.to_read(c) for c in rows],
        next_cursor=next_cursor([c.id for c in rows], page.limit),
    )


@router.delete(
    "/v1/credentials/{credential_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a credential; its tokens stop working at once",
    responses=problems(*AUTHENTICATED, 404),
)
def revoke_credential(session: SessionDep, _: Admin, credential_id: CredentialId) -> Response:
    service.revoke_credential(session, credential_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
