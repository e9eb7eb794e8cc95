"""The FollowTheMoney importer on hand-written, invented entities (fixtures/ftm)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

from ownergate.domain.model import Kind
from ownergate.domain.shares import Share
from ownergate.importers.batch import registry_from_batch
from ownergate.importers.ftm import read_ftm
from ownergate.importers.records import EntityRecord, HoldingRecord, SourceBatch

FIXTURES = Path(__file__).parent / "fixtures" / "ftm"
GROUP = FIXTURES / "group.ftm.json"
GAMMA = FIXTURES / "gamma.array.json"
BOREAL = "5299000FICTBOREAL017"


@pytest.fixture(scope="module")
def batch() -> SourceBatch:
    return read_ftm([GROUP, GAMMA])


def entity(batch: SourceBatch, entity_id: str) -> EntityRecord:
    (found,) = [e for e in batch.entities if e.id == entity_id]
    return found


def holding(batch: SourceBatch, record: str) -> HoldingRecord:
    (found,) = [h for h in batch.holdings if h.record == record]
    return found


def facts(batch: SourceBatch, entity_id: str, kind: str) -> list[str]:
    return [f.detail for f in batch.facts if f.entity == entity_id and f.kind == kind]


def test_counts_and_source(batch: SourceBatch) -> None:
    assert len(batch.entities) == 8
    assert len(batch.holdings) == 8  # 9 Ownership, one of a Vessel left out
    assert batch.rejects == []
    assert batch.source["format"] == "ftm"
    assert batch.source["files"] == [str(GROUP), str(GAMMA)]
    assert batch.source["records"] == 25
    assert batch.source["schemata"]["Ownership"] == 9
    assert batch.source["schemata"]["Vessel"] == 1
    assert batch.source["counts"] == {
        "facts_without_party": 1,
        "ownerships_of_non_parties": 1,
        "replaced": 1,
        "unresolved_references": 1,
    }


def test_lei_is_the_id_and_names(batch: SourceBatch) -> None:
    boreal = entity(batch, BOREAL)
    assert boreal.record == "fx-boreal"
    assert boreal.name == "Borealis Widgets Ltd"  # the caption, one of the names
    assert boreal.other_names == (
        "BOREALIS WIDGETS LIMITED",
        "Borealis",
        "Northern Gadgets Ltd",
        "BWL",
    )
    assert boreal.identifiers == (
        ("LEI", BOREAL),
        ("FTM", "fx-boreal"),
        ("registrationNumber", "01234567"),
    )
    assert (boreal.kind, boreal.country, boreal.legal_country) == (Kind.COMPANY, "GB", "GB")
    assert boreal.status == "Active"


def test_kinds(batch: SourceBatch) -> None:
    kinds = {e.record: e.kind for e in batch.entities}
    assert kinds == {
        "fx-boreal": Kind.COMPANY,
        "fx-krasna": Kind.COMPANY,
        "fx-ministry": Kind.COMPANY,  # a state body seeds like a company
        "fx-zed": Kind.COMPANY,
        "fx-shadow": Kind.COMPANY,
        "fx-yak": Kind.COMPANY,
        "fx-ivan": Kind.PERSON,
        "fx-gamma": Kind.COMPANY,
    }
    assert facts(batch, "fx-ministry", "public_body") == ["PublicBody"]


def test_countries(batch: SourceBatch) -> None:
    krasna = entity(batch, "fx-krasna")  # jurisdiction only: seated there
    assert (krasna.country, krasna.legal_country) == ("RU", "RU")
    zed = entity(batch, "fx-zed")  # mainCountry first; legal falls back to it
    assert (zed.country, zed.legal_country) == ("CY", "CY")
    assert facts(batch, "fx-zed", "other_country") == ["RU"]
    shadow = entity(batch, "fx-shadow")  # Soviet Union, "global": no ISO country
    assert (shadow.country, shadow.legal_country) == (None, None)
    assert facts(batch, "fx-shadow", "unmapped_country") == ["suhh", "zz"]
    yak = entity(batch, "fx-yak")  # a subdivision maps to its country
    assert (yak.country, yak.legal_country) == ("CN", "CN")


def test_identifiers_status_and_dissolution(batch: SourceBatch) -> None:
    krasna = entity(batch, "fx-krasna")
    assert krasna.identifiers == (("RU-INN", "7700000001"), ("RU-OGRN", "1027700000001"))
    assert krasna.status == ""
    yak = entity(batch, "fx-yak")
    assert yak.status == "dissolved"
    assert facts(batch, "fx-yak", "dissolved") == ["2019"]


def test_topics_are_facts_and_listing_is_opt_in(batch: SourceBatch) -> None:
    assert facts(batch, "fx-krasna", "topic") == ["sanction", "export.control"]
    assert not any(e.listed for e in batch.entities)
    listed = read_ftm([GROUP, GAMMA], listed_topics=frozenset({"sanction"}))
    assert {e.record for e in listed.entities if e.listed} == {"fx-krasna"}  # not .linked
    assert listed.source["listed_topics"] == ["sanction"]
    linked = read_ftm([GROUP], listed_topics=frozenset({"sanction.linked", "gov.national"}))
    assert {e.record for e in linked.entities if e.listed} == {"fx-ivan", "fx-ministry"}


def test_shares(batch: SourceBatch) -> None:
    assert holding(batch, "fx-own-1").share == Share.exact("0.51")
    assert holding(batch, "fx-own-2").share == Share.exact("0.255")  # decimal comma
    assert holding(batch, "fx-own-3").share == Share.exact("0.245")  # with a % sign
    assert holding(batch, "fx-own-4").share == Share.unknown()
    assert holding(batch, "fx-own-5").share == Share.between("0.25", "0.5")  # a band
    assert holding(batch, "fx-own-6").share == Share.between("0.3", "0.4")  # two values
    assert holding(batch, "fx-own-9").share.low == Fraction(3, 5)


def test_endpoints_use_entity_ids(batch: SourceBatch) -> None:
    own = holding(batch, "fx-own-1")
    assert (own.owner, own.owned) == ("fx-krasna", BOREAL)  # the asset's LEI
    assert holding(batch, "fx-own-9").owner == BOREAL  # resolved across files
    assert holding(batch, "fx-own-7").owner == "fx-offstage"  # not in the files: kept
    assert all(h.record != "fx-own-8" for h in batch.holdings)  # a Vessel is no party


def test_dates_partial_and_exclusive(batch: SourceBatch) -> None:
    own = holding(batch, "fx-own-1")  # "2021" to "2023-05": the whole of both periods
    assert (own.start, own.end) == (dt.date(2021, 1, 1), dt.date(2023, 6, 1))
    assert holding(batch, "fx-own-2").start == dt.date(2020, 2, 29)
    assert holding(batch, "fx-own-3").end == dt.date(2022, 12, 31)
    assert holding(batch, "fx-own-4").start is None


def test_relation_keeps_role_and_type(batch: SourceBatch) -> None:
    assert holding(batch, "fx-own-1").relation == "Ownership: shareholder"
    assert holding(batch, "fx-own-4").relation == "Ownership: nominee"
    assert holding(batch, "fx-own-9").relation == "Ownership"


def test_links_and_sanctions_are_facts(batch: SourceBatch) -> None:
    by_record = {f.record: f for f in batch.facts if f.record.startswith(("fx-dir", "fx-fam"))}
    director = by_record["fx-dir-1"]
    assert (director.entity, director.kind, director.detail, director.related) == (
        BOREAL,
        "directorship",
        "Chairman",
        "fx-ivan",
    )
    family = by_record["fx-fam-1"]
    assert (family.entity, family.kind, family.related) == ("fx-ivan", "family", "fx-offstage")
    assert facts(batch, "fx-krasna", "sanction") == ["Office of Imaginary Sanctions / XX-TEA"]
    assert facts(batch, "fx-zed", "unknown_link") == ["trustee of"]


def test_a_repeated_id_replaces_the_earlier_entity(batch: SourceBatch) -> None:
    ivan = entity(batch, "fx-ivan")
    assert ivan.country == "KZ"
    assert ivan.other_names == ("Ivan F.",)


def test_array_file_alone_keeps_the_reference() -> None:
    alone = read_ftm([GAMMA])
    assert [e.id for e in alone.entities] == ["fx-gamma"]
    assert alone.holdings[0].owner == "fx-boreal"
    assert alone.source["counts"] == {"unresolved_references": 1}


def test_batch_builds_a_registry_with_one_placeholder(batch: SourceBatch) -> None:
    registry = registry_from_batch(batch)
    assert registry.sources[0]["counts"]["placeholders"] == 1  # fx-offstage
    assert registry.sources[0]["counts"]["holdings"] == 8


def test_empty_inputs() -> None:
    assert read_ftm([]).entities == []


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("\n  \n")
    batch = read_ftm([empty])
    assert (batch.entities, batch.holdings, batch.source["records"]) == ([], [], 0)
    (tmp_path / "array.json").write_text("\ufeff [ ]\n")
    assert read_ftm([tmp_path / "array.json"]).source["records"] == 0
