"""Running a match round: claim it, build and store its problem, solve it, write its result.

A flow (app/flows/): besides the round itself, a run expires the municipality's overdue
proposals first (app/proposals/service.py) and writes its result as proposals and
proposed vacancies (`write_solution`, app/rounds/translate.py), all in its transactions.

The same `execute_round` runs every round, wherever it runs: on SQLite in the API process
(after the response, app/flows/round_scheduler.py, or by the in-process worker's sweep), on
PostgreSQL in `python -m app worker` processes (the `RUN_ROUND` job, app/jobs/worker.py).

- `execute_round` claims the round atomically (queued → running), so however many paths
  reach one round, it runs once; the claim's moment is the run's token (see there).
- `sweep` catches what the scheduled paths miss: a queued round left by a restart or a
  lost job runs; a round whose worker died long ago is failed as interrupted.
- A round whose worker died wrote nothing, so it runs once more (`requeue_or_fail`); a
  second death fails it with a reason that says so.
- While the solver runs, its latest progress report is stored on the round at most once a
  second (`ProgressRecorder`), so `GET /v1/rounds/{id}` of a long round shows it is alive.

This module calls `matching` through its public face only (`Problem.from_json`, `solve`,
`ProblemError`): it solves the stored document, not ORM rows, so it needs no translation;
app/rounds/translate.py remains the one bridge between rows and the solver's types.
"""

from __future__ import annotations

import dataclasses
import inspect
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import matching
from app.core.db import utcnow
from app.policies.service import from_weights, policy_version
from app.proposals.service import expire_overdue
from app.rounds import repository
from app.rounds.events import announce_finished
from app.rounds.models import Round, request_of
from app.rounds.service import fail_stale_rounds
from app.rounds.translate import (
    SAT_OUT,
    QuotaOverride,
    RoundConflict,
    RoundInputs,
    SatOut,
    broken_pins,
    build_problem,
    refused_by_policy,
    sat_out,
    write_solution,
)
from app.vocabulary import RoundStatus

log = structlog.get_logger("app.flows.match_round")

SessionFactory = sessionmaker[Session]
QUEUE = "rounds"
"""The procrastinate queue of round jobs (and of the periodic sweeps)."""
RUN_ROUND = "run_round"
"""The job that runs one round: deferred by the request (app/flows/round_scheduler.py), run by
a worker (app/jobs/worker.py)."""
LOST_AFTER = timedelta(seconds=30)
"""A queued round this old was not picked up by its own job (a lost defer, a restart): the
sweep runs it."""
PROGRESS_EVERY = 1.0
"""Seconds between two stores of a running round's progress: the latest report wins."""
REQUEUED = "re-queued: the worker running it stopped; running it again (nothing was changed)"
INTERRUPTED_TWICE = (
    "interrupted twice: the worker running it stopped again; nothing was changed, start a new round"
)


def _reason(exc: BaseException) -> str:
    """A short reason without personal data: our own messages name no person; anything
    else is named by its type only (a driver message may quote row values)."""
    if isinstance(exc, RoundConflict):
        return f"conflict: {exc}; nothing was changed, run the round again"
    if isinstance(exc, matching.ProblemError):
        return f"invalid problem: {exc}"[:500]
    return f"internal error ({type(exc).__name__}); nothing was changed"


# --------------------------------------------------------------------------- progress

_SCALARS = (str, int, float, bool, type(None))


