"""Placing values among a registry's ids hashes the smaller side, with the answer of a plain
``index_in`` either way (nulls, duplicates and absent values included)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from ownergate.portfolio.accounts import find_rows

names = st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"])


@given(
    st.lists(st.one_of(st.none(), names), max_size=12),
    st.lists(names, unique=True, max_size=8),
    st.integers(min_value=0, max_value=200),
)
def test_find_rows_is_index_in(values: list[str | None], ids: list[str], padding: int) -> None:
    # Padding with ids no value names makes the registry large enough for the small side.
    registry = pa.array(ids + [f"pad-{i}" for i in range(padding)], pa.string())
    got = find_rows(pa.array(values, pa.string()), registry).to_pylist()
    want = pc.index_in(pa.array(values, pa.string()), value_set=registry).to_pylist()
    assert got == want
