"""rounds proposals tenancies policies idempotency

Revision ID: 743b583d2dfd
Revises: e2b733bf9665
Create Date: 2026-11-21 11:17:35.691711
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "743b583d2dfd"
down_revision: str | None = "e2b733bf9665"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=False),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "credential_id", "key", name=op.f("uq_idempotency_records_credential_id_key")
        ),
    )
    op.create_table(
        "policies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_policies_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint(
            "municipality_code", "version", name=op.f("uq_policies_municipality_code_version")
        ),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("time_limit_s", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.Column("solution", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_rounds_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rounds_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(
            "uq_rounds_one_active_per_municipality",
            ["municipality_code"],
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        )

    op.create_table(
        "forbidden_pairs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("vacancy_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_forbidden_pairs_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_forbidden_pairs_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_forbidden_pairs_vacancy_id_vacancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forbidden_pairs")),
        sa.UniqueConstraint(
            "household_id", "vacancy_id", name=op.f("uq_forbidden_pairs_household_id_vacancy_id")
        ),
    )
    with op.batch_alter_table("forbidden_pairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forbidden_pairs_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forbidden_pairs_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forbidden_pairs_vacancy_id"), ["vacancy_id"], unique=False
        )

    op.create_table(
        "pins",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("vacancy_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_pins_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_pins_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_pins_vacancy_id_vacancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pins")),
        sa.UniqueConstraint("household_id", name=op.f("uq_pins_household_id")),
        sa.UniqueConstraint("vacancy_id", name=op.f("uq_pins_vacancy_id")),
    )
    with op.batch_alter_table("pins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pins_municipality_code"), ["municipality_code"], unique=False
        )

    op.create_table(
        "proposals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=True),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("landlord_id", sa.String(length=36), nullable=False),
        sa.Column("vacancy_id", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("contract_form", sa.String(length=30), nullable=False),
        sa.Column("exception", sa.Boolean(), nullable=False),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decline_reason", sa.String(length=40), nullable=True),
        sa.Column("decline_comment", sa.String(length=2000), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_proposals_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_proposals_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_proposals_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_proposals_round_id_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_proposals_vacancy_id_vacancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposals_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_landlord_id"), ["landlord_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposals_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_vacancy_id"), ["vacancy_id"], unique=False)
        batch_op.create_index(
            "uq_proposals_live_household",
            ["household_id"],
            unique=True,
            sqlite_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
            postgresql_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
        )
        batch_op.create_index(
            "uq_proposals_live_vacancy",
            ["vacancy_id"],
            unique=True,
            sqlite_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
            postgresql_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
        )

    op.create_table(
        "tenancies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("landlord_id", sa.String(length=36), nullable=False),
        sa.Column("vacancy_id", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=True),
        sa.Column("contract_form", sa.String(length=30), nullable=False),
        sa.Column("exception", sa.Boolean(), nullable=False),
        sa.Column("agreement_year", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("trial_period_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_tenancies_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["landlord_id"], ["landlords.id"], name=op.f("fk_tenancies_landlord_id_landlords")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_tenancies_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_tenancies_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_tenancies_vacancy_id_vacancies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenancies")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_tenancies_proposal_id")),
    )
    with op.batch_alter_table("tenancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tenancies_agreement_year"), ["agreement_year"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tenancies_landlord_id"), ["landlord_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tenancies_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(
            "uq_tenancies_active_household",
            ["household_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_tenancies_active_vacancy",
            ["vacancy_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )


def downgrade() -> None:

    with op.batch_alter_table("tenancies", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tenancies_active_vacancy",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_tenancies_active_household",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_tenancies_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_tenancies_landlord_id"))
        batch_op.drop_index(batch_op.f("ix_tenancies_agreement_year"))

    op.drop_table("tenancies")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_proposals_live_vacancy",
            sqlite_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
            postgresql_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
        )
        batch_op.drop_index(
            "uq_proposals_live_household",
            sqlite_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
            postgresql_where=sa.text(
                "status IN ('proposed', 'released', 'landlord_accepted', 'household_accepted')"
            ),
        )
        batch_op.drop_index(batch_op.f("ix_proposals_vacancy_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_round_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_proposals_landlord_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_household_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("pins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pins_municipality_code"))

    op.drop_table("pins")
    with op.batch_alter_table("forbidden_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forbidden_pairs_vacancy_id"))
        batch_op.drop_index(batch_op.f("ix_forbidden_pairs_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_forbidden_pairs_household_id"))

    op.drop_table("forbidden_pairs")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rounds_one_active_per_municipality",
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        )
        batch_op.drop_index(batch_op.f("ix_rounds_municipality_code"))

    op.drop_table("rounds")
    op.drop_table("policies")
    op.drop_table("idempotency_records")
