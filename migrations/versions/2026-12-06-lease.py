"""Who holds the lease: guarantee kinds, placement conditions, agreement basis and share

Revision ID: d1e2f3a4b5c6
Revises: c9d0e1f2a3b4
Create Date: 2026-12-06 21:00:00.000000

Agreements say what they rest on (`basis`, every existing one a cooperation agreement), may
state the quota as a share (`quota_share`), list the guarantee kinds they accept and what
each lifts (`accepted_guarantees` null: `accepts_municipal_guarantee` decides, as before),
and their own conditions for the municipality's subtenants (`placement_refuses_income_support`,
`accepted_target_groups`). Households record their guarantee by kind (`guarantee`; an existing
`municipal_guarantee` becomes a municipal surety) and social services' `children_at_risk`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1e2f3a4b5c6"
down_revision: str | None = "c9d0e1f2a3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.add_column(
            sa.Column(
                "basis",
                sa.String(length=24),
                server_default="cooperation_agreement",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("quota_share", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("accepted_guarantees", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("guarantee_lifts", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "placement_refuses_income_support",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("accepted_target_groups", sa.JSON(), nullable=True))
    with op.batch_alter_table("households") as batch_op:
        batch_op.add_column(sa.Column("guarantee", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("children_at_risk", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    households = sa.table(
        "households", sa.column("municipal_guarantee", sa.Boolean), sa.column("guarantee", sa.JSON)
    )
    op.execute(
        households.update()
        .where(households.c.municipal_guarantee.is_(True))
        .values(guarantee={"kind": "municipal_surety", "months_covered": None, "valid_until": None})
    )


def downgrade() -> None:
    with op.batch_alter_table("households") as batch_op:
        batch_op.drop_column("children_at_risk")
        batch_op.drop_column("guarantee")
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.drop_column("accepted_target_groups")
        batch_op.drop_column("placement_refuses_income_support")
        batch_op.drop_column("guarantee_lifts")
        batch_op.drop_column("accepted_guarantees")
        batch_op.drop_column("quota_share")
        batch_op.drop_column("basis")
