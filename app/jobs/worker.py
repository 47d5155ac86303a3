"""The worker: the processes and threads that run queued jobs — rounds
(app/flows/match_round.py), webhook deliveries (app/events/delivery.py) — and the periodic
sweeps, which call the domains' own services.

- SQLite: one thread in the API process (`start_in_process_worker`, from the app's
  lifespan) sweeps rounds, announces due events and erases expired data; rounds
  themselves run after the request that queued them (app/flows/round_scheduler.py).
- PostgreSQL: `python -m app worker` processes (several may run, on several machines) run
  procrastinate's worker (`queue_app`): the round jobs the requests deferred, webhook
  deliveries, and the same sweeps as periodic tasks. `WorkerSupervisor` restarts a worker
  that lost the database, recovers the jobs of workers that died
  (`recover_stalled_jobs`) and keeps the health file that `worker --check` reads.
- Every hour the same workers erase closed cases past `ENVAGIN_RETENTION_DAYS`
  (`erase_expired_cases`; docs/privacy.md); `python -m app erase-expired` remains for cron.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import procrastinate
import structlog
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.db import create_db_engine, local_date, session_factory, utcnow
from app.core.queue import QUEUE_SCHEMA, conninfo, ensure_queue_schema
from app.events.delivery import DeliveryThread
from app.events.delivery import register_tasks as register_delivery_tasks
from app.events.delivery_jobs import QUEUE as WEBHOOK_QUEUE
from app.events.service import purge_expired_events
from app.flows import match_round
from app.flows.erasure import erase_expired
from app.flows.match_round import QUEUE, RUN_ROUND
from app.policies.service import current_policy
from app.prevention.events import announce_deadlines
from app.prevention.service import erase_expired as erase_expired_prevention
from app.proposals.events import warn_deadlines
from app.proposals.service import expire_overdue
from app.tenancies.events import (
    announce_establishments_ending,
    announce_steps_due,
    announce_transfers_overdue,
)

log = structlog.get_logger("app.jobs.worker")

SessionFactory = sessionmaker[Session]
SWEEP_ROUNDS = "sweep_rounds"
ERASE_EXPIRED = "erase_expired"
ERASE_CRON = "17 * * * *"
ANNOUNCE_DUE = "announce_due"
RETENTION_EVERY = timedelta(hours=1)
"""How often closed cases past `ENVAGIN_RETENTION_DAYS` are erased: hourly, so no case
outlives its retention by more than an hour, whichever process runs the jobs."""
POLL_SECONDS = 5.0
"""How often the in-process worker (SQLite) sweeps."""


# --------------------------------------------------------------------------- periodic work


def announce_due(session_factory: SessionFactory, now: datetime | None = None) -> int:
    """The events that time, not a request, makes due (docs/events.md), in one
    transaction: overdue proposals expire (`proposal.expired`), answers due within 24 hours
    are warned of (`proposal.deadline_approaching`), tenancies whose step became possible
    are announced (`tenancy.step_due`), and those past their latest month without a
    transfer (`tenancy.transfer_overdue`), and those whose household's establishment
    period ends soon (`tenancy.establishment_ending`). Each is emitted once. Returns how
    many."""
    moment = now or utcnow()
    with session_factory.begin() as session:
        expired = expire_overdue(session, moment)
        warned = warn_deadlines(session, moment)
        due = announce_steps_due(session, local_date(moment))
        overdue = announce_transfers_overdue(session, local_date(moment))
        ending = announce_establishments_ending(
            session,
            local_date(moment),
            lambda code: current_policy(session, code).establishment_notice_months,
        )
        prevention = announce_deadlines(session, moment)
    return expired + warned + due + overdue + ending + prevention


def purge_events(session_factory: SessionFactory, retention_days: int) -> int:
    """Events (and their deliveries) older than `ENVAGIN_EVENT_RETENTION_DAYS` go."""
    with session_factory.begin() as session:
        purged = purge_expired_events(session, utcnow(), retention_days)
    if purged:
        log.info("events_purged", purged=purged, retention_days=retention_days)
    return purged


def erase_expired_cases(session_factory: SessionFactory, retention_days: int) -> int:
    """One retention pass (docs/privacy.md): erase every case closed longer than the
    retention ago, in one transaction; 0 days = erasure on request only. Returns how many."""
    if retention_days <= 0:
        return 0
    with session_factory.begin() as session:
        erased = erase_expired(session, utcnow(), retention_days)
    if erased:
        log.info("retention_erased", erased=len(erased), retention_days=retention_days)
    return len(erased)


def erase_expired_prevention_cases(session_factory: SessionFactory, retention_months: int) -> int:
    """Prevention cases closed longer than `ENVAGIN_PREVENTION_RETENTION_MONTHS` lose the
    tenant's identity (docs/prevention.md); the counts stay. Returns how many."""
    with session_factory.begin() as session:
        erased = erase_expired_prevention(session, utcnow(), retention_months)
    if erased:
        log.info("prevention_erased", erased=len(erased), retention_months=retention_months)
    return len(erased)


