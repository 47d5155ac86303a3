"""What the solver's stages hand each other and the caller: the `Outcome` of the tiers, the
`Progress` reports of a long round, and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.constraints import I64


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report of `solve(…, progress=callback)`.

    `phase` is one of "eligibility", "relaxation" (column generation; `pricing_round` counts
    its rounds), "integral finish", "spread", "fit" and "done". `bound` is the best proven
    upper bound on the objective so far and `objective` the best solution's objective so far
    (both with pins, None while unknown); while a newly-arrived floor is short, the bound is
    on weight minus the penalised shortfall."""

    phase: str
    pricing_round: int
    bound: int | None
    objective: int | None
    seconds: float


ProgressCallback = Callable[[Progress], None]


class Clock:
    """Wall-clock of one solve against its time limit."""

    def __init__(self, limit: float) -> None:
        self.start = time.perf_counter()
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return max(0.0, self.limit - self.elapsed())


class Reporter:
    """Sends `Progress` to the caller's callback (if any), remembering the best figures."""

    def __init__(self, callback: ProgressCallback | None, clock: Clock, offset: int) -> None:
        self.callback = callback
        self.clock = clock
        self.offset = offset  # the pinned weight, added to every figure
        self.bound: int | None = None
        self.objective: int | None = None
        self.pricing_round = 0

    def __call__(
        self,
        phase: str,
        *,
        pricing_round: int | None = None,
        bound: float | None = None,
        objective: int | None = None,
    ) -> None:
        if pricing_round is not None:
            self.pricing_round = pricing_round
        if bound is not None:
            value = int(np.floor(bound + 1e-6)) + self.offset
            self.bound = value if self.bound is None else min(self.bound, value)
        if objective is not None:
            value = objective + self.offset
            self.objective = value if self.objective is None else max(self.objective, value)
        if self.callback is not None:
            self.callback(
                Progress(
                    phase=phase,
                    pricing_round=self.pricing_round,
                    bound=self.bound,
                    objective=self.objective,
                    seconds=round(self.clock.elapsed(), 3),
                )
            )


@dataclass
class Outcome:
    """What the tiers produced, handed to `explain.build_solution`."""

    status: str
    chosen: I64  # indices into the pair arrays of the chosen free pairs
    objective: int
    bound: int
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def nothing() -> I64:
    """No pairs."""
    return np.zeros(0, dtype=np.int64)
