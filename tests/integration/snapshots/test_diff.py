"""Diffs between registries: exact, order-independent, and the input of re-screening."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Basis, Entity, Holding
from ownergate.domain.shares import Share
from ownergate.graph.tables import columns_from_records
from ownergate.snapshots.diff import diff_registries
from tests.property import examples

BASE = [Entity("CN1", "Sino", country="CN"), Entity("SG1", "Lion"), Entity("DE1", "Rhein")]


def test_reordered_rows_are_no_change() -> None:
    hs = [Holding("CN1", "SG1", Share.exact("0.6")), Holding("SG1", "DE1", Share.unknown())]
    a = columns_from_records(BASE, hs)
    b = columns_from_records(list(reversed(BASE)), list(reversed(hs)))
    d = diff_registries(a, b)
    assert d.entities.num_rows == 0 and d.holdings.num_rows == 0 and len(d.touched) == 0


def test_changes_are_named_with_old_and_new_values() -> None:
    a = columns_from_records(
        BASE,
        [Holding("CN1", "SG1", Share.exact("0.4")), Holding("SG1", "DE1", Share.exact("1"))],
    )
    moved = [Entity("CN1", "Sino", country="CN"), Entity("SG1", "Lion", country="SG")]
    b = columns_from_records(
        [*moved, Entity("HK1", "Harbour", country="HK")],
        [Holding("CN1", "SG1", Share.exact("0.6")), Holding("HK1", "SG1", Share.unknown())],
    )
    d = diff_registries(a, b)
    ents = {(r["change"], r["id"]): r for r in d.entities.to_pylist()}
    assert set(ents) == {("changed", "SG1"), ("removed", "DE1"), ("added", "HK1")}
    assert ents[("changed", "SG1")]["fields"] == "country"
    assert ents[("changed", "SG1")]["new"] == "country=SG"
    holds = {(r["change"], r["owner"], r["owned"]): r for r in d.holdings.to_pylist()}
    assert set(holds) == {
        ("changed", "CN1", "SG1"),
        ("removed", "SG1", "DE1"),
        ("added", "HK1", "SG1"),
    }
    assert holds[("changed", "CN1", "SG1")]["old"] == "40%"
    assert holds[("changed", "CN1", "SG1")]["new"] == "60%"
    assert set(d.touched.to_pylist()) == {"SG1", "DE1", "HK1"}
    assert d.counts()["holdings changed"] == 1


ids = st.sampled_from(["A", "B", "C", "D"])
shares = st.sampled_from([Share.exact("0.3"), Share.exact("0.6"), Share.unknown()])
holding = st.builds(Holding, ids, ids, shares, st.sampled_from([Basis.EQUITY, Basis.VOTING]))


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(holding, max_size=8), st.lists(holding, max_size=8), st.randoms())
def test_diff_reports_exactly_the_keys_whose_rows_differ(
    before: list[Holding], after: list[Holding], rnd: object
) -> None:
    ents = [Entity(x) for x in "ABCD"]
    shuffled = list(after)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    d = diff_registries(
        columns_from_records(ents, before), columns_from_records(ents[::-1], shuffled)
    )

    def rows(hs: list[Holding]) -> dict[tuple[str, str, str], Counter[str]]:
        out: dict[tuple[str, str, str], Counter[str]] = {}
        for h in hs:
            out.setdefault((h.owner, h.owned, h.basis.value), Counter())[h.share.describe()] += 1
        return out

    ra, rb = rows(before), rows(after)
    expected = {k for k in ra.keys() | rb.keys() if ra.get(k) != rb.get(k)}
    got = {(r["owner"], r["owned"], r["basis"]) for r in d.holdings.to_pylist()}
    assert got == expected
    for r in d.holdings.to_pylist():
        key = (r["owner"], r["owned"], r["basis"])
        assert r["change"] == (
            "added" if key not in ra else "removed" if key not in rb else "changed"
        )
    assert set(d.touched.to_pylist()) == {k[1] for k in expected}


def test_rows_whose_fingerprints_cancel_out_are_left_out_and_the_rest_compared() -> None:
    import numpy as np

    from ownergate.snapshots.diff import _unmatched_pairs

    def prints(*pairs: tuple[int, int]) -> np.ndarray:  # type: ignore[type-arg]
        return np.array(pairs, dtype=np.uint64).T.reshape(2, len(pairs))

    # (7, 1) once on each side cancels out; (8, 2) twice in A, once in B does not.
    a, b = _unmatched_pairs(prints((7, 1), (8, 2), (8, 2)), prints((8, 2), (7, 1)))
    assert sorted(a.tolist()) == [1, 2] and b.tolist() == [0]
    # Two second hashes under one first hash: too tangled to cancel, all compared whole.
    a, b = _unmatched_pairs(prints((5, 1), (5, 2)), prints((5, 2), (5, 1)))
    assert sorted(a.tolist()) == [0, 1] and sorted(b.tolist()) == [0, 1]
