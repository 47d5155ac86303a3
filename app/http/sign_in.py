"""A person's browser sign-in at their organisation's issuer, read for the pages that offer
it (Swagger UI at `/docs?issuer=`, the dashboard at `/dashboard?issuer=`): pages, not API
operations, so they read it in a session of their own (docs/identity.md)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.identity import service as identity
from app.identity.service import BrowserSignIn


def _read(request: Request, issuer_id: str) -> BrowserSignIn | None:
    with request.app.state.sessionmaker() as session:
        return identity.browser_sign_in(session, request.app.state.issuer_keys, issuer_id)


async def browser_sign_in(request: Request) -> BrowserSignIn | None:
    """The sign-in of the issuer the page's `?issuer=` names, if it has a public client."""
    issuer_id = request.query_params.get("issuer")
    if not issuer_id:
        return None
    return await run_in_threadpool(_read, request, issuer_id)
