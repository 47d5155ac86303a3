"""HTTP for the event feed and webhook subscriptions (docs/events.md)."""

from __future__ import annotations

import time
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from app.auth import Principal, Role, require
from app.core.db import SessionDep, end_read_transaction
from app.core.errors import UnprocessableEntity
from app.core.etag import IfMatchHeader, set_etag
from app.core.pagination import MAX_LIMIT, PageDep, next_cursor
from app.core.params import id_path
from app.core.problems import AUTHENTICATED, problems
from app.events import service, views
from app.events.schemas import (
    DeliveryPage,
    DeliveryRead,
    EventPage,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)
from app.idempotency.route import IdempotentRoute
from app.vocabulary import DeliveryStatus, EventType

router = APIRouter(route_class=IdempotentRoute, tags=["events"])

Subscriber = Annotated[
    Principal, Depends(require(Role.landlord, Role.social_services, Role.coordinator))
]
WebhookId = Annotated[str, id_path("The webhook endpoint's id")]
POLL_SECONDS = 0.5
MAX_WAIT = 30


def _types(raw: str | None) -> list[EventType]:
    if not raw:
        return []
    known = {t.value: t for t in EventType}
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in known]
    if unknown:
        raise UnprocessableEntity(f"types: unknown event types: {', '.join(unknown[:5])}")
    return [known[part] for part in dict.fromkeys(wanted)]


def _production(request: Request) -> bool:
    return bool(request.app.state.settings.environment == "production")


@router.get(
    "/v1/events",
    response_model=EventPage,
    summary="Read your organisation's events, oldest first, after a cursor",
    description="Each organisation reads its own stream. Store `next_cursor` and pass it "
    "as `after`: you resume after any restart with no gap and no duplicate. With `wait`, an "
    "empty answer is held up to that many seconds until an event arrives (long poll).",
    responses=problems(*AUTHENTICATED),
)
async def read_events(
    request: Request,
    session: SessionDep,
    principal: Subscriber,
    after: Annotated[
        int, Query(ge=0, le=2**62, description="`next_cursor` of your last page; 0 = start")
    ] = 0,
    types: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="Comma-separated event types to return (default all)",
            examples=["proposal.released,proposal.expired"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200")] = 50,
    wait: Annotated[
        int, Query(ge=0, le=MAX_WAIT, description="Seconds to wait for an event (0–30)")
    ] = 0,
) -> EventPage:
    wanted = _types(types)
    audience = service.audience_of(principal).key
    wait = min(wait, request.app.state.settings.long_poll_seconds)
    if wait:
        deadline = time.monotonic() + wait

        def anything_new() -> bool:
            found = service.has_events_after(session, audience, after=after, types=wanted)
            end_read_transaction(session)  # hold no lock and no connection while waiting
            return found

        while not await run_in_threadpool(anything_new) and time.monotonic() < deadline:
            await anyio.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))

    def page() -> EventPage:
        events = service.read_feed(
            session, principal=principal, after=after, types=wanted, limit=limit
        )
        return EventPage(
            items=[views.event_view(e) for e in events],
            next_cursor=str(events[-1].seq if events else after),
        )

    return await run_in_threadpool(page)


@router.post(
    "/v1/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Subscribe an endpoint to your organisation's events",
    description="The answer holds the signing `secret`, shown only here. Production accepts only "
    "`https://` URLs of public hosts (else `422`).",
    responses=problems(*AUTHENTICATED),
)
def create_webhook(
    request: Request,
    session: SessionDep,
    principal: Subscriber,
    body: WebhookCreate,
    response: Response,
) -> WebhookCreated:
    endpoint, secret = service.create_webhook(
        session, principal=principal, body=body, production=_production(request)
    )
    response.headers["Location"] = f"/v1/webhooks/{endpoint.id}"
    set_etag(response, endpoint.version)
    return WebhookCreated(**views.webhook_view(endpoint).model_dump(), secret=secret)


