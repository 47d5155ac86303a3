"""Eviction prevention: landlords' signals as social services' cases, outreach, policy

Revision ID: 7a3c5e9d1f20
Revises: 24a7f3c1b9d2
Create Date: 2026-12-06 20:48:59.300594

A landlord terminating a lease for late rent notifies the social welfare board (12 kap. 44 §
jordabalken); early warnings pass under the agreement with the tenant's consent.
`prevention_cases` holds each signal as a case: the tenant's name and identity number only
sealed (`tenant_sealed`, AES-GCM), erased after retention with the address and reference;
`prevention_actions` the outreach steps as codes; `prevention_policies` each municipality's
versioned triage. New tables only: no existing row changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3c5e9d1f20"
down_revision: str | None = "24a7f3c1b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prevention_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("landlord_id", sa.String(length=36), nullable=False),
        sa.Column("sent_by_role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("basis", sa.String(length=30), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("disturbance", sa.String(length=30), nullable=True),
        sa.Column("tenant_sealed", sa.Text(), nullable=True),
        sa.Column("tenant_initials", sa.String(length=8), nullable=True),
        sa.Column("external_ref", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=6), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("debt", sa.Integer(), nullable=True),
        sa.Column("months_in_arrears", sa.Integer(), nullable=True),
        sa.Column("monthly_rent", sa.Integer(), nullable=True),
        sa.Column("children_in_household", sa.Boolean(), nullable=True),
        sa.Column("priority_groups", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("must_contact", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_to_tell_landlord", sa.Boolean(), nullable=False),
        sa.Column("payment_plan", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("children_affected", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["landlord_id"],
            ["landlords.id"],
            name=op.f("fk_prevention_cases_landlord_id_landlords"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_prevention_cases_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prevention_cases")),
    )
    with op.batch_alter_table("prevention_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prevention_cases_landlord_id"), ["landlord_id"], unique=False
        )
        batch_op.create_index(
            "ix_prevention_cases_municipality_code_due_at",
            ["municipality_code", "due_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_prevention_cases_status"), ["status"], unique=False)

    op.create_table(
        "prevention_policies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("priority_groups", sa.JSON(), nullable=False),
        sa.Column("always_contact_debt_months", sa.Double(), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("recovery_days", sa.Integer(), nullable=True),
        sa.Column("first_contact_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_prevention_policies_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prevention_policies")),
        sa.UniqueConstraint(
            "municipality_code",
            "version",
            name=op.f("uq_prevention_policies_municipality_code_version"),
        ),
    )
    with op.batch_alter_table("prevention_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prevention_policies_municipality_code"),
            ["municipality_code"],
            unique=False,
        )

    op.create_table(
        "prevention_actions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("after_hours", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("credential_id", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prevention_cases.id"],
            name=op.f("fk_prevention_actions_case_id_prevention_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prevention_actions")),
    )
    with op.batch_alter_table("prevention_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prevention_actions_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prevention_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prevention_actions_case_id"))

    op.drop_table("prevention_actions")
    with op.batch_alter_table("prevention_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prevention_policies_municipality_code"))

    op.drop_table("prevention_policies")
    with op.batch_alter_table("prevention_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prevention_cases_status"))
        batch_op.drop_index("ix_prevention_cases_municipality_code_due_at")
        batch_op.drop_index(batch_op.f("ix_prevention_cases_landlord_id"))

    op.drop_table("prevention_cases")
