"""Small vectorised helpers over compressed sparse rows (indptr + payload arrays)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def gather_ranges(indptr: npt.NDArray[np.integer], rows: npt.NDArray[np.integer]) -> IntArray:
    """Positions ``indptr[r]:indptr[r+1]`` for every r in ``rows``, concatenated."""
    if len(rows) == 0:
        return np.empty(0, dtype=np.int64)
    starts = indptr[rows].astype(np.int64, copy=False)
    counts = indptr[rows + 1].astype(np.int64, copy=False) - starts
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    nonempty = counts > 0
    starts, counts = starts[nonempty], counts[nonempty]
    # Each run begins at its start; within a run positions step by one.
    step = np.ones(total, dtype=np.int64)
    heads = np.cumsum(counts[:-1])
    step[0] = starts[0]
    step[heads] = starts[1:] - (starts[:-1] + counts[:-1] - 1)
    return np.cumsum(step)
