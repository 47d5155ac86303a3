"""Round jobs in the tests: which database the suite runs on, and running what is queued."""

from __future__ import annotations

import os

from app.flows import match_round
from app.jobs.worker import queue_app
from tests.conftest import Api

POSTGRES = os.environ.get("TEST_DATABASE", "sqlite") == "postgresql"


def run_jobs(api: Api) -> None:
    """Let the queued rounds run. SQLite: the request's background task already ran them
    (TestClient runs background tasks before returning). PostgreSQL: one procrastinate
    worker, in this process, until the queue is empty."""
    if not POSTGRES:
        return
    url = api.app.state.settings.database_url
    queue_app(url, api.app.state.sessionmaker).run_worker(
        queues=[match_round.QUEUE], wait=False, install_signal_handlers=False, listen_notify=False
    )
