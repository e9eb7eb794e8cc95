"""Screening the upstream closure of some entities decides them exactly as screening the
whole registry does, on random registries with cycles, diamonds, ranges, unknown shares
and nominee holdings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.graph.downstream import upstream
from ownergate.graph.subset import take
from ownergate.graph.tables import columns_from_records, text
from tests.integration.snapshots.test_downstream import (
    NAMES,
    countries,
    decisions,
    holdings,
    registry,
)


@settings(max_examples=150, deadline=None)
@given(countries, holdings, st.lists(st.booleans(), min_size=6, max_size=6))
def test_the_upstream_closure_decides_its_entities_as_the_whole_registry(
    country: list[str], held: list[Holding], start: list[bool]
) -> None:
    ents, holds = registry(country, held)
    keep = upstream(len(ents.ids), holds, np.array(start))
    sub_ents, sub_holds, rows = take(ents, holds, keep)
    whole = decisions((ents, holds))
    part = decisions((sub_ents, sub_holds))
    assert [text(sub_ents.ids[i]) for i in range(len(rows))] == [text(ents.ids[r]) for r in rows]
    for i, entity in enumerate(NAMES):
        if start[i]:
            assert part[entity] == whole[entity], entity


def test_upstream_follows_owners_and_beneficial_owners_of_nominee_holdings() -> None:
    ents, holds = columns_from_records(
        [Entity(n, n) for n in NAMES],
        [
            Holding("A", "B", Share.exact("1")),
            Holding("B", "C", Share.exact("0.6")),
            Holding("D", "E", Share.exact("0.6"), nominee_for="F"),
        ],
    )
    start = np.array([n in ("C", "E") for n in NAMES])
    reached = upstream(len(NAMES), holds, start)
    assert [n for n, r in zip(NAMES, reached, strict=True) if r] == ["A", "B", "C", "D", "E", "F"]


def test_a_part_not_closed_upstream_is_refused() -> None:
    ents, holds = columns_from_records(
        [Entity(n, n) for n in NAMES], [Holding("A", "B", Share.exact("1"))]
    )
    with pytest.raises(ValueError, match="closed upstream"):
        take(ents, holds, np.array([n == "B" for n in NAMES]))
