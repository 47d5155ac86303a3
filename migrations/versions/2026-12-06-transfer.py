"""From a municipal contract to a lease of one's own: transfer rules, lock-in watch,
after-care, endings, running contracts registered, settlement dates (issue 24)

Revision ID: 24a7f3c1b9d2
Revises: d1e2f3a4b5c6
Create Date: 2026-12-06 20:00:00.000000

Agreements get the transfer rules (`transfer_latest_months`, `remark_effect` with
`remark_extend_months`, `aftercare_months`, `tenure_waiver_months`); consent to a transfer
is needed by default from now on (the column's server default; each existing agreement keeps
the value it was written with). Tenancies get what a registered running contract and the
transfer need: `registered`, `external_ref`, `transfer_latest_on`, `transfer_delay`,
`serious_notice_days`, `aftercare_until`, `tenure_waived_until`; and a registered contract has
no proposal and may have no posted flat, so `proposal_id` and `vacancy_id` become nullable.
A tenancy event may carry the `serious_cause` of an end; a household its `settled_on`.

SQLite changes a column's nullability only by copying the table: `tenancies` is copied while
its events wait in a temporary table (their foreign key would refuse the drop of the old
table), and its partial unique indexes are made again as they were.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "24a7f3c1b9d2"
down_revision: str | None = "d1e2f3a4b5c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status = 'active'"
PARTIAL = {
    "uq_tenancies_active_vacancy": "vacancy_id",
    "uq_tenancies_active_household": "household_id",
}


def _nullability(*, nullable: bool) -> None:
    """`proposal_id` and `vacancy_id` nullable (or not again), the partial indexes kept."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # The copy drops `tenancies`, which its foreign keys (on, inside the migration's
        # transaction) refuse while `tenancy_events` refer to it: the events wait aside.
        op.execute(sa.text("CREATE TEMP TABLE kept_tenancy_events AS SELECT * FROM tenancy_events"))
        op.execute(sa.text("DELETE FROM tenancy_events"))
        for name in PARTIAL:
            op.drop_index(name, table_name="tenancies")
    with op.batch_alter_table(
        "tenancies", schema=None, recreate="always" if sqlite else "never"
    ) as batch_op:
        batch_op.alter_column("proposal_id", existing_type=sa.String(36), nullable=nullable)
        batch_op.alter_column("vacancy_id", existing_type=sa.String(36), nullable=nullable)
    if sqlite:
        for name, column in PARTIAL.items():
            op.create_index(
                name,
                "tenancies",
                [column],
                unique=True,
                sqlite_where=sa.text(ACTIVE),
                postgresql_where=sa.text(ACTIVE),
            )
        op.execute(sa.text("INSERT INTO tenancy_events SELECT * FROM kept_tenancy_events"))
        op.execute(sa.text("DROP TABLE kept_tenancy_events"))


def upgrade() -> None:
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("transfer_latest_months", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "remark_effect", sa.String(length=8), nullable=False, server_default="restart"
            )
        )
        batch_op.add_column(sa.Column("remark_extend_months", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("aftercare_months", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("tenure_waiver_months", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        # SQLite cannot change a default in place; there the application writes the column.
        op.alter_column(
            "agreements",
            "transfer_needs_landlord_consent",
            existing_type=sa.Boolean(),
            server_default=sa.true(),
        )
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("external_ref", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("transfer_latest_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("transfer_delay", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("serious_notice_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("aftercare_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("tenure_waived_until", sa.Date(), nullable=True))
    _nullability(nullable=True)
    with op.batch_alter_table("tenancy_events", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("serious_cause", sa.String(length=30), nullable=True))
    with op.batch_alter_table("households", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("settled_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("households", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("settled_on")
    with op.batch_alter_table("tenancy_events", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("serious_cause")
    # Registered running contracts have no proposal: they cannot stay.
    op.execute(
        sa.text(
            "DELETE FROM tenancy_events WHERE tenancy_id IN "
            "(SELECT id FROM tenancies WHERE proposal_id IS NULL OR vacancy_id IS NULL)"
        )
    )
    op.execute(sa.text("DELETE FROM tenancies WHERE proposal_id IS NULL OR vacancy_id IS NULL"))
    _nullability(nullable=False)
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("tenure_waived_until")
        batch_op.drop_column("aftercare_until")
        batch_op.drop_column("serious_notice_days")
        batch_op.drop_column("transfer_delay")
        batch_op.drop_column("transfer_latest_on")
        batch_op.drop_column("external_ref")
        batch_op.drop_column("registered")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "agreements",
            "transfer_needs_landlord_consent",
            existing_type=sa.Boolean(),
            server_default=sa.false(),
        )
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("tenure_waiver_months")
        batch_op.drop_column("aftercare_months")
        batch_op.drop_column("remark_extend_months")
        batch_op.drop_column("remark_effect")
        batch_op.drop_column("transfer_latest_months")
