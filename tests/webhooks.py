"""Webhook subscriptions and the delivery the workers do, for the tests of the events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.events import delivery
from app.vocabulary import EventType
from tests.conftest import Api, AuthedClient

ALL_TYPES = [t.value for t in EventType if t is not EventType.ping]


def deliver(api: Api, *, at: datetime | None = None) -> int:
    """Send what is due, as the workers do (the same function), at `at` if given."""
    factory = api.app.state.sessionmaker
    if at is None:
        return delivery.drain(factory, production=False)
    with delivery.new_client() as client:
        return delivery.deliver_due(factory, client, production=False, now=lambda: at)


def subscribe(client: AuthedClient, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": url, "events": events or ALL_TYPES})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["secret"].startswith("whsec_")
    return body
