"""Quota pacing: an agreement may spread its quota over the year instead of letting the
first rounds take it all (Annie MOORE spreads yearly capacities over the year the same way).

With `even` pacing, by a day in month *m* of the agreement year the share due is
⌊quota × m / 12⌋ — a round in March may use at most a quarter of the year's quota, less
what the year has already delivered (tenancies and live proposals). Rounding down keeps
the promise "at most"; a small quota's first flat comes in the month its share reaches one.
A round before the agreement year plans with January's share, after it with the whole
quota. The exception quota is not paced: its few places go to whoever qualifies first.

The one place this rule lives: the round's capacities (app/rounds/translate.py) and the
quota view's `expected_to_date` (app/tenancies/service.py) both call `quota_due`."""

from __future__ import annotations

from datetime import date

from app.vocabulary import Pacing


def quota_due(quota: int, pacing: str, *, year: int, on: date) -> int:
    """The part of `quota` that may have been used by `on` under `pacing`."""
    if pacing != Pacing.even:
        return quota
    if on.year < year:
        months = 1
    elif on.year > year:
        months = 12
    else:
        months = on.month
    return quota * months // 12
