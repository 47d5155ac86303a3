"""Idempotency keys: claim a key before a creating POST runs, store its answer in the
creation's own transaction, replay that answer to a retry.

Every function here runs its own short transaction (`factory.begin()`), apart from
`store_answer`, which writes into the request's transaction so that the creation and its
stored answer commit together or not at all. That is what makes taking over an abandoned
key safe: a record still `in_flight` after `ABANDONED_AFTER` belongs to a request that never
committed anything (it crashed, or it failed and could not clean up).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import utcnow
from app.core.errors import Conflict, UnprocessableEntity
from app.idempotency.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = r"^[!-~]{1,200}$"
"""1–200 visible ASCII characters, no spaces (a UUID is the usual choice)."""
_KEY = re.compile(KEY_PATTERN)

ABANDONED_AFTER = timedelta(minutes=5)
"""An `in_flight` record older than this belongs to a request that died without committing
(a finished creation would have marked it `done` in its own transaction): a retry takes over."""

RETAINED_FOR = timedelta(hours=24)
"""How long an answer is kept and replayed; an older key counts as unused. Stored answers may
hold personal data (a household), so they are not kept longer than a retry needs."""

REPLAYED_HEADERS = ("content-type", "location", "etag")
"""Headers of the first answer that a replay repeats."""

INTERNAL_SESSION = "idempotency_internal"
"""Marks this module's own sessions in `session.info`, so the store-on-commit hook skips them."""

_ATTEMPTS = 3


def valid_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


@dataclass(frozen=True, slots=True)
class Claim:
    """This request holds the key: the `in_flight` record it inserted."""

    record_id: str


@dataclass(frozen=True, slots=True)
class Answer:
    """A response worth storing (2xx) or replaying: status, JSON body, selected headers."""

    status: int
    body: Any
    headers: dict[str, str]


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    """What "the same request" means: method, path, query and body. A JSON body is compared
    as JSON (key order and whitespace do not matter), anything else byte for byte."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, RecursionError):
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(
    factory: sessionmaker[Session],
    *,
    credential_id: str,
    key: str,
    method: str,
    path: str,
    request_hash: str,
) -> Claim | Answer:
    """Take the key for this request, or say why not.

    Returns a `Claim` (run the request), or the stored `Answer` (replay it). Raises
    `UnprocessableEntity` when the key was used for another request and `Conflict` while the
    first request with the key is still running. Concurrent claims race on the unique
    (credential, key) index: exactly one inserts, the others see its record.
    """
    for _ in range(_ATTEMPTS):
        now = utcnow()
        try:
            with factory.begin() as session:
                session.info[INTERNAL_SESSION] = True
                existing = session.scalar(
                    select(IdempotencyRecord).where(
                        IdempotencyRecord.credential_id == credential_id,
                        IdempotencyRecord.key == key,
                    )
                )
                if existing is not None:
                    outcome = _judge(existing, method, path, request_hash, now)
                    if outcome is not None:
                        return outcome
                    # Expired, or abandoned by a request that never committed: start afresh
                    # under a new id, so a late finish of the old request cannot store into it.
                    gone = session.execute(
                        delete(IdempotencyRecord).where(
                            IdempotencyRecord.id == existing.id,
                            IdempotencyRecord.status == existing.status,
                        )
                    )
                    if _rowcount(gone) != 1:
                        raise _Retry
                else:
                    _prune(session, credential_id, now)
                record = IdempotencyRecord(
                    credential_id=credential_id,
                    key=key,
                    method=method,
                    path=path[:500],
                    request_hash=request_hash,
                    status="in_flight",
                    # The column is NOT NULL: JSON null until there is an answer.
                    response_body=JSON.NULL,
                    created_at=now,
                )
                session.add(record)
                session.flush()
                return Claim(record_id=record.id)
        except (IntegrityError, _Retry):
            continue  # another request took or changed the key meanwhile: look again
    raise Conflict(f"A request with this {HEADER} is still in flight; retry later.")


class _Retry(Exception):
    """The record changed under us; claim again."""


def _judge(
    record: IdempotencyRecord, method: str, path: str, request_hash: str, now: datetime
) -> Answer | None:
    """What an existing record means for this request; None: the key is free again."""
    if record.created_at < now - RETAINED_FOR:
        return None
    if (record.method, record.path, record.request_hash) != (method, path[:500], request_hash):
        raise UnprocessableEntity(
            f"{HEADER} reused with another request: the key was first used with a "
            "different method, path or body. Use a new key for a new request."
        )
    if record.status == "done" and record.response_status is not None:
        return Answer(
            status=record.response_status,
            body=record.response_body,
            headers=dict(record.response_headers or {}),
        )
    if record.created_at < now - ABANDONED_AFTER:
        return None
    raise Conflict(
        f"The first request with this {HEADER} is still in flight; retry later.",
        headers={"Retry-After": "1"},
    )


def _prune(session: Session, credential_id: str, now: datetime) -> None:
    """Forget this credential's expired keys (bounded work, on the unique index's prefix)."""
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.credential_id == credential_id,
            IdempotencyRecord.created_at < now - RETAINED_FOR,
        )
    )


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def store_answer(session: Session, claim_: Claim, answer: Answer) -> None:
    """Mark the claim done with its answer, in the given (the creation's) transaction.

    Raises `Conflict` when the record is no longer ours (a retry took over a request that ran
    past `ABANDONED_AFTER`): the creation then rolls back instead of happening twice.
    """
    result = session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == claim_.record_id, IdempotencyRecord.status == "in_flight")
        .values(
            status="done",
            response_status=answer.status,
            response_body=JSON.NULL if answer.body is None else answer.body,
            response_headers=answer.headers,
        )
    )
    if _rowcount(result) != 1:
        raise Conflict(
            f"This request ran so long that a retry with the same {HEADER} took over; "
            "nothing was created by it."
        )


def store_answer_alone(factory: sessionmaker[Session], claim_: Claim, answer: Answer) -> None:
    """`store_answer` in a transaction of its own: for an operation whose request committed
    no session (nothing to join)."""
    with factory.begin() as session:
        session.info[INTERNAL_SESSION] = True
        store_answer(session, claim_, answer)


def release(factory: sessionmaker[Session], claim_: Claim) -> None:
    """Give the key back after a failure (4xx, 5xx, exception, failed commit): nothing was
    created, so a retry with the same key runs the request again."""
    with factory.begin() as session:
        session.info[INTERNAL_SESSION] = True
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == claim_.record_id,
                IdempotencyRecord.status == "in_flight",
            )
        )
