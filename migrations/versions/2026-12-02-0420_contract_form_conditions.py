"""Contract form conditions and counts over the period (issue 13, corrections 4 and 5)

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-12-02 04:20:00.000000

- `areas.period_cap`: at most this many placements in the area over the agreement year,
  besides `cap` per round (Jönköping: "lägenheterna är geografiskt spridda"). Nullable:
  no area had one.
- `settlement_figures`: the Settlement Act's yearly figure (kommuntal) per municipality
  and year, recorded by the coordinator; rounds take what remains of it as their floor
  for newly arrived.
- `agreements.transfer_needs_landlord_consent` (false: Göteborg, the landlord "kan … inte
  motsätta sig överlåtelsen") and `agreements.tenancy_terms` (term and notice per contract
  form: Nynäshamn "en månads hyrestid och en veckas uppsägningstid"); `tenancies.term_end`
  and `tenancies.notice_days`, the terms a tenancy was signed on.

The policy's contract-form conditions (rent guarantee terms, surety, own income) are keys
of the versioned policy's JSON: no column, and an old version reads as none.

Every column is added in place (never by copying a table: SQLite copies by dropping it,
which the foreign keys refuse).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6a7b8c9d0e1"
down_revision: str | None = "e5f6a7b8c9d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("areas", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("period_cap", sa.Integer(), nullable=True))
    op.create_table(
        "settlement_figures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("figure", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_settlement_figures_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_figures")),
        sa.UniqueConstraint(
            "municipality_code", "year", name=op.f("uq_settlement_figures_municipality_code_year")
        ),
    )

    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "transfer_needs_landlord_consent",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.add_column(sa.Column("tenancy_terms", sa.JSON(), nullable=True))
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("term_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("term_end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("notice_days", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("renewable", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    # In place (SQLite ≥ 3.35 drops a column that no index uses), for the reason above.
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("renewable")
        batch_op.drop_column("notice_days")
        batch_op.drop_column("term_end")
        batch_op.drop_column("term_months")
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("tenancy_terms")
        batch_op.drop_column("transfer_needs_landlord_consent")
    op.drop_table("settlement_figures")
    with op.batch_alter_table("areas", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("period_cap")
