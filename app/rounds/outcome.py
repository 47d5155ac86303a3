"""How a round reads as time passes: a round whose worker died, or that no worker picked
up, is `failed` from the moment its time ran out — shown so by every read (`outcome_at`) and
written so by the sweep (`app.rounds.service.fail_stale_rounds`), so that the two agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.rounds.models import Round
from app.vocabulary import RoundStatus

STALE_GRACE = timedelta(minutes=2)
"""A running round is interrupted once it ran twice its time limit plus this grace: the
solver stops at its limit, and building and writing take seconds."""
INTERRUPTED = "interrupted: the worker stopped before the round finished; nothing was changed"


QUEUE_TIMEOUT = timedelta(minutes=15)
"""A round still queued after this was never picked up (no worker runs): it is failed so
that the municipality is not blocked; the coordinator starts another when workers run."""
NOT_STARTED = "not started: no worker picked the round up in time; nothing was changed"


@dataclass(frozen=True, slots=True)
class TimedOut:
    """A round whose time ran out: `at` that moment, `reason` the error it fails with."""

    at: datetime
    reason: str


def timed_out(round_: Round, now: datetime) -> TimedOut | None:
    """A running round far past its time limit (its worker died), or a queued round no
    worker picked up: `failed` from the moment its time ran out. Every read shows it so
    (`outcome_at`), and `fail_stale_rounds` writes exactly this."""
    if round_.status == RoundStatus.queued:
        found = TimedOut(round_.created_at + QUEUE_TIMEOUT, NOT_STARTED)
    elif round_.status == RoundStatus.running and round_.started_at is not None:
        limit = timedelta(seconds=2 * round_.time_limit_s) + STALE_GRACE
        found = TimedOut(round_.started_at + limit, INTERRUPTED)
    else:
        return None
    return found if found.at < now else None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a round reads as at a moment."""

    status: RoundStatus
    error: str | None
    finished_at: datetime | None


def outcome_at(round_: Round, now: datetime) -> Outcome:
    """The round as its row says, or — its time ran out — failed as the sweep will write
    it (the same reason; `finished_at` the moment its time ran out), without writing it."""
    out = timed_out(round_, now)
    if out is None:
        return Outcome(RoundStatus(round_.status), round_.error, round_.finished_at)
    return Outcome(RoundStatus.failed, out.reason, out.at)
