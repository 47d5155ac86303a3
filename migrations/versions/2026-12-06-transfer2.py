"""Move-on places outside the quota (Helsingborg Delmål 3, issue 24)

Revision ID: 7e3b9c2d4f60
Revises: 0dc1a2b3c4d5
Create Date: 2026-12-06 22:00:00.000000

An agreement may grant `move_on_outside_quota` places a year for households moving on from
a municipal contract; a tenancy records whether it took one (`outside_quota`). Both default
to none, so every existing agreement and tenancy stays as it was. The policy's
`move_on_weight` and `establishment_notice_months` live in its JSON document: no column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7e3b9c2d4f60"
down_revision: str | None = "0dc1a2b3c4d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("move_on_outside_quota", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("tenancies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outside_quota", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("tenancies", schema=None) as batch_op:
        batch_op.drop_column("outside_quota")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("move_on_outside_quota")
