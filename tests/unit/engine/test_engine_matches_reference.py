"""The vectorised engine agrees with the exact reference on random graphs.

Graphs are small but adversarial: cycles, diamonds, nominees, share classes, ranges with
exclusive bounds, unknown shares, stakes exactly at the threshold, dated holdings, and every
policy option. Statuses, reasons and methods must match exactly; shares to float precision.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Basis, Entity, Holding, Kind
from ownergate.domain.shares import Share
from ownergate.policy.model import Policy
from tests.property import assert_engine_matches_reference, examples

AS_OF = dt.date(2026, 6, 30)
# Shares cluster around the threshold so that ties and near-ties are common.
GRID = [
    "0",
    "0.1",
    "0.2",
    "0.25",
    "0.3",
    "0.4",
    "0.45",
    "0.49",
    "0.5",
    "0.51",
    "0.55",
    "0.6",
    "0.75",
    "0.9",
    "1",
    "0.333333",
    "0.166667",
]
COUNTRIES = [None, "CN", "RU", "US", "SG", "DE"]


@st.composite
def shares(draw: st.DrawFn) -> Share:
    kind = draw(st.sampled_from(["exact", "exact", "exact", "range", "unknown"]))
    if kind == "unknown":
        return Share.unknown()
    a = Fraction(draw(st.sampled_from(GRID)))
    if kind == "exact":
        return Share(a, a)
    b = Fraction(draw(st.sampled_from(GRID)))
    lo, hi = min(a, b), max(a, b)
    if lo == hi:
        return Share(lo, hi)
    return Share(lo, hi, draw(st.booleans()), draw(st.booleans()))


@st.composite
def registries(draw: st.DrawFn) -> tuple[list[Entity], list[Holding]]:
    n = draw(st.integers(min_value=1, max_value=8))
    entities = [
        Entity(
            id=f"E{i}",
            kind=draw(st.sampled_from([Kind.COMPANY, Kind.COMPANY, Kind.PERSON, Kind.STATE])),
            country=draw(st.sampled_from(COUNTRIES)),
            legal_country=draw(st.sampled_from(COUNTRIES)),
            listed=draw(st.booleans().map(lambda b: b and draw(st.integers(0, 9)) == 0)),
        )
        for i in range(n)
    ]
    ids = [e.id for e in entities]
    holdings = []
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        owner, owned = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        nominee = draw(st.sampled_from([None] * 6 + ids))
        start = draw(st.sampled_from([None] * 4 + [dt.date(2026, 1, 1), dt.date(2027, 1, 1)]))
        end = draw(st.sampled_from([None] * 4 + [dt.date(2026, 6, 30), dt.date(2026, 7, 1)]))
        holdings.append(
            Holding(
                owner=owner,
                owned=owned,
                share=draw(shares()),
                basis=draw(st.sampled_from([Basis.EQUITY] * 3 + [Basis.VOTING])),
                nominee_for=nominee,
                start=start,
                end=end,
            )
        )
    return entities, holdings


policies = st.builds(
    Policy,
    regions=st.sampled_from([("CN", "RU"), ("CN",), ("SG", "RU")]),
    owner_kinds=st.sampled_from([("company",), ("company", "state")]),
    country_basis=st.sampled_from(["headquarters", "legal", "headquarters_or_legal"]),
    threshold=st.sampled_from(["0.5", "0.25", "0.51"]),
    comparator=st.sampled_from([">", ">="]),
    method=st.sampled_from(["control", "effective", "either", "both"]),
    aggregate_owners=st.booleans(),
    basis=st.sampled_from(["equity", "equity_or_voting"]),
)


@settings(max_examples=examples(600))
@given(registry=registries(), policy=policies)
def test_fast_engine_matches_reference(
    registry: tuple[list[Entity], list[Holding]], policy: Policy
) -> None:
    entities, holdings = registry
    assert_engine_matches_reference(entities, holdings, policy, AS_OF)
