"""The decider: lookups equal the full screen, and organisations with inline holdings are
decided exactly as if they had been part of the registry."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import Policy
from ownergate.service.decider import ORGANISATION_ID, Decider
from tests.property import examples

DAY = dt.date(2026, 1, 1)
ENTITIES = [
    Entity("CNP", "Sino Parent", country="CN"),
    Entity("SGS", "Lion City", country="SG"),
    Entity("HOLD", "Neutral Holding", country="CH"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("CNP", "HOLD", Share.exact("0.3")),
]


def decider(policy: Policy | None = None) -> Decider:
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    return Decider(policy or Policy(), ents, holds, DAY)


def test_a_registry_entity_is_decided_with_evidence() -> None:
    out = decider().decide_entity("SGS")
    assert (out.status.value, out.reason.value) == ("restricted", "ownership")
    assert out.evidence["entity"]["id"] == "SGS" and out.flags == ()


def test_an_unmatched_organisation_is_decided_on_its_declared_country() -> None:
    cn = decider().decide_organisation("Shenzhen Widgets", "CN")
    assert (cn.status.value, cn.reason.value, cn.flags) == ("restricted", "region", ("unverified",))
    sg = decider().decide_organisation("Lion Widgets", "SG")
    assert (sg.status.value, sg.flags) == ("allowed", ("unverified",))


def test_inline_holdings_look_through_the_snapshot() -> None:
    d = decider()
    via_sgs = d.decide_organisation(
        "New Co", "DE", inline=[Holding("SGS", "x", Share.exact("0.7"))]
    )
    assert via_sgs.status.value == "restricted" and via_sgs.flags == ("inline",)
    via_hold = d.decide_organisation(
        "New Co", "DE", inline=[Holding("HOLD", "x", Share.exact("1"))]
    )
    assert via_hold.status.value == "allowed"


ids = st.sampled_from(["A", "B", "C", "D", "E"])
countries = st.sampled_from([None, "CN", "RU", "SG", "US"])
stakes = st.sampled_from([Share.exact("0.3"), Share.exact("0.6"), Share.unknown(),
                          Share.between("0.5", "1", low_exclusive=True)])  # fmt: skip


@settings(max_examples=examples(120), deadline=None)
@given(
    st.dictionaries(ids, countries, min_size=1),
    st.lists(st.tuples(ids, ids, stakes), max_size=10),
    st.lists(st.tuples(ids, stakes), min_size=1, max_size=3),
    st.sampled_from(["control", "effective", "either"]),
)
def test_inline_decision_equals_screening_the_registry_with_the_organisation(
    countries_of: dict[str, str | None],
    edges: list[tuple[str, str, Share]],
    inline: list[tuple[str, Share]],
    method: str,
) -> None:
    policy = Policy(method=method)  # type: ignore[arg-type]
    known = set(countries_of)
    ents = [Entity(k, country=c) for k, c in countries_of.items()]
    holds = [Holding(o, d, s) for o, d, s in edges if o in known and d in known]
    inline_holds = [Holding(o, ORGANISATION_ID, s) for o, s in inline if o in known]
    if not inline_holds:
        return
    e, h = columns_from_records(ents, holds)
    got = Decider(policy, e, h, DAY).decide_organisation("Org", "DE", inline=inline_holds)
    full_e, full_h = columns_from_records(
        [*ents, Entity(ORGANISATION_ID, country="DE")], holds + inline_holds
    )
    full = screen(prepare(full_e, full_h, policy, DAY), policy)
    row = full_e.position(ORGANISATION_ID)
    assert row is not None
    assert got.status is full.status_of(row)
    assert got.reason is full.reason_of(row)
    want = float(full.share_min[row])
    assert abs(got.share_min - (1.0 if want == float("inf") else want)) < 1e-9
