"""Events and webhooks as the API answers them: the feed's event (also the `data` of every
webhook delivery), a subscription, a delivery with its attempts."""

from __future__ import annotations

from app.events.models import Event, WebhookDelivery, WebhookEndpoint
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


def delivery_view(delivery: WebhookDelivery, event: Event) -> DeliveryRead:
    """One delivery with its attempts; `next_attempt_at` only while it is still pending."""
    return DeliveryRead(
        id=delivery.id,
        event=event.seq,
        event_type=EventType(event.type),
        status=DeliveryStatus(delivery.status),
        attempts=[DeliveryAttempt.model_validate(a) for a in delivery.attempts],
        next_attempt_at=delivery.next_attempt_at
        if delivery.status == DeliveryStatus.pending
        else None,
        created_at=delivery.created_at,
    )
