"""Move chains out of municipal housing (Helsingborg 3:5 and 3:6)

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-02 08:00:00.000000

Issue 14, part 1. `tenancies.move_on_since` marks a move-on need posted for the household
living in a second-hand tenancy: it stays until the move and takes part in rounds meanwhile.
`tenancies.moved_from_id` links a tenancy to the one its household moved on from (ended
`moved_on` on this one's start; at most one successor each, a unique index). A flat a move
chain frees returns to the pool as an open vacancy that is not a quota apartment
(`vacancies.quota_apartment`, and `tenancies.quota_apartment` for what is let from it)
until its landlord posts it again. `agreements.exception_conditions` is the 3:5 setting: its
exception places only for a tenant without unresolved late payments or disturbances within
N months whom the municipality vouches for (vouching statements are tenancy events, whose
`kind` and `reason` columns hold the new codes as they are).

Everything that exists keeps what it had: every vacancy and tenancy so far was a quota
apartment (`true`), no tenancy came from a move chain, no agreement asks for conditions.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8c9d0e1f2a3"
down_revision: str | None = "a7b8c9d0e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("quota_apartment", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("moved_from_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("move_on_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index("uq_tenancies_moved_from_id", "tenancies", ["moved_from_id"], unique=True)
    with op.batch_alter_table("vacancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("quota_apartment", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("exception_conditions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("exception_conditions")
    with op.batch_alter_table("vacancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("quota_apartment")
    op.drop_index("uq_tenancies_moved_from_id", table_name="tenancies")
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("move_on_since")
        batch_op.drop_column("moved_from_id")
        batch_op.drop_column("quota_apartment")
