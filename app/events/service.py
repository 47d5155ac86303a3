"""The feed and webhook subscriptions: every operation within the caller's own stream, so
another organisation's endpoint or delivery id is simply not found (404)."""

from __future__ import annotations

import secrets
from base64 import b64encode
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal, Role
from app.core.db import new_id, utcnow
from app.core.errors import NotFound, UnprocessableEntity
from app.core.etag import check_if_match
from app.core.pagination import Page
from app.core.sealing import SealedValue, sealer_of
from app.events import repository
from app.events.catalogue import Audience, types_for
from app.events.delivery_jobs import queue_delivery_job
from app.events.models import Event, WebhookDelivery, WebhookEndpoint, new_delivery_id
from app.events.outbox import PendingEvent, write_pending
from app.events.schemas import WebhookCreate, WebhookUpdate
from app.events.urls import url_refusal
from app.vocabulary import AuditAction, DeliveryStatus, EventType

MAX_ENDPOINTS = 10
"""Endpoints per audience: enough for production, staging and a test receiver."""


def audience_of(principal: Principal) -> Audience:
    audience = Audience.of(principal)
    if audience is None:  # the admin has no stream (the role check admits no admin here)
        raise NotFound("No such stream.")
    return audience


# --- The feed --------------------------------------------------------------------------------


def read_feed(
    session: Session,
    *,
    principal: Principal,
    after: int,
    types: Collection[EventType],
    limit: int,
) -> list[Event]:
    """The caller's events after the cursor, oldest first. For the municipality's
    audiences a page that shows households is a read of their records (audited)."""
    audience = audience_of(principal)
    events = repository.feed_page(
        session, audience.key, after=after, types=[t.value for t in types], limit=limit
    )
    if principal.role is not Role.landlord:
        shown = list(dict.fromkeys(e.household_id for e in events if e.household_id))
        audit.record(session, principal, AuditAction.read, shown, purpose="event feed")
    return events


def has_events_after(
    session: Session, audience: str, *, after: int, types: Collection[EventType]
) -> bool:
    """Whether the audience's feed has an event after the cursor (a long poll's question:
    nothing is shown, so nothing is audited)."""
    return bool(
        repository.feed_page(
            session, audience, after=after, types=[t.value for t in types], limit=1
        )
    )


# --- Webhooks --------------------------------------------------------------------------------


def _check_url(url: str, *, production: bool) -> None:
    refusal = url_refusal(url, production=production)
    if refusal is not None:
        raise UnprocessableEntity(refusal)


def new_secret() -> str:
    """24 random bytes, in the `whsec_<base64>` form Standard Webhooks libraries read."""
    return "whsec_" + b64encode(secrets.token_bytes(24)).decode()


