"""The synthetic registry: deterministic, well-formed, and shaped like real ownership data."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from ownergate.domain.shares import parse_share
from ownergate.errors import ConfigError
from ownergate.synth import generate_registry, write_registry

Registry = tuple[pa.Table, pa.Table]

ENTITY_COLUMNS = [
    ("id", pa.string()),
    ("name", pa.string()),
    ("kind", pa.string()),
    ("country", pa.string()),
    ("legal_country", pa.string()),
    ("listed", pa.bool_()),
]
OWNERSHIP_COLUMNS = [
    ("owner", pa.string()),
    ("owned", pa.string()),
    ("share", pa.string()),
    ("share_min", pa.string()),
    ("share_max", pa.string()),
    ("min_exclusive", pa.bool_()),
    ("max_exclusive", pa.bool_()),
    ("basis", pa.string()),
    ("nominee_for", pa.string()),
    ("start", pa.date32()),
    ("end", pa.date32()),
]


@pytest.fixture(scope="module")
def small() -> Registry:
    return generate_registry(20_000, 7)


@pytest.fixture(scope="module")
def large() -> Registry:
    return generate_registry(200_000, 11)


def _index(ids: pa.Array, entities: pa.Table) -> npt.NDArray[np.int64]:
    """Row numbers in ``entities`` of ``ids`` (-1 for null)."""
    idx = pc.index_in(ids, value_set=entities["id"])
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _fractions(column: pa.ChunkedArray) -> dict[str, Fraction]:
    return {v: parse_share(v) for v in pc.unique(column.drop_null()).to_pylist()}


def _low_ends(ownership: pa.Table) -> npt.NDArray[np.float64]:
    """Each holding's share (exact value, or a range's minimum, 0 when unknown)."""
    values = {**_fractions(ownership["share"]), **_fractions(ownership["share_min"])}
    low = pc.coalesce(ownership["share"], ownership["share_min"]).to_pylist()
    return np.array([float(values[v]) if v is not None else 0.0 for v in low])


def _current_equity(ownership: pa.Table) -> npt.NDArray[np.bool_]:
    ended = ownership["end"].is_null().to_numpy(zero_copy_only=False)
    equity = pc.equal(ownership["basis"], "equity").to_numpy(zero_copy_only=False)
    return np.asarray(ended & equity, dtype=bool)


def test_same_seed_gives_identical_tables() -> None:
    first, second = generate_registry(5_000, 3), generate_registry(5_000, 3)
    for a, b in zip(first, second, strict=True):
        assert a.equals(b)
        assert _ipc_bytes(a) == _ipc_bytes(b)


def test_different_seed_gives_different_tables() -> None:
    a, b = generate_registry(5_000, 3), generate_registry(5_000, 4)
    assert not a[0].equals(b[0])
    assert not a[1].equals(b[1])


def _ipc_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


@pytest.mark.parametrize("edges", [0, 1, 2, 7, 100, 999, 12_345])
def test_edge_count_is_exact(edges: int) -> None:
    entities, ownership = generate_registry(edges, 5)
    assert ownership.num_rows == edges
    assert (_index(ownership["owner"], entities) >= 0).all()
    assert (_index(ownership["owned"], entities) >= 0).all()


def test_rejects_negative_sizes() -> None:
    with pytest.raises(ConfigError):
        generate_registry(-1, 0)


def test_schema_is_the_interchange_format(small: Registry) -> None:
    entities, ownership = small
    assert [(f.name, f.type) for f in entities.schema] == ENTITY_COLUMNS
    assert [(f.name, f.type) for f in ownership.schema] == OWNERSHIP_COLUMNS


def test_ids_are_unique_and_references_resolve(small: Registry) -> None:
    entities, ownership = small
    ids = entities["id"]
    assert pc.count_distinct(ids).as_py() == entities.num_rows
    assert all(len(i) == 9 and i[0] == "E" and i[1:].isdigit() for i in ids.to_pylist()[:100])
    assert (_index(ownership["owner"], entities) >= 0).all()
    assert (_index(ownership["owned"], entities) >= 0).all()
    nominee = ownership["nominee_for"]
    assert (_index(nominee.drop_null(), entities) >= 0).all()
    assert entities["name"].null_count == 0
    assert pc.min(pc.utf8_length(entities["name"])).as_py() > 3


def test_no_self_holdings_and_only_companies_are_held(small: Registry) -> None:
    entities, ownership = small
    owner = _index(ownership["owner"], entities)
    owned = _index(ownership["owned"], entities)
    principal = _index(ownership["nominee_for"], entities)
    assert not (owner == owned).any()
    assert not ((principal == owned) & (principal >= 0)).any()
    kinds = entities["kind"].to_numpy(zero_copy_only=False)
    assert set(kinds[owned]) == {"company"}


def test_entity_kinds_and_columns(small: Registry) -> None:
    entities, _ = small
    kinds = entities["kind"].to_numpy(zero_copy_only=False)
    assert set(kinds) == {"company", "person", "state", "other"}
    assert 0.08 < float(np.mean(kinds == "person")) < 0.12
    assert entities["legal_country"].null_count == 0
    assert 0.0 < entities["country"].null_count / entities.num_rows < 0.015
    listed = entities["listed"].to_numpy(zero_copy_only=False)
    assert float(np.mean(listed)) < 0.002


def test_country_mix_over_companies(large: Registry) -> None:
    entities, _ = large
    companies = entities.filter(pc.equal(entities["kind"], "company"))
    country = companies["country"].to_numpy(zero_copy_only=False)

    def share(code: str) -> float:
        return float(np.mean(country == code))

    assert 0.06 <= share("CN") <= 0.10
    assert 0.01 <= share("RU") <= 0.03
    assert 0.001 <= share("IR") <= 0.006
    assert share("KP") <= 0.002
    assert 0.18 <= share("US") <= 0.26
    for code in ("HK", "GB", "DE", "JP", "SG", "NL", "KY", "VG", "AE", "LU"):
        assert share(code) > 0.004, code
    offshore = pc.not_equal(companies["country"], companies["legal_country"])
    assert 0.01 < pc.mean(pc.cast(pc.fill_null(offshore, False), pa.int8())).as_py() < 0.1


def test_country_mix_on_a_small_registry(small: Registry) -> None:
    entities, _ = small
    companies = entities.filter(pc.equal(entities["kind"], "company"))
    country = companies["country"].to_numpy(zero_copy_only=False)
    assert 0.06 <= float(np.mean(country == "CN")) <= 0.10
    assert 0.01 <= float(np.mean(country == "RU")) <= 0.03


def test_shares_are_decimals_or_percentages_in_range(small: Registry) -> None:
    _, ownership = small
    texts: list[str] = []
    for column in ("share", "share_min", "share_max"):
        values = _fractions(ownership[column])
        assert all(Fraction(0) <= v <= Fraction(1) for v in values.values())
        texts += values
    assert any(t.endswith("%") for t in texts)
    assert any(not t.endswith("%") and "." in t for t in texts)
    ranged = ownership.filter(pc.is_valid(ownership["share_min"]))
    assert ranged["share"].null_count == ranged.num_rows
    assert ranged["share_max"].null_count == 0
    assert ranged["min_exclusive"].null_count == 0 and ranged["max_exclusive"].null_count == 0
    lows, highs = ranged["share_min"].to_pylist(), ranged["share_max"].to_pylist()
    for lo, hi in zip(lows, highs, strict=True):
        assert parse_share(lo) < parse_share(hi)
    plain = ownership.filter(pc.is_null(ownership["share_min"]))
    assert plain["share_max"].null_count == plain.num_rows
    assert plain["min_exclusive"].null_count == plain.num_rows


def test_ranges_unknowns_nominees_votes_and_dates(small: Registry) -> None:
    _, ownership = small
    n = ownership.num_rows
    ranged = ownership["share_min"].is_valid()
    unknown = pc.and_(ownership["share"].is_null(), ownership["share_min"].is_null())
    assert 0.02 < pc.sum(ranged).as_py() / n < 0.04
    assert 0.02 < pc.sum(unknown).as_py() / n < 0.04
    assert pc.any(pc.and_(ranged, ownership["min_exclusive"])).as_py()
    assert 0.001 < (n - ownership["nominee_for"].null_count) / n < 0.006
    voting = pc.sum(pc.equal(ownership["basis"], "voting")).as_py() / n
    assert 0.02 < voting < 0.04
    assert set(ownership["basis"].to_pylist()) == {"equity", "voting"}
    assert 0.04 < 1 - ownership["start"].null_count / n < 0.06
    assert 0.015 < 1 - ownership["end"].null_count / n < 0.025
    ended = ownership.filter(ownership["end"].is_valid())
    assert pc.max(ended["end"]).as_py().year <= 2024
    both = ended.filter(ended["start"].is_valid())
    assert pc.all(pc.less(both["start"], both["end"])).as_py()


def test_stakes_in_one_company_rarely_exceed_100_percent(large: Registry) -> None:
    entities, ownership = large
    current = _current_equity(ownership)
    owned = _index(ownership["owned"], entities)[current]
    total = np.bincount(owned, weights=_low_ends(ownership)[current], minlength=entities.num_rows)
    over = int(np.count_nonzero(total > 1 + 1e-9))
    assert 0 < over <= 0.0005 * ownership.num_rows  # the deliberate conflicts only


def test_stake_mix(large: Registry) -> None:
    _, ownership = large
    values = _fractions(ownership["share"])
    share = np.array([float(values[v]) for v in ownership["share"].drop_null().to_pylist()])
    assert 0.25 < float(np.mean(share == 1.0)) < 0.5
    assert float(np.mean(share == 0.5)) > 0.03
    assert float(np.mean((share > 0.5) & (share < 1))) > 0.1
    assert float(np.mean(share < 0.5)) > 0.3


def test_some_entities_hold_nothing(small: Registry) -> None:
    entities, ownership = small
    touched = np.zeros(entities.num_rows, dtype=bool)
    for column in ("owner", "owned", "nominee_for"):
        idx = _index(ownership[column], entities)
        touched[idx[idx >= 0]] = True
    assert 0.03 < 1 - float(np.mean(touched)) < 0.07


def test_cross_holdings_make_cycles(small: Registry) -> None:
    entities, ownership = small
    current = _current_equity(ownership)
    owner = _index(ownership["owner"], entities)[current]
    owned = _index(ownership["owned"], entities)[current]
    n = entities.num_rows
    graph = csr_matrix((np.ones(len(owner)), (owner, owned)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels)
    assert np.count_nonzero(sizes > 1) >= 20
    in_cycles = (sizes[labels[owner]] > 1) & (labels[owner] == labels[owned])
    assert 0.003 < float(np.mean(in_cycles)) < 0.03


def test_groups_have_deep_control_chains(large: Registry) -> None:
    entities, ownership = large
    majority = _current_equity(ownership) & (_low_ends(ownership) >= 0.5)
    owner = _index(ownership["owner"], entities)[majority]
    owned = _index(ownership["owned"], entities)[majority]
    n = entities.num_rows
    tops = np.flatnonzero(np.bincount(owned, minlength=n) == 0)
    # a virtual source above every entity without a majority owner; BFS depth = chain length
    rows = np.concatenate([owner, np.full(len(tops), n)])
    cols = np.concatenate([owned, tops])
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    depth = shortest_path(graph, directed=True, unweighted=True, indices=n)
    assert np.nanmax(np.where(np.isfinite(depth), depth, np.nan)) - 1 >= 8


def test_group_sizes_are_heavy_tailed(large: Registry) -> None:
    entities, ownership = large
    majority = _current_equity(ownership) & (_low_ends(ownership) > 0.5)
    owner = _index(ownership["owner"], entities)[majority]
    owned = _index(ownership["owned"], entities)[majority]
    n = entities.num_rows
    graph = csr_matrix((np.ones(len(owner)), (owner, owned)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    companies = pc.equal(entities["kind"], "company").to_numpy(zero_copy_only=False)
    sizes = np.bincount(labels[companies])
    sizes = sizes[sizes > 0]
    assert float(np.mean(sizes <= 5)) > 0.8
    assert sizes.max() >= 200


def test_write_registry_is_byte_identical(tmp_path: Path) -> None:
    a = write_registry(tmp_path / "a", 3_000, 9)
    b = write_registry(tmp_path / "b", 3_000, 9)
    assert [p.name for p in a] == ["entities.parquet", "ownership.parquet"]
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
    entities, ownership = generate_registry(3_000, 9)
    assert pq.read_table(a[0]).equals(entities)
    assert pq.read_table(a[1]).equals(ownership)
