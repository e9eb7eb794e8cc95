"""The vectorised engine against the exact reference on structured random registries.

``test_engine_matches_reference`` draws small arbitrary graphs. These draw the structures
that broke the engine on a large registry and that small arbitrary graphs almost never
contain: several cross-holding components in a row with parallel holdings between the
same two components, components below components, chains tens of holdings deep, components
of dozens of entities, stakes of exactly 50% (and pairs summing to it), treasury shares,
ranges and unknown shares, and up to one seed in ten.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.policy.model import Policy
from tests.property import assert_engine_matches_reference, examples

AS_OF = dt.date(2026, 6, 30)
STAKES = ["0.5", "0.5", "0.25", "0.3", "0.2", "0.6", "0.05", "0.1", "0.45", "0.55", "1"]


@st.composite
def stake(draw: st.DrawFn, plain: bool = False) -> Share:
    kind = "exact" if plain else draw(st.sampled_from(["exact"] * 6 + ["range", "unknown"]))
    if kind == "unknown":
        return Share.unknown()
    a = Fraction(draw(st.sampled_from(STAKES)))
    if kind == "exact":
        return Share(a, a)
    b = Fraction(draw(st.sampled_from(STAKES)))
    lo, hi = min(a, b), max(a, b)
    return Share(lo, hi, draw(st.booleans()), draw(st.booleans())) if lo < hi else Share(lo, hi)


@st.composite
def structured(draw: st.DrawFn) -> tuple[list[Entity], list[Holding]]:
    """Blocks in a row: each a cycle (a ring plus chords) or a chain, fed by the blocks
    before it through one or several parallel holdings; seeds feed some blocks."""
    entities: list[Entity] = []
    holdings: list[Holding] = []
    blocks: list[list[str]] = []
    n_blocks = draw(st.integers(1, 5))
    for b in range(n_blocks):
        shape = draw(st.sampled_from(["ring", "ring", "chain", "big_ring"]))
        size = {
            "ring": draw(st.integers(2, 5)),
            "chain": draw(st.integers(2, 30)),
            "big_ring": draw(st.integers(10, 40)),
        }[shape]
        ids = [f"B{b}_{i}" for i in range(size)]
        entities += [Entity(i, country=draw(st.sampled_from(["US", "SG", "DE"]))) for i in ids]
        plain = shape == "big_ring"  # keeps the exact reference quick on big components
        for i in range(size - 1):
            holdings.append(Holding(ids[i], ids[i + 1], draw(stake(plain))))
        if shape != "chain":
            holdings.append(Holding(ids[-1], ids[0], draw(stake(plain))))
            for _ in range(draw(st.integers(0, size // 2))):
                u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
                holdings.append(Holding(u, v, Share.exact(draw(st.sampled_from(["0.05", "0.1"])))))
        if blocks:
            # Parallel holdings from one earlier block into this one.
            src = draw(st.sampled_from(blocks))
            for _ in range(draw(st.integers(1, 3))):
                holdings.append(
                    Holding(draw(st.sampled_from(src)), draw(st.sampled_from(ids)), draw(stake()))
                )
        if draw(st.integers(0, 3)) == 0:
            t = draw(st.sampled_from(ids))
            holdings.append(Holding(t, t, draw(stake())))  # treasury shares
        blocks.append(ids)
    everyone = [e.id for e in entities]
    n_seeds = max(1, len(everyone) // 10)
    for s in range(n_seeds):
        sid = f"S{s}"
        entities.append(Entity(sid, country=draw(st.sampled_from(["CN", "RU"]))))
        for _ in range(draw(st.integers(1, 3))):
            holdings.append(Holding(sid, draw(st.sampled_from(everyone)), draw(stake())))
    # Joint ventures: exactly half from a seed-fed entity and half from anyone.
    for j in range(draw(st.integers(0, 3))):
        jid = f"J{j}"
        entities.append(Entity(jid))
        holdings.append(Holding(draw(st.sampled_from(everyone)), jid, Share.exact("0.5")))
        holdings.append(Holding(f"S{0}", jid, Share.exact("0.5")))
    return entities, holdings


policies = st.builds(
    Policy,
    threshold=st.sampled_from(["0.5", "0.25"]),
    comparator=st.sampled_from([">", ">="]),
    method=st.sampled_from(["control", "effective", "either", "both"]),
    aggregate_owners=st.sampled_from([True, True, True, False]),
)


@settings(max_examples=examples(150), deadline=None)
@given(registry=structured(), policy=policies)
def test_fast_engine_matches_reference_on_structures(
    registry: tuple[list[Entity], list[Holding]], policy: Policy
) -> None:
    entities, holdings = registry
    assert_engine_matches_reference(entities, holdings, policy, AS_OF)
