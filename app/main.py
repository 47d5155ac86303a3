"""create_app(): routers, error handlers, middleware, metrics, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Route

from app import __doc__ as app_doc
from app.agreements.models import Agreement
from app.agreements.router import router as agreements
from app.areas.models import Area
from app.areas.router import router as areas
from app.audit.models import AuditEvent
from app.audit.router import router as audit
from app.auth import refuse_early
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine, session_factory
from app.core.errors import PROBLEM_MEDIA_TYPE, AppError, problem_type
from app.core.logging import Outage, configure_logging, log
from app.core.problems import Problem, problems
from app.credentials.models import Credential
from app.credentials.router import router as credentials
from app.dashboard.router import router as dashboard
from app.events import outbox as _outbox  # noqa: F401  (registers the outbox's session hooks)
from app.events.models import Event, EventStream, WebhookDelivery, WebhookEndpoint
from app.events.openapi import webhooks_section
from app.events.router import router as events
from app.households.models import Household
from app.households.router import router as households
from app.http.docs import TAGS, document_operations, install_docs, operation_id
from app.http.middleware import BodyLimitMiddleware, RateLimitMiddleware, RequestContextMiddleware
from app.http.routes import allowed_methods, label_metrics_by_documented_paths
from app.idempotency.models import IdempotencyRecord
from app.identity.models import TrustedIssuer
from app.identity.router import router as identity
from app.identity.tokens import IssuerKeys
from app.intermediaries.models import Intermediary, Mandate
from app.intermediaries.router import router as intermediaries
from app.jobs.worker import start_in_process_worker, stop_in_process_worker
from app.landlords.models import Landlord
from app.landlords.router import router as landlords
from app.municipalities.models import Municipality
from app.municipalities.router import router as municipalities
from app.policies.models import Policy
from app.policies.router import router as policies
from app.prevention.models import PreventionAction, PreventionCase, PreventionPolicy
from app.prevention.router import router as prevention
from app.proposals.models import ForbiddenPair, Pin, Proposal
from app.proposals.router import router as proposals
from app.referrals.models import Network, NetworkMember, Referral
from app.referrals.router import router as referrals
from app.rounds.models import Round
from app.rounds.router import router as rounds
from app.settlement.models import SettlementFigure
from app.settlement.router import router as settlement
from app.statistics.router import router as statistics
from app.tenancies.models import Tenancy, TenancyEvent
from app.tenancies.router import router as tenancies
from app.vacancies.models import Vacancy
from app.vacancies.router import router as vacancies

API_DESCRIPTION = """
One way in between Swedish landlords and municipal social services.

