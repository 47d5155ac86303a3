"""Referrals between municipalities of a network (Södertälje: Kompotten)

Revision ID: d3e1cd8ba702
Revises: 7a3c5e9d1f20
Create Date: 2026-12-06 20:46:35.294402

`networks` and their `network_members` (per municipality, with a period); `referrals` of a
household from one member to another; `households.referred_by` names the municipality whose
social services keep their role for a case it referred. Every existing household keeps none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d3e1cd8ba702"
down_revision: str | None = "7a3c5e9d1f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("answer_hours", sa.Integer(), nullable=False),
        sa.Column("reciprocal", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("name", name=op.f("uq_networks_name")),
    )
    op.create_table(
        "network_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("network_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_network_members_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_members_network_id_networks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_members")),
        sa.UniqueConstraint(
            "network_id",
            "municipality_code",
            name=op.f("uq_network_members_network_id_municipality_code"),
        ),
    )
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_members_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_network_members_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("network_id", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("from_municipality", sa.String(length=4), nullable=False),
        sa.Column("to_municipality", sa.String(length=4), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decline_reason", sa.String(length=40), nullable=True),
        sa.Column("receiver_visible", sa.Boolean(), nullable=False),
        sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_household_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_municipality"],
            ["municipalities.code"],
            name=op.f("fk_referrals_from_municipality_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_referrals_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_referrals_network_id_networks")
        ),
        sa.ForeignKeyConstraint(
            ["received_household_id"],
            ["households.id"],
            name=op.f("fk_referrals_received_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["to_municipality"],
            ["municipalities.code"],
            name=op.f("fk_referrals_to_municipality_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referrals_from_municipality"), ["from_municipality"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referrals_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referrals_to_municipality"), ["to_municipality"], unique=False
        )

    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referred_by", sa.String(length=4), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_households_referred_by"), ["referred_by"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_households_referred_by_municipalities"),
            "municipalities",
            ["referred_by"],
            ["code"],
        )


def downgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_households_referred_by_municipalities"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_households_referred_by"))
        batch_op.drop_column("referred_by")

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_to_municipality"))
        batch_op.drop_index(batch_op.f("ix_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_referrals_network_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_household_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_from_municipality"))

    op.drop_table("referrals")
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_members_network_id"))
        batch_op.drop_index(batch_op.f("ix_network_members_municipality_code"))

    op.drop_table("network_members")
    op.drop_table("networks")
