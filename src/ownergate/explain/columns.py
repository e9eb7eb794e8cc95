"""Whole-registry decision columns, vectorised: what ``screen`` writes for every entity.

Besides status, reason, method and shares, each entity gets the facts its one-line evidence
is made of: its largest restricted owner (control) or contributor (effective), how many
there are, and the region of the seed its restriction ultimately comes from (followed along
the largest owners).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergate.domain.model import REASONS, STATUSES, Status
from ownergate.domain.shares import End
from ownergate.engine.screen import CONTROL, METHODS, ScreenResult
from ownergate.graph.prepare import PreparedGraph

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


STATUS_LABELS = tuple(s.value for s in STATUSES)
REASON_LABELS = tuple(r.value for r in REASONS)
METHOD_LABELS = tuple(METHODS)


@dataclass(frozen=True)
class DecisionColumns:
    """``status``/``reason``/``method`` are small-integer codes into the ``*_LABELS``
    tuples: cheap to count and compare over millions of rows."""

    ids: Any
    status: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int8]
    method: npt.NDArray[np.int8]
    share_min: FloatArray
    share_max: FloatArray
    top_owner: IntArray
    top_value: FloatArray
    owners: npt.NDArray[np.int32]
    seed_region: npt.NDArray[np.int16]


def _top_owners(
    result: ScreenResult, method: int, end: End
) -> tuple[IntArray, FloatArray, npt.NDArray[np.int32]]:
    """Per entity: the largest restricted owner's (or contributor's) index, value, count."""
    g = result.graph
    run = result.runs[(method, end)]
    top = np.full(g.n, -1, dtype=np.int64)
    best = np.zeros(g.n)
    count = np.zeros(g.n, dtype=np.int32)
    for layer in g.layers:
        vals = layer.low if end is End.LOW else layer.high
        if method == CONTROL:
            keep = np.flatnonzero(run.restricted[layer.src])
            value = vals[keep]
        else:
            weight = run.share[layer.src]
            value = vals * np.where(np.isfinite(weight), weight, 1.0)
            keep = np.flatnonzero(value > 0)
            value = value[keep]
        dst, src = layer.dst[keep], layer.src[keep]
        layer_best = np.zeros(g.n)
        np.maximum.at(layer_best, dst, value)
        count += np.bincount(dst, minlength=g.n).astype(np.int32)
        win = (value >= layer_best[dst]) & (value > best[dst])
        top[dst[win]] = src[win]
        np.maximum(best, layer_best, out=best)
    return top, best, count


def ultimate_seed(g: PreparedGraph, top_owner: IntArray) -> IntArray:
    """The seed each entity's restriction ultimately comes from, following the largest
    restricted owner (``top_owner``) upwards: the seed's row, -1 where the chain of
    largest owners ends in a cycle or at an entity with no restricted owner."""
    idx = np.arange(g.n, dtype=np.int64)
    root = np.where(g.seeds, idx, top_owner)
    root = np.where(root < 0, idx, root)
    # Pointer jumping doubles the distance covered per round: 64 rounds cover any chain.
    for _ in range(64):
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return np.where(g.seeds[root], root, -1)


def _seed_region(result: ScreenResult, top: IntArray) -> npt.NDArray[np.int16]:
    """The region country code of the seed ``ultimate_seed`` reaches, 0 for a listed seed,
    -1 where none is reached (a cycle of largest owners) or the entity is allowed."""
    g = result.graph
    root = ultimate_seed(g, top)
    region = np.where(root >= 0, g.region_country[np.maximum(root, 0)], -1).astype(np.int16)
    region[result.status == STATUSES.index(Status.ALLOWED)] = -1
    return region


def decision_columns(result: ScreenResult) -> DecisionColumns:
    g = result.graph
    n = g.n
    top = np.full(n, -1, dtype=np.int64)
    value = np.zeros(n)
    owners = np.zeros(n, dtype=np.int32)
    restricted = result.status == STATUSES.index(Status.RESTRICTED)
    for m in {int(x) for x in np.unique(result.method)}:
        for end in End:
            pick = (result.method == m) & (restricted if end is End.LOW else ~restricted)
            if not pick.any():
                continue
            t, v, c = _top_owners(result, m, end)
            top[pick], value[pick], owners[pick] = t[pick], v[pick], c[pick]
    top[g.seeds] = -1
    return DecisionColumns(
        ids=g.entities.ids,
        status=result.status,
        reason=result.reason,
        method=result.method,
        share_min=result.share_min,
        share_max=result.share_max,
        top_owner=top,
        top_value=value,
        owners=owners,
        seed_region=_seed_region(result, top),
    )
