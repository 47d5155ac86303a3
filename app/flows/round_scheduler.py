"""How the request that queued a round gets it run: a dependency, so the router knows no
queue and no worker (`Scheduler` in the handler's signature).

- PostgreSQL: the round's job (`match_round.RUN_ROUND`) is inserted *in the request's own
  transaction*, so a round is never queued without its job nor a job deferred for a round
  that was rolled back; a worker process runs it (app/jobs/worker.py).
- SQLite: the round runs in the API process after the response (a FastAPI background
  task, after the commit, so the round is visible to it).

Either way a sweep runs whatever these paths miss (app/flows/match_round.py `sweep`). It
sits beside the run it schedules, above the domains: the rounds router imports it, as a
router may trigger a flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.orm import Session

from app.core.db import SessionDep
from app.core.queue import defer_in_transaction
from app.flows import match_round


class RoundScheduler(Protocol):
    """Gets a round that this request queued run, once the request commits."""

    def schedule(self, round_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DeferInTransaction:
    """PostgreSQL: the job commits with the round, or neither does."""

    session: Session

    def schedule(self, round_id: str) -> None:
        # A failed defer leaves the round queued for the sweep; the request still succeeds.
        defer_in_transaction(
            self.session,
            match_round.RUN_ROUND,
            queue=match_round.QUEUE,
            queueing_lock=round_id,
            round_id=round_id,
        )


@dataclass(frozen=True, slots=True)
class RunAfterResponse:
    """SQLite: the API process runs the round once the response is sent."""

    background: BackgroundTasks
    session_factory: match_round.SessionFactory

    def schedule(self, round_id: str) -> None:
        self.background.add_task(match_round.run_in_background, self.session_factory, round_id)


def round_scheduler(
    request: Request, session: SessionDep, background: BackgroundTasks
) -> RoundScheduler:
    """The scheduler for this app's database."""
    if request.app.state.settings.backend == "sqlite":
        return RunAfterResponse(background, request.app.state.sessionmaker)
    return DeferInTransaction(session)


Scheduler = Annotated[RoundScheduler, Depends(round_scheduler)]
