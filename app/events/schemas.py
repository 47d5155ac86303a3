"""Events as an audience reads them (feed and webhook body), and webhook subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.core.types import ShortText, unique_items
from app.vocabulary import DeliveryStatus, EventType, SubjectType

SUBSCRIBABLE = tuple(t for t in EventType if t is not EventType.ping)
"""What an endpoint may subscribe to (`ping` is sent only when asked for)."""


class Subject(BaseModel):
    type: SubjectType
    id: str = Field(description="The resource's id in this service")
    external_ref: str | None = Field(
        default=None, description="The landlord's own reference of the vacancy, where it has one"
    )


class EventRead(BaseModel):
    """One change, as the reading audience sees it. `data` is exactly the view the API
    would answer this audience with for `subject` at the moment of the change (a landlord's
    proposal view is the minimal one); after a household's erasure it is
    `{"erased": true}`."""

    id: int = Field(description="Increasing within your organisation's stream; the cursor")
    type: EventType
    occurred_at: datetime
    subject: Subject
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str = Field(
        description="Pass as `after` to read on; the same cursor when nothing was new"
    )


class WebhookPayload(BaseModel):
    """The body of every delivery (Standard Webhooks): the event as the feed shows it."""

    type: EventType
    timestamp: datetime = Field(description="When the event occurred")
    data: EventRead


def _subscribable(values: list[EventType | EveryEvent]) -> list[EventType | EveryEvent]:
    if EventType.ping in values:
        raise ValueError("ping is sent only by POST /v1/webhooks/{id}/test")
    if "*" in values and len(values) > 1:
        raise ValueError('"*" stands alone: it is every type already')
    return values


EveryEvent = Literal["*"]
EventTypes = Annotated[
    list[EventType | EveryEvent],
    Field(min_length=1, max_length=len(EventType)),
    AfterValidator(unique_items),
    AfterValidator(_subscribable),
]
WebhookUrl = Annotated[
    str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://[!-~]+$")
]
WEBHOOK_EXAMPLE: dict[str, Any] = {
    "url": "https://integration.example.se/envagin/webhooks",
    "events": ["proposal.released", "proposal.expired", "proposal.deadline_approaching"],
    "description": "Lettings system, production",
}


class WebhookCreate(BaseModel):
    """Subscribe an endpoint of yours to event types of your own stream."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [WEBHOOK_EXAMPLE]})

    url: WebhookUrl = Field(description="https:// (http://127.0.0.1 only outside production)")
    events: EventTypes
    description: ShortText | None = None


class WebhookUpdate(BaseModel):
    """Change an endpoint; `enabled: true` turns a disabled one on again."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"enabled": True, "events": ["proposal.released"]}]},
    )

    url: WebhookUrl | None = None
    events: EventTypes | None = None
    description: ShortText | None = None
    enabled: bool | None = None


class WebhookRead(BaseModel):
    id: str
    url: str
    events: list[EventType]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None = Field(
        description="First failed delivery since the last success; disabled after 3 days"
    )
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="The signing secret (`whsec_…`), shown only in this answer: verify "
        "every delivery with it (docs/events.md)"
    )


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    next_cursor: str | None


class DeliveryAttempt(BaseModel):
    at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; none if no answer")
    error: str | None = Field(description="Why there was no answer (timeout, refused, …)")
    duration_ms: int


class DeliveryRead(BaseModel):
    id: str = Field(description="The `webhook-id` header of every attempt")
    event: int = Field(description="The event's id in your stream")
    event_type: EventType
    status: DeliveryStatus
    attempts: list[DeliveryAttempt]
    next_attempt_at: datetime | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None
