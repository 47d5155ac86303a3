"""Intermediaries acting for several landlords under mandates (Västerås)

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-02 08:01:00.000000

Västerås: Bostad Västerås "administrerar även det så kallade samarbetsavtalet mellan kommunen
och fastighetsägarna". `intermediaries` are such organisations; `mandates` say for which
landlord, in which municipality and for which period one may act. A credential of role
`intermediary` belongs to one (`credentials.intermediary_id`).

Who acted on the landlord's side is recorded where it acts: `vacancies.changed_by_*` (the
last post, change or withdrawal), `proposals.landlord_answered_*` (the landlord's answer)
and `audit_events.on_behalf_of` (the landlord an intermediary acted for). Every existing
row keeps none: nothing was recorded so far, and no intermediary existed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9d0e1f2a3b4"
down_revision: str | None = "b8c9d0e1f2a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intermediaries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_number", sa.String(length=11), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intermediaries")),
        sa.UniqueConstraint("org_number", name=op.f("uq_intermediaries_org_number")),
    )
    op.create_table(
        "mandates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("intermediary_id", sa.String(length=36), nullable=False),
        sa.Column("landlord_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["intermediary_id"],
            ["intermediaries.id"],
            name=op.f("fk_mandates_intermediary_id_intermediaries"),
        ),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_mandates_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_mandates_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
    )
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mandates_intermediary_id"), ["intermediary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mandates_landlord_id"), ["landlord_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mandates_municipality_code"), ["municipality_code"], unique=False
        )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intermediary_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_credentials_intermediary_id"), ["intermediary_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_credentials_intermediary_id_intermediaries"),
            "intermediaries",
            ["intermediary_id"],
            ["id"],
        )
    op.add_column(
        "vacancies", sa.Column("changed_by_credential", sa.String(length=40), nullable=True)
    )
    op.add_column(
        "vacancies", sa.Column("changed_by_intermediary", sa.String(length=36), nullable=True)
    )
    op.add_column(
        "proposals", sa.Column("landlord_answered_by", sa.String(length=40), nullable=True)
    )
    op.add_column(
        "proposals", sa.Column("landlord_answered_via", sa.String(length=36), nullable=True)
    )
    # A new column changes no row: the append-only triggers stand (they refuse UPDATE and
    # DELETE of rows, not a schema change by the owner).
    op.add_column("audit_events", sa.Column("on_behalf_of", sa.String(length=36), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_events", "on_behalf_of")
    op.drop_column("proposals", "landlord_answered_via")
    op.drop_column("proposals", "landlord_answered_by")
    op.drop_column("vacancies", "changed_by_intermediary")
    op.drop_column("vacancies", "changed_by_credential")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_credentials_intermediary_id_intermediaries"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_credentials_intermediary_id"))
        batch_op.drop_column("intermediary_id")
    with op.batch_alter_table("mandates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandates_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_mandates_landlord_id"))
        batch_op.drop_index(batch_op.f("ix_mandates_intermediary_id"))
    op.drop_table("mandates")
    op.drop_table("intermediaries")
