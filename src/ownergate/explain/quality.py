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
    # What each count is made of: entity ids, or "OWNER → OWNED" for holdings.
    members: dict[str, list[str]] = field(default_factory=dict)


def quality_report(
    entities: EntityColumns,
    holdings: HoldingColumns,
    as_of: dt.date,
    examples: int = 10,
    member_limit: int | None = None,
) -> QualityReport:
    """The report; ``members`` lists up to ``member_limit`` (all when None) entities or
    holdings behind each count."""
    n, h = len(entities), holdings
    day = day_number(as_of)
    owner = np.where(h.nominee_for != NO_NOMINEE, h.nominee_for, h.owner)
    active = (h.start <= day) & (day < h.end)
    self_holding = owner == h.owned
    holding_checks = {
        "treasury shares (self-holdings)": self_holding,
        "unknown shares": ~h.known,
        "ranged shares": h.known & (h.low != h.high),
        "held through a nominee": h.nominee_for != NO_NOMINEE,
        "dated holdings": (h.start != OPEN_START) | (h.end != OPEN_END),
        "holdings not valid on the as-of date": ~active,
    }
    held = np.bincount(np.concatenate([owner, h.owned]), minlength=n) > 0
    entity_checks = {
        "entities without a headquarters country": entities.country == 0,
        "entities without any holding": ~held,
    }
    counts = {name: int(mask.sum()) for name, mask in holding_checks.items()}
    counts.update({name: int(mask.sum()) for name, mask in entity_checks.items()})
    members = {
        name: [f"{entities.id(int(owner[r]))} → {entities.id(int(h.owned[r]))}"
               for r in np.flatnonzero(mask)[:member_limit].tolist()]
        for name, mask in holding_checks.items()
    }  # fmt: skip
    members.update(
        {
            name: [entities.id(int(e)) for e in np.flatnonzero(mask)[:member_limit].tolist()]
            for name, mask in entity_checks.items()
        }
    )
    over: list[tuple[str, str, float]] = []
    keep = active & ~self_holding
    for b, basis in enumerate(BASES):
        rows = active & (h.basis == b)  # treasury shares are part of the capital
        sums = np.bincount(h.owned[rows], weights=h.low[rows] / SCALE, minlength=n)
        bad = np.flatnonzero(sums > 1 + 1e-12)
        check = f"entities whose {basis.value} stakes sum over 100%"
        counts[check] = len(bad)
        ordered = bad[np.argsort(-sums[bad], kind="stable")]
        members[check] = [entities.id(int(e)) for e in ordered[:member_limit].tolist()]
        over += [(entities.id(e), basis.value, float(sums[e])) for e in ordered[:examples]]
    graph = sp.csr_array((np.ones(int(keep.sum())), (owner[keep], h.owned[keep])), shape=(n, n))
    ncomp, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=ncomp)
    counts["cross-holding components (cycles)"] = int((sizes > 1).sum())
    counts["entities in cross-holdings"] = int(sizes[sizes > 1].sum())
    cyclic = np.flatnonzero(sizes[labels] > 1)
    members["entities in cross-holdings"] = [
        entities.id(int(e)) for e in cyclic[:member_limit].tolist()
    ]
    per_country = np.bincount(
        entities.country.astype(np.int64), minlength=len(entities.country_vocab)
    )
    vocab = entities.country_vocab
    by_country = sorted(
        ((vocab[c] or "(none)", int(k)) for c, k in enumerate(per_country) if k),
        key=lambda item: -item[1],
    )
    return QualityReport(n, len(h), counts, over, by_country, members)