# --------------------------------------------------------------------------- dead workers

_RECOVERY_LOCK = 0x656E7672  # "envr": one recovery pass at a time across workers
_STALLED_JOBS = text(
    """
    SELECT job.id, job.task_name, job.args, job.attempts
      FROM procrastinate.procrastinate_jobs job
      LEFT JOIN procrastinate.procrastinate_workers worker ON worker.id = job.worker_id
     WHERE job.status = 'doing'
       AND (job.worker_id IS NULL
            OR worker.last_heartbeat < now() - make_interval(secs => :stalled_after))
       FOR UPDATE OF job SKIP LOCKED
    """
)


def recover_stalled_jobs(session_factory: SessionFactory, *, stalled_after: float) -> int:
    """PostgreSQL: jobs whose worker stopped sending procrastinate's heartbeats (killed,
    frozen, cut off). A round job is retried once — its round re-queued — and fails the
    round with a clear reason the second time; any other job (a sweep, a delivery run) is
    marked failed, since the next periodic run does its work again. One pass at a time
    across all workers (an advisory lock), in one transaction: never a half-recovered job."""
    with session_factory.begin() as session:
        locked = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _RECOVERY_LOCK}
        ).scalar()
        if not locked:
            return 0
        # procrastinate's functions name its tables unqualified: its schema goes first.
        session.execute(text(f"SET LOCAL search_path TO {QUEUE_SCHEMA}, public"))
        stalled = session.execute(_STALLED_JOBS, {"stalled_after": stalled_after}).all()
        for job in stalled:
            retry = job.task_name == RUN_ROUND and job.attempts == 0
            if job.task_name == RUN_ROUND:
                round_id = str(job.args.get("round_id", ""))
                outcome = match_round.requeue_or_fail(session, round_id, second_time=not retry)
                log.warning("round_worker_died", round_id=round_id, outcome=outcome)
            if retry:
                session.execute(
                    text(
                        "SELECT procrastinate.procrastinate_retry_job_v2"
                        "(:id, now(), NULL, NULL, NULL)"
                    ),
                    {"id": job.id},
                )
            else:
                session.execute(
                    text(
                        "UPDATE procrastinate.procrastinate_jobs SET status = 'failed' "
                        "WHERE id = :id AND status = 'doing'"
                    ),
                    {"id": job.id},
                )
    return len(stalled)


# --------------------------------------------------------------------------- SQLite


