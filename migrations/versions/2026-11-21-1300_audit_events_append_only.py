"""audit_events append-only: a trigger refuses UPDATE and DELETE

Revision ID: 5a1f0c9e7d21
Revises: 743b583d2dfd
Create Date: 2026-11-21 13:00:00.000000

docs/domain.md §6: every read and change of a household record is written to an append-only
audit log. The application only ever INSERTs into `audit_events`; this trigger makes the
database refuse anything else, whoever asks — a bug, an SQL injection, an operator with the
application's credentials. Erasure of a case keeps its audit rows: they hold ids, roles and
purposes, never the record's values (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "5a1f0c9e7d21"
down_revision: str | None = "743b583d2dfd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_events is append-only"

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER audit_events_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
"""
SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
""",
    f"""
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
""",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    elif dialect == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
