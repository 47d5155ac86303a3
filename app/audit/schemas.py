"""The audit log as coordinators read it: who touched which household record, when and why
— never what the record contains."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel, Field


class AuditAction(enum.StrEnum):
    """What was done to a household record."""

    read = "read"
    list = "list"
    create = "create"
    update = "update"
    close = "close"


class AuditEventRead(BaseModel):
    at: datetime
    credential: str = Field(description="The client_id of the credential that acted")
    role: str
    organisation: str | None = Field(description="The caller's municipality code")
    action: AuditAction
    household: str
    purpose: str | None = Field(description="The caller's `X-Purpose` header, if sent")
    request_id: str | None = Field(description="The request's `X-Request-ID`")


class AuditPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None


PurposeHeader = Annotated[
    str | None,
    Header(
        alias="X-Purpose",
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="Why the record is read or changed (e.g. a case number or a task); "
        "written to the audit log. At most 200 characters, no control characters.",
    ),
]
