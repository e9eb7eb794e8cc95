"""The evidence for one entity, computed on its upstream part of the registry only.

An entity's decision depends on nothing downstream of it, and on nothing that holds a seed
(seeds are decided by what they are, not by who holds them). So the part of the registry
upstream of the entity, not looking past seeds, decides it exactly as the whole registry
does: explaining one entity of millions screens thousands at most.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np

from ownergate.engine.screen import screen
from ownergate.explain.evidence import explain
from ownergate.graph.prepare import prepare, seed_mask
from ownergate.graph.subset import take, upstream_of
from ownergate.graph.tables import EntityColumns, HoldingColumns
from ownergate.policy.model import Policy


def explain_entity(
    entities: EntityColumns,
    holdings: HoldingColumns,
    policy: Policy,
    as_of: dt.date,
    row: int,
) -> dict[str, Any]:
    """The evidence document (``explain``) of entity ``row``; holding rows in it are rows
    of ``holdings``."""
    seeds, _, _ = seed_mask(entities, policy)
    keep = upstream_of(len(entities), holdings, row, seeds)
    into = ~seeds
    sub_entities, sub_holdings, rows = take(entities, holdings, keep, into=into)
    graph = prepare(sub_entities, sub_holdings, policy, as_of)
    original = np.flatnonzero((keep & into)[holdings.owned])
    graph = replace(graph, holding_rows=original)
    return explain(screen(graph, policy), int(np.searchsorted(rows, row)))
