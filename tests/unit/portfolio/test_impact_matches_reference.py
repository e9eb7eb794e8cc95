"""The vectorised flip totals agree with a plain per-account loop on random small inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Entity, Holding, Status
from ownergate.engine.screen import screen
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import Policy
from ownergate.portfolio import FLIP_KINDS, Customers, account_outcome, compare, link_accounts
from tests.property import examples
from tests.unit.engine.test_engine_matches_reference import AS_OF, policies, registries

REFS = ["E0", "E1", "E2", "E3", "E9", None]
COUNTRIES = ["CN", "RU", "SG", "DE", "US"]

accounts = st.lists(
    st.tuples(
        st.sampled_from(REFS),  # registry entity id
        st.sampled_from(REFS),  # LEI (entity ids double as LEIs)
        st.sampled_from(COUNTRIES),
        st.integers(min_value=0, max_value=3_000_000),
    ),
    min_size=1,
    max_size=12,
)


def reference_totals(
    entities: list[Entity],
    holdings: list[Holding],
    rows: list[tuple[str | None, str | None, str, int]],
    pols: tuple[Policy, Policy],
) -> dict[str, tuple[int, float]]:
    ents, holds = columns_from_records(entities, holdings)
    results = [screen(prepare(ents, holds, p, AS_OF), p) for p in pols]
    index = {e.id: i for i, e in enumerate(entities)}
    totals = dict.fromkeys(FLIP_KINDS, (0, 0.0))
    for entity_id, lei, country, revenue in rows:
        statuses = []
        for result, pol in zip(results, pols, strict=True):
            row = index.get(entity_id or "", index.get(lei or ""))
            if row is not None:
                statuses.append(result.status_of(row))
            else:
                barred = country in pol.regions
                statuses.append(Status.RESTRICTED if barred else Status.ALLOWED)
        a, b = statuses
        if a == b:
            continue
        if b is Status.REVIEW:
            kind = "moved to review"
        elif a is Status.REVIEW:
            kind = "left review"
        elif b is Status.RESTRICTED:
            kind = "newly restricted"
        else:
            kind = "newly allowed"
        count, total = totals[kind]
        totals[kind] = (count + 1, total + revenue)
    return totals


@settings(max_examples=examples(60))
@given(registry=registries(), pol_a=policies, pol_b=policies, rows=accounts)
def test_flip_totals_match_a_per_account_loop(
    registry: tuple[list[Entity], list[Holding]],
    pol_a: Policy,
    pol_b: Policy,
    rows: list[tuple[str | None, str | None, str, int]],
) -> None:
    entities, holdings = registry
    ents, holds = columns_from_records(entities, holdings)
    cols = list(zip(*rows, strict=True))
    base = Customers(
        account_id=np.array([f"a{i}" for i in range(len(rows))], dtype=object),
        name=np.array([""] * len(rows), dtype=object),
        country=np.array(cols[2], dtype=object),
        registry_entity_id=np.array(cols[0], dtype=object),
        lei=np.array(cols[1], dtype=object),
        revenue=np.array(cols[3], dtype=np.float64),
    )
    linked = link_accounts(base, ents.ids)
    outcomes = [
        account_outcome(base, screen(prepare(ents, holds, p, AS_OF), p), linked, p.region_set)
        for p in (pol_a, pol_b)
    ]
    impact = compare(base, *outcomes)
    got = {t.key: (t.accounts, t.revenue) for t in impact.totals}
    assert got == reference_totals(entities, holdings, rows, (pol_a, pol_b))
