"""What-if rounds (a dry run blocks no real round), quota pacing, assessments

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-12-02 04:40:00.000000

`rounds.dry_run` marks a what-if round (issue 15): it solves the current snapshot with the
coordinator's overrides (`rounds.what_if`: the policy document and quotas per landlord it
was asked to use) and writes no proposals. The one-active-round index now counts real
rounds only, and a second index allows one active dry run per municipality beside them (a
dry run must never keep a real round from starting, and a burst of dry runs must not queue
up solver time without end). Existing rounds are real rounds (`false`).

`agreements.pacing` (`none` | `even`) spreads an agreement's quota over its year
(app/agreements/pacing.py); every existing agreement keeps what it had: `none`.

`households.assessment` is social services' assessment (kartläggning) before any match
(Jönköping): its date, the assessing unit and the support needed, as codes; a policy with
`requires_assessment` matches only assessed households. `tenancies.conditions` are the
support codes the tenancy was let with (Jönköping: "måste ta emot hembesök"). Both are
empty for what exists: nothing was assessed through the service so far.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7b8c9d0e1f2"
down_revision: str | None = "f6a7b8c9d0e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('queued', 'running')"
REAL = "status IN ('queued', 'running') AND NOT dry_run"
DRY = "status IN ('queued', 'running') AND dry_run"


def _index(name: str, predicate: str) -> None:
    op.create_index(
        name,
        "rounds",
        ["municipality_code"],
        unique=True,
        sqlite_where=sa.text(predicate),
        postgresql_where=sa.text(predicate),
    )


def upgrade() -> None:
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("dry_run", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("what_if", sa.JSON(), nullable=True))
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("pacing", sa.String(length=8), nullable=False, server_default="none")
        )
    with op.batch_alter_table("households", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("assessment", sa.JSON(), nullable=True))
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("conditions", sa.JSON(), nullable=True))
    op.drop_index("uq_rounds_one_active_per_municipality", table_name="rounds")
    _index("uq_rounds_one_active_per_municipality", REAL)
    _index("uq_rounds_one_active_dry_run_per_municipality", DRY)


def downgrade() -> None:
    op.drop_index("uq_rounds_one_active_dry_run_per_municipality", table_name="rounds")
    op.drop_index("uq_rounds_one_active_per_municipality", table_name="rounds")
    op.execute("DELETE FROM rounds WHERE dry_run")
    _index("uq_rounds_one_active_per_municipality", OLD)
    with op.batch_alter_table("rounds", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("what_if")
        batch_op.drop_column("dry_run")
    with op.batch_alter_table("agreements", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("pacing")
    with op.batch_alter_table("tenancies", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("conditions")
    with op.batch_alter_table("households", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("assessment")
