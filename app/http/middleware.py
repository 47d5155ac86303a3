"""Plain ASGI middleware (cheaper than `@app.http.middleware("http")`): request context and
access log, a request body cap (413) and rate limits per credential (429)."""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from typing import Any

import structlog
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import BUDGET_SPENT, TOKEN_URL, VERIFIED_SUBJECT, read_token
from app.core.config import Settings
from app.core.errors import PROBLEM_MEDIA_TYPE, TooManyRequests, Unauthorized, problem_type
from app.core.logging import log

_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


async def send_problem(
    send: Send, status: int, slug: str, title: str, detail: str, headers: dict[str, str]
) -> None:
    """A problem+json answer straight from middleware, before any route ran."""
    body = json.dumps(
        {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    ).encode()
    await _send(send, status, PROBLEM_MEDIA_TYPE, body, headers)


async def _send(
    send: Send, status: int, media_type: str, body: bytes, headers: dict[str, str]
) -> None:
    raw_headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """A request id on every log line and response, and one access line per request that
    names the route template, never a concrete id (ids can identify a household)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id") or ""
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            log.info(
                "request",
                method=scope["method"],
                route=getattr(route, "path", "unmatched"),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 2),
            )


class BodyTooLargeError(Exception):
    """Raised from `receive` once a streamed body passes the cap."""


class BodyLimitMiddleware:
    """Refuse request bodies above the cap with 413, declared or streamed, before they
    are parsed or stored."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Fail the body read: the route never sees a body and changes nothing;
                    # whatever it answers (FastAPI turns a failed read into 400) is
                    # replaced by the 413 below.
                    too_large = True
                    raise BodyTooLargeError
            return message

        refused = False

        async def replacing_send(message: Message) -> None:
            nonlocal refused
            if not too_large:
                await send(message)
            elif message["type"] == "http.response.start" and not refused:
                refused = True
                await self._refuse(send)

        try:
            await self.app(scope, counting_receive, replacing_send)
        except BodyTooLargeError:
            if not refused:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await send_problem(
            send,
            413,
            "payload-too-large",
            "Request body too large",
            f"The body exceeds {self.max_bytes} bytes.",
            {},
        )


def _browser_page(scope: Scope) -> bool:
    """A browser loading a page (`/dashboard`, `/docs`) asks for HTML and no JSON: it gets
    a page a person can read; API clients (and the dashboard's own script, which asks for
    problem+json too) get problem+json."""
    accept = (_header(scope, b"accept") or "").lower()
    return "text/html" in accept and "json" not in accept


def _too_many_page(seconds: int) -> bytes:
    return (
        '<!doctype html><html lang="sv"><meta charset="utf-8">'
        "<title>För många förfrågningar</title>"
        "<h1>För många förfrågningar</h1>"
        f"<p>Försök igen om {seconds} sekunder.</p>"
        f'<p lang="en">Too many requests; try again in {seconds} seconds.</p></html>'
    ).encode()


UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RateLimitMiddleware:
    """Requests per credential (from the bearer token's subject, without a database read)
    and per client address for the token endpoint and unauthenticated calls. The window
    is kept in process memory: with several processes each enforces its own share."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        # Sliding window counter: O(1) per request (two counters per key), where a moving
        # window keeps and expires one timestamp per request in the window.
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self.per_credential = parse(settings.rate_limit)
        self.per_address = parse(settings.token_rate_limit)

    def _key(self, scope: Scope) -> tuple[Any, str, str]:
        """The limit, the counter's key and the policy's name for the `RateLimit` headers."""
        path = scope.get("path", "")
        client = scope.get("client") or ("unknown", 0)
        if path == TOKEN_URL:
            return self.per_address, f"token:{client[0]}", "token"
        authorization = _header(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            try:
                subject = read_token(self.settings, token)
            except Unauthorized:
                pass
            else:
                # Verified once, here: authentication reuses it for this very token.
                scope.setdefault("state", {})[VERIFIED_SUBJECT] = (token, subject)
                return self.per_credential, f"credential:{subject}", "credential"
        return self.per_address, f"address:{client[0]}", "address"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        # Probes, metrics and the documentation's static files (cheap, and a page load
        # fetches several) do not spend the caller's budget.
        # The dashboard's in-process calls: the panel request that made them paid for them.
        if (
            scope["type"] != "http"
            or path in UNLIMITED_PATHS
            or path.startswith("/static/")
            or scope.get(BUDGET_SPENT)
        ):
            await self.app(scope, receive, send)
            return
        limit, key, policy = self._key(scope)
        allowed = self.limiter.hit(limit, key)
        stats = self.limiter.get_window_stats(limit, key)
        seconds_left = max(1, math.ceil(stats.reset_time - time.time()))
        # IETF draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it.
        quota = {
            "RateLimit-Policy": f'"{policy}";q={limit.amount};w={limit.get_expiry()}',
            "RateLimit": f'"{policy}";r={stats.remaining};t={seconds_left}',
        }
        if not allowed:
            headers = {"Retry-After": str(seconds_left), **quota}
            if _browser_page(scope):
                await _send(
                    send, 429, "text/html; charset=utf-8", _too_many_page(seconds_left), headers
                )
                return
            await send_problem(
                send,
                TooManyRequests.status_code,
                TooManyRequests.slug,
                TooManyRequests.title,
                f"Rate limit {limit} exceeded; retry later.",
                headers,
            )
            return
        raw_quota = [(name.lower().encode(), value.encode()) for name, value in quota.items()]

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *raw_quota]}
            await send(message)

        await self.app(scope, receive, send_with_quota)
