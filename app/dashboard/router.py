"""The dashboard: `/dashboard` is a page that signs in with the caller's client credentials
(the token stays in the tab's `sessionStorage`) and then asks `/dashboard/panels` for the
panels, rendered on the server from the public API: the coordinator's to-do lists, or the
social secretary's households and the flats waiting for their answer. The page acts through
the public API with the same token (start a round, release, pin, forbid, accept, decline).
Swedish, with English as the reader's choice (`?lang=en`)."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.auth import (
    COORDINATOR,
    TOKEN_URL,
    Principal,
    Role,
    own_municipality,
    require,
)
from app.core.db import SessionDep, end_read_transaction, local_year
from app.core.params import id_query
from app.core.problems import AUTHENTICATED, problems
from app.dashboard import labels, prevention, service
from app.dashboard.client import ApiReader
from app.dashboard.labels import LANGS, Lang
from app.http.sign_in import browser_sign_in

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
TEMPLATES.globals.update(
    label=labels.label,
    status=labels.status,
    decline_reason=labels.decline_reason,
    rule=labels.rule,
    sat_out_reason=labels.sat_out_reason,
    other_round=labels.other_round,
    target_group=labels.target_group,
)
TEMPLATES.filters["release_request"] = lambda proposal_id: {
    "method": "POST",
    "url": f"/v1/proposals/{proposal_id}/release",
}
HTML = "text/html"
LangQuery = Annotated[Lang, Query(description="The page's language: `sv` (default) or `en`")]


def _lang(request: Request) -> Lang:
    asked = request.query_params.get("lang")
    return next((lang for lang in LANGS if lang == asked), Lang.sv)


def _content_security_policy(nonce: str, token_endpoint: str | None = None) -> str:
    """Nothing from another host, no script but the page's own, no framing. Inline styles
    are allowed: pygal's SVG carries its own `<style>`. A person's sign-in may also reach
    their issuer's token endpoint (the code is exchanged from the page)."""
    connect = "'self'"
    if token_endpoint is not None:
        parts = urlsplit(token_endpoint)
        connect = f"'self' {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        "style-src 'unsafe-inline'; "
        "img-src 'self' data:; "
        f"connect-src {connect}; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )


async def dashboard_page(request: Request) -> HTMLResponse:
    """The page itself holds no data: anyone may load it, only a coordinator's token gets
    panels. With `?issuer=` a person signs in through their municipality's issuer."""
    return await _page(request, "dashboard_panels")


async def social_page(request: Request) -> HTMLResponse:
    """The social secretary's page: the same page, its panels from `social_panels`."""
    return await _page(request, "social_panels")


async def _page(request: Request, panels: str) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    lang = _lang(request)
    person = await browser_sign_in(request)
    sign_in: dict[str, Any] | None = None
    if person is not None:
        sign_in = {**asdict(person), "issuer_id": request.query_params["issuer"]}
    html = TEMPLATES.get_template("dashboard.html").render(
        nonce=nonce,
        lang=lang,
        other_lang=LANGS[1 - LANGS.index(lang)],
        social=panels == "social_panels",
        sign_in=sign_in,
        token_url=TOKEN_URL,
        panels_url=str(request.url_for(panels).path),
        compare_url=str(request.url_for("dashboard_compare").path),
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": _content_security_policy(
                nonce, None if sign_in is None else sign_in["token_endpoint"]
            ),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


router = APIRouter(tags=["dashboard"])
router.add_route("/dashboard", dashboard_page, methods=["GET"], include_in_schema=False)
router.add_route("/dashboard/social", social_page, methods=["GET"], include_in_schema=False)


@router.get(
    "/dashboard/panels",
    response_class=HTMLResponse,
    summary="The dashboard's panels, as HTML",
    description="The panels `/dashboard` shows, rendered from the public API as the caller. "
    "Proposals to release per round, declined and expired proposals, the "
    "households the last round left out and why, quota fulfilment per landlord, open cases "
    "by urgency and months waiting, proposals awaiting an answer with their deadlines, "
    "tenancies with a step or a response due, the last rounds with a running round's "
    "progress. `year` defaults to this year.",
    responses={
        200: {"content": {HTML: {}}, "description": "An HTML fragment"},
        **problems(*AUTHENTICATED),
    },
)
async def dashboard_panels(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    authorization: Annotated[str, Header(include_in_schema=False)],
    year: Annotated[int | None, Query(ge=2000, le=2100, description="The agreement year")] = None,
    lang: LangQuery = Lang.sv,
) -> HTMLResponse:
    municipality = own_municipality(principal, roles=COORDINATOR)
    # The panels are read by requests of their own; this one must not hold the database
    # (SQLite's write lock, a pooled connection) while they run.
    end_read_transaction(session)
    async with ApiReader(request.app, authorization) as reader:
        dashboard = await service.build(
            reader, municipality=municipality, year=year or local_year(), lang=lang
        )
        prevention_html = await prevention.panel_html(reader, lang)
    html = TEMPLATES.get_template("panels.html").render(d=dashboard, lang=lang) + prevention_html
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get(
    "/dashboard/compare",
    response_class=HTMLResponse,
    summary="Two rounds side by side, as an HTML fragment of the dashboard",
    description="`GET /v1/rounds/{first}/compare/{second}` rendered for the dashboard's "
    "rounds panel; the households named are audited as read, as through the API.",
    responses={
        200: {"content": {HTML: {}}, "description": "An HTML fragment"},
        **problems(*AUTHENTICATED, 404, 409),
    },
)
async def dashboard_compare(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    authorization: Annotated[str, Header(include_in_schema=False)],
    first: Annotated[str, id_query(description="The earlier round")],
    second: Annotated[str, id_query(description="The later round")],
    lang: LangQuery = Lang.sv,
) -> HTMLResponse:
    end_read_transaction(session)
    async with ApiReader(request.app, authorization) as reader:
        compared = await service.comparison(reader, first, second)
    groups = sorted(
        set(compared["first"]["housed_by_target_group"])
        | set(compared["second"]["housed_by_target_group"])
    )
    html = TEMPLATES.get_template("compare.html").render(c=compared, groups=groups, lang=lang)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get(
    "/dashboard/social/panels",
    response_class=HTMLResponse,
    summary="The social secretary's panels, as HTML",
    description="The panels `/dashboard/social` shows, rendered from the public API as the "
    "caller: the proposals waiting for the household's answer, each with the flat in full "
    "(rent, address, floor, lift, living area, move-in day) and accept and decline, and the "
    "municipality's open cases.",
    responses={
        200: {"content": {HTML: {}}, "description": "An HTML fragment"},
        **problems(*AUTHENTICATED),
    },
)
async def social_panels(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.social_services))],
    authorization: Annotated[str, Header(include_in_schema=False)],
    lang: LangQuery = Lang.sv,
) -> HTMLResponse:
    municipality = own_municipality(principal)
    end_read_transaction(session)
    async with ApiReader(request.app, authorization) as reader:
        page = await service.build_social(reader, municipality=municipality, lang=lang)
    html = TEMPLATES.get_template("social.html").render(s=page, lang=lang)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