class InProcessWorker:
    """One background thread sweeping rounds and announcing due events every few seconds,
    and erasing expired cases and events every hour (SQLite: no worker processes)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        poll_seconds: float = POLL_SECONDS,
        *,
        retention_days: int = 0,
        event_retention_days: int = 30,
        prevention_retention_months: int = 24,
    ):
        self.session_factory = session_factory
        self.prevention_retention_months = prevention_retention_months
        self.poll_seconds = poll_seconds
        self.retention_days = retention_days
        self.event_retention_days = event_retention_days
        self._erased_at: datetime | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run_forever, name="round-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_forever(self) -> None:
        """Sweep until stopped (in the thread, or in the foreground for `app worker`)."""
        # At start, a round left running by a killed process is re-queued once, and a
        # queued round left by a restart runs at once (lost_after=0).
        try:
            match_round.recover_interrupted_rounds(self.session_factory)
        except Exception:
            log.exception("round_recovery_error")
        lost_after = timedelta(0)
        while not self._stop.is_set():
            try:
                match_round.sweep(self.session_factory, lost_after=lost_after)
            except Exception:  # keep sweeping; the next pass retries
                log.exception("round_sweep_error")
            lost_after = match_round.LOST_AFTER
            try:
                announce_due(self.session_factory)
            except Exception:
                log.exception("event_sweep_error")
            self.retention_pass(utcnow())
            self._stop.wait(self.poll_seconds)

    def retention_pass(self, now: datetime) -> int:
        """Erase expired cases if the last pass is an hour old (the first pass runs at
        start); never raises — the next pass retries."""
        if self._erased_at is not None and now - self._erased_at < RETENTION_EVERY:
            return 0
        try:
            erased = erase_expired_cases(self.session_factory, self.retention_days)
            erase_expired_prevention_cases(self.session_factory, self.prevention_retention_months)
            purge_events(self.session_factory, self.event_retention_days)
        except Exception:
            log.exception("retention_error")
            return 0
        self._erased_at = now
        return erased


def start_in_process_worker(app: Any) -> None:
    """Called from the app's lifespan: on SQLite start the sweeping thread and the webhook
    delivery thread (on PostgreSQL worker processes do the work: `python -m app worker`)."""
    settings = app.state.settings
    if settings.backend != "sqlite":
        return
    worker = InProcessWorker(
        app.state.sessionmaker,
        retention_days=settings.retention_days,
        event_retention_days=settings.event_retention_days,
        prevention_retention_months=settings.prevention_retention_months,
    )
    app.state.round_worker = worker
    worker.start()
    delivery = DeliveryThread(
        app.state.sessionmaker, production=settings.environment == "production"
    )
    app.state.delivery_thread = delivery
    delivery.start()


def stop_in_process_worker(app: Any) -> None:
    worker = getattr(app.state, "round_worker", None)
    if worker is not None:
        worker.stop()
        app.state.round_worker = None
    delivery = getattr(app.state, "delivery_thread", None)
    if delivery is not None:
        delivery.stop()
        app.state.delivery_thread = None


# --------------------------------------------------------------------------- PostgreSQL


def queue_app(
    database_url: str,
    session_factory: SessionFactory,
    *,
    retention_days: int = 0,
    event_retention_days: int = 30,
    production: bool = False,
    prevention_retention_months: int = 24,
) -> procrastinate.App:
    """A procrastinate app whose tasks run rounds on this database, sweep them and announce
    due events every minute, deliver webhooks, and erase expired cases and events every
    hour."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url, queue=True))
    )

    @app.task(name=RUN_ROUND, queue=QUEUE)
    def run_round(round_id: str) -> None:
        match_round.execute_round(session_factory, round_id)

    @app.periodic(cron="* * * * *", periodic_id=SWEEP_ROUNDS)
    @app.task(name=SWEEP_ROUNDS, queue=QUEUE, queueing_lock=SWEEP_ROUNDS)
    def sweep_rounds(timestamp: int) -> None:
        match_round.sweep(session_factory)

    @app.periodic(cron=ERASE_CRON, periodic_id=ERASE_EXPIRED)
    @app.task(name=ERASE_EXPIRED, queue=QUEUE, queueing_lock=ERASE_EXPIRED)
    def erase_expired_task(timestamp: int) -> None:
        erase_expired_cases(session_factory, retention_days)
        erase_expired_prevention_cases(session_factory, prevention_retention_months)
        purge_events(session_factory, event_retention_days)

    @app.periodic(cron="* * * * *", periodic_id=ANNOUNCE_DUE)
    @app.task(name=ANNOUNCE_DUE, queue=QUEUE, queueing_lock=ANNOUNCE_DUE)
    def announce_due_task(timestamp: int) -> None:
        announce_due(session_factory)

    register_delivery_tasks(app, session_factory, production=production)
    return app


