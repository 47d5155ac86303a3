"""Events and webhooks as the API answers them: the feed's event (also the `data` of every
webhook delivery), a subscription, a delivery with its attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.db import utcnow
from app.events.models import (
    INTERRUPTED,
    SENDING,
    STARTED,
    Event,
    WebhookDelivery,
    WebhookEndpoint,
    ended,
)
from app.events.schemas import DeliveryAttempt, DeliveryRead, EventRead, Subject, WebhookRead
from app.vocabulary import DeliveryStatus, EventType


def event_view(event: Event) -> EventRead:
    """The event as the feed shows it; a webhook delivery carries the same as its `data`."""
    return EventRead(
        id=event.seq,
        type=EventType(event.type),
        occurred_at=event.occurred_at,
        subject=Subject.model_validate(
            {"type": event.subject_type, "id": event.subject_id, "external_ref": event.external_ref}
        ),
        data=event.data,
    )


def webhook_view(endpoint: WebhookEndpoint) -> WebhookRead:
    """The subscription as its owner reads it (never its secret)."""
    return WebhookRead(
        id=endpoint.id,
        url=endpoint.url,
        events=[EventType(t) for t in endpoint.event_types],
        description=endpoint.description,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def shown_attempts(delivery: WebhookDelivery, now: datetime) -> list[dict[str, Any]]:
    """Every attempt; one still started is `sending` while its lease runs and
    `interrupted` once the lease has run out (its worker is gone)."""
    leased = delivery.next_attempt_at is not None and delivery.next_attempt_at > now
    return [
        ended(attempt, SENDING if leased else INTERRUPTED) if attempt.get(STARTED) else attempt
        for attempt in delivery.attempts
    ]


def delivery_view(delivery: WebhookDelivery, event: Event) -> DeliveryRead:
    """One delivery with every attempt, one cut short by a killed worker too;
    `next_attempt_at` only while it is still pending."""
    return DeliveryRead(
        id=delivery.id,
        event=event.seq,
        event_type=EventType(event.type),
        status=DeliveryStatus(delivery.status),
        attempts=[DeliveryAttempt.model_validate(a) for a in shown_attempts(delivery, utcnow())],
        next_attempt_at=delivery.next_attempt_at
        if delivery.status == DeliveryStatus.pending
        else None,
        created_at=delivery.created_at,
    )
