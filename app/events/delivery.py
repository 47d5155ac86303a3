"""Sending webhooks, off the request path: in the workers (a procrastinate job on
PostgreSQL, a thread of the API process on SQLite), never in a request.

Semantics (docs/events.md): at least once; every attempt of a delivery carries the same
`webhook-id`; a 2xx ends it; otherwise it is tried again after 5 s, 5 min, 30 min, 2 h,
5 h, 10 h and 14 h (about 31 hours in all), each attempt with a 10 s timeout; an endpoint
that has failed for three days is disabled and its owner gets `webhook.disabled` in the
feed. Signatures follow Standard Webhooks, made by the `standardwebhooks` package.

A batch is claimed in one short transaction (its rows locked with SKIP LOCKED, so several
workers share the work, and leased a minute ahead), sent concurrently outside any
transaction, and its results recorded in another.

Every attempt is in the delivery's history, even one a killed worker cut short: the claim
writes the attempt as started, the record fills in its answer. An attempt still started
when its lease has run out is shown as `interrupted` (the receiver may have it), and the
claim that sends the delivery again writes it so.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.core.db import utcnow
from app.core.sealing import UnsealError, sealer_of
from app.events.delivery_jobs import DELIVER, DELIVERIES_QUEUED, QUEUE
from app.events.models import (
    INTERRUPTED,
    STARTED,
    Event,
    WebhookDelivery,
    WebhookEndpoint,
    ended,
)
from app.events.outbox import emit
from app.events.schemas import WebhookPayload
from app.events.urls import url_refusal
from app.events.views import event_view, webhook_view
from app.vocabulary import DeliveryStatus, EventType

log = structlog.get_logger("app.events.delivery")

SessionFactory = sessionmaker[Session]
RETRY_AFTER = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
)
"""The wait after the 1st, 2nd, … failed attempt; after the last one the delivery fails."""
DISABLE_AFTER = timedelta(days=3)
TIMEOUT_SECONDS = 10.0
LEASE = timedelta(seconds=60)
"""A claimed delivery is due again after this, should its worker die mid-send."""
BATCH = 200
SENDERS = 32
"""Concurrent sends of one worker: receivers are slow, not the worker."""
SWEEP_CRON = "* * * * *"
LINGER = timedelta(seconds=50)
"""A delivery job waits this long for retries that come due soon (the 5 s one), so they
are not left to the next minute's sweep."""
USER_AGENT = "EnVagIn-Webhooks/1.0"


@dataclass(frozen=True, slots=True)
class Outgoing:
    delivery_id: str
    url: str
    secret: str | None
    """None when the stored secret cannot be unsealed with the configured keys."""
    body: str
    attempt: int | None = None
    """Its place in the delivery's history, written as started when it was claimed."""


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: str
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    attempt: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_of(event: Event) -> str:
    """The delivery body: `{"type", "timestamp", "data": <the event as the feed shows it>}`."""
    payload = WebhookPayload(
        type=EventType(event.type), timestamp=event.occurred_at, data=event_view(event)
    )
    return json.dumps(payload.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)


def claim_due(session: Session, now: datetime, limit: int = BATCH) -> list[Outgoing]:
    """Take up to `limit` due deliveries of enabled endpoints and lease them."""
    sealer = sealer_of(session)
    rows = session.execute(
        select(WebhookDelivery, WebhookEndpoint, Event)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.pending.value,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.enabled.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).all()
    outgoing = []
    for delivery, endpoint, event in rows:
        delivery.next_attempt_at = now + LEASE
        attempt = start_attempt(delivery, now)
        try:
            secret: str | None = sealer.unseal(endpoint.id, endpoint.secret)
        except UnsealError as exc:  # an attempt that fails, recorded as such: not a crash
            log.error("webhook_secret_unreadable", endpoint=endpoint.id, error=str(exc))
            secret = None
        outgoing.append(Outgoing(delivery.id, endpoint.url, secret, body_of(event), attempt))
    return outgoing


