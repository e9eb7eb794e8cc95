"""A data-quality report over a registry (no I/O): what a compliance analyst checks first.

Counts of self-holdings, entities whose known stakes sum above 100% (per basis), unknown
and ranged shares, nominees, dated and ended holdings, entities without a headquarters
country, cross-holding components, and entities by headquarters country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ownergate.domain.model import BASES
from ownergate.domain.shares import SCALE
from ownergate.graph.tables import (
    NO_NOMINEE,
    OPEN_END,
    OPEN_START,
    EntityColumns,
    HoldingColumns,
    day_number,
)


@dataclass(frozen=True)
class QualityReport:
    entities: int
    holdings: int
    counts: dict[str, int]
    over_100: list[tuple[str, str, float]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)


def quality_report(
    entities: EntityColumns, holdings: HoldingColumns, as_of: dt.date, examples: int = 10
) -> QualityReport:
    n, h = len(entities), holdings
    day = day_number(as_of)
    owner = np.where(h.nominee_for != NO_NOMINEE, h.nominee_for, h.owner)
    active = (h.start <= day) & (day < h.end)
    self_holding = owner == h.owned
    counts = {
        "treasury shares (self-holdings)": int(self_holding.sum()),
        "unknown shares": int((~h.known).sum()),
        "ranged shares": int((h.known & (h.low != h.high)).sum()),
        "held through a nominee": int((h.nominee_for != NO_NOMINEE).sum()),
        "dated holdings": int(((h.start != OPEN_START) | (h.end != OPEN_END)).sum()),
        "holdings not valid on the as-of date": int((~active).sum()),
        "entities without a headquarters country": int((entities.country == 0).sum()),
        "entities without any holding": int(
            n - np.count_nonzero(np.bincount(np.concatenate([owner, h.owned]), minlength=n))
        ),
    }
    over: list[tuple[str, str, float]] = []
    keep = active & ~self_holding
    for b, basis in enumerate(BASES):
        rows = active & (h.basis == b)  # treasury shares are part of the capital
        sums = np.bincount(h.owned[rows], weights=h.low[rows] / SCALE, minlength=n)
        bad = np.flatnonzero(sums > 1 + 1e-12)
        counts[f"entities whose {basis.value} stakes sum over 100%"] = len(bad)
        worst = bad[np.argsort(-sums[bad], kind="stable")][:examples]
        over += [(entities.id(e), basis.value, float(sums[e])) for e in worst]
    graph = sp.csr_array((np.ones(int(keep.sum())), (owner[keep], h.owned[keep])), shape=(n, n))
    ncomp, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=ncomp)
    counts["cross-holding components (cycles)"] = int((sizes > 1).sum())
    counts["entities in cross-holdings"] = int(sizes[sizes > 1].sum())
    per_country = np.bincount(
        entities.country.astype(np.int64), minlength=len(entities.country_vocab)
    )
    vocab = entities.country_vocab
    by_country = sorted(
        ((vocab[c] or "(none)", int(k)) for c, k in enumerate(per_country) if k),
        key=lambda item: -item[1],
    )
    return QualityReport(n, len(h), counts, over, by_country)
