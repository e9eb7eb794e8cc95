"""Prepared graphs cached beside a snapshot: reused exactly when valid, never when not."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Basis, Entity, Holding, Kind
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.graph.prepare import PreparedGraph, prepare
from ownergate.graph.tables import EntityColumns, HoldingColumns, columns_from_records
from ownergate.policy.model import CountryBasis, Policy, PolicyBasis
from ownergate.snapshots import prepared
from ownergate.snapshots.arrays import read_arrays, write_arrays
from ownergate.snapshots.prepared import load_or_prepare
from tests.property import examples

DAY = dt.date(2024, 1, 1)
DAYS = [DAY + dt.timedelta(days=d) for d in (0, 10, 20, 30)]
LAYER_FIELDS = (
    "src",
    "dst",
    "low_exclusive",
    "high_exclusive",
    "uncertain",
    "low_units",
    "high_units",
    "in_ptr",
    "out_ptr",
    "out_edge",
    "member_ptr",
    "members",
)
GRAPH_ARRAYS = ("seeds", "seed_reason", "region_country", "raw_low", "raw_high", "active")


def assert_same_graph(got: PreparedGraph, want: PreparedGraph) -> None:
    assert (got.as_of, got.unit, got.units_exact) == (want.as_of, want.unit, want.units_exact)
    assert got.conflicts == want.conflicts
    assert np.array_equal(got.self_holdings, want.self_holdings)
    for name in GRAPH_ARRAYS:
        a, b = np.asarray(getattr(got, name)), np.asarray(getattr(want, name))
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert len(got.layers) == len(want.layers)
    for mine, theirs in zip(got.layers, want.layers, strict=True):
        assert (mine.basis, mine.per_one) == (theirs.basis, theirs.per_one)
        for name in LAYER_FIELDS:
            a, b = getattr(mine, name), getattr(theirs, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name


def snapshot_dir(root: Path, entities: list[Entity], holdings: list[Holding]) -> Path:
    ents, holds = columns_from_records(entities, holdings)
    root.mkdir(parents=True, exist_ok=True)
    write_arrays(root, ents, holds)
    return root


def entries(folder: Path) -> list[Path]:
    root = folder / prepared.DIRECTORY
    return sorted(p for p in root.iterdir() if not p.name.startswith(".")) if root.exists() else []


SHARES = ["0.1", "0.25", "0.333", "0.5", "0.51", "0.6", "1", "0.0000001"]
share = st.one_of(
    st.sampled_from(SHARES).map(Share.exact),
    st.tuples(st.sampled_from(SHARES), st.sampled_from(SHARES), st.booleans(), st.booleans())
    .filter(lambda t: float(t[0]) < float(t[1]))
    .map(lambda t: Share.between(t[0], t[1], low_exclusive=t[2], high_exclusive=t[3])),
    st.just(Share.unknown()),
)
country = st.sampled_from([None, "CN", "RU", "SG", "US"])


@st.composite
def registries(draw: st.DrawFn) -> tuple[list[Entity], list[Holding]]:
    n = draw(st.integers(1, 10))
    entities = [
        Entity(
            f"E{i}",
            kind=draw(st.sampled_from(list(Kind))),
            country=draw(country),
            legal_country=draw(country),
            listed=draw(st.booleans().map(lambda b: b and draw(st.booleans()))),
        )
        for i in range(n)
    ]
    ids = st.sampled_from([e.id for e in entities])
    holdings = []
    for _ in range(draw(st.integers(0, 25))):
        start, end = draw(st.sampled_from([None, *DAYS])), draw(st.sampled_from([None, *DAYS]))
        if start is not None and end is not None and start >= end:
            start, end = end, None if start == end else start
        holdings.append(
            Holding(
                draw(ids),
                draw(ids),
                draw(share),
                basis=draw(st.sampled_from(list(Basis))),
                nominee_for=draw(st.one_of(st.none(), ids)),
                start=start,
                end=end,
            )
        )
    return entities, holdings


policies = st.builds(
    Policy,
    regions=st.sampled_from([("CN", "RU"), ("CN",), ("SG",), ("RU", "CN")]),
    owner_kinds=st.sampled_from([(Kind.COMPANY,), (Kind.COMPANY, Kind.STATE)]),
    country_basis=st.sampled_from(list(CountryBasis)),
    threshold=st.sampled_from(["0.5", "0.25", "0.3333"]),
    basis=st.sampled_from(list(PolicyBasis)),
)
days = st.integers(-3, 40).map(lambda d: DAY + dt.timedelta(days=d))


@settings(max_examples=examples(40), deadline=None)
@given(registries(), st.lists(st.tuples(policies, days), min_size=1, max_size=6))
def test_cached_graphs_equal_fresh_ones(
    registry: tuple[list[Entity], list[Holding]], runs: list[tuple[Policy, dt.date]]
) -> None:
    """Every (policy, day) in turn, twice, through one cache: a first run may prepare and
    store, a second must hit; both equal ``prepare``, so no two different graphs ever share
    a key, across policies, days and evictions."""
    calls = []
    original = prepared.prepare

    def counted(*args: Any, **kwargs: Any) -> PreparedGraph:
        calls.append(args)
        return original(*args, **kwargs)

    with tempfile.TemporaryDirectory() as temp:
        folder = snapshot_dir(Path(temp), *registry)
        ents, holds = read_arrays(folder)
        prepared.prepare = counted
        try:
            misses = []
            for policy, day in runs + runs:
                calls.clear()
                got = load_or_prepare(folder, ents, holds, policy, day)
                misses.append(len(calls))
                assert_same_graph(got, prepare(ents, holds, policy, day))
        finally:
            prepared.prepare = original
        assert len(entries(folder)) <= prepared.MAX_ENTRIES
        if sum(misses[: len(runs)]) <= prepared.MAX_ENTRIES:  # nothing was evicted
            assert sum(misses[len(runs) :]) == 0


def registry_with_dates() -> tuple[list[Entity], list[Holding]]:
    entities = [Entity("CN1", country="CN"), Entity("SG1", country="SG"), Entity("DE1")]
    holdings = [
        Holding("CN1", "SG1", Share.exact("0.6"), start=DAYS[1], end=DAYS[3]),
        Holding("SG1", "DE1", Share.exact("0.51")),
        Holding("CN1", "DE1", Share.unknown(), basis=Basis.VOTING),
    ]
    return entities, holdings


def test_one_entry_per_window_of_unchanged_holdings(tmp_path: Path) -> None:
    folder = snapshot_dir(tmp_path, *registry_with_dates())
    ents, holds = read_arrays(folder)
    policy = Policy()
    for day in (DAYS[1], DAYS[2], DAYS[3] - dt.timedelta(days=1)):  # one window: 10..30
        load_or_prepare(folder, ents, holds, policy, day)
    assert len(entries(folder)) == 1
    restricted = screen(load_or_prepare(folder, ents, holds, policy, DAYS[2]), policy).status
    before = load_or_prepare(folder, ents, holds, policy, DAYS[1] - dt.timedelta(days=1))
    after = load_or_prepare(folder, ents, holds, policy, DAYS[3])
    assert len(entries(folder)) == 3
    assert not np.array_equal(screen(before, policy).status, restricted)
    assert_same_graph(after, prepare(ents, holds, policy, DAYS[3]))


def test_policies_share_entries_only_when_they_prepare_the_same_graph(tmp_path: Path) -> None:
    folder = snapshot_dir(tmp_path, *registry_with_dates())
    ents, holds = read_arrays(folder)
    base = Policy()

    def variant(**changes: object) -> Policy:
        return Policy.model_validate({"regions": list(base.regions), **changes})

    same = [
        variant(name="renamed", method="effective"),
        variant(regions=["CN", "KP"]),  # no KP entity: the same seeds
        variant(threshold="0.25", comparator=">="),  # the same unit
    ]
    for policy in [base, *same]:
        load_or_prepare(folder, ents, holds, policy, DAYS[2])
    assert len(entries(folder)) == 1
    different = [
        variant(regions=["SG"]),
        variant(basis="equity_or_voting"),
        variant(threshold="0.333"),  # a finer unit
    ]
    for count, policy in enumerate(different, start=2):
        graph = load_or_prepare(folder, ents, holds, policy, DAYS[2])
        assert_same_graph(graph, prepare(ents, holds, policy, DAYS[2]))
        assert len(entries(folder)) == count


def test_damaged_or_stale_entries_are_prepared_afresh_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = snapshot_dir(tmp_path, *registry_with_dates())
    ents, holds = read_arrays(folder)
    policy = Policy()
    want = prepare(ents, holds, policy, DAYS[2])
    load_or_prepare(folder, ents, holds, policy, DAYS[2])
    (entry,) = entries(folder)
    (entry / "0.src.npy").unlink()
    assert_same_graph(load_or_prepare(folder, ents, holds, policy, DAYS[2]), want)
    meta = entry / "meta.json"
    meta.write_text(meta.read_text().replace('"format": 1', '"format": 0'))
    assert_same_graph(load_or_prepare(folder, ents, holds, policy, DAYS[2]), want)
    assert entries(folder) == [entry]
    assert [p.name for p in (folder / prepared.DIRECTORY).iterdir()] == [entry.name]

    def fail(*_args: object) -> None:
        raise AssertionError("prepared again")

    monkeypatch.setattr(prepared, "prepare", fail)  # the replaced entry is whole again
    assert_same_graph(load_or_prepare(folder, ents, holds, policy, DAYS[2]), want)


def test_a_store_that_cannot_be_written_still_screens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = snapshot_dir(tmp_path, *registry_with_dates())
    ents, holds = read_arrays(folder)
    policy, voting = Policy(), Policy(basis=PolicyBasis.EQUITY_OR_VOTING)
    load_or_prepare(folder, ents, holds, policy, DAYS[2])  # stored while writable

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(prepared, "_write", read_only)
    monkeypatch.setattr(prepared.os, "utime", read_only)
    graph = load_or_prepare(folder, ents, holds, voting, DAYS[2])
    assert_same_graph(graph, prepare(ents, holds, voting, DAYS[2]))
    assert len(entries(folder)) == 1
    monkeypatch.setattr(prepared, "prepare", read_only)  # the stored entry is still used
    graph = load_or_prepare(folder, ents, holds, policy, DAYS[2])
    assert_same_graph(graph, prepare(ents, holds, policy, DAYS[2]))


def test_without_arrays_it_is_prepare(tmp_path: Path) -> None:
    ents, holds = columns_from_records(*registry_with_dates())
    assert isinstance(ents, EntityColumns) and isinstance(holds, HoldingColumns)
    graph = load_or_prepare(tmp_path, ents, holds, Policy(), DAYS[2])
    assert_same_graph(graph, prepare(ents, holds, Policy(), DAYS[2]))
    assert not (tmp_path / prepared.DIRECTORY).exists()