def progress_document(report: object, reported_at: datetime) -> dict[str, Any]:
    """A solver's progress report (`matching.Progress`, a frozen dataclass) as the round
    stores it: its phase, and its figures (pricing round, best bound, best objective so
    far). Only plain numbers and words are kept: a partial assignment is not shown, a
    round's proposals appear when it succeeds."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        fields = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    elif isinstance(report, Mapping):
        fields = {str(name): value for name, value in report.items()}
    else:
        fields = {}
    phase = fields.pop("phase", None)
    return {
        "reported_at": reported_at.isoformat(),
        "phase": None if phase is None else str(phase),
        "figures": {name: value for name, value in fields.items() if isinstance(value, _SCALARS)},
    }


class ProgressRecorder:
    """The solver's `progress` callback for one run of a round. The callback only keeps
    the latest report (it never waits for the database, so it cannot slow the solver); a
    thread of its own stores it on the round at most every `every` seconds, each time in
    a short transaction of its own — never inside the round's transactions (none is open
    while the solver runs), so it holds the round's row for a moment only. A store
    applies only while this run's claim stands (`repository.store_progress`); a failing
    store is logged once and never stops the round."""

    def __init__(
        self,
        session_factory: SessionFactory,
        round_id: str,
        claimed_at: datetime,
        *,
        every: float | None = None,
    ):
        self.session_factory = session_factory
        self.round_id = round_id
        self.claimed_at = claimed_at
        self.every = PROGRESS_EVERY if every is None else every
        self._latest: object | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._store_forever, name="round-progress")
        self._thread.daemon = True

    def __call__(self, report: object) -> None:
        with self._lock:
            self._latest = report

    def __enter__(self) -> ProgressRecorder:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join(timeout=5 * self.every + 5)

    def _store_forever(self) -> None:
        while not self._done.wait(self.every):
            self.store_latest()

    def store_latest(self) -> bool:
        """Store the report received since the last store, if any; True when it was
        stored (this run still holds the round)."""
        with self._lock:
            report, self._latest = self._latest, None
        if report is None:
            return False
        try:
            with self.session_factory.begin() as session:
                stored = repository.store_progress(
                    session,
                    self.round_id,
                    claimed_at=self.claimed_at,
                    progress=progress_document(report, utcnow()),
                )
        except Exception as exc:  # progress is a courtesy: the round goes on
            if not self._failing:
                log.warning(
                    "round_progress_failing", round_id=self.round_id, error=type(exc).__name__
                )
            self._failing = True
            return False
        self._failing = False
        return stored


def _solve(
    problem: matching.Problem, time_limit_s: int, recorder: ProgressRecorder
) -> matching.Solution:
    """`matching.solve`, reporting to `recorder` when this solver version takes a
    `progress` callback (reports are `matching.Progress`); without it the round simply
    shows no progress."""
    limit = float(time_limit_s)
    if "progress" not in inspect.signature(matching.solve).parameters:
        return matching.solve(problem, time_limit=limit, seed=0)
    solve: Callable[..., matching.Solution] = matching.solve  # `progress` is newer
    with recorder:
        return solve(problem, time_limit=limit, seed=0, progress=recorder)


# --------------------------------------------------------------------------- the run


def _stored(solution: matching.Solution, left_aside: tuple[SatOut, ...]) -> dict[str, Any]:
    """The round's result as stored: the solver's `matching-solution/1` and, beside it, the
    households that sat out (`SAT_OUT`)."""
    return {**solution.to_json(), SAT_OUT: [s.to_json() for s in left_aside]}


def round_inputs(session: Session, round_: Round) -> RoundInputs:
    """What the round was asked to solve with: the policy version recorded at its start, or
    a what-if round's own policy and quotas (`rounds.what_if`, app/rounds/service.py)."""
    request = request_of(round_)
    what_if = round_.what_if or {}
    what_if_policy = what_if.get("policy")
    return RoundInputs(
        municipality=round_.municipality_code,
        year=round_.year,
        policy=(
            from_weights(what_if_policy, version=round_.policy_version)
            if what_if_policy is not None
            else policy_version(session, round_.municipality_code, round_.policy_version)
        ),
        newly_arrived_min=int(request.get("newly_arrived_min", 0)),
        time_limit_s=round_.time_limit_s,
        now=round_.started_at or utcnow(),
        quota_overrides={
            landlord: QuotaOverride(**quotas)
            for landlord, quotas in (what_if.get("agreements") or {}).items()
        },
    )