def start_attempt(delivery: WebhookDelivery, now: datetime) -> int:
    """Write the attempt into the history before it is sent, so that a worker killed
    mid-send leaves a trace: an earlier attempt still started was cut short and is written
    as interrupted. The attempt counts towards the back-off from now on, interrupted or
    not, so a delivery that kills its worker every time still ends. Returns its place."""
    history = [
        ended(attempt, INTERRUPTED) if attempt.get(STARTED) else attempt
        for attempt in delivery.attempts
    ]
    history.append(
        {"at": now.isoformat(), "status_code": None, "error": None, "duration_ms": 0, STARTED: True}
    )
    delivery.attempts = history
    delivery.attempt_count += 1
    return len(history) - 1


def send(client: httpx.Client, item: Outgoing, *, production: bool) -> Outcome:
    """One attempt, signed for this moment; never raises."""
    at = utcnow()
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        refusal = url_refusal(item.url, production=production) if production else None
        if refusal is not None:
            error = refusal
        elif item.secret is None:
            error = "the webhook's signing secret cannot be unsealed with the configured keys"
        else:
            signature = Webhook(item.secret).sign(item.delivery_id, at, item.body)
            response = client.post(
                item.url,
                content=item.body.encode(),
                headers={
                    "webhook-id": item.delivery_id,
                    "webhook-timestamp": str(int(at.timestamp())),
                    "webhook-signature": signature,
                    "content-type": "application/json",
                    "user-agent": USER_AGENT,
                },
            )
            status = response.status_code
    except httpx.TimeoutException:
        error = "timeout"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    except Exception as exc:  # a worker never dies of one receiver
        error = type(exc).__name__
    duration = int((time.perf_counter() - started) * 1000)
    return Outcome(item.delivery_id, at, status, error, duration, item.attempt)


def record(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    """Write each attempt; schedule the retry, end the delivery, or disable the endpoint."""
    for outcome in sorted(outcomes, key=lambda o: o.delivery_id):
        delivery = session.get(WebhookDelivery, outcome.delivery_id, with_for_update=True)
        if delivery is None:
            continue  # deleted with its endpoint meanwhile
        latest = _write_answer(delivery, outcome)
        if delivery.status != DeliveryStatus.pending:
            continue  # ended meanwhile (by another worker's attempt): its history is complete
        if not latest and not outcome.succeeded:
            continue  # a later attempt is on its way (our lease ran out): its answer decides
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        if outcome.succeeded:
            delivery.status = DeliveryStatus.succeeded.value
            delivery.next_attempt_at = None
            if endpoint is not None and endpoint.failing_since is not None:
                endpoint.failing_since = None
            continue
        if delivery.attempt_count > len(RETRY_AFTER):
            delivery.status = DeliveryStatus.failed.value
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + RETRY_AFTER[delivery.attempt_count - 1]
        if endpoint is not None:
            _failed(session, endpoint, now)


def _write_answer(delivery: WebhookDelivery, outcome: Outcome) -> bool:
    """Fill in the attempt's answer at its place in the history (an attempt not claimed
    through `claim_due` is added, and counted, at the end). True when it is the latest
    attempt."""
    answer = {
        "at": outcome.at.isoformat(),
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }
    history = list(delivery.attempts)
    if outcome.attempt is None or outcome.attempt >= len(history):
        history.append(answer)
        delivery.attempt_count += 1
    else:
        history[outcome.attempt] = answer
    delivery.attempts = history
    return outcome.attempt is None or outcome.attempt >= len(history) - 1


def _failed(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    elif endpoint.enabled and now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint.enabled = False
        endpoint.disabled_reason = "failing for 3 days"
        endpoint.version += 1
        session.flush()
        emit(
            session,
            endpoint.audience,
            EventType.webhook_disabled,
            subject_id=endpoint.id,
            data=webhook_view(endpoint),
        )
        log.warning("webhook_disabled", endpoint=endpoint.id)


def deliver_due(
    session_factory: SessionFactory,
    client: httpx.Client,
    *,
    production: bool,
    now: Callable[[], datetime] = utcnow,
    limit: int = BATCH,
    pool: ThreadPoolExecutor | None = None,
) -> int:
    """One batch: claim, send concurrently, record. Returns how many were attempted."""
    with session_factory.begin() as session:
        batch = claim_due(session, now(), limit)
    if not batch:
        return 0
    if pool is None or len(batch) == 1:
        outcomes = [send(client, item, production=production) for item in batch]
    else:
        outcomes = list(pool.map(lambda item: send(client, item, production=production), batch))
    with session_factory.begin() as session:
        record(session, outcomes, now())
    return len(batch)


def next_due(session_factory: SessionFactory) -> datetime | None:
    with session_factory() as session:
        return session.scalar(
            select(func.min(WebhookDelivery.next_attempt_at))
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.pending.value,
                WebhookEndpoint.enabled.is_(True),
            )
        )


def new_client() -> httpx.Client:
    """Redirects are not followed (a 3xx is a failed attempt: it could point anywhere)."""
    return httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_SECONDS),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=SENDERS, max_keepalive_connections=SENDERS),
        trust_env=False,
    )


