"""Pins: a coordinator's fixed pairs, checked by the solver's own rules; what they use is
subtracted from every declared family (`matching.model.round_data`), and a family whose
capacity they exceed names the reason."""

from __future__ import annotations

import numpy as np

from matching.eligibility import check_pair
from matching.model import RoundData
from matching.problem import Problem


def check_pins(problem: Problem) -> tuple[list[tuple[int, int, bool]], str | None]:
    """Pins as (household, vacancy, exception) indices, or the reason they cannot hold."""
    pins: list[tuple[int, int, bool]] = []
    seen_h: dict[str, str] = {}
    seen_v: dict[str, str] = {}
    forbidden = frozenset(problem.forbidden)
    for hid, vid in problem.pinned:
        if seen_h.get(hid) == vid:
            continue  # the same pin twice
        if hid in seen_h:
            return [], f"pin {hid}–{vid} conflicts with pin {hid}–{seen_h[hid]}"
        if vid in seen_v:
            return [], f"pin {hid}–{vid} conflicts with pin {seen_v[vid]}–{vid}"
        check = check_pair(
            problem, problem.household(hid), problem.vacancy(vid), forbidden=forbidden
        )
        if check.reason is not None:
            return [], f"pin {hid}–{vid} is ineligible: {check.reason}"
        seen_h[hid] = vid
        seen_v[vid] = hid
        pins.append(
            (problem.index_of("household", hid), problem.index_of("vacancy", vid), check.exception)
        )
    return pins, None


def pin_capacity_reason(problem: Problem, data: RoundData) -> str | None:
    """The first ceiling family row the pins overfill, as a reason (None: they fit)."""
    for fr in data.families:
        if fr.family.soft:
            continue
        over = np.flatnonzero(fr.active & (fr.capacity < 0))
        if len(over):
            key = int(over[0])
            full = fr.family.capacity(problem)[key]
            return f"pins exceed the {fr.family.label(problem, key)} ({full:.0f})"
    return None