HEARTBEAT_SECONDS = 5.0
"""How often a worker tells the database it is alive (procrastinate's heartbeat)."""
RECOVER_EVERY = 5.0
RESTART_AFTER = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Waits before restarting a worker that lost the database: growing, then capped."""
HEALTH_FILE = "envagin-worker.health"


def health_path(settings: Settings) -> Path:
    """Where a worker notes that it is connected and working (`worker --check` reads it)."""
    return Path(settings.worker_health_file or Path(tempfile.gettempdir()) / HEALTH_FILE)


def worker_is_healthy(settings: Settings, now: float | None = None) -> bool:
    """`python -m app worker --check`: the worker noted itself healthy in the last
    three recovery passes (15 s): it reaches the database and its queue loop runs."""
    try:
        noted = health_path(settings).stat().st_mtime
    except OSError:
        return False
    return (now if now is not None else time.time()) - noted < 3 * RECOVER_EVERY


class WorkerSupervisor:
    """`python -m app worker` on PostgreSQL: a procrastinate worker that survives the
    database. When the worker stops for any reason but a signal (procrastinate stops it
    when its listener loses the connection), it is started again after a growing wait.
    Beside it, a thread recovers jobs of workers that died (`recover_stalled_jobs`) every
    few seconds and keeps the health file fresh. The lost database is logged once per
    outage, by whichever notices it first: usually that thread, as procrastinate's idle
    listener may notice only once the database is back. Exits 0 on SIGTERM or SIGINT only;
    what cannot heal (bad settings) fails before this starts."""

    def __init__(self, settings: Settings, factory: SessionFactory, *, concurrency: int):
        self.settings = settings
        self.factory = factory
        self.concurrency = concurrency
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self._was_connected = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._outage = threading.Lock()
        self._loss_logged = False
        """The current outage is logged; cleared when the database answers again."""
        self._loss_seen_in_run = False
        """The recovery thread saw the database go during the worker's current run, so the
        run's end (often a second after the database is back) is no news."""
        self._recovery_failing = False

    def stop(self, *_: Any) -> None:
        self.stopping.set()
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)  # procrastinate then stops gracefully

    async def _run_once(self, *, reconnecting: bool) -> None:
        self._was_connected = False
        settings = self.settings
        queue = queue_app(
            settings.database_url,
            self.factory,
            retention_days=settings.retention_days,
            event_retention_days=settings.event_retention_days,
            production=settings.environment == "production",
            prevention_retention_months=settings.prevention_retention_months,
        )
        async with queue.open_async():
            if not await queue.check_connection_async():
                raise ConnectionError("the queue's tables are not reachable")
            self.connected.set()
            self._was_connected = True
            with self._outage:
                self._loss_logged = self._loss_seen_in_run = False
            if reconnecting:
                log.info("worker_reconnected")
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.create_task(
                queue.run_worker_async(
                    queues=[QUEUE, WEBHOOK_QUEUE],
                    concurrency=self.concurrency,
                    install_signal_handlers=False,
                    update_heartbeat_interval=HEARTBEAT_SECONDS,
                    stalled_worker_timeout=settings.worker_stalled_seconds,
                )
            )
            if self.stopping.is_set():
                self._task.cancel()
            try:
                await self._task
            finally:
                self._task = None
                self.connected.clear()

    def _recover_forever(self) -> None:
        while not self.stopping.wait(RECOVER_EVERY):
            self.recovery_pass()

    def recovery_pass(self) -> None:
        """Recover stalled jobs and note the worker healthy. Its query is the worker's
        first to meet a lost database (every `RECOVER_EVERY` seconds), so its failure is
        where the loss is logged."""
        try:
            recover_stalled_jobs(self.factory, stalled_after=self.settings.worker_stalled_seconds)
        except Exception as exc:
            if not self._recovery_failing:
                self._recovery_failing = True
                detail = str(exc).splitlines()[0][:200] if str(exc) else ""
                self.lost_database(type(exc).__name__, noticed_by="recovery", detail=detail)
            return
        if self.connected.is_set():
            health_path(self.settings).touch()
        if self._recovery_failing:
            self._recovery_failing = False
            with self._outage:
                if self.connected.is_set():
                    # The worker rode out the outage: the next one is news again.
                    self._loss_logged = False

    def lost_database(self, reason: str, *, noticed_by: str, **fields: Any) -> None:
        """`worker_lost_database`, once per outage: when the recovery thread first fails,
        or when the worker stops, whichever comes first."""
        with self._outage:
            already = self._loss_logged or (noticed_by == "worker" and self._loss_seen_in_run)
            self._loss_logged = True
            if noticed_by == "recovery" and self.connected.is_set():
                self._loss_seen_in_run = True
        if not already:
            log.error(
                "worker_lost_database",
                reason=reason,
                noticed_by=noticed_by,
                restarting=noticed_by == "worker",
                **fields,
            )

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)
        threading.Thread(target=self._recover_forever, name="recovery", daemon=True).start()
        failures = 0
        while not self.stopping.is_set():
            reason = "the worker stopped"
            try:
                asyncio.run(self._run_once(reconnecting=failures > 0))
            except (Exception, asyncio.CancelledError) as exc:
                reason = type(exc).__name__
            if self.stopping.is_set():
                break
            if self._was_connected:
                failures = 0  # it ran: this is a new failure, not the same outage
            self.lost_database(reason, noticed_by="worker")
            wait = RESTART_AFTER[min(failures, len(RESTART_AFTER) - 1)]
            failures += 1
            self.stopping.wait(wait)
        log.info("worker_stopped")
        with contextlib.suppress(OSError):
            health_path(self.settings).unlink()
        return 0


def run_worker(settings: Settings, *, concurrency: int = 3) -> int:
    """`python -m app worker`: on PostgreSQL a supervised procrastinate worker (several
    may run, on several machines) taking round and webhook jobs, `concurrency` at once (a
    long solve does not hold up deliveries); on SQLite the in-process sweeping loop in the
    foreground, with the delivery thread beside it. Returns the exit status."""
    database_url = settings.database_url
    production = settings.environment == "production"
    engine = create_db_engine(database_url)
    factory = session_factory(engine, settings)
    try:
        if settings.backend == "sqlite":
            delivery = DeliveryThread(factory, production=production)
            delivery.start()
            worker = InProcessWorker(
                factory,
                retention_days=settings.retention_days,
                event_retention_days=settings.event_retention_days,
            )
            try:
                worker.run_forever()
            finally:
                delivery.stop()
            return 0
        ensure_queue_schema(database_url)
        return WorkerSupervisor(settings, factory, concurrency=concurrency).run()
    finally:
        engine.dispose()
