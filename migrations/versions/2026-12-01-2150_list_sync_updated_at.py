"""lists integrators sync: tenancies.updated_at and (scope, updated_at, id) indexes

Revision ID: b1c2d3e4f5a6
Revises: 0fc64480b97a
Create Date: 2026-12-01 21:50:00.000000

The lists of vacancies, households, proposals and tenancies page in `(updated_at, id)`
order and take `updated_since`, so that a landlord's or a municipality's system can fetch
only what changed since its last sync and still see every change, oldest first. Tenancies
had no `updated_at`: the existing rows take their `created_at` (what a client that never
synced would see as their last change). Each list reads within one scope — a landlord's
own rows or a municipality's — so each order has an index led by that scope.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1c2d3e4f5a6"
down_revision: str | None = "0fc64480b97a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNC_INDEXES = {
    "vacancies": ("landlord_id", "municipality_code"),
    "households": ("municipality_code",),
    "proposals": ("landlord_id", "municipality_code"),
    "tenancies": ("landlord_id", "municipality_code"),
}
"""table → the scope columns that lead an (scope, updated_at, id) index."""
PLACEHOLDER = "'1970-01-01 00:00:00.000000'"
"""The new column's value for the instant between adding it and backfilling it."""


def _index_name(table: str, scope: str) -> str:
    return f"ix_{table}_{scope}_updated_at_id"


def upgrade() -> None:
    # In place, never by copying the table: SQLite copies by dropping `tenancies`, which
    # its foreign keys (on, inside the migration's transaction) refuse while
    # `tenancy_events` refer to it. SQLite adds a NOT NULL column in place only with a
    # default; every row takes its `created_at` at once, and the application always
    # writes the column itself.
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text(PLACEHOLDER),
            )
        )
    op.execute(sa.text("UPDATE tenancies SET updated_at = created_at"))
    if op.get_bind().dialect.name != "sqlite":
        # SQLite cannot drop a default in place; there the placeholder stays, unused.
        with op.batch_alter_table("tenancies", schema=None) as batch_op:
            batch_op.alter_column(
                "updated_at", existing_type=sa.DateTime(timezone=True), server_default=None
            )
    for table, scopes in SYNC_INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for scope in scopes:
                batch_op.create_index(
                    op.f(_index_name(table, scope)), [scope, "updated_at", "id"], unique=False
                )


def downgrade() -> None:
    for table, scopes in SYNC_INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for scope in scopes:
                batch_op.drop_index(op.f(_index_name(table, scope)))
    # In place (SQLite ≥ 3.35 drops a column that no index uses), for the reason above.
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("updated_at")
