"""`IdempotentRoute`: the `Idempotency-Key` header on creating POSTs (docs/idempotency.md).

A router opts in with `APIRouter(route_class=IdempotentRoute, ...)`; of its operations, the
creating ones — `POST` answering `201` or `202` — then accept the header. Same key and same
request → the first answer again (with `Idempotent-Replayed: true`); same key, another request
→ `422`; while the first is still running → `409`. Keys are scoped per credential and kept in
the database (app/idempotency/service.py), so every API process sees them.

How a keyed request runs:
1. Before the handler, in a transaction of its own, the key is claimed: an `in_flight` record
   (the unique (credential, key) index makes concurrent claims race fairly).
2. The handler runs as usual in the request's session.
3. A 2xx answer is written into that record by a `before_commit` hook on the request's own
   session, so the creation and its stored answer commit together: no window in which the
   thing exists but a retry would create it again.
4. Anything else — a 4xx, a 5xx, an exception, a failed commit — created nothing (every
   refusal rolls back), so the claim is deleted and a retry with the same key runs afresh.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from types import TracebackType
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.dependencies.utils import request_body_to_args
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.audit import service as audit
from app.audit.schemas import checked_purpose
from app.auth import Principal, allowed_roles, authenticate
from app.core.errors import AppError
from app.core.logging import log
from app.core.problems import problems
from app.idempotency import service
from app.idempotency.service import HEADER, KEY_PATTERN, REPLAYED_HEADER, Answer, Claim
from app.vocabulary import AuditAction

CREATING_STATUSES = frozenset({201, 202})

_REPLAYED_HEADER_NAMES = {"content-type": "Content-Type", "location": "Location", "etag": "ETag"}


async def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=200,
            pattern=KEY_PATTERN,
            description="Makes a retry safe: the same key with the same request returns the "
            "first answer again (marked `Idempotent-Replayed: true`) instead of creating "
            "twice. Reusing a key for another request → `422`; while the first request with "
            "the key is still running → `409`. Keys are per credential and remembered for "
            "24 hours. 1–200 visible ASCII characters, no spaces; a fresh UUID per "
            "operation is usual.",
            examples=["5f0c3c8e-2b7e-4d59-9a53-2f7f0f1d7c21"],
        ),
    ] = None,
) -> str | None:
    """Declares (and validates) the header; the route class does the work. Async: no I/O,
    no thread hop (docs/architecture.md)."""
    return key


def is_creating(methods: Sequence[str] | set[str] | None, status_code: int | None) -> bool:
    """A creating POST: the operations that take an `Idempotency-Key` (docs/idempotency.md)."""
    return (
        bool(methods)
        and "POST" in {m.upper() for m in methods or ()}
        and (status_code in CREATING_STATUSES)
    )


@dataclass(slots=True)
class _Pending:
    """The claim of the running request, and its answer once the handler returned a 2xx."""

    claim: Claim
    answer: Answer | None = None
    stored: bool = False


_PENDING: ContextVar[_Pending | None] = ContextVar("idempotency_pending", default=None)


class IdempotentRoute(APIRoute):
    """An `APIRoute` whose creating POSTs honour `Idempotency-Key`; other operations of the
    router are untouched."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.idempotent = is_creating(kwargs.get("methods"), kwargs.get("status_code"))
        if self.idempotent:
            dependencies = list(kwargs.get("dependencies") or ())
            if not any(
                isinstance(d, DependsParam) and d.dependency is idempotency_key
                for d in dependencies
            ):
                dependencies.append(Depends(idempotency_key))
            kwargs["dependencies"] = dependencies
            kwargs["responses"] = _documented(
                dict(kwargs.get("responses") or {}), kwargs["status_code"]
            )
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.idempotent:
            return handler
        admitted = allowed_roles(self)

        async def idempotent_handler(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if key is None or not service.valid_key(key):
                # No key: as before. A malformed key: the handler's header validation
                # answers 422 (after authentication), and nothing is claimed.
                return await handler(request)
            factory: sessionmaker[Session] = request.app.state.sessionmaker
            principal = await run_in_threadpool(_principal, request, factory)
            if principal is None or (admitted and principal.role not in admitted):
                # The handler answers 401 or 403: a caller the operation refuses claims no
                # key, so it writes nothing, not even a record deleted again.
                return await handler(request)
            # What the handler's own validation would refuse is refused before the key is
            # claimed or a stored answer replayed: a replay is no way around a header check.
            checked_purpose(request.headers.get("x-purpose"))
            try:
                body = await request.body()  # cached on the Request: the handler reads it too
            except Exception:
                return await handler(request)  # the handler reports the broken body
            if await self._refuses_body(request, body):
                return await handler(request)  # the handler answers 422; no key is claimed
            digest = service.request_hash(request.method, request.url.path, request.url.query, body)
            outcome = await run_in_threadpool(
                lambda: service.claim(
                    factory,
                    credential_id=principal.credential_id,
                    key=key,
                    method=request.method,
                    path=request.url.path,
                    request_hash=digest,
                )
            )
            if isinstance(outcome, Answer):
                await run_in_threadpool(self.on_replay, request, factory, principal, outcome)
                return _replay(outcome)
            return await _run_claimed(request, handler, factory, outcome)

        return idempotent_handler

    async def _refuses_body(self, request: Request, body: bytes) -> bool:
        """Whether the operation's own validation refuses this JSON body: FastAPI's function,
        on the body as FastAPI parses it. Such a request creates nothing, so it claims no key
        (a claim and its release were two transactions for every malformed creation). A body
        this does not judge (no body, not JSON) is claimed as before; a refusal it misses
        costs a claim, never a creation without one."""
        fields = self.dependant.body_params
        if not fields or not body or not _json_content(request.headers.get("content-type")):
            return False
        try:
            parsed = json.loads(body)
        except ValueError:
            return True  # FastAPI answers a body that is not JSON 422 (or 400) itself
        _, errors = await request_body_to_args(
            body_fields=fields, received_body=parsed, embed_body_fields=self._embed_body_fields
        )
        return bool(errors)

    def on_replay(
        self,
        request: Request,
        factory: sessionmaker[Session],
        principal: Principal,
        answer: Answer,
    ) -> None:
        """Called before a stored answer is replayed; nothing to do by default."""


class AuditedIdempotentRoute(IdempotentRoute):
    """For household records, where every read is audited (docs/households.md): a replayed
    creation hands the record out again, so it writes a `read` event, with the caller's
    `X-Purpose`, as `GET /v1/households/{id}` would."""

    def on_replay(
        self,
        request: Request,
        factory: sessionmaker[Session],
        principal: Principal,
        answer: Answer,
    ) -> None:
        record_id = answer.body.get("id") if isinstance(answer.body, dict) else None
        if not isinstance(record_id, str):
            return
        purpose = checked_purpose(request.headers.get("x-purpose"))
        with factory.begin() as session:
            session.info[service.INTERNAL_SESSION] = True
            audit.record(session, principal, AuditAction.read, [record_id], purpose=purpose)


def _json_content(content_type: str | None) -> bool:
    """A JSON media type, as FastAPI decides whether to parse a body as JSON."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _documented(
    responses: dict[int | str, dict[str, Any]], status_code: int
) -> dict[int | str, dict[str, Any]]:
    """The operation's responses plus the header's: `409` and `422` as problems, and the
    replay marker on the success response."""
    for code, entry in problems(409, 422).items():
        responses.setdefault(code, entry)
    success = dict(responses.get(status_code, {}))
    success["headers"] = {
        **success.get("headers", {}),
        REPLAYED_HEADER: {
            "description": f"`true` when this is the stored first answer to a retry with the "
            f"same `{HEADER}`.",
            "schema": {"type": "string", "enum": ["true"]},
        },
    }
    responses[status_code] = success
    return responses


def _principal(request: Request, factory: sessionmaker[Session]) -> Principal | None:
    """The caller, authenticated as every operation authenticates it (a live credential's
    token, or a person's from a trusted issuer), or None: a revoked credential or a refused
    token gets no replay either; the handler answers it 401 or 403."""
    with factory() as session:
        session.info[service.INTERNAL_SESSION] = True
        try:
            return authenticate(request, session, request.headers.get("authorization"))
        except AppError:
            return None


async def _run_claimed(
    request: Request,
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
    factory: sessionmaker[Session],
    claim: Claim,
) -> Response:
    """Run the handler holding the claim; store its 2xx answer with the creation."""
    _install_hook(factory)
    pending = _Pending(claim)
    _PENDING.set(pending)
    # The request's session is a function-scoped dependency that the handler enters on this
    # stack, so a callback pushed now runs after that session committed or rolled back.
    stack = request.scope["fastapi_function_astack"]

    async def finish(
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        await _finish(factory, pending, failed=exc is not None)
        return False

    stack.push_async_exit(finish)
    response = await handler(request)
    pending.answer = _answer_of(response)
    return response


async def _finish(factory: sessionmaker[Session], pending: _Pending, *, failed: bool) -> None:
    """After the request's transaction: keep the stored answer, store it now (an operation
    whose session did not commit it), or give the key back."""
    answer, pending.answer = pending.answer, None  # disarm the hook for later commits
    _PENDING.set(None)
    if not failed and pending.stored:
        return
    if not failed and answer is not None:
        await run_in_threadpool(service.store_answer_alone, factory, pending.claim, answer)
        return
    try:
        await run_in_threadpool(service.release, factory, pending.claim)
    except Exception:
        # The record stays in flight; a retry takes it over after ABANDONED_AFTER.
        log.warning("idempotency_release_failed", exc_info=True)


def _store_on_commit(session: Session) -> None:
    """`before_commit` hook: the request's session commits the answer with the creation."""
    pending = _PENDING.get()
    if (
        pending is None
        or pending.answer is None
        or pending.stored
        or session.info.get(service.INTERNAL_SESSION)
    ):
        return
    service.store_answer(session, pending.claim, pending.answer)
    pending.stored = True


def _install_hook(factory: sessionmaker[Session]) -> None:
    if not event.contains(factory, "before_commit", _store_on_commit):
        event.listen(factory, "before_commit", _store_on_commit)


def _answer_of(response: Response) -> Answer | None:
    """A 2xx JSON (or empty) answer as it will be stored; None for anything else."""
    if not 200 <= response.status_code < 300:
        return None
    raw = getattr(response, "body", None)
    if not isinstance(raw, bytes | memoryview):
        return None  # a streaming body cannot be replayed
    raw = bytes(raw)
    content_type = response.headers.get("content-type", "")
    if not raw:
        body: Any = None
    elif "json" in content_type:
        try:
            body = json.loads(raw)
        except ValueError:
            return None
    else:
        return None
    headers = {
        name: response.headers[lower]
        for lower, name in _REPLAYED_HEADER_NAMES.items()
        if lower in response.headers
    }
    return Answer(status=response.status_code, body=body, headers=headers)


def _replay(answer: Answer) -> Response:
    """The stored first answer, marked as a replay."""
    content = (
        b""
        if answer.body is None
        else json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode()
    )
    return Response(
        content=content,
        status_code=answer.status,
        headers={**answer.headers, REPLAYED_HEADER: "true"},
    )
