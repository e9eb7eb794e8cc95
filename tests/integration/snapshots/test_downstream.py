"""Re-screening's scope: after any change between two registries, every entity outside
``affected`` (downstream of what the diff names as touched) is decided exactly as before,
on random registries with cycles, diamonds, ranges, unknown shares and nominees."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Basis, Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.graph.downstream import affected, downstream
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import EntityColumns, HoldingColumns, columns_from_records, text
from ownergate.policy.model import default_policy
from ownergate.snapshots.diff import diff_registries
from tests.property import examples

AS_OF = dt.date(2026, 1, 1)
POLICY = default_policy()
NAMES = ["A", "B", "C", "D", "E", "F"]
ids = st.sampled_from(NAMES)
shares = st.sampled_from(
    [
        Share.exact("0.3"),
        Share.exact("0.51"),
        Share.exact("1"),
        Share.between("0.25", "0.75", low_exclusive=True),
        Share.unknown(),
    ]
)
holdings = st.lists(
    st.builds(
        Holding,
        ids,
        ids,
        shares,
        st.sampled_from([Basis.EQUITY, Basis.VOTING]),
        nominee_for=st.one_of(st.none(), ids),
    ).filter(lambda h: h.owner != h.owned),
    max_size=9,
)
countries = st.lists(st.sampled_from(["CN", "RU", "SG", "DE"]), min_size=6, max_size=6)


def registry(
    country: list[str],
    held: list[Holding],
    drop: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[EntityColumns, HoldingColumns]:
    entities = [Entity(n, n, country=c) for n, c in zip(NAMES, country, strict=True)]
    kept = [e for e in entities if e.id not in drop]
    live = {e.id for e in kept}
    return columns_from_records(
        kept,
        [h for h in held if {h.owner, h.owned} <= live and (h.nominee_for in live | {None})],
    )


def decisions(reg: tuple[EntityColumns, HoldingColumns]) -> dict[str, tuple[object, ...]]:
    result = screen(prepare(*reg, POLICY, AS_OF), POLICY)
    ents = reg[0]
    return {
        text(ents.ids[i]): (
            int(result.status[i]),
            int(result.reason[i]),
            float(result.share_min[i]),
            float(result.share_max[i]),
        )
        for i in range(len(ents.ids))
    }


CHAIN = [Holding("A", "B", Share.exact("0.51")), Holding("B", "C", Share.exact("1"))]


@settings(max_examples=examples(150), deadline=None)
# The parent leaves the regions: its subsidiary and theirs change although nothing of theirs
# did, so only the walk downstream finds them.
@example(
    ["CN", "SG", "DE", "DE", "DE", "DE"],
    CHAIN,
    ["SG", "SG", "DE", "DE", "DE", "DE"],
    [],
    set(),
    [True] * 9,
    [True] + [False] * 5,
).via("a parent leaving the regions")
@given(
    countries,
    holdings,
    countries,
    holdings,
    st.sets(ids, max_size=2),
    st.lists(st.booleans(), min_size=9, max_size=9),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_outside_the_affected_set_nothing_changes(
    country_a: list[str],
    held_a: list[Holding],
    country_b: list[str],
    extra: list[Holding],
    dropped: set[str],
    keep: list[bool],
    moves: list[bool],
) -> None:
    a = registry(country_a, held_a)
    # B: some holdings kept, some new ones, some countries changed, some entities gone.
    kept = [h for h, k in zip(held_a, keep, strict=False) if k]
    country = [y if m else x for x, y, m in zip(country_a, country_b, moves, strict=True)]
    b = registry(country, kept + extra, dropped)
    touched = diff_registries(a, b).touched.to_pylist()
    scope = affected(*b, touched)
    before, after = decisions(a), decisions(b)
    ents = b[0]
    for i in range(len(ents.ids)):
        entity = text(ents.ids[i])
        if not scope[i]:
            assert after[entity] == before[entity], (entity, touched)


def test_downstream_follows_owners_and_beneficial_owners_of_nominee_holdings() -> None:
    ents, holds = columns_from_records(
        [Entity(n, n) for n in NAMES],
        [
            Holding("A", "B", Share.exact("1")),
            Holding("B", "C", Share.exact("0.6")),
            Holding("D", "E", Share.exact("0.6"), nominee_for="F"),
        ],
    )
    start = np.array([n in ("A", "F") for n in NAMES])
    reached = downstream(len(NAMES), holds, start)
    assert [n for n, r in zip(NAMES, reached, strict=True) if r] == ["A", "B", "C", "E", "F"]
