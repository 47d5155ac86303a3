"""Migrations and models agree: a migrated database has exactly the models' schema."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI

import app.main  # noqa: F401  (registers every table on the metadata)
from app.core.db import Base
from app.core.migrate import alembic_config


def test_migrated_schema_matches_the_models(app: FastAPI) -> None:
    # An engine of its own: the schema is the same on every connection, and alembic wants a
    # real connection, not the test's savepoint on the shared one (tests/transaction.py).
    engine = sa.create_engine(app.state.settings.database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_answer_hours_take_the_old_response_hours_and_response_hours_stay(tmp_path: Path) -> None:
    """Issue 13: `response_hours` set the proposal deadlines until now, so the new
    `answer_hours` takes its value (72 where there was none, the old default); the value
    stays in `response_hours`, which now means the municipality's response promise
    (Karlstad: 'uttryckning inom 48 timmar')."""
    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    config = alembic_config(url)
    command.upgrade(config, "c7e1a0f2b9d4")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO municipalities (code, name, created_at) "
                "VALUES ('1780', 'K', CURRENT_TIMESTAMP)"
            )
        )
        for landlord, hours in (("l-karlstad", 48), ("l-none", None)):
            connection.execute(
                sa.text(
                    "INSERT INTO landlords (id, name, org_number, kind, created_at) "
                    "VALUES (:id, :id, :id, 'public', CURRENT_TIMESTAMP)"
                ),
                {"id": landlord},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO agreements (id, municipality_code, landlord_id, year, quota, "
                    "exception_quota, excluded_areas, income_multiple, accepts_income_support, "
                    "accepts_housing_allowance, requires_permanent_employment, "
                    "accepts_payment_remarks, accepts_municipal_guarantee, "
                    "requires_home_insurance, contract_forms, response_hours, version, "
                    "created_at, updated_at) VALUES (:id, '1780', :id, 2026, 1, 0, '[]', 0, "
                    "1, 1, 0, 1, 1, 0, '[]', :hours, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": landlord, "hours": hours},
            )
    command.upgrade(config, "d4e5f6a7b8c9")
    with engine.connect() as connection:
        rows: dict[str, str] = dict(
            connection.execute(
                sa.text(
                    "SELECT landlord_id, answer_hours || '/' || coalesce(response_hours, '-') "
                    "FROM agreements"
                )
            ).all()
        )
    assert rows == {"l-karlstad": "48/48", "l-none": "72/-"}
    command.downgrade(config, "c7e1a0f2b9d4")
    engine.dispose()
