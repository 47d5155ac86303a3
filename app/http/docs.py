"""The documentation a person and a code generator read: Swagger UI and ReDoc served from
files the service ships (nothing loads from another host), the tags in the order of a
coordinator's day, and the OpenAPI conventions clients rely on — short operation ids, a
`Roles:` line on every operation derived from its `require(...)`, and the response headers
the service sets (docs/operations.md, "API documentation offline")."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from app.auth import Role, allowed_roles
from app.http.middleware import UNLIMITED_PATHS
from app.http.sign_in import browser_sign_in
from app.identity.service import BrowserSignIn

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
STATIC_URL = "/static/docs"
"""Swagger UI's and ReDoc's JavaScript and CSS, as the `fastapi-offline` package ships them
(pinned in constraints.txt)."""

REDOC_JS_URL = "/static/redoc.standalone.js"
"""ReDoc's bundle as served: the shipped one with its one reference to another host
replaced (`offline_redoc_bundle`)."""
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""The footer logo the shipped ReDoc bundle loads from Redocly's CDN on every page view."""
BLANK_IMAGE = "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"


@cache
def offline_redoc_bundle() -> bytes:
    """The shipped ReDoc bundle with its CDN logo swapped for an empty inline image, so
    `/redoc` loads nothing from another host (the logo is decoration; the link beside it
    stays). Read once; a bundle without the reference is served as it is."""
    static = resources.files("fastapi_offline") / "static"
    text = (static / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(REDOC_CDN_LOGO, BLANK_IMAGE).encode()


SWAGGER_UI_PARAMETERS: dict[str, Any] = {
    # The token survives a reload of the page (kept in the browser's localStorage).
    "persistAuthorization": True,
    # Never send the document to the public validator service.
    "validatorUrl": None,
    "displayOperationId": True,
    "tryItOutEnabled": False,
}
SWAGGER_UI_INIT_OAUTH = {"clientSecret": ""}
SECURITY_SCHEME = "OAuth2ClientCredentials"
"""The scheme every operation names; a person's sign-in is added to it as a second flow,
so the token it brings is sent with every call, as a system's is."""

TAGS: list[dict[str, str]] = [
    # The order of a coordinator's day: answers to proposals first, operations last.
    {
        "name": "proposals",
        "description": "Proposed matches: release to the landlord, both sides' answers, "
        "pins and forbidden pairs.",
    },
    {"name": "rounds", "description": "Match rounds: start one, follow it, read its result."},
    {
        "name": "households",
        "description": "Households' housing needs, registered by the municipality; every read "
        "is audited.",
    },
    {
        "name": "vacancies",
        "description": "Apartments the landlords offer, under their own references.",
    },
    {
        "name": "tenancies",
        "description": "Tenancies after both accepts: steps, remarks, incidents, ending; the "
        "quota delivered.",
    },
    {
        "name": "prevention",
        "description": "Eviction prevention: landlords' signals (the 12:44 message, early "
        "warnings with consent), social services' worklist, outreach and outcomes.",
    },
    {"name": "dashboard", "description": "The coordinator's overview panels, as HTML."},
    {
        "name": "referrals",
        "description": "Networks of municipalities and referrals between them for households "
        "that must move for their safety; the reciprocal ledger.",
    },
    {
        "name": "statistics",
        "description": "A municipality's yearly follow-up: placements by group, landlord, area.",
    },
    {
        "name": "settlement",
        "description": "The year's settlement figure for the newly arrived, and what remains.",
    },
    {
        "name": "agreements",
        "description": "A municipality's yearly agreement with a landlord: quota and rules.",
    },
    {"name": "areas", "description": "A municipality's areas, with caps and exclusions."},
    {"name": "policies", "description": "A municipality's matching policy, versioned."},
    {"name": "landlords", "description": "The landlords registered in the service."},
    {
        "name": "intermediaries",
        "description": "Organisations acting for several landlords under their mandates "
        "(Västerås: Bostad Västerås), and the mandates.",
    },
    {"name": "municipalities", "description": "The municipalities using the service."},
    {"name": "events", "description": "Each organisation's event feed and webhooks."},
    {"name": "audit", "description": "Who read or changed household data, and why."},
    {"name": "operations", "description": "Liveness, readiness and metrics for operators."},
    {
        "name": "auth and credentials",
        "description": "The OAuth2 token endpoint and the credentials behind it.",
    },
]

ROLE_SCOPES: dict[Role, str] = {
    # Listed in this order; what each role reaches (object-level checks in the repositories).
    Role.coordinator: "coordinator (own municipality)",
    Role.social_services: "social services (own municipality)",
    Role.landlord: "landlord (own organisation)",
    Role.intermediary: "intermediary (the landlords that mandated it, where they did)",
    Role.admin: "admin",
}
PUBLIC_ROLES_LINE = "Roles: anyone, no token needed."

HEADERS: dict[str, Any] = {
    # components/headers: each described once, referenced by every response carrying it.
    "RateLimit": {
        "description": "The caller's remaining quota (IETF draft-ietf-httpapi-ratelimit-"
        'headers), e.g. `"credential";r=1199;t=60`: `r` requests left in the window, '
        "which ends in `t` seconds.",
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": 'The quota policy, e.g. `"credential";q=1200;w=60`: `q` requests per '
        "window of `w` seconds, per credential (per client address for the token endpoint).",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The version of the representation; send it as `If-Match` to update "
        "only what you read.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "The URL of what was created.", "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds to wait before trying again (an integer, e.g. `1`).",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def operation_id(route: APIRoute) -> str:
    """The operation id is the handler's name (`put_vacancy`, `start_round`): short and
    stable, where FastAPI's default appends path and method."""
    return route.name


def install_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI), `/redoc` and `/` → `/docs`, all from the shipped assets."""
    static = resources.files("fastapi_offline") / "static"
    app.mount(STATIC_URL, StaticFiles(directory=str(static)), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        sign_in = await browser_sign_in(request)
        if sign_in is not None:
            flow = person_flow(sign_in)
            return person_swagger_ui_html(app, root, f"{app.title} – Swagger UI", flow)
        return swagger_ui_html(root, openapi_url, f"{app.title} – Swagger UI")

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} – ReDoc",
            redoc_js_url=f"{root}{REDOC_JS_URL}",
            redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )

    async def redoc_js(_: Request) -> Response:
        return Response(
            offline_redoc_bundle(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def oauth2_redirect(_: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def home(request: Request) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}{DOCS_URL}")

    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc, include_in_schema=False)
    app.add_route(REDOC_JS_URL, redoc_js, include_in_schema=False)
    app.add_route("/", home, include_in_schema=False)


def swagger_ui_html(root: str, openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI from the shipped assets, keeping the token over a reload."""
    return get_swagger_ui_html(
        openapi_url=f"{root}{openapi_url}",
        title=title,
        swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
        init_oauth=SWAGGER_UI_INIT_OAUTH,
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )


def person_flow(sign_in: BrowserSignIn) -> dict[str, Any]:
    """The issuer's authorization-code flow as Swagger UI reads it (`/docs?issuer=` its
    id); without one the page offers the client-credentials flow alone."""
    return {
        "client_id": sign_in.client_id,
        "scopes": sign_in.scopes,
        "flow": {
            "authorizationUrl": sign_in.authorization_endpoint,
            "tokenUrl": sign_in.token_endpoint,
            "scopes": {scope: f"`{scope}` at {sign_in.issuer}" for scope in sign_in.scopes},
        },
    }


def person_swagger_ui_html(
    app: FastAPI, root: str, title: str, sign_in: dict[str, Any]
) -> HTMLResponse:
    """Swagger UI where a person signs in through their organisation's issuer:
    authorization code with PKCE and a public client, so no secret is ever in the browser
    (docs/identity.md). The document is given inline with the issuer's flow added."""
    schema = copy.deepcopy(app.openapi())
    scheme = schema["components"]["securitySchemes"][SECURITY_SCHEME]
    scheme["flows"]["authorizationCode"] = sign_in["flow"]
    scheme["description"] = (
        f"{scheme.get('description', '')} People sign in with *authorizationCode* "
        "(their organisation's identity provider)."
    )
    return get_swagger_ui_html(
        openapi_url="",
        title=title,
        swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
        init_oauth={
            "clientId": sign_in["client_id"],
            "usePkceWithAuthorizationCodeGrant": True,
            "scopes": " ".join(sign_in["scopes"]),
        },
        swagger_ui_parameters={**SWAGGER_UI_PARAMETERS, "spec": schema},
    )


def api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every operation of the app, also inside included routers (FastAPI keeps those as
    router objects in `app.routes`)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(getattr(route, "original_router", None), "routes", None)
        if nested is not None:
            yield from api_routes(nested)


def roles_line(roles: set[Role]) -> str:
    """`Roles: coordinator (own municipality), landlord (own organisation).`"""
    if not roles:
        return PUBLIC_ROLES_LINE
    return "Roles: " + ", ".join(ROLE_SCOPES[role] for role in ROLE_SCOPES if role in roles) + "."


def _sets_header(route: APIRoute, marker: str) -> bool:
    """Whether the handler sets the header: it calls `set_etag` or writes `Location`.
    Documented from the code that sets it, so the two cannot disagree."""
    code = route.endpoint.__code__
    return marker in code.co_names or marker in code.co_consts


def document_operations(app: FastAPI, schema: dict[str, Any]) -> None:
    """Add each operation's `Roles:` line and the headers its responses carry."""
    schema.setdefault("components", {})["headers"] = HEADERS
    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        roles = allowed_roles(route)
        for method in route.methods or ():
            operation = schema["paths"].get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            description = operation.get("description", "")
            if not description.startswith("Roles: "):
                line = roles_line(roles)
                operation["description"] = f"{line}\n\n{description}" if description else line
            _document_headers(route, operation, limited=route.path not in UNLIMITED_PATHS)


def _document_headers(route: APIRoute, operation: dict[str, Any], *, limited: bool) -> None:
    """The headers each response of the operation carries, by reference to `HEADERS`."""
    etag = _sets_header(route, "set_etag")
    location = _sets_header(route, "Location")
    for code, response in operation.get("responses", {}).items():
        status = int(code)
        headers: dict[str, Any] = {}
        if 200 <= status < 300:
            if etag and status != 204:
                headers["ETag"] = _ref("ETag")
            if location and status in (201, 202):
                headers["Location"] = _ref("Location")
        if status in (429, 503):
            headers["Retry-After"] = _ref("Retry-After")
        if limited and status != 413:  # refused by the body cap before the rate limiter
            headers.update({name: _ref(name) for name in ("RateLimit", "RateLimit-Policy")})
        if headers:
            response["headers"] = {**headers, **response.get("headers", {})}
