"""A request sent to the app in-process, in one call on the suite's event loop: one
schemathesis case (`send`), or every request of the tests' HTTP clients (`PortalTransport`).

Schemathesis's ASGI client is a `requests` session with an adapter that runs the app: per
call it merges the session's settings, crosses to its event-loop thread twice (once to make
an event, once to run the app) and wraps the answer as a urllib3 response for `requests` to
unwrap again; that was about a fifth of a fuzz call's time. Here the request is prepared by
`requests` exactly as that client prepares it (the same default headers, body encoding and
query string), the app answers it in one call through the tests' portal, and the answer is
handed to schemathesis's own `Case.validate_response` with the same checks. Checks that send
a request again (a secured operation answered without its credentials) use schemathesis's
client, as before."""

from __future__ import annotations

import asyncio
import functools
import time
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio
import httpx
import requests
from anyio.from_thread import BlockingPortal
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from schemathesis.core.transport import Response
from schemathesis.python import asgi
from schemathesis.transport.prepare import normalize_base_url
from starlette.types import ASGIApp, Message


class Answer:
    """What the app sent: status, raw headers and the body, whole."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()


async def _run(app: ASGIApp, scope: dict[str, Any], body: bytes) -> Answer:
    answer = Answer()
    complete = anyio.Event()
    consumed = False

    async def receive() -> Message:
        nonlocal consumed
        if consumed:
            # As a client that stays connected: a long poll asking whether the caller
            # left hears it only once the answer is complete (schemathesis's client too).
            await complete.wait()
            return {"type": "http.disconnect"}
        consumed = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                complete.set()

    await app(scope, receive, send)
    complete.set()
    return answer


def http_scope(
    method: str,
    scheme: str,
    raw_path: bytes,
    query: bytes,
    headers: list[tuple[bytes, bytes]],
    server: tuple[str, int],
    *,
    extensions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ASGI scope of a request from this machine (the client address Starlette's
    `TestClient` gives), the path as sent (`raw_path`, without the query) and decoded."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": unquote(raw_path.decode("latin-1")),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": headers,
        "client": ("testclient", 50000),
        "server": server,
        "state": {},
    }
    if extensions is not None:
        scope["extensions"] = extensions
    return scope


@functools.cache
def _loop_of(portal: BlockingPortal) -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop = portal.call(asyncio.get_running_loop)
    return loop


def answered(portal: BlockingPortal, app: ASGIApp, scope: dict[str, Any], body: bytes) -> Answer:
    """The app's answer, run as a task on the portal's event loop. `portal.call` crosses to
    the loop twice (once to spawn the task in the portal's task group, waiting until it is
    spawned, once for its result); submitting the coroutine to the loop crosses once: about
    0.15 ms of CPU less per request (`GET /healthz` 0.84 → 0.67 ms, interleaved). The app
    runs in a task of its own either way, as a server runs each request."""
    return asyncio.run_coroutine_threadsafe(_run(app, scope, body), _loop_of(portal)).result()


def send(
    case: Any,
    headers: dict[str, str],
    *,
    app: ASGIApp,
    portal: BlockingPortal,
    session: requests.Session,
) -> Response:
    """The app's answer to the case with these extra headers, as schemathesis's Response."""
    # What `Case.call` does before it sends (no hooks are registered here): the case as it
    # is now, values a stateful link put in included, is what its metadata describes.
    case._sync_validated_hashes()
    case.freeze_metadata()
    base_url = normalize_base_url(case.operation.base_url, host=asgi.HOST)
    data = case.as_transport_kwargs(base_url=base_url, headers=headers)
    prepared = session.prepare_request(requests.Request(**data))
    url = urlsplit(str(prepared.url))
    raw_body: Any = prepared.body
    body = raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body or b"")
    host = url.netloc.encode("latin-1")
    raw_headers = [] if "host" in prepared.headers else [(b"host", host)]
    raw_headers += [
        (
            name.lower().encode("latin-1"),
            value if isinstance(value, bytes) else value.encode("latin-1"),
        )
        for name, value in prepared.headers.items()
    ]
    scope = http_scope(
        str(prepared.method),
        url.scheme,
        url.path.encode(),
        url.query.encode(),
        raw_headers,
        (url.hostname or "", url.port or 80),
    )
    started = time.perf_counter()
    try:
        answer = answered(portal, app, scope, body)
    except Exception as exc:
        exc.add_note(f"\nReproduce with:\n\n    {case.as_curl_command(headers=headers)}")
        raise
    elapsed = time.perf_counter() - started
    response_headers: dict[str, list[str]] = {}
    for name, value in answer.headers:
        response_headers.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    content = b"" if prepared.method == "HEAD" else bytes(answer.body)
    return Response(
        status_code=answer.status,
        headers=response_headers,
        content=content,
        request=prepared,
        elapsed=elapsed,
        verify=True,
        message=HTTPStatus(answer.status).phrase,
        http_version="1.1",
        encoding=get_encoding_from_headers(
            CaseInsensitiveDict({k: ", ".join(v) for k, v in response_headers.items()})
        ),
    )


class PortalTransport(httpx.BaseTransport):
    """The tests' HTTP clients' way to the app: the request answered in one call through the
    suite's portal, the whole answer collected there.

    Starlette's `TestClient` crosses to its event-loop thread about eight times per request
    (an event, a second event, a body stream, a cancel scope, the app's task, waiting for the
    start of the answer, each chunk of the body, the end of the stream): about 2.5 ms of CPU
    for a `GET /healthz` against 0.8 ms in one call. The scope is the one `TestClient` builds
    (`starlette/testclient.py`, `_TestClientTransport.handle_request`), the client address
    its default; an exception the app raises reaches the test, as `TestClient` raises it by
    default. No operation of the app streams its answer, so collecting it whole changes
    nothing a test reads."""

    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self.app = app
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or {"http": 80, "https": 443}[url.scheme]
        headers = [] if "host" in request.headers else [(b"host", url.netloc)]
        headers += [
            (key.lower().encode(), value.encode()) for key, value in request.headers.multi_items()
        ]
        scope = http_scope(
            request.method,
            url.scheme,
            url.raw_path.split(b"?", 1)[0],
            url.query,
            headers,
            (url.raw_host.decode("ascii"), port),
            extensions={"http.response.debug": {}, "http.response.trailers": {}},
        )
        answer = answered(self.portal, self.app, scope, request.read())
        body = b"" if request.method == "HEAD" else bytes(answer.body)
        return httpx.Response(
            status_code=answer.status,
            headers=[(name.decode(), value.decode()) for name, value in answer.headers],
            stream=httpx.ByteStream(body),
            request=request,
        )
