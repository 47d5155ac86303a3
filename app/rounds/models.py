from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import RoundStatus

ACTIVE_ROUND = "status IN ('queued', 'running') AND NOT dry_run"
ACTIVE_DRY_RUN = "status IN ('queued', 'running') AND dry_run"


class Round(Base):
    """A round and its snapshot: the exact problem solved and the solution, so any result
        can be reproduced offline. At most one active round per municipality, enforced by a
        partial unique index (a second POST is 409 even when two race); a what-if round (`dry_run`)
    has an index of its own and blocks no real round."""

    __tablename__ = "rounds"
    __table_args__ = (
        Index(
            "uq_rounds_one_active_per_municipality",
            "municipality_code",
            unique=True,
            sqlite_where=text(ACTIVE_ROUND),
            postgresql_where=text(ACTIVE_ROUND),
        ),
        Index(
            "uq_rounds_one_active_dry_run_per_municipality",
            "municipality_code",
            unique=True,
            sqlite_where=text(ACTIVE_DRY_RUN),
            postgresql_where=text(ACTIVE_DRY_RUN),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.queued)
    year: Mapped[int]
    policy_version: Mapped[int]
    time_limit_s: Mapped[int] = mapped_column(default=30)
    dry_run: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A what-if round: solved and kept, never proposed (docs/what-if.md)."""
    what_if: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """A what-if round's overrides: `policy` (a policy document), `agreements` (quotas)."""
    requested_by: Mapped[str] = mapped_column(String(40))
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    solution: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(String(2000), default=None)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


def request_of(round_: Round) -> dict[str, Any]:
    """The round's own parameters. Until the problem is built the `problem` column holds
    only `{"request": {...}}`; afterwards the problem document carries them."""
    doc = round_.problem or {}
    if "format" in doc:
        return {"newly_arrived_min": doc.get("newly_arrived_min", 0)}
    return dict(doc.get("request", {}))
