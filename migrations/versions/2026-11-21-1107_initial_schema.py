"""initial schema

Revision ID: e2b733bf9665
Revises:
Create Date: 2026-11-21 11:07:39.829601
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2b733bf9665"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential_id", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "landlords",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_number", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_landlords")),
        sa.UniqueConstraint("org_number", name=op.f("uq_landlords_org_number")),
    )
    op.create_table(
        "municipalities",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_municipalities")),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("landlord_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("exception_quota", sa.Integer(), nullable=False),
        sa.Column("excluded_areas", sa.JSON(), nullable=False),
        sa.Column("income_multiple", sa.Double(), nullable=False),
        sa.Column("accepts_income_support", sa.Boolean(), nullable=False),
        sa.Column("accepts_housing_allowance", sa.Boolean(), nullable=False),
        sa.Column("requires_permanent_employment", sa.Boolean(), nullable=False),
        sa.Column("accepts_payment_remarks", sa.Boolean(), nullable=False),
        sa.Column("accepts_municipal_guarantee", sa.Boolean(), nullable=False),
        sa.Column("requires_home_insurance", sa.Boolean(), nullable=False),
        sa.Column("contract_forms", sa.JSON(), nullable=False),
        sa.Column("trial_period_months", sa.Integer(), nullable=True),
        sa.Column("response_hours", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_agreements_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_agreements_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint(
            "municipality_code",
            "landlord_id",
            "year",
            name=op.f("uq_agreements_municipality_code_landlord_id_year"),
        ),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreements_landlord_id"), ["landlord_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreements_municipality_code"), ["municipality_code"], unique=False
        )

    op.create_table(
        "areas",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_areas_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
        sa.UniqueConstraint(
            "municipality_code", "code", name=op.f("uq_areas_municipality_code_code")
        ),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=True),
        sa.Column("landlord_id", sa.String(length=36), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_credentials_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_credentials_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credentials_landlord_id"), ["landlord_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credentials_municipality_code"), ["municipality_code"], unique=False
        )

    op.create_table(
        "households",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("case_ref", sa.String(length=64), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("children_ages", sa.JSON(), nullable=True),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("income", sa.JSON(), nullable=False),
        sa.Column("employment", sa.String(length=10), nullable=False),
        sa.Column("payment_remarks", sa.Boolean(), nullable=False),
        sa.Column("debts", sa.Integer(), nullable=False),
        sa.Column("municipal_guarantee", sa.Boolean(), nullable=False),
        sa.Column("home_insurance", sa.Boolean(), nullable=False),
        sa.Column("drug_free_months", sa.Integer(), nullable=True),
        sa.Column("rooms_min", sa.Integer(), nullable=True),
        sa.Column("rooms_max", sa.Integer(), nullable=True),
        sa.Column("max_rent", sa.Integer(), nullable=True),
        sa.Column("needs_elevator", sa.Boolean(), nullable=False),
        sa.Column("needs_ground_floor", sa.Boolean(), nullable=False),
        sa.Column("needs_wheelchair", sa.Boolean(), nullable=False),
        sa.Column("avoid_areas", sa.JSON(), nullable=False),
        sa.Column("preferred_areas", sa.JSON(), nullable=False),
        sa.Column("support_plan", sa.Boolean(), nullable=False),
        sa.Column("contract_forms", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_households_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint(
            "municipality_code", "case_ref", name=op.f("uq_households_municipality_code_case_ref")
        ),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_households_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_households_status"), ["status"], unique=False)

    op.create_table(
        "vacancies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("landlord_id", sa.String(length=36), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("rent", sa.Integer(), nullable=False),
        sa.Column("elevator", sa.Boolean(), nullable=False),
        sa.Column("ground_floor", sa.Boolean(), nullable=False),
        sa.Column("wheelchair", sa.Boolean(), nullable=False),
        sa.Column("contract_forms", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=6), nullable=True),
        sa.Column("living_area", sa.Integer(), nullable=True),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_vacancies_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_vacancies_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies")),
        sa.UniqueConstraint(
            "landlord_id", "external_ref", name=op.f("uq_vacancies_landlord_id_external_ref")
        ),
    )
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vacancies_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vacancies_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vacancies_status"))
        batch_op.drop_index(batch_op.f("ix_vacancies_municipality_code"))

    op.drop_table("vacancies")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_status"))
        batch_op.drop_index(batch_op.f("ix_households_municipality_code"))

    op.drop_table("households")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_credentials_landlord_id"))

    op.drop_table("credentials")
    op.drop_table("areas")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_agreements_landlord_id"))

    op.drop_table("agreements")
    op.drop_table("municipalities")
    op.drop_table("landlords")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_household_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
