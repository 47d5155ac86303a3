"""The greedy fallback, used only when the time limit ends the exact method: households by
weight, every declared family's capacity respected; floors are filled first, as far as they
can be."""

from __future__ import annotations

import numpy as np

from matching.model import I64, RoundData


def greedy(data: RoundData, cols: I64) -> I64:
    """A feasible solution over the candidate pairs `cols` (sorted chosen pairs)."""
    ceilings = [fr for fr in data.families if not fr.family.soft]
    floors = [fr for fr in data.families if fr.family.soft]
    left = [np.where(fr.active, fr.capacity, np.inf) for fr in ceilings]
    keys = [fr.pair_key[cols].tolist() for fr in ceilings]
    order = np.lexsort((cols, -data.weights(cols)))
    taken = np.zeros(len(cols), dtype=bool)
    chosen: list[int] = []

    def try_take(position: int) -> bool:
        for left_f, keys_f in zip(left, keys, strict=True):
            k = keys_f[position]
            if k >= 0 and left_f[k] < 1:
                return False
        for left_f, keys_f in zip(left, keys, strict=True):
            k = keys_f[position]
            if k >= 0:
                left_f[k] -= 1
        taken[position] = True
        chosen.append(int(cols[position]))
        return True

    for fr in floors:
        need = np.where(fr.active, fr.capacity, 0.0)
        floor_keys = fr.pair_key[cols]
        for position in order.tolist():
            k = int(floor_keys[position])
            if k < 0 or need[k] < 1 or taken[position]:
                continue
            if try_take(position):
                need[k] -= 1
    for position in order.tolist():
        if not taken[position]:
            try_take(position)
    return np.array(sorted(chosen), dtype=np.int64)
