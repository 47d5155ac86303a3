from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, new_id, utcnow

ACTIVE_ROUND = "status IN ('queued', 'running')"


class Round(Base):
    """A round and its snapshot: the exact problem solved and the solution, so any result
    can be reproduced offline. At most one active round per municipality, enforced by a
    partial unique index (a second POST is 409 even when two race)."""

    __tablename__ = "rounds"
    __table_args__ = (
        Index(
            "uq_rounds_one_active_per_municipality",
            "municipality_code",
            unique=True,
            sqlite_where=text(ACTIVE_ROUND),
            postgresql_where=text(ACTIVE_ROUND),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    year: Mapped[int]
    policy_version: Mapped[int]
    time_limit_s: Mapped[int] = mapped_column(default=30)
    requested_by: Mapped[str] = mapped_column(String(40))
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    solution: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(String(2000), default=None)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