def execute_round(session_factory: SessionFactory, round_id: str) -> str | None:
    """Run one round to its end; returns its final status, or None when another worker has
    it (or it is gone). Three transactions: claim; build and store the problem snapshot;
    write proposals, solution and `succeeded` together. On any exception the last one is
    rolled back whole and the round is marked `failed` with a short reason.

    The claim's moment (`started_at`) is this run's token: a run whose worker was taken
    for dead (no heartbeat) while it still ran finds another claim at the end, and writes
    nothing — its round was re-run elsewhere."""
    claimed_at = utcnow()
    with session_factory.begin() as session:
        if not repository.claim(session, round_id, claimed_at):
            return None
    log.info("round_started", round_id=round_id)
    try:
        with session_factory.begin() as session:
            # Overdue proposals free their vacancy and household first (time made that
            # change, not the round: it stands even if the round fails).
            municipality, dry_run = session.execute(
                select(Round.municipality_code, Round.dry_run).where(Round.id == round_id)
            ).one_or_none() or (None, False)
            # A what-if round changes nothing, not even that: it solves the snapshot as is.
            if municipality is not None and not dry_run:
                expire_overdue(session, utcnow(), municipality=municipality)
        with session_factory.begin() as session:
            round_ = session.get(Round, round_id)
            if round_ is None:
                return None
            inputs = round_inputs(session, round_)
            document = build_problem(session, inputs).to_json()
            round_.problem = document
            # Left out before solving: households the policy refuses, and those a pin
            # that is no longer eligible holds back (reported with the pin and the rule).
            pins = broken_pins(session, inputs)
            refused = refused_by_policy(session, inputs) + pins
            # Every household that takes no part, with its coded reason (stored with the
            # result: the live proposals it names change once the round has run).
            left_aside = sat_out(session, inputs, pins)
        # Solve exactly what was stored, so the download reproduces the result offline.
        problem = matching.Problem.from_json(document)
        recorder = ProgressRecorder(session_factory, round_id, claimed_at)
        solution = _solve(problem, inputs.time_limit_s, recorder)
        # Households the policy does not accept are reported unmatched with its reason.
        solution = replace(solution, unmatched=solution.unmatched + refused)
        with session_factory.begin() as session:
            round_ = session.get(Round, round_id, with_for_update=True)
            if (
                round_ is None
                or round_.status != RoundStatus.running
                or round_.started_at != claimed_at
            ):
                # Failed meanwhile (declared interrupted), or re-queued and claimed by
                # another run: this run's result must not appear.
                return round_.status if round_ is not None else None
            if solution.status == "infeasible":
                round_.status = RoundStatus.failed
                round_.error = f"infeasible: {solution.reason or 'no feasible assignment'}"
            else:
                if not round_.dry_run:  # a what-if round keeps its result and proposes nothing
                    write_solution(session, round_id=round_id, problem=problem, solution=solution)
                round_.status = RoundStatus.succeeded
                round_.error = None  # a note of an earlier, interrupted run
            round_.solution = _stored(solution, left_aside)
            round_.progress = None  # the solution says it all now
            round_.finished_at = utcnow()
            status = round_.status
            session.flush()
            if not round_.dry_run:
                announce_finished(session, round_id)
        log.info("round_finished", round_id=round_id, status=status)
        return status
    except Exception as exc:  # any failure fails the round, never the worker
        log.warning(
            "round_failed",
            round_id=round_id,
            error=type(exc).__name__,
            where=traceback.extract_tb(exc.__traceback__)[-1].name if exc.__traceback__ else "",
        )
        with session_factory.begin() as session:
            current = session.get(Round, round_id)
            if (
                current is not None
                and current.started_at == claimed_at
                and repository.mark_failed(session, round_id, _reason(exc), utcnow())
            ):
                announce_finished(session, round_id)
        return "failed"


def run_in_background(session_factory: SessionFactory, round_id: str) -> None:
    """The SQLite path: a FastAPI background task after the response; never raises."""
    try:
        execute_round(session_factory, round_id)
    except Exception:  # e.g. the database went away; the sweep retries
        log.exception("round_job_error", round_id=round_id)


def sweep(session_factory: SessionFactory, *, lost_after: timedelta = LOST_AFTER) -> int:
    """Fail rounds whose time ran out, then run queued rounds nobody picked up; returns how
    many rounds were run. Failing first writes what every read already shows
    (`app.rounds.outcome.outcome_at`): a round a read showed `failed` never runs after all."""
    with session_factory.begin() as session:
        fail_stale_rounds(session)
    with session_factory.begin() as session:
        waiting = repository.queued_ids(session, created_before=utcnow() - lost_after)
    ran = 0
    for round_id in waiting:  # a round left queued by a restart still runs
        if execute_round(session_factory, round_id) is not None:
            ran += 1
    return ran


# --------------------------------------------------------------------------- dead workers


def requeue_or_fail(session: Session, round_id: str, *, second_time: bool) -> str:
    """A round whose worker died wrote nothing: it runs once more; if that run dies too,
    it fails with a reason that says so. Returns `requeued` or `failed`."""
    if second_time:
        if repository.mark_failed(session, round_id, INTERRUPTED_TWICE, utcnow()):
            announce_finished(session, round_id)
        return "failed"
    repository.requeue(session, round_id, REQUEUED)
    return "requeued"


def recover_interrupted_rounds(session_factory: SessionFactory) -> int:
    """SQLite: one process runs every round, so a round `running` when it starts was
    interrupted by its death. Re-queue it once; a second interruption fails it."""
    with session_factory.begin() as session:
        rounds = repository.running(session)
        for round_ in rounds:
            outcome = requeue_or_fail(session, round_.id, second_time=round_.error == REQUEUED)
            log.warning("round_interrupted", round_id=round_.id, outcome=outcome)
    return len(rounds)
