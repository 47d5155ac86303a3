"""Every row of the service but the audit trail, to show that a request changed nothing else.

A GET may write one thing, the audit trail of the households it shows (docs/privacy.md);
a test takes `rows_but_audit` before and after it and asserts the two are equal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

import app.main  # noqa: F401  (every model registered)
from app.core.db import Base

AUDIT_TRAIL = frozenset({"audit_events"})


def rows_but_audit(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows (but the audit trail's), in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name not in AUDIT_TRAIL
        }
