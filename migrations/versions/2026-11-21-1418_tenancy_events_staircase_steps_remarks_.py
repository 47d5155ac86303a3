"""tenancy events: staircase steps, remarks, end

Revision ID: 0fc64480b97a
Revises: 5a1f0c9e7d21
Create Date: 2026-11-21 14:18:19.953094

docs/domain.md §3: a tenancy's later events — a step up the housing staircase (Västerås:
training apartment → support agreement → own lease), the transfer of a municipal contract
to the tenant after the trial period (Göteborg, Karlstad, Södertälje, Norrköping), a
landlord's remark, the end. The tenancy row keeps the current state; this table its history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0fc64480b97a"
down_revision: str | None = "5a1f0c9e7d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenancy_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenancy_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("from_form", sa.String(length=30), nullable=True),
        sa.Column("to_form", sa.String(length=30), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("credential_id", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenancy_id"], ["tenancies.id"], name=op.f("fk_tenancy_events_tenancy_id_tenancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenancy_events")),
    )
    with op.batch_alter_table("tenancy_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tenancy_events_tenancy_id"), ["tenancy_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tenancy_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenancy_events_tenancy_id"))

    op.drop_table("tenancy_events")
