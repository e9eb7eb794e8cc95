"""Merging sources: precedence, no double counting, conflicts, placeholders, stored whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Basis, Kind
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.graph.prepare import prepare
from ownergate.importers.batch import registry_from_batch
from ownergate.importers.merge import merge
from ownergate.importers.records import EntityRecord, FactRecord, HoldingRecord, SourceBatch
from ownergate.policy.model import Policy
from ownergate.snapshots import SnapshotStore
from tests.property import examples


def batch(name: str, entities: list[EntityRecord], holdings: list[HoldingRecord]) -> SourceBatch:
    return SourceBatch({"format": "test", "path": name}, entities, holdings)


def ent(id: str, country: str | None = None, name: str = "", **kw: object) -> EntityRecord:
    return EntityRecord(id=id, record=id, name=name or id, country=country, **kw)  # type: ignore[arg-type]


def hold(owner: str, owned: str, share: Share, basis: Basis = Basis.EQUITY) -> HoldingRecord:
    return HoldingRecord(
        owner, owned, share, record=f"{owner}>{owned}", relation="test", basis=basis
    )


def status_of(reg: object, entity_id: str) -> str:
    policy = Policy()
    result = screen(prepare(reg.entities, reg.holdings, policy), policy)  # type: ignore[attr-defined]
    row = reg.entities.position(entity_id)  # type: ignore[attr-defined]
    return result.status_of(row).value


def test_the_same_holding_from_two_sources_is_counted_once() -> None:
    # 30% stated by both sources: counted twice it would be 60% and restrict SG.
    ents = [ent("CN1", "CN"), ent("SG1", "SG")]
    a = batch("a", ents, [hold("CN1", "SG1", Share.exact("0.3"))])
    b = batch("b", ents, [hold("CN1", "SG1", Share.exact("0.3"))])
    merged = merge([registry_from_batch(a), registry_from_batch(b)])
    assert len(merged.holdings) == 1
    assert merged.superseded.num_rows == 1
    assert merged.superseded.column("source").to_pylist() == [1]
    assert merged.superseded.column("kept_source").to_pylist() == [0]
    assert merged.conflicts.num_rows == 0
    assert status_of(merged, "SG1") == "allowed"


def test_precedence_decides_the_share_and_the_conflict_is_reported() -> None:
    ents = [ent("CN1", "CN"), ent("SG1", "SG")]
    registry = batch("registry", ents, [hold("CN1", "SG1", Share.exact("0.6"))])
    vendor = batch("vendor", ents, [hold("CN1", "SG1", Share.exact("0.4"))])
    first = merge([registry_from_batch(registry), registry_from_batch(vendor)])
    second = merge([registry_from_batch(vendor), registry_from_batch(registry)])
    assert status_of(first, "SG1") == "restricted"
    assert status_of(second, "SG1") == "allowed"
    conflict = first.conflicts.to_pylist()
    assert [(c["kind"], c["kept_source"], c["other_source"]) for c in conflict] == [("share", 0, 1)]
    assert conflict[0]["subject"] == "CN1 -> SG1 (equity)"
    assert "60%" in conflict[0]["kept"] and "40%" in conflict[0]["other"]


def test_different_bases_are_different_holdings() -> None:
    ents = [ent("P", "CN"), ent("C", "SG")]
    a = batch("a", ents, [hold("P", "C", Share.exact("0.4"))])
    b = batch("b", ents, [hold("P", "C", Share.unknown(), Basis.VOTING)])
    merged = merge([registry_from_batch(a), registry_from_batch(b)])
    assert len(merged.holdings) == 2 and merged.superseded.num_rows == 0


def test_entity_fields_come_from_the_first_source_that_states_them() -> None:
    a = batch("a", [ent("X", None, name="Acme Ltd", status="ACTIVE")], [])
    b = batch(
        "b",
        [
            ent("X", "CN", name="ACME LIMITED", other_names=("艾克米",), listed=True),
            ent("Y", "RU", kind=Kind.PERSON),
        ],
        [],
    )
    merged = merge([registry_from_batch(a), registry_from_batch(b)])
    e = merged.entities
    x = e.position("X")
    assert x is not None
    record = e.record(x)
    assert (record.name, record.country, record.listed) == ("Acme Ltd", "CN", True)
    extra = merged.entity_extra.slice(x, 1).to_pylist()[0]
    assert extra["status"] == "ACTIVE"
    assert sorted(extra["other_names"]) == ["ACME LIMITED", "艾克米"]
    y = e.position("Y")
    assert y is not None and e.record(y).kind is Kind.PERSON


def test_country_disagreement_is_a_conflict() -> None:
    a = batch("a", [ent("X", "SG")], [])
    b = batch("b", [ent("X", "CN")], [])
    merged = merge([registry_from_batch(a), registry_from_batch(b)])
    assert merged.conflicts.to_pylist() == [
        {
            "kind": "country",
            "subject": "X",
            "kept": "SG",
            "kept_source": 0,
            "other": "CN",
            "other_source": 1,
        }
    ]


def test_a_placeholder_is_described_by_another_source() -> None:
    rr = batch("rr", [ent("CHILD", "SG")], [hold("PARENT", "CHILD", Share.exact("1"))])
    l1 = batch("l1", [ent("PARENT", "CN")], [])
    alone = registry_from_batch(rr)
    assert alone.entity_extra.column("placeholder").to_pylist() == [False, True]
    assert status_of(alone, "CHILD") == "allowed"
    merged = merge([alone, registry_from_batch(l1)])
    parent = merged.entities.position("PARENT")
    assert parent is not None
    assert merged.entity_extra.column("placeholder")[parent].as_py() is False
    assert status_of(merged, "CHILD") == "restricted"


def test_a_merged_registry_is_stored_and_read_back_whole(tmp_path: Path) -> None:
    a = batch("a", [ent("CN1", "CN"), ent("SG1", "SG")], [hold("CN1", "SG1", Share.exact("0.6"))])
    a.facts.append(FactRecord("SG1", "reporting_exception", "ULTIMATE_PARENT: NON_PUBLIC", "r1"))
    b = batch("b", [ent("SG1", "SG")], [hold("CN1", "SG1", Share.exact("0.55"))])
    merged = merge([registry_from_batch(a), registry_from_batch(b)])
    store = SnapshotStore(tmp_path)
    snap = store.save("m", merged, "tests")
    assert snap.manifest["counts"]["superseded"] == 1
    assert snap.manifest["counts"]["conflicts"] == 1
    assert [s["precedence"] for s in snap.manifest["sources"]] == [0, 1]
    back = store.load_registry("m")
    assert back.facts.to_pylist() == merged.facts.to_pylist()
    assert back.superseded.to_pylist() == merged.superseded.to_pylist()
    assert back.conflicts.to_pylist() == merged.conflicts.to_pylist()
    assert back.holding_record.to_pylist() == merged.holding_record.to_pylist()
    # A stored registry merges again as a source, keeping its sources' order.
    again = merge([back, registry_from_batch(batch("c", [ent("Z", "DE")], []))])
    assert [s["path"] for s in again.sources] == ["a", "b", "c"]
    assert again.superseded.column("source").to_pylist() == [1]


ids = st.sampled_from(["A", "B", "C", "D", "E"])
countries = st.sampled_from([None, "CN", "RU", "SG", "US"])
shares = st.sampled_from(
    [Share.exact("0.2"), Share.exact("0.51"), Share.exact("1"), Share.unknown()]
)
sources = st.lists(
    st.tuples(
        st.dictionaries(ids, countries, min_size=1),
        st.lists(st.tuples(ids, ids, shares), max_size=8),
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=examples(80), deadline=None)
@given(sources)
def test_merge_equals_the_reference_union(
    specs: list[tuple[dict[str, str | None], list[tuple[str, str, Share]]]],
) -> None:
    """Merged decisions equal those of a registry built by hand: for each holding key, the
    rows of the first source that states it; for each entity, the first stated country."""
    batches = [
        batch(f"s{i}", [ent(k, c) for k, c in es.items()], [hold(o, d, s) for o, d, s in hs])
        for i, (es, hs) in enumerate(specs)
    ]
    merged = merge([registry_from_batch(b) for b in batches])
    country: dict[str, str | None] = {}
    for b in batches:
        for e in b.entities:
            if country.get(e.id) is None:
                country[e.id] = e.country
    owner_of: dict[tuple[str, str], int] = {}
    rows: list[HoldingRecord] = []
    for i, b in enumerate(batches):
        for h in b.holdings:
            if owner_of.setdefault((h.owner, h.owned), i) == i:
                rows.append(h)
    reference = registry_from_batch(batch("ref", [ent(k, c) for k, c in country.items()], rows))
    assert len(merged.holdings) == len(rows)
    for entity_id in set(country) | {x for h in rows for x in (h.owner, h.owned)}:
        assert status_of(merged, entity_id) == status_of(reference, entity_id), entity_id
    assert np.all(merged.holding_source >= 0)
