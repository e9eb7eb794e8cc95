"""BODS importer: what each feature of the standard becomes, on small hand-written fixtures
and on the official BODS 0.4 example packages."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest

from ownergate.domain.model import Basis, Kind
from ownergate.domain.shares import Share
from ownergate.importers.bods import read_bods
from ownergate.importers.records import EntityRecord, FactRecord, HoldingRecord, SourceBatch
from tests.shared_data import shared_data

FIXTURES = Path(__file__).parent / "fixtures" / "bods"
BETA_LEI = "5299000BETABANK0EX98"


def entity(batch: SourceBatch, entity_id: str) -> EntityRecord:
    (found,) = [e for e in batch.entities if e.id == entity_id]
    return found


def holdings(batch: SourceBatch, owner: str, owned: str) -> list[HoldingRecord]:
    return [h for h in batch.holdings if (h.owner, h.owned) == (owner, owned)]


def facts(batch: SourceBatch, kind: str) -> list[FactRecord]:
    return [f for f in batch.facts if f.kind == kind]


@pytest.fixture(scope="module")
def package() -> SourceBatch:
    return read_bods([FIXTURES / "package_04.json"])


def test_package_counts_and_source(package: SourceBatch) -> None:
    assert (len(package.entities), len(package.holdings), len(package.facts)) == (7, 5, 5)
    assert package.rejects == []
    assert package.source["format"] == "bods"
    assert package.source["version"] == "0.4"
    assert package.source["records"] == 13
    assert package.source["publication_date"] == "2024-01-15"


def test_entity_countries_lei_and_kinds(package: SourceBatch) -> None:
    alpha = entity(package, "ent-alpha")
    # Business address is the headquarters; a subdivision jurisdiction gives its country.
    assert (alpha.country, alpha.legal_country) == ("HK", "GB")
    assert alpha.other_names == ("Alpha Holdings",)
    assert alpha.record.startswith("statement pkg04-0001-entity-alpha-holdings")
    beta = entity(package, BETA_LEI)  # the LEI is the id, the recordId is gone
    assert ("LEI", BETA_LEI) in beta.identifiers
    assert not any(e.id == "ent-beta" for e in package.entities)
    assert entity(package, "ent-state").kind is Kind.STATE
    assert entity(package, "ent-delta").status == "dissolved"


def test_stock_listing_is_a_fact_never_listed(package: SourceBatch) -> None:
    assert not any(e.listed for e in package.entities)
    (listing,) = facts(package, "public_listing")
    assert (listing.entity, listing.detail) == ("ent-gamma", "London Stock Exchange GAM")


def test_persons(package: SourceBatch) -> None:
    chen = entity(package, "per-chen")
    assert chen.kind is Kind.PERSON
    assert chen.name == "Chen Example"  # the legal name, not the first one listed
    assert (chen.country, chen.legal_country) == ("SG", "CN")  # residence, nationality
    assert [(f.entity, f.detail) for f in facts(package, "nationality")] == [("per-chen", "SG")]
    anonymous = entity(package, "per-anon")
    assert (anonymous.name, anonymous.country) == ("", None)


def test_shareholding_and_voting_rights_are_separate_holdings(package: SourceBatch) -> None:
    equity, voting = holdings(package, "ent-alpha", BETA_LEI)
    assert (equity.basis, equity.relation) == (Basis.EQUITY, "shareholding")
    assert equity.share == Share.exact(Fraction(5, 8))
    assert equity.start == dt.date(2020, 1, 1)
    assert (voting.basis, voting.relation) == (Basis.VOTING, "votingRights")
    assert voting.share == Share.between("0.5", "0.75", low_exclusive=True, high_exclusive=True)


def test_ranges_with_exclusive_bounds(package: SourceBatch) -> None:
    (chen,) = holdings(package, "per-chen", "ent-alpha")
    assert chen.share == Share.between("0.25", "0.5", high_exclusive=True)
    # minimum 10 and exclusiveMinimum 10 together: the exclusive bound is the tighter one.
    (anon,) = holdings(package, "per-anon", "ent-alpha")
    assert anon.share == Share.between("0.1", "0.2", low_exclusive=True)


def test_indirect_interest_is_a_stated_fact_not_a_holding(package: SourceBatch) -> None:
    assert holdings(package, "per-chen", BETA_LEI) == []
    (stated,) = facts(package, "stated_indirect")
    assert (stated.entity, stated.related, stated.detail) == (
        BETA_LEI,
        "per-chen",
        "shareholding 31.25%",
    )
    interests = [(f.entity, f.related, f.detail) for f in facts(package, "interest")]
    assert interests == [(BETA_LEI, "per-chen", "boardMember direct")]


def test_unknown_directness_counts_as_direct(package: SourceBatch) -> None:
    assert len(holdings(package, "per-chen", "ent-alpha")) == 1  # directOrIndirect: unknown


def test_unspecified_owner_and_unknown_share(package: SourceBatch) -> None:
    (unspecified,) = facts(package, "unspecified_owner")
    assert unspecified.entity == "ent-gamma"
    assert unspecified.detail == "subjectExemptFromDisclosure: Listed on a regulated market"
    (state,) = holdings(package, "ent-state", "ent-delta")
    assert state.share == Share.unknown()
    assert (state.start, state.end) == (dt.date(2010, 1, 1), dt.date(2023, 6, 30))


def test_record_lifecycle_latest_statement_wins_and_closed_records_go() -> None:
    batch = read_bods([FIXTURES / "lifecycle_04.jsonl"])
    assert sorted(e.id for e in batch.entities) == ["ent-x", "ent-y"]  # per-z was closed
    # Equal statementDate: the later statement in the file wins.
    assert entity(batch, "ent-x").name == "X Renamed Again BV"
    assert (
        entity(batch, "ent-x").record == "statement life-0011-0000000000000000000000000 (line 11)"
    )
    # rel-x-y: the 2023 update beats the 2022 one that comes after it in the file.
    (stake,) = batch.holdings
    assert (stake.owner, stake.owned, stake.share) == ("ent-y", "ent-x", Share.exact("0.7"))
    assert stake.start == dt.date(2022, 12, 1)
    assert stake.record.endswith("(line 5)")
    assert batch.facts == [] and batch.rejects == []


def test_bods_02_replaced_statements_and_references() -> None:
    batch = read_bods([FIXTURES / "legacy_02.json"])
    assert batch.source["version"] == "0.2"
    ids = sorted(e.id for e in batch.entities)
    parent = "5299000PARENTCORP068"
    oldco = "legacy02-entity-oldco-v2-0000000000000"
    person = "legacy02-person-ivan-0000000000000000"
    assert ids == sorted([parent, oldco, person])
    assert entity(batch, oldco).name == "Old Co Limited"
    assert (entity(batch, person).country, entity(batch, person).legal_country) == ("CY", "RU")
    # The ownership statement names the replaced v1 entity statement: it follows to v2.
    equity, voting = holdings(batch, parent, oldco)
    assert equity.share == Share.between("0.5", "0.75", low_exclusive=True)  # boolean flags
    assert (voting.basis, voting.relation, voting.share) == (
        Basis.VOTING,
        "votingRights",  # 0.2 "voting-rights"
        Share.exact("0.6"),
    )
    (ivan,) = holdings(batch, person, parent)  # v1 (100%) was replaced by v2 (90%)
    assert (ivan.share, ivan.start) == (Share.exact("0.9"), dt.date(2019, 2, 1))
    details = sorted((f.kind, f.detail) for f in batch.facts)
    assert details == [
        ("interest", "appointmentOfBoard"),
        ("unspecified_owner", "noNotifiableOwners: No other owner above the threshold"),
    ]


def test_bods_03_interest_level() -> None:
    batch = read_bods([FIXTURES / "legacy_03.jsonl"])
    operating = "legacy03-entity-operating-gmbh-000000000"
    holding = "legacy03-entity-holding-gmbh-0000000000"
    anna = "legacy03-person-anna-0000000000000000000"
    assert [(h.owner, h.owned, h.basis) for h in batch.holdings] == [
        (holding, operating, Basis.EQUITY),
        (holding, operating, Basis.VOTING),
        (anna, holding, Basis.EQUITY),
    ]
    assert [(f.kind, f.entity, f.related, f.detail) for f in batch.facts] == [
        ("stated_indirect", operating, anna, "shareholding 51%"),
        ("interest", holding, anna, "rightToProfitOrIncomeFromAssets direct"),
    ]


def test_several_files_make_one_batch() -> None:
    paths = [FIXTURES / "package_04.json", FIXTURES / "legacy_03.jsonl"]
    batch = read_bods(paths)
    assert len(batch.entities) == 7 + 3
    assert batch.source["version"] == "0.3, 0.4"
    assert batch.source["path"] == ", ".join(str(p) for p in paths)


# entities, holdings, facts per official example package (BODS 0.4, illustrative data).
OFFICIAL = {
    "bods-package-annotations.json": (2, 0, 1),
    "bods-package-entity-owning-entity.json": (2, 1, 0),
    "bods-package-fi-soe.json": (4, 3, 2),
    "bods-package-linking-annotations.json": (2, 1, 0),
    "bods-package.json": (2, 1, 0),
    "fermcat.json": (2, 1, 1),
    "full-pep-declaration.json": (2, 2, 0),
    "indirect-ownership.json": (3, 1, 2),
    "joint-ownership.json": (4, 3, 0),
    "levent.json": (4, 0, 4),
    "listed-company-exempt-from-disclosure.json": (1, 0, 2),
    "mixed-direct-and-indirect-ownership.json": (3, 2, 2),
    "multiple-indirect-ownership.json": (4, 2, 3),
    "multiple-tax-residencies.json": (2, 1, 0),
    "mutilple-indirect-ownership-2.json": (4, 2, 3),
    "nomination.json": (4, 0, 4),
    "plc-entity-statement.json": (1, 0, 1),
    "simple-pep-declaration.json": (2, 2, 0),
    "tecido.json": (2, 2, 0),
}


def test_every_official_example_imports() -> None:
    folder = shared_data("bods_examples")
    found = sorted(p.name for p in folder.glob("*.json"))
    assert found == sorted(OFFICIAL)
    for name, counts in OFFICIAL.items():
        batch = read_bods([folder / name])
        got = (len(batch.entities), len(batch.holdings), len(batch.facts))
        assert got == counts, name
        assert batch.rejects == [] and batch.source["version"] == "0.4"


def test_official_examples_semantics() -> None:
    folder = shared_data("bods_examples")
    # Tecido: after updates and the closing of Maria Esteves, Shear Trust holds 80%.
    tecido = read_bods([folder / "tecido.json"])
    assert {(h.owner, h.owned, h.basis, h.share) for h in tecido.holdings} == {
        ("033E84672B", "01B68D7633", Basis.EQUITY, Share.exact("0.8")),
        ("033E84672B", "01B68D7633", Basis.VOTING, Share.exact("0.8")),
    }
    # Indirect ownership: the person's 30% through Company B is a stated fact only.
    indirect = read_bods([folder / "indirect-ownership.json"])
    assert [(h.owner, h.owned) for h in indirect.holdings] == [("d4ab89ea169a", "ad3f6c2fcc9e")]
    (stated,) = facts(indirect, "stated_indirect")
    assert (stated.related, stated.detail) == ("c25d4d612c2c", "shareholding 30%")
    # The PLC's XI-LEI identifier makes its LEI the id; its stock listing is a fact.
    plc = read_bods([folder / "plc-entity-statement.json"])
    assert [e.id for e in plc.entities] == ["PY6ZZQWO2IZFZC3IOL08"]
    assert not plc.entities[0].listed
    # A range with an exclusive maximum.
    owning = read_bods([folder / "bods-package-entity-owning-entity.json"])
    assert owning.holdings[0].share == Share.between("0.75", "1", high_exclusive=True)
    # The Finnish state-owned enterprise: ministry and state are Kind.STATE.
    soe = read_bods([folder / "bods-package-fi-soe.json"])
    assert sorted(e.kind for e in soe.entities).count(Kind.STATE) == 2
    everything = read_bods(sorted(folder.glob("*.json")))
    assert (len(everything.entities), len(everything.holdings), len(everything.facts)) == (
        50,
        24,
        25,
    )


def test_the_same_statements_twice_count_once() -> None:
    for name in ("legacy_02.json", "legacy_03.jsonl", "package_04.json", "lifecycle_04.jsonl"):
        once = read_bods([FIXTURES / name])
        twice = read_bods([FIXTURES / name, FIXTURES / name])
        assert twice.holdings == once.holdings, name
        assert twice.entities == once.entities, name
        assert twice.facts == once.facts, name


def test_an_undated_statement_is_older_than_a_dated_one(tmp_path: Path) -> None:
    def named(name: str, date: str | None) -> dict[str, object]:
        found: dict[str, object] = {
            "statementId": f"s-{name}",
            "recordId": "co",
            "recordType": "entity",
            "recordStatus": "updated",
            "recordDetails": {"name": name},
        }
        if date:
            found["statementDate"] = date
        return found

    path = tmp_path / "undated.json"
    path.write_text(json.dumps([named("dated", "2020-01-01"), named("undated", None)]))
    assert [e.name for e in read_bods([path]).entities] == ["dated"]
    path.write_text(json.dumps([named("undated", None), named("later", None)]))
    assert [e.name for e in read_bods([path]).entities] == ["later"]
