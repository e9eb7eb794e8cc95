"""The part of the registry a decision depends on, as plain interchange records.

An entity's decision depends only on its ancestors that a seed can reach (everything else
contributes nothing) and on every holding into those ancestors (unknown-share caps use all
of them). Shipping exactly that with the evidence lets anyone re-run the decision offline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ownergate.domain.shares import exact_text, from_scaled
from ownergate.graph.prepare import PreparedGraph
from ownergate.graph.tables import EPOCH, NO_NOMINEE, OPEN_END, OPEN_START


def ancestors(g: PreparedGraph, node: int) -> set[int]:
    """Entities holding a possibly positive stake in ``node``, directly or indirectly."""
    seen = {node}
    todo = [node]
    while todo:
        v = todo.pop()
        if g.seeds[v] and v != node:
            continue
        for layer in g.layers:
            for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
                u = int(layer.src[e])
                if layer.high[e] > 0 and u not in seen:
                    seen.add(u)
                    todo.append(u)
    return seen


def relevant(g: PreparedGraph, node: int) -> list[int]:
    """``node`` and those of its ancestors that a seed reaches through positive stakes."""
    up = ancestors(g, node)
    reached = {v for v in up if g.seeds[v]}
    todo = list(reached)
    succ: dict[int, list[int]] = {}
    for layer in g.layers:
        for v in up:
            for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
                u = int(layer.src[e])
                if u in up and layer.high[e] > 0:
                    succ.setdefault(u, []).append(v)
    while todo:
        u = todo.pop()
        for v in succ.get(u, []):
            if v not in reached:
                reached.add(v)
                todo.append(v)
    reached.add(node)
    return sorted(reached)


def _day(value: int, open_value: int) -> str | None:
    return None if value == open_value else (EPOCH + dt.timedelta(days=value)).isoformat()


def holding_record(g: PreparedGraph, row: int) -> dict[str, Any]:
    """One raw holding in the interchange format (exact decimal shares)."""
    h = g.holdings
    rec: dict[str, Any] = {
        "row": g.holding_row(row),
        "owner": g.entities.id(h.owner[row]),
        "owned": g.entities.id(h.owned[row]),
        "basis": "voting" if h.basis[row] else "equity",
    }
    low, high = from_scaled(int(h.low[row])), from_scaled(int(h.high[row]))
    if not h.known[row]:
        rec["share"] = None
    elif low == high:
        rec["share"] = exact_text(low)
    else:
        rec["share_min"], rec["share_max"] = exact_text(low), exact_text(high)
        rec["min_exclusive"] = bool(h.low_exclusive[row])
        rec["max_exclusive"] = bool(h.high_exclusive[row])
    nominee = int(h.nominee_for[row])
    if nominee != NO_NOMINEE:
        rec["nominee_for"] = g.entities.id(nominee)
    start, end = _day(int(h.start[row]), OPEN_START), _day(int(h.end[row]), OPEN_END)
    if start:
        rec["start"] = start
    if end:
        rec["end"] = end
    return rec


def entity_record(g: PreparedGraph, i: int) -> dict[str, Any]:
    e = g.entities.record(i)
    return {
        "id": e.id,
        "name": e.name,
        "kind": e.kind.value,
        "country": e.country,
        "legal_country": e.legal_country,
        "listed": e.listed,
    }


def subgraph(g: PreparedGraph, node: int) -> dict[str, list[dict[str, Any]]]:
    """Entities and raw holdings (every date, basis and nominee) the decision rests on."""
    nodes = relevant(g, node)
    keep = np.zeros(g.n, dtype=bool)
    keep[nodes] = True
    into = keep[g.holdings.owned] & ~g.seeds[g.holdings.owned]
    rows = np.flatnonzero(into).tolist()
    holdings = [holding_record(g, r) for r in rows]
    h = g.holdings
    members = set(nodes)
    for r in rows:
        members.add(int(h.owner[r]))
        if h.nominee_for[r] != NO_NOMINEE:
            members.add(int(h.nominee_for[r]))
    return {
        "entities": [entity_record(g, i) for i in sorted(members)],
        "holdings": holdings,
    }