**Getting a token:** press *Authorize*, enter a `client_id` and `client_secret`
(`make run` prints demo credentials for each role and keeps them in
`var/demo-credentials.json`) and authorize; the token survives a reload of this page. Each
operation says first which roles may call it. Every error is `application/problem+json`
(RFC 9457); every `422` lists the fields in `errors`.
"""


# Every ORM model, named once here so the metadata is complete for Alembic (migrations/env.py)
# and the tests: the application assembled is the one place that knows every room.
MODELS = (
    Agreement,
    Area,
    AuditEvent,
    Credential,
    Event,
    EventStream,
    ForbiddenPair,
    Household,
    IdempotencyRecord,
    Intermediary,
    Landlord,
    Mandate,
    Municipality,
    Network,
    NetworkMember,
    Pin,
    Policy,
    PreventionAction,
    PreventionCase,
    PreventionPolicy,
    Proposal,
    Referral,
    Round,
    SettlementFigure,
    Tenancy,
    TenancyEvent,
    Vacancy,
    WebhookDelivery,
    WebhookEndpoint,
    TrustedIssuer,
)


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The one place a problem document is rendered."""
    body = {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def _validation_detail(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """A readable summary naming each field, and the errors without echoing input values
    (they may be personal data)."""
    cleaned = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        # A validator's ValueError reads "Value error, <our message>": keep only ours.
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        cleaned.append({"field": ".".join(location), "message": message, "type": error["type"]})
    summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in cleaned[:5])
    return summary, cleaned


def install_error_handlers(app: FastAPI) -> None:
    """Every error a client can cause, and any we did not foresee, leaves as problem+json."""

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            exc.status_code, exc.slug, exc.title, exc.detail, headers=exc.headers, **exc.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = _validation_detail(list(exc.errors()))
        return problem_response(
            422, "validation-error", "The request is not valid", detail, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return problem_response(exc.status_code, slug, title, detail, headers=headers)

    @app.exception_handler(IntegrityError)
    async def _integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint the database enforces and a concurrent request won: never a 500.
        log.info("integrity_conflict", error=type(exc.orig).__name__)
        return problem_response(
            409, "conflict", "Conflict with the current state", "A concurrent change conflicts."
        )

    @app.exception_handler(OperationalError)
    async def _operational_error(_: Request, exc: OperationalError) -> JSONResponse:
        app.state.database_outage.refused(type(exc.orig).__name__)
        return problem_response(
            503,
            "service-unavailable",
            "Temporarily unavailable",
            "The database is busy or unreachable; try again.",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error=type(exc).__name__)
        return problem_response(
            500, "internal-error", "Internal error", "An unexpected error occurred."
        )


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost first: request context (so every answer is logged with its id), then the
    body cap, then rate limits."""
    app.add_middleware(RateLimitMiddleware, settings=settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)


def custom_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        document_operations(app, schema)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem

        schema["webhooks"] = webhooks_section(components)
        app.openapi_schema = schema
        return schema

    return build


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for the given settings (tests pass their own)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    engine = create_db_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:

        # On SQLite, rounds left queued by a restart are picked up by a sweep thread; on
        # PostgreSQL the worker processes (`python -m app worker`) do it.
        start_in_process_worker(app)
        yield
        stop_in_process_worker(app)
        engine.dispose()

    app = FastAPI(
        title="En väg in",
        version="1.0.0",
        summary=(app_doc or "").strip(),
        description=API_DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
        # Served from shipped files instead (app/http/docs.py): FastAPI's pages load a CDN.
        docs_url=None,
        redoc_url=None,
        # Refused before the operation's own dependencies: a guarded operation called
        # without credentials (401), an unguarded one's undeclared query parameters (422;
        # a guarded operation's check follows its role check). app/auth.py.
        dependencies=[Depends(refuse_early)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.database_outage = Outage("database_unavailable")
    app.state.sessionmaker = session_factory(engine, settings)
    app.state.issuer_keys = IssuerKeys(cooldown=settings.oidc_key_cooldown_seconds)

    install_error_handlers(app)
    install_middleware(app, settings)
    install_docs(app)
    include_routers(app)
    # One registry per app, so every app (one per test) records its own metrics.
    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    app.state.metrics_registry = registry
    Instrumentator(
        excluded_handlers=["/metrics"], should_group_status_codes=True, registry=registry
    ).instrument(app)
    label_metrics_by_documented_paths(app)
    app.openapi = custom_openapi(app)  # type: ignore[method-assign]
    return app


def include_routers(app: FastAPI) -> None:

    _include_flat(app, health_router())
    routers = (
        credentials,
        municipalities,
        areas,
        landlords,
        intermediaries,
        agreements,
        vacancies,
        households,
        audit,
        policies,
        rounds,
        settlement,
        proposals,
        tenancies,
        events,
        statistics,
        dashboard,
        prevention,
        referrals,
        identity,
    )
    for router in routers:
        _include_flat(app, router)
    _concrete_paths_first(app, [route for router in routers for route in router.routes])


def _include_flat(app: FastAPI, router: APIRouter) -> None:
    """Each of a domain router's operations registered on the app itself, as
    `include_router` did before FastAPI kept included routers as branches. A request is
    matched route by route twice (the middleware's label, then the router), and through a
    branch each candidate is matched in a context built per request: tens to hundreds of
    microseconds a match, measured, against a few for a flat route. The document is the
    same (tests/test_openapi.py holds it to the committed one): the app's dependencies come
    first and its operation ids apply, as on an included router."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            if not isinstance(route, Route):
                raise TypeError(f"a domain router holds operations and pages, not {route!r}")
            app.router.add_route(
                route.path,
                route.endpoint,
                methods=list(route.methods or ()),
                name=route.name,
                include_in_schema=route.include_in_schema,
            )
            continue
        settings = {name: getattr(route, name) for name in _ROUTE_SETTINGS}
        app.router.add_api_route(
            route.path,
            route.endpoint,
            tags=list(route.tags),
            dependencies=list(route.dependencies),
            route_class_override=type(route),
            **settings,
        )


_ROUTE_SETTINGS = (
    "response_model",
    "status_code",
    "summary",
    "description",
    "response_description",
    "responses",
    "deprecated",
    "methods",
    "operation_id",
    "response_model_include",
    "response_model_exclude",
    "response_model_by_alias",
    "response_model_exclude_unset",
    "response_model_exclude_defaults",
    "response_model_exclude_none",
    "include_in_schema",
    "response_class",
    "name",
    "callbacks",
    "openapi_extra",
    "generate_unique_id_function",
    "strict_content_type",
    "max_body_size",
)
"""What `_include_flat` carries from a router's operation to the app's, by the name the
route and `add_api_route` share (what FastAPI's own `include_router` carried)."""


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


async def _method_not_allowed(_: Request) -> Response:
    raise StarletteHTTPException(status_code=405)


def _concrete_paths_first(app: FastAPI, included: list[BaseRoute]) -> None:
    """A concrete path is its own resource, as OpenAPI reads paths: `GET
    /v1/tenancies/import` is a 405 (the path serves POST), not a read of a tenancy whose id
    is "import". Starlette takes the first route that matches, so each concrete path that a
    templated one also matches gets a route in front answering 405 for its other methods
    (`Allow` from app/http/routes.py)."""
    routes = [route for route in included if isinstance(route, APIRoute)]
    templated = [route for route in routes if "{" in route.path]
    served: dict[str, set[str]] = {}
    for route in routes:
        if "{" not in route.path and any(t.path_regex.match(route.path) for t in templated):
            served.setdefault(route.path, set()).update(route.methods or ())
    for path, methods in served.items():
        allowed = methods | ({"HEAD"} if "GET" in methods else set())
        app.router.routes.insert(
            0,
            Route(path, _method_not_allowed, methods=sorted(_METHODS - allowed)),
        )


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/metrics",
        summary="Prometheus metrics (labels carry route templates, never ids)",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
    )
    def metrics(request: Request) -> Response:
        registry = request.app.state.metrics_registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @router.get("/healthz", summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: the database answers",
        responses=problems(503),
    )
    def readyz(request: Request) -> dict[str, str]:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ready"}

    return router
