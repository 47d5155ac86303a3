"""OpenAPI documentation of problem+json error responses, shared by every router."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import PROBLEM_MEDIA_TYPE


class FieldError(BaseModel):
    """One reason a request is not valid (`field` empty when no single field is to blame)."""

    field: str = Field(examples=["rooms"])
    message: str = Field(examples=["Input should be less than or equal to 10"])
    type: str = Field(examples=["less_than_equal"])


class Problem(BaseModel):
    """An RFC 9457 problem document; every `422` adds `errors`."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No vacancy with that reference."])
    instance: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="On every `422`: each field and what is wrong with it"
    )


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "No token, or an invalid, expired or revoked one",
    403: "The caller's role may not do this",
    404: "No such object in the caller's organisation",
    409: "Conflicts with the current state",
    412: "`If-Match` does not match the current `ETag`",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "The request is not valid",
    429: "Too many requests",
    503: "Temporarily unavailable",
}

_EXAMPLES = {
    400: ("bad-request", "Bad request", "The body is not valid JSON."),
    401: ("unauthorized", "Authentication required", "A valid bearer token is required."),
    403: ("forbidden", "Not allowed for this role", "The role landlord may not do this."),
    404: ("not-found", "Not found", "Not found."),
    409: ("conflict", "Conflict with the current state", "It already exists."),
    412: (
        "precondition-failed",
        "The resource changed since it was read",
        'If-Match "1" does not match the current ETag "2".',
    ),
    413: ("payload-too-large", "Request body too large", "The body exceeds 1 MiB."),
    415: ("unsupported-media-type", "Unsupported media type", "Send application/json."),
    422: ("validation-error", "The request is not valid", "rooms: must be at most 10"),
    429: ("too-many-requests", "Too many requests", "Try again later."),
    503: ("service-unavailable", "Temporarily unavailable", "The database is busy."),
}

_VALIDATION_ERRORS = {
    "errors": [{"field": "rooms", "message": "must be at most 10", "type": "less_than_equal"}]
}

# Every authenticated operation can answer these (400: a body that is not JSON at all).
AUTHENTICATED = (400, 401, 403, 413, 422, 429, 503)


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting the given problem statuses with an example each."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in sorted(set(codes)):
        slug, title, detail = _EXAMPLES[code]
        documented[code] = {
            "description": _DESCRIPTIONS[code],
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": {
                        "type": f"/problems/{slug}",
                        "title": title,
                        "status": code,
                        "detail": detail,
                        **(_VALIDATION_ERRORS if code == 422 else {}),
                    },
                }
            },
        }
    return documented
