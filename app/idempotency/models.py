from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow


class IdempotencyRecord(Base):
    """The first answer to (credential, key): replayed for the same body, 422 for another,
    409 while the first is still in flight."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("credential_id", "key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    credential_id: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="in_flight")
    response_status: Mapped[int | None] = mapped_column(default=None)
    response_body: Mapped[Any] = mapped_column(JSON, default=None)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
