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
from ownergate.explain import owners
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
    top_owner: npt.NDArray[np.int32]
    top_value: FloatArray
    owners: npt.NDArray[np.int32]
    seed_region: npt.NDArray[np.int16]


def ultimate_seed(g: PreparedGraph, top_owner: npt.NDArray[np.int32]) -> IntArray:
    """The seed each entity's restriction ultimately comes from, following the largest
    restricted owner (``top_owner``) upwards: the seed's row, -1 where the chain of
    largest owners ends in a cycle or at an entity with no restricted owner."""
    out: IntArray = owners.ultimate(np.asarray(top_owner, dtype=np.int32), g.seeds)
    return out


def _seed_region(result: ScreenResult, top: npt.NDArray[np.int32]) -> npt.NDArray[np.int16]:
    """The region country code of the seed ``ultimate_seed`` reaches, 0 for a listed seed,
    -1 where none is reached (a cycle of largest owners) or the entity is allowed."""
    g = result.graph
    root = ultimate_seed(g, top)
    region = np.where(root >= 0, g.region_country[np.maximum(root, 0)], -1).astype(np.int16)
    region[result.status == STATUSES.index(Status.ALLOWED)] = -1
    return region


def decision_columns(result: ScreenResult) -> DecisionColumns:
    """Per entity: the decision and its largest restricted owner (or contributor), their
    count, and the region of the seed it ultimately comes from. Restricted entities take
    them from the low run, the others from the high run; only entities with a restricted
    share (or a restriction) are looked at."""
    g = result.graph
    n = g.n
    top = np.full(n, -1, dtype=np.int32)
    value = np.zeros(n)
    count = np.zeros(n, dtype=np.int32)
    restricted = result.status == STATUSES.index(Status.RESTRICTED)
    for m in {int(x) for x in np.unique(result.method)}:
        for end in End:
            run = result.runs[(m, end)]
            pick = (result.method == m) & (restricted if end is End.LOW else ~restricted)
            rows = np.flatnonzero(pick & ~g.seeds & ((run.share > 0) | restricted))
            if not len(rows):
                continue
            for layer in g.layers:
                units = layer.low_units if end is End.LOW else layer.high_units
                plain, denom = layer.denominators(n, end)
                owners.top_owners(
                    rows, layer.in_ptr, layer.src, units, plain, denom, layer.per_one,
                    run.restricted, run.share, m == CONTROL, top, value, count,
                )  # fmt: skip
    return DecisionColumns(
        ids=g.entities.ids,
        status=result.status,
        reason=result.reason,
        method=result.method,
        share_min=result.share_min,
        share_max=result.share_max,
        top_owner=top,
        top_value=value,
        owners=count,
        seed_region=_seed_region(result, top),
    )