def drain(
    session_factory: SessionFactory,
    *,
    production: bool,
    linger: timedelta = timedelta(0),
    on_backlog: Callable[[], None] | None = None,
) -> int:
    """Send everything due; with `linger`, also wait for retries that come due within it.
    `on_backlog` is called once when a full batch shows that more are waiting (so another
    worker can join). Returns how many attempts were made."""
    attempted = 0
    asked_for_help = on_backlog is None
    deadline = time.monotonic() + linger.total_seconds()
    with new_client() as client, ThreadPoolExecutor(SENDERS) as pool:
        while True:
            sent = deliver_due(session_factory, client, production=production, pool=pool)
            attempted += sent
            if sent == BATCH and not asked_for_help and on_backlog is not None:
                asked_for_help = True
                on_backlog()
            if sent:
                continue
            upcoming = next_due(session_factory)
            if upcoming is None:
                return attempted
            wait = (upcoming - utcnow()).total_seconds()
            if time.monotonic() + max(wait, 0) > deadline:
                return attempted
            time.sleep(min(max(wait, 0.05), 1.0))


def register_tasks(app: Any, session_factory: SessionFactory, *, production: bool) -> None:
    """The procrastinate tasks: the job deferred with new deliveries, and a sweep every
    minute for the retries that come due later."""

    def another_worker() -> None:
        with contextlib.suppress(AlreadyEnqueued):  # one is waiting already
            app.configure_task(DELIVER, queue=QUEUE, queueing_lock=DELIVER).defer()

    @app.task(name=DELIVER, queue=QUEUE, queueing_lock=DELIVER)  # type: ignore[untyped-decorator]
    def deliver_webhooks() -> None:
        drain(session_factory, production=production, linger=LINGER, on_backlog=another_worker)

    @app.periodic(cron=SWEEP_CRON, periodic_id="sweep_webhooks")  # type: ignore[untyped-decorator]
    @app.task(name="sweep_webhooks", queue=QUEUE, queueing_lock="sweep_webhooks")  # type: ignore[untyped-decorator]
    def sweep_webhooks(timestamp: int) -> None:
        drain(session_factory, production=production)


class DeliveryThread:
    """SQLite: one thread of the API process sends deliveries, woken by each commit that
    queued some, and at least every second for retries."""

    def __init__(self, session_factory: SessionFactory, *, production: bool) -> None:
        self.session_factory = session_factory
        self.production = production
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="webhook-delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        DELIVERIES_QUEUED.set()
        self._thread.join(timeout)

    def run(self) -> None:
        while not self._stop.is_set():
            DELIVERIES_QUEUED.wait(1.0)
            DELIVERIES_QUEUED.clear()
            if self._stop.is_set():
                return
            try:
                drain(self.session_factory, production=self.production)
            except Exception:  # the database blinked: the next pass retries
                log.exception("webhook_delivery_error")
