"""A running round's progress

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-02 04:10:00.000000

`rounds.progress` holds what the solver last reported while a round runs (phase, pricing
round, best bound and best solution so far), so `GET /v1/rounds/{id}` of a long round shows
that it is alive and how close it is. Nullable: rounds that finished before the upgrade
reported nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5f6a7b8c9d0"
down_revision: str | None = "d4e5f6a7b8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("rounds", sa.Column("progress", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("rounds", "progress")
