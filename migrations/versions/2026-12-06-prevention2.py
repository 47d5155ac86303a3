"""Eviction prevention: a case links to its housing need; a target in working days

Revision ID: 5e8b2d4f6a17
Revises: 7e3b9c2d4f60
Create Date: 2026-12-06 21:55:00.000000

Nothing of a landlord's signal reaches matching unless social services open a housing need
from it (app/flows/housing_need_from_signal.py); `prevention_cases.household_id` names the
household they opened. `prevention_policies.first_contact_working_days`: a first-contact
target in working days. New nullable columns: no existing row changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e8b2d4f6a17"
down_revision: str | None = "7e3b9c2d4f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prevention_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("household_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_prevention_cases_household_id_households"),
            "households",
            ["household_id"],
            ["id"],
        )
    with op.batch_alter_table("prevention_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_contact_working_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prevention_policies", schema=None) as batch_op:
        batch_op.drop_column("first_contact_working_days")
    with op.batch_alter_table("prevention_cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_prevention_cases_household_id_households"), type_="foreignkey"
        )
        batch_op.drop_column("household_id")