def create_webhook(
    session: Session, *, principal: Principal, body: WebhookCreate, production: bool
) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its signing secret: the caller is shown the secret once; the
    database keeps it sealed (app/core/sealing.py)."""
    audience = audience_of(principal)
    _check_url(body.url, production=production)
    if len(repository.endpoints_page(session, audience.key, after=None, limit=MAX_ENDPOINTS)) >= (
        MAX_ENDPOINTS
    ):
        raise UnprocessableEntity(f"At most {MAX_ENDPOINTS} webhook endpoints per organisation.")
    endpoint_id, secret = new_id(), new_secret()
    endpoint = WebhookEndpoint(
        id=endpoint_id,
        audience=audience.key,
        url=body.url,
        event_types=subscribed_types(audience, body.events),
        description=body.description,
        secret=sealer_of(session).seal(endpoint_id, secret),
        created_by=principal.credential_id,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def subscribed_types(audience: Audience, events: Sequence[str]) -> list[str]:
    """The types an endpoint subscribes to: those named, or for `["*"]` every type the
    organisation's stream may receive now (`catalogue.types_for`), written out, so the
    endpoint shows what it will get."""
    if list(events) == ["*"]:
        return [t.value for t in types_for(audience.role)]
    return [str(t) for t in events]


def get_webhook(
    session: Session, *, principal: Principal, endpoint_id: str, lock: bool = False
) -> WebhookEndpoint:
    endpoint = repository.endpoint_for(session, audience_of(principal).key, endpoint_id, lock=lock)
    if endpoint is None:
        raise NotFound("No such webhook.")
    return endpoint


def list_webhooks(
    session: Session, *, principal: Principal, after: str | None, limit: int
) -> list[WebhookEndpoint]:
    return repository.endpoints_page(session, audience_of(principal).key, after=after, limit=limit)


def update_webhook(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: str,
    body: WebhookUpdate,
    if_match: str | None,
    production: bool,
) -> WebhookEndpoint:
    """`enabled: true` on a disabled endpoint starts it afresh: its failure clock is reset
    and the deliveries still pending go out again."""
    endpoint = get_webhook(session, principal=principal, endpoint_id=endpoint_id, lock=True)
    check_if_match(if_match, endpoint.version)
    changed = False
    if body.url is not None and body.url != endpoint.url:
        _check_url(body.url, production=production)
        endpoint.url, changed = body.url, True
    audience = audience_of(principal)
    if body.events is not None and (
        subscribed_types(audience, body.events) != endpoint.event_types
    ):
        endpoint.event_types, changed = subscribed_types(audience, body.events), True
    if body.description is not None and body.description != endpoint.description:
        endpoint.description, changed = body.description, True
    if body.enabled is not None and body.enabled != endpoint.enabled:
        endpoint.enabled, changed = body.enabled, True
        endpoint.failing_since = None
        endpoint.disabled_reason = None if body.enabled else "disabled by its owner"
        if body.enabled:
            queue_delivery_job(session)
    if changed:
        endpoint.version += 1
        session.flush()
    return endpoint


def delete_webhook(session: Session, *, principal: Principal, endpoint_id: str) -> None:
    endpoint = get_webhook(session, principal=principal, endpoint_id=endpoint_id, lock=True)
    repository.delete_endpoint(session, endpoint)
    session.flush()


def ping(
    session: Session, *, principal: Principal, endpoint_id: str
) -> tuple[WebhookDelivery, Event]:
    """A `ping` to this endpoint alone. Its event is in a stream of the endpoint's own,
    which no feed reads, so pings never show in the organisation's feed."""
    endpoint = get_webhook(session, principal=principal, endpoint_id=endpoint_id)
    [event_id] = write_pending(
        session,
        [
            PendingEvent(
                audience=f"webhook:{endpoint.id}",
                type=EventType.ping,
                subject_id=endpoint.id,
                data={"webhook": endpoint.id, "message": "ping from En väg in"},
                occurred_at=utcnow(),
            )
        ],
    )
    delivery = WebhookDelivery(
        id=new_delivery_id(), endpoint_id=endpoint.id, event_id=event_id, next_attempt_at=utcnow()
    )
    session.add(delivery)
    session.flush()
    queue_delivery_job(session)
    row = session.get(Event, event_id)
    assert row is not None  # written just above, in this transaction
    return delivery, row


def delivery_key(delivery: WebhookDelivery) -> str:
    """The page key of a delivery (newest first): its creation time and id."""
    return f"{delivery.created_at.isoformat()}|{delivery.id}"


def _delivery_cursor(after: str | None) -> tuple[datetime, str] | None:
    if after is None:
        return None
    at, _, delivery_id = after.partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not delivery_id.startswith("msg_"):
        raise UnprocessableEntity("cursor: not a cursor this service issued")
    return moment, delivery_id


def list_deliveries(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: str,
    status: DeliveryStatus | None,
    page: Page,
) -> list[tuple[WebhookDelivery, Event]]:
    endpoint = get_webhook(session, principal=principal, endpoint_id=endpoint_id)
    return repository.deliveries_page(
        session,
        endpoint.id,
        status=status.value if status else None,
        before=_delivery_cursor(page.after),
        limit=page.limit,
    )


def retry_delivery(
    session: Session, *, principal: Principal, endpoint_id: str, delivery_id: str
) -> tuple[WebhookDelivery, Event]:
    """Send it again now, with the same `webhook-id` (a receiver that already has it can
    drop it); a failed delivery gets a fresh set of retries."""
    endpoint = get_webhook(session, principal=principal, endpoint_id=endpoint_id)
    found = repository.delivery_for(session, endpoint.id, delivery_id, lock=True)
    if found is None:
        raise NotFound("No such delivery.")
    delivery, event = found
    if delivery.status != DeliveryStatus.pending:
        delivery.attempt_count = 0
    delivery.status = DeliveryStatus.pending.value
    delivery.next_attempt_at = utcnow()
    session.flush()
    queue_delivery_job(session)
    return delivery, event


# --- Sweeps and retention (the workers) ------------------------------------------------------


def purge_expired_events(session: Session, now: datetime, retention_days: int) -> int:
    return repository.purge_before(session, now - timedelta(days=retention_days))


def sealed_secrets(session: Session) -> Iterator[SealedValue]:
    """Every endpoint's sealed secret, bound to its endpoint, locked for `reseal`
    (app/flows/key_rotation.py). Deliveries of a secret no key opens fail until the old key
    is back (app/events/delivery.py)."""
    for endpoint in repository.all_endpoints_for_update(session):
        yield SealedValue(endpoint, "secret", endpoint.id)
