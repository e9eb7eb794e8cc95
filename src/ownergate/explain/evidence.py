"""The evidence behind one decision, as a JSON-ready document.

For ``control``: the restricted owners of the entity with their stakes, each justified in
turn down to its seeds (an owner is expanded once; it is justified by owners restricted in
earlier rounds, so the tree is finite even through cross-holdings). For ``effective``: the
largest paths from seeds with their products. For a review: the ranged or unknown holdings
whose width decides it. Always: the policy, the as-of date and the sub-registry the decision
rests on, so that ``verify`` can re-check it offline.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ownergate.domain.model import BASES, Reason, Status
from ownergate.domain.shares import SCALE, End, format_share
from ownergate.engine.screen import CONTROL, EFFECTIVE, ScreenResult
from ownergate.explain.basis import (
    arithmetic,
    contributions,
    excluded_owners,
    nominee_texts,
    seed_path,
)
from ownergate.explain.paths import deciding_holdings, largest_paths
from ownergate.explain.subgraph import holding_record, relevant, subgraph
from ownergate.graph.prepare import PreparedGraph, SeedReason

FORMAT_VERSION = 1


def _pct(value: float) -> str:
    return format_share(float(value))


def _label(g: PreparedGraph, i: int) -> dict[str, Any]:
    e = g.entities.record(i)
    out: dict[str, Any] = {"id": e.id}
    if e.name:
        out["name"] = e.name
    if e.country:
        out["country"] = e.country
    return out


def seed_evidence(g: PreparedGraph, i: int, result: ScreenResult) -> dict[str, Any] | None:
    reason = SeedReason(int(g.seed_reason[i]))
    if reason is SeedReason.NONE:
        return None
    if reason is SeedReason.LISTED:
        return {"reason": "listed", "text": "listed: restricted by its own status"}
    country = g.entities.country_vocab[int(g.region_country[i])]
    basis = result.policy.country_basis.value
    return {
        "reason": "region",
        "country": country,
        "country_basis": basis,
        "text": f"{basis.replace('_', ' ')} country {country} is a restricted region",
    }


def control_tree(result: ScreenResult, i: int, end: End, max_nodes: int = 200) -> dict[str, Any]:
    """Restricted owners of ``i`` in the control run at ``end``, justified down to seeds."""
    g = result.graph
    run = result.runs[(CONTROL, end)]
    restricted, rank = run.restricted, run.rank
    expanded: set[int] = set()
    budget = [max_nodes]

    def node(v: int) -> dict[str, Any]:
        out = _label(g, v)
        seed = seed_evidence(g, v, result)
        if seed is not None:
            out["restricted_because"] = seed["text"]
            return out
        if v in expanded:
            out["see_above"] = True
            return out
        expanded.add(v)
        owners = []
        for li, layer in enumerate(g.layers):
            vals = layer.low if end is End.LOW else layer.high
            open_end = layer.low_exclusive if end is End.LOW else layer.high_exclusive
            for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
                u = int(layer.src[e])
                # A stake that is zero at this end contributes nothing to the sum.
                if not restricted[u] or vals[e] <= 0:
                    continue
                justifies = rank[u] < rank[v] or rank[v] < 0
                bound = ("more than " if end is End.LOW else "less than ") if open_end[e] else ""
                entry: dict[str, Any] = {
                    "holding": bound + _pct(vals[e]),
                    "value": float(vals[e]),
                    "basis": layer.basis.value,
                }
                nominees = nominee_texts(result, li, e)
                if nominees:
                    entry["nominees"] = nominees
                if justifies and budget[0] > 0:
                    budget[0] -= 1
                    entry["owner"] = node(u)
                else:
                    entry["owner"] = {**_label(g, u), "restricted_later": not justifies}
                owners.append(entry)
        owners.sort(key=lambda o: -o["value"])
        out["restricted_owners"] = owners
        out["restricted_share"] = _pct(run.share[v])
        return out

    return node(i)


def effective_paths(result: ScreenResult, i: int, end: End) -> dict[str, Any]:
    g = result.graph
    run = result.runs[(EFFECTIVE, end)]
    paths = largest_paths(g, i, end, run.share)
    shown = sum(p.product for p in paths)
    return {
        "total": float(run.share[i]),
        "shown": shown,
        "paths": [
            {
                "path": [g.entities.id(v) for v in p.nodes],
                "stakes": [_pct(s) for s in p.stakes],
                "product": p.product,
                "basis": p.basis,
            }
            for p in paths
        ],
        "rest": max(0.0, float(run.share[i]) - shown),
    }


def review_deciders(result: ScreenResult, i: int) -> list[dict[str, Any]]:
    g = result.graph
    method = int(result.method[i])
    high = result.runs[(method, End.HIGH)]
    low = result.runs[(method, End.LOW)]
    if method == CONTROL:
        open_ = high.restricted & ~low.restricted
        nodes = [v for v in relevant(g, i) if open_[v] or v == i]
        weight = high.restricted.astype(np.float64)
    else:
        nodes = relevant(g, i)
        weight = high.share
    out = []
    for d in deciding_holdings(g, nodes, weight):
        layer = g.layers[d.layer]
        rows = layer.member_rows(d.edge).tolist()
        owner = str(g.entities.ids[layer.src[d.edge]])
        owned = str(g.entities.ids[layer.dst[d.edge]])
        band = f"{_pct(layer.low[d.edge])}–{_pct(layer.high[d.edge])}"
        unknown = not all(bool(g.holdings.known[r]) for r in rows)
        what = f"unknown share (up to {_pct(layer.high[d.edge])})" if unknown else f"{band} band"
        out.append(
            {
                "owner": owner,
                "owned": owned,
                "band": band,
                "effect": d.effect,
                "holdings": [holding_record(g, r) for r in rows],
                "text": f"the {what} of {owner} in {owned} decides this",
            }
        )
    return out


def explain(result: ScreenResult, i: int) -> dict[str, Any]:
    """The complete evidence document for entity index ``i``."""
    g = result.graph
    status, reason = result.status_of(i), result.reason_of(i)
    method = int(result.method[i])
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "decision": {
            "id": g.entities.id(i),
            "status": status.value,
            "reason": reason.value,
            "share_min": float(result.share_min[i]),
            "share_max": float(result.share_max[i]),
            "method": result.method_of(i),
        },
        "entity": _label(g, i),
        "policy": result.policy.to_toml(),
        "as_of": g.as_of.isoformat(),
    }
    seed = seed_evidence(g, i, result)
    if seed is not None:
        doc["seed"] = seed
    elif reason is not Reason.NONE or result.share_max[i] > 0:
        end = End.LOW if status is Status.RESTRICTED else End.HIGH
        doc["run"] = end.value
        if method == CONTROL:
            doc["control"] = control_tree(result, i, end)
        else:
            doc["effective"] = effective_paths(result, i, end)
    if status is Status.REVIEW:
        doc["deciding_holdings"] = review_deciders(result, i)
    # What an auditor reads first: the holdings that count, their sum, the seed path, and
    # the owners the policy leaves out (``explain.basis``).
    found = contributions(result, i)
    doc["contributions"] = [c.as_json() for c in found]
    doc["arithmetic"] = arithmetic(result, i) if found else None
    doc["seed_path"] = seed_path(result, i)
    doc["excluded"] = excluded_owners(result, i)
    mine = set(relevant(g, i)) if seed is None else {i}
    doc["conflicts"] = [
        {"owned": g.entities.id(c.owned), "basis": c.basis.value, "sum": c.low_sum / 1e18}
        for c in g.conflicts
        if c.owned in mine
    ]
    doc["treasury"] = treasury_facts(g, sorted(mine))
    doc["registry"] = subgraph(g, i)
    return doc


def treasury_facts(g: PreparedGraph, nodes: list[int]) -> list[dict[str, Any]]:
    """Entities among ``nodes`` holding treasury shares, and what that does to their stakes."""
    out = []
    wanted = set(nodes)
    rows = g.self_holdings
    for layer in g.layers:
        for ent in layer.treasury[:, 0].tolist():
            if ent not in wanted:
                continue
            basis = BASES.index(layer.basis)
            mine = rows[(g.holdings.owned[rows] == ent) & (g.holdings.basis[rows] == basis)]
            low = float(sum(int(v) for v in g.raw_low[mine])) / SCALE
            high = min(1.0, float(sum(int(v) for v in g.raw_high[mine])) / SCALE)
            held = _pct(low) if low == high else f"{_pct(low)}–{_pct(high)}"
            left = _pct(1 - low) if low == high else f"{_pct(1 - high)}–{_pct(1 - low)}"
            name = g.entities.id(ent)
            out.append(
                {
                    "entity": name,
                    "basis": layer.basis.value,
                    "treasury": held,
                    "outstanding": left,
                    "text": f"{name} holds {held} of itself ({layer.basis.value}, treasury "
                    f"shares): the other stakes in it are measured against the {left} "
                    "outstanding",
                }
            )
    return out
