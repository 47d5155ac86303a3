"""Block-by-block array helpers for arrays with an entry per eligible pair.

numpy casts an int32 index to intp before it gathers or counts with it; over every pair at
once that is a fresh 8-byte array per pair on every call, page faults included (≈ 0.3 s per
100 MB on the development machine). These helpers work a block at a time, reusing one small
index buffer, so a pass over tens of millions of pairs costs only its own memory traffic.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.signedinteger[Any]]
Bools = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
Values = TypeVar("Values", bound=npt.NDArray[Any])

#: Pairs per block of `gather`: small enough to stay in the cache, large enough that the
#: Python cost per block is noise.
GATHER_BLOCK = 1 << 16


def gather(
    table: Values,
    index: Ints,
    out: Values | None = None,
    *,
    subtract_from: bool = False,
    flag: Bools | None = None,
) -> Values:
    """out = table[index] (or, with `subtract_from`, out = table[index] − out), a block at a
    time. With `flag` the table holds two entries per index (unflagged, flagged) and entry
    2·index + flag is read."""
    n = len(index)
    fresh = np.empty(n, dtype=table.dtype)
    result: Values = fresh if out is None else out  # type: ignore[assignment]
    block = np.empty(min(n, GATHER_BLOCK), dtype=np.intp)
    values = np.empty(len(block), dtype=table.dtype)
    for start in range(0, n, GATHER_BLOCK):
        stop = min(n, start + GATHER_BLOCK)
        idx = block[: stop - start]
        idx[...] = index[start:stop]
        if flag is not None:
            idx *= 2
            idx += flag[start:stop]
        if subtract_from:
            got = values[: stop - start]
            np.take(table, idx, out=got)
            np.subtract(got, result[start:stop], out=result[start:stop])
        else:
            np.take(table, idx, out=result[start:stop])
    return result


def count(index: Ints, size: int, *, flag: Bools | None = None) -> I64:
    """How often each value 0 … size − 1 occurs in `index` (with `flag`: of each value as
    unflagged, flagged, interleaved: 2·size counts), block by block as `gather`."""
    counts = np.zeros(2 * size if flag is not None else size, dtype=np.int64)
    block = np.empty(min(len(index), GATHER_BLOCK), dtype=np.intp)
    for start in range(0, len(index), GATHER_BLOCK):
        stop = min(len(index), start + GATHER_BLOCK)
        idx = block[: stop - start]
        idx[...] = index[start:stop]
        if flag is not None:
            idx *= 2
            idx += flag[start:stop]
        counts += np.bincount(idx, minlength=len(counts))
    return counts


def ranges(starts: npt.NDArray[np.integer[Any]], sizes: npt.NDArray[np.integer[Any]]) -> I64:
    """The positions start, start + 1, …, start + size − 1 of every range, concatenated."""
    if len(sizes) == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    out: I64 = np.arange(int(sizes.sum()), dtype=np.int64)
    out += np.repeat(np.asarray(starts, dtype=np.int64) - offsets, sizes)
    return out
