"""Errors a client can cause, each a class with its HTTP status, rendered as problem+json.

One handler renders all of them (RFC 9457), so a new error is a new class, never a new
`JSONResponse` in a router.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

PROBLEM_MEDIA_TYPE = "application/problem+json"


RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "headers"})
"""RFC 9457's own members: an extension named like one would overwrite it."""


class AppError(Exception):
    """Base of every error a request can end in; carries status, type slug and title."""

    status_code: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"
    # True only where the refusal reports a change that time made (see app/db.get_session).
    keeps_changes: ClassVar[bool] = False

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        clash = RESERVED_MEMBERS.intersection(extra)
        if clash:
            # A programming error, caught where it is made rather than as a 500 when rendered.
            raise TypeError(f"problem extension members clash with RFC 9457's: {sorted(clash)}")
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    @property
    def type(self) -> str:
        return problem_type(self.slug)


def problem_type(slug: str) -> str:
    """The problem `type` URI reference; documented under /problems in the README."""
    return f"/problems/{slug}"


class BadRequest(AppError):
    status_code = 400
    slug = "bad-request"
    title = "Bad request"


class Unauthorized(AppError):
    status_code = 401
    slug = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str = "A valid bearer token is required.", **extra: Any):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class InvalidClient(AppError):
    """OAuth2 `invalid_client`: wrong client id or secret, or a revoked credential."""

    status_code = 401
    slug = "invalid-client"
    title = "Invalid client credentials"

    def __init__(self, detail: str = "Unknown client or wrong secret.") -> None:
        super().__init__(detail, error="invalid_client")


class Forbidden(AppError):
    status_code = 403
    slug = "forbidden"
    title = "Not allowed for this role"


class NotFound(AppError):
    status_code = 404
    slug = "not-found"
    title = "Not found"


class Conflict(AppError):
    status_code = 409
    slug = "conflict"
    title = "Conflict with the current state"


class PreconditionFailed(AppError):
    status_code = 412
    slug = "precondition-failed"
    title = "The resource changed since it was read"


class UnprocessableEntity(AppError):
    """Every 422 has one shape: `detail`, and `errors` naming each field (as request
    validation does). A detail written `field: message` names its field."""

    status_code = 422
    slug = "validation-error"
    title = "The request is not valid"

    def __init__(self, detail: str, **extra: Any):
        if "errors" not in extra:
            field, sep, message = detail.partition(": ")
            named = bool(sep) and _FIELD_NAME.fullmatch(field) is not None
            extra["errors"] = [
                {
                    "field": field if named else "",
                    "message": message if named else detail,
                    "type": "value_error",
                }
            ]
        super().__init__(detail, **extra)


_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}")


class TooManyRequests(AppError):
    status_code = 429
    slug = "too-many-requests"
    title = "Too many requests"


class ServiceUnavailable(AppError):
    status_code = 503
    slug = "service-unavailable"
    title = "Temporarily unavailable"
