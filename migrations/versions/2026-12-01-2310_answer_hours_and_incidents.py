"""answer_hours apart from response_hours; landlord reports get a response deadline

Revision ID: d4e5f6a7b8c9
Revises: c7e1a0f2b9d4
Create Date: 2026-12-01 23:10:00.000000

Until now an agreement's `response_hours` set the proposal deadlines. Karlstad's 48 hours
are something else: "Socialtjänsten garanterar dessutom hyresvärden uttryckning inom 48
timmar plus åtgärd om det skulle uppstå problem" — the municipality's promise to the
landlord when a problem arises in a tenancy (issue 13, correction 3). So:

- `agreements.answer_hours` (NOT NULL, 72 by default) is the new home of the proposal
  deadlines. Every existing agreement takes its old `response_hours` as `answer_hours`
  (that is what the value meant so far), or 72 where it had none (the old default), so no
  deadline changes with the upgrade.
- `agreements.response_hours` keeps its value and now means the municipality's response
  promise on a landlord's report. The values stored so far are the sources' response
  promises (Karlstad's 48), so keeping them is what the agreements say; an agreement
  without one promises nothing and its reports get no deadline.
- `tenancy_events` gain `report_id` (a landlord's remark or incident: the id the
  coordinator responds to), `response_due_at` (the report's deadline) and `answers` (a
  response: the report it answers); `tenancies.response_due_at` is the earliest deadline
  of a report not yet answered (the `response_overdue` worklist).

Every column is added in place (never by copying a table: SQLite copies by dropping it,
which the foreign keys refuse); the unique index stands in for a unique constraint, which
SQLite cannot add in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c7e1a0f2b9d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("answer_hours", sa.Integer(), nullable=False, server_default="72")
        )
    op.execute(
        sa.text(
            "UPDATE agreements SET answer_hours = response_hours WHERE response_hours IS NOT NULL"
        )
    )
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tenancy_events", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("report_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.String(length=36), nullable=True))
    with op.batch_alter_table("tenancy_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenancy_events_report_id"), ["report_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("tenancy_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenancy_events_report_id"))
    # In place (SQLite ≥ 3.35 drops a column that no index uses), for the reason above.
    with op.batch_alter_table("tenancy_events", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("answers")
        batch_op.drop_column("response_due_at")
        batch_op.drop_column("report_id")
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("response_due_at")
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("answer_hours")
