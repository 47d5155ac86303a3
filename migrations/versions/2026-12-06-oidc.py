"""People sign in as themselves: trusted OpenID Connect issuers, the person in the audit

Revision ID: 0dc1a2b3c4d5
Revises: d3e1cd8ba702
Create Date: 2026-12-06 21:00:00.000000

`trusted_issuers` names, per organisation, the OpenID Connect issuers whose tokens act
within it (docs/identity.md). `audit_events.person_subject` and `person_name` name the
person who signed in, as do `vacancies.changed_by_person*` and
`proposals.landlord_answered_person*` beside the credential that acted; every existing
row keeps none: until now only credentials acted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0dc1a2b3c4d5"
down_revision: str | None = "d3e1cd8ba702"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trusted_issuers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=True),
        sa.Column("landlord_id", sa.String(length=36), nullable=True),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("role_claim", sa.String(length=100), nullable=False),
        sa.Column("role_map", sa.JSON(), nullable=False),
        sa.Column("name_claim", sa.String(length=100), nullable=False),
        sa.Column("algorithms", sa.JSON(), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["landlord_id"],
            ["landlords.id"],
            name=op.f("fk_trusted_issuers_landlord_id_landlords"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_trusted_issuers_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_issuers")),
        sa.UniqueConstraint("issuer", name=op.f("uq_trusted_issuers_issuer")),
    )
    op.create_index(
        op.f("ix_trusted_issuers_municipality_code"),
        "trusted_issuers",
        ["municipality_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_trusted_issuers_landlord_id"), "trusted_issuers", ["landlord_id"], unique=False
    )
    # New columns change no row: the append-only triggers stand.
    op.add_column("audit_events", sa.Column("person_subject", sa.String(length=255), nullable=True))
    op.add_column("audit_events", sa.Column("person_name", sa.String(length=200), nullable=True))
    op.create_index(
        op.f("ix_audit_events_person_subject"), "audit_events", ["person_subject"], unique=False
    )
    for table, column in (
        ("vacancies", "changed_by_person"),
        ("proposals", "landlord_answered_person"),
    ):
        op.add_column(table, sa.Column(column, sa.String(length=255), nullable=True))
        op.add_column(table, sa.Column(f"{column}_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table, column in (
        ("proposals", "landlord_answered_person"),
        ("vacancies", "changed_by_person"),
    ):
        op.drop_column(table, f"{column}_name")
        op.drop_column(table, column)
    op.drop_index(op.f("ix_audit_events_person_subject"), table_name="audit_events")
    op.drop_column("audit_events", "person_name")
    op.drop_column("audit_events", "person_subject")
    op.drop_index(op.f("ix_trusted_issuers_landlord_id"), table_name="trusted_issuers")
    op.drop_index(op.f("ix_trusted_issuers_municipality_code"), table_name="trusted_issuers")
    op.drop_table("trusted_issuers")