@router.get(
    "/v1/webhooks",
    response_model=WebhookPage,
    summary="List your organisation's webhook endpoints",
    responses=problems(*AUTHENTICATED),
)
def list_webhooks(session: SessionDep, principal: Subscriber, page: PageDep) -> WebhookPage:
    rows = service.list_webhooks(session, principal=principal, after=page.after, limit=page.limit)
    return WebhookPage(
        items=[views.webhook_view(e) for e in rows],
        next_cursor=next_cursor([e.id for e in rows], page.limit),
    )


@router.get(
    "/v1/webhooks/{webhook_id}",
    response_model=WebhookRead,
    summary="Read a webhook endpoint",
    description="Another organisation's id → `404`.",
    responses=problems(*AUTHENTICATED, 404),
)
def get_webhook(
    session: SessionDep, principal: Subscriber, webhook_id: WebhookId, response: Response
) -> WebhookRead:
    endpoint = service.get_webhook(session, principal=principal, endpoint_id=webhook_id)
    set_etag(response, endpoint.version)
    return views.webhook_view(endpoint)


@router.patch(
    "/v1/webhooks/{webhook_id}",
    response_model=WebhookRead,
    summary="Change a webhook endpoint, or enable a disabled one again",
    description="`enabled: true` resets the failure clock and sends what is still pending.",
    responses=problems(*AUTHENTICATED, 404, 412),
)
def update_webhook(
    request: Request,
    session: SessionDep,
    principal: Subscriber,
    webhook_id: WebhookId,
    body: WebhookUpdate,
    response: Response,
    if_match: IfMatchHeader = None,
) -> WebhookRead:
    endpoint = service.update_webhook(
        session,
        principal=principal,
        endpoint_id=webhook_id,
        body=body,
        if_match=if_match,
        production=_production(request),
    )
    set_etag(response, endpoint.version)
    return views.webhook_view(endpoint)


@router.delete(
    "/v1/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook endpoint and its deliveries",
    description="The feed keeps the events.",
    responses=problems(*AUTHENTICATED, 404),
)
def delete_webhook(session: SessionDep, principal: Subscriber, webhook_id: WebhookId) -> Response:
    service.delete_webhook(session, principal=principal, endpoint_id=webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/v1/webhooks/{webhook_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    summary="Send a ping event to the endpoint",
    description="The delivery is queued; follow it under `/deliveries`.",
    responses=problems(*AUTHENTICATED, 404),
)
def test_webhook(session: SessionDep, principal: Subscriber, webhook_id: WebhookId) -> DeliveryRead:
    return views.delivery_view(*service.ping(session, principal=principal, endpoint_id=webhook_id))


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    summary="The endpoint's deliveries, newest first: attempts, status codes, next retry",
    responses=problems(*AUTHENTICATED, 404),
)
def list_deliveries(
    session: SessionDep,
    principal: Subscriber,
    webhook_id: WebhookId,
    page: PageDep,
    status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> DeliveryPage:
    rows = service.list_deliveries(
        session, principal=principal, endpoint_id=webhook_id, status=status_filter, page=page
    )
    return DeliveryPage(
        items=[views.delivery_view(d, e) for d, e in rows],
        next_cursor=next_cursor([service.delivery_key(d) for d, _ in rows], page.limit),
    )


@router.post(
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    summary="Send a delivery again now, with the same webhook-id",
    description="A failed delivery gets a fresh set of retries.",
    responses=problems(*AUTHENTICATED, 404),
)
def retry_delivery(
    session: SessionDep,
    principal: Subscriber,
    webhook_id: WebhookId,
    delivery_id: Annotated[
        str, Path(pattern=r"^msg_[0-9a-f]{32}$", description="The delivery's `webhook-id`")
    ],
) -> DeliveryRead:
    return views.delivery_view(
        *service.retry_delivery(
            session, principal=principal, endpoint_id=webhook_id, delivery_id=delivery_id
        )
    )
