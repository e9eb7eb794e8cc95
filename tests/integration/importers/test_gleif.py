"""GLEIF importer: every real sample imports with the expected counts, every layout of the
same records gives the same records, and the mapping choices (consolidation rule, status and
periods, relationship types, reporting exceptions) hold."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from ownergate.domain.model import Basis, Kind
from ownergate.errors import ConfigError
from ownergate.importers.gleif import ConsolidationRule
from ownergate.importers.gleif import read_gleif as _read_gleif
from ownergate.importers.records import SourceBatch
from tests.shared_data import SAMPLES, shared_data


def read_gleif(paths: Any, **options: Any) -> SourceBatch:
    """The importer with its consolidation holdings only: these tests count and inspect the
    voting stake; the unknown equity stake stated beside it has its own test."""
    options.setdefault("rule", ConsolidationRule(equity_unknown=False))
    return _read_gleif(paths, **options)


FIXTURES = Path(__file__).parent / "fixtures" / "gleif"
SAMPLE = SAMPLES / "gleif"
GROUP = {"984500501A1B1045PB30", "2138002YAB7Z9KO21397", "98450051BS9C610A8T78"}
GROUP_EXCEPTIONS = {"159515PKYKQYJLT0KF16", "ZZZWS8Y6XVKM0Q9RJQ79"}
GOLDEN = "20240505-0000-gleif-goldencopy-lei2-intra-day.json"

# file -> (entities, holdings, facts); the XML twin of a fixture has the same counts.
SHARED_COUNTS = {
    "lei-data": (13, 0, 8),
    "lei-updates-data2": (12, 0, 6),
    "lei-updates-data2-new": (12, 0, 7),
    "rr-data": (0, 1, 10),
    "rr-updates-data2": (0, 4, 12),
    "rr-updates-data2-new": (0, 3, 10),
    "repex-data": (0, 0, 10),
    "repex-updates-data2": (0, 0, 7),
}


def counts(batch: SourceBatch) -> tuple[int, int, int]:
    return len(batch.entities), len(batch.holdings), len(batch.facts)


def unlocated(batch: SourceBatch) -> tuple[list[Any], list[Any], list[Any]]:
    """The batch's records without where they were read (lines differ between layouts)."""

    def strip(items: list[Any]) -> list[Any]:
        return sorted((dataclasses.replace(i, record="") for i in items), key=repr)

    return strip(batch.entities), strip(batch.holdings), strip(batch.facts)


def write_json(folder: Path, records: list[dict[str, Any]], name: str = "in.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(records, indent=1))
    return path


def relationship(
    child: str = "98450051BS9C610A8T78",
    parent: str = "2138002YAB7Z9KO21397",
    *,
    kind: str = "IS_DIRECTLY_CONSOLIDATED_BY",
    status: str = "ACTIVE",
    registration: str = "PUBLISHED",
    periods: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "Relationship": {
            "StartNode": {"NodeID": child, "NodeIDType": "LEI"},
            "EndNode": {"NodeID": parent, "NodeIDType": "LEI"},
            "RelationshipType": kind,
            "RelationshipPeriods": periods
            if periods is not None
            else [{"StartDate": "2018-06-30T00:00:00+00:00", "PeriodType": "RELATIONSHIP_PERIOD"}],
            "RelationshipStatus": status,
        },
        "Registration": {"RegistrationStatus": registration},
    }


# --- real data ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["json", "xml"])
@pytest.mark.parametrize("name", sorted(SHARED_COUNTS))
def test_every_shared_fixture_imports_with_its_counts(name: str, suffix: str) -> None:
    path = shared_data("gleif_samples") / "bodspipelines_fixtures" / f"{name}.{suffix}"
    batch = read_gleif([path])
    assert counts(batch) == SHARED_COUNTS[name]
    assert batch.rejects == []
    assert batch.source["files"][0]["layout"] == suffix


def test_a_json_file_may_mix_lei_records_and_exceptions() -> None:
    path = (
        shared_data("gleif_samples") / "bodspipelines_fixtures" / "reporting-exceptions-data.json"
    )
    batch = read_gleif([path])
    assert counts(batch) == (1, 0, 3)
    assert batch.source["files"][0]["records"] == {"lei": 1, "repex": 2}
    details = sorted(f.detail for f in batch.facts if f.kind == "reporting_exception")
    assert details == ["DIRECT_PARENT: NON_CONSOLIDATING", "ULTIMATE_PARENT: NON_CONSOLIDATING"]


def test_the_golden_copy_delta_imports_all_577_records() -> None:
    batch = read_gleif([shared_data("gleif_samples") / GOLDEN])
    assert counts(batch) == (577, 0, 393)
    assert batch.rejects == []
    assert Counter(e.country for e in batch.entities)["HK"] == 2
    assert Counter(e.legal_country for e in batch.entities)["HK"] == 1
    assert not {e.country for e in batch.entities} & {"CN", "RU", "IR", "KP"}
    facts = Counter((f.kind, f.detail) for f in batch.facts)
    assert facts[("registration_status", "LAPSED")] == 333
    assert facts[("entity_category", "FUND")] == 30
    assert facts[("entity_category", "SOLE_PROPRIETOR")] == 28
    assert {e.kind for e in batch.entities} == {Kind.COMPANY}
    assert facts[("entity_category", "RESIDENT_GOVERNMENT_ENTITY")] == 2
    assert {e.status for e in batch.entities} == {"ACTIVE"}
    alfa = next(e for e in batch.entities if e.id == "097900BID10000147476")
    assert alfa.name == "ALFA REY s.r.o." and alfa.other_names == ("ALFA REY SRO",)
    assert alfa.identifiers == (("LEI", "097900BID10000147476"), ("RA000526", "51078066"))
    assert alfa.record == "line 2, LEI 097900BID10000147476"


@pytest.mark.parametrize("name", sorted(SHARED_COUNTS))
def test_xml_and_json_of_the_same_records_give_the_same_records(name: str) -> None:
    folder = shared_data("gleif_samples") / "bodspipelines_fixtures"
    from_json = read_gleif([folder / f"{name}.json"])
    from_xml = read_gleif([folder / f"{name}.xml"])
    assert unlocated(from_json) == unlocated(from_xml)


def test_the_shipped_sample_is_one_connected_consolidation_group() -> None:
    batch = read_gleif(sorted(SAMPLE.glob("*.json")))
    assert counts(batch) == (35, 5, 64)
    assert batch.rejects == []
    edges = {(h.owner, h.owned) for h in batch.holdings}
    assert ("984500501A1B1045PB30", "2138002YAB7Z9KO21397") in edges
    assert ("2138002YAB7Z9KO21397", "98450051BS9C610A8T78") in edges
    assert GROUP <= {e.id for e in batch.entities}


# --- layouts --------------------------------------------------------------------------------


def group_from_sample() -> tuple[list[Any], list[Any], list[Any]]:
    """The Monoova group and two exceptions as the shipped (plain JSON) sample gives them."""
    batch = read_gleif(sorted(SAMPLE.glob("*.json")))
    batch.entities = [e for e in batch.entities if e.id in GROUP]
    batch.holdings = [h for h in batch.holdings if h.owned in GROUP]
    batch.facts = [
        f
        for f in batch.facts
        if f.entity in GROUP or (f.entity in GROUP_EXCEPTIONS and f.kind == "reporting_exception")
    ]
    return unlocated(batch)


@pytest.mark.parametrize(
    "files",
    [
        ["lei2.csv", "rr.csv", "repex.csv"],
        ["goldencopy-lei2.json", "goldencopy-rr.json", "goldencopy-repex.json"],
        ["goldencopy-lei2.json", "rr.xml", "repex.csv"],
    ],
)
def test_csv_xml_and_golden_copy_json_give_the_same_records_as_plain_json(files: list[str]) -> None:
    batch = read_gleif([FIXTURES / f for f in files])
    assert batch.rejects == []
    assert unlocated(batch) == group_from_sample()


def test_the_gleif_api_layout_gives_the_same_records_but_stated_quantifiers() -> None:
    batch = read_gleif([FIXTURES / "api.json"])
    assert batch.source["files"][0]["records"] == {"lei": 3, "rr": 4, "repex": 2}
    entities, holdings, facts = group_from_sample()
    assert unlocated(batch) == (
        entities,
        holdings,
        [f for f in facts if f.kind != "stated_quantifier"],
    )


def test_csv_records_are_named_by_line_and_key() -> None:
    batch = read_gleif([FIXTURES / "rr.csv"])
    assert batch.holdings[0].record == (
        "line 2, relationship 2138002YAB7Z9KO21397 -> 984500501A1B1045PB30"
    )


def test_a_zipped_file_is_read_like_the_file_itself(tmp_path: Path) -> None:
    source = shared_data("gleif_samples") / "bodspipelines_fixtures" / "rr-data.xml"
    archive = tmp_path / "rr.xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(source, "20230605-gleif-concatenated-file-rr.xml")
    assert unlocated(read_gleif([archive])) == unlocated(read_gleif([source]))


def test_xml_headers_are_kept_in_the_source() -> None:
    path = shared_data("gleif_samples") / "bodspipelines_fixtures" / "lei-data.xml"
    meta = read_gleif([path]).source["files"][0]
    assert meta == {
        "path": str(path),
        "layout": "xml",
        "kind": "lei",
        "content_date": "2023-06-05T08:20:51Z",
        "file_content": "GLEIF_FULL_PUBLISHED",
        "records": {"lei": 13},
    }


def test_an_update_file_replaces_the_records_it_updates() -> None:
    folder = shared_data("gleif_samples") / "bodspipelines_fixtures"
    batch = read_gleif([folder / "lei-updates-data2.json", folder / "lei-updates-data2-new.json"])
    assert len(batch.entities) == 13  # 12 LEIs updated, one only in the first file
    fund = next(e for e in batch.entities if e.id == "00TR8NKAEL48RGTZEW89")
    assert fund.status == "INACTIVE"  # ACTIVE in the first file
    rr = read_gleif([folder / "rr-updates-data2.json", folder / "rr-updates-data2-new.json"])
    deleted = [f for f in rr.facts if "record deleted" in f.detail]
    assert [(f.entity, f.kind) for f in deleted] == [("98450051BS9C610A8T78", "ultimate_parent")]
    both = read_gleif([folder / "rr-data.json", folder / "rr-data.xml"])
    assert counts(both) == SHARED_COUNTS["rr-data"]


# --- Level 1 mapping ------------------------------------------------------------------------


def test_an_lei_record_maps_names_countries_status_and_category(tmp_path: Path) -> None:
    record = {
        "LEI": "5493003J36MH7LBJ5U92",
        "Entity": {
            "LegalName": "Общество с ограниченной ответственностью «Пример»",
            "OtherEntityNames": [
                {"type": "TRADING_OR_OPERATING_NAME", "OtherEntityName": "Primer"},
            ],
            "TransliteratedOtherEntityNames": [
                {
                    "type": "AUTO_ASCII_TRANSLITERATED_LEGAL_NAME",
                    "TransliteratedOtherEntityName": "Obshchestvo s ogranichennoy otvetstvennostyu",
                }
            ],
            "LegalAddress": {"Country": "DK"},
            "RegistrationAuthority": {
                "RegistrationAuthorityID": "RA888888",
                "OtherRegistrationAuthorityID": "Local chamber",
                "RegistrationAuthorityEntityID": "123",
            },
            "EntityCategory": "SOLE_PROPRIETOR",
            "EntityStatus": "INACTIVE",
        },
        "Registration": {"RegistrationStatus": "RETIRED"},
    }
    batch = read_gleif([write_json(tmp_path, [record])])
    (entity,) = batch.entities
    assert entity.kind is Kind.COMPANY  # a sole proprietor acts in a business capacity
    assert (entity.country, entity.legal_country) == ("DK", "DK")  # no HQ: the legal address
    assert entity.status == "INACTIVE"
    assert entity.other_names == ("Primer", "Obshchestvo s ogranichennoy otvetstvennostyu")
    assert entity.identifiers == (("LEI", "5493003J36MH7LBJ5U92"), ("Local chamber", "123"))
    assert {(f.kind, f.detail) for f in batch.facts} == {
        ("registration_status", "RETIRED"),
        ("entity_category", "SOLE_PROPRIETOR"),
    }


# --- consolidation rule ---------------------------------------------------------------------


def test_a_direct_consolidation_is_a_voting_majority_by_default(tmp_path: Path) -> None:
    batch = _read_gleif([write_json(tmp_path, [relationship()])])
    holding, equity = batch.holdings
    # Beside the voting majority, an equity stake of unknown size: consolidation does not
    # say how much equity the parent holds, so an equity-only policy reviews the child.
    assert (equity.owner, equity.owned, equity.basis) == (
        holding.owner,
        holding.owned,
        Basis.EQUITY,
    )
    assert not equity.share.known and equity.record == holding.record
    assert (holding.owner, holding.owned) == ("2138002YAB7Z9KO21397", "98450051BS9C610A8T78")
    assert holding.basis is Basis.VOTING
    share = holding.share
    assert (share.low, share.high, share.low_exclusive, share.high_exclusive) == (
        Fraction(1, 2),
        Fraction(1),
        True,
        False,
    )
    assert holding.relation == "IS_DIRECTLY_CONSOLIDATED_BY"
    assert str(holding.start) == "2018-06-30" and holding.end is None
    assert batch.source["consolidation"] == {
        "share": "(50%, 100%]",
        "basis": "voting",
        "equity_unknown": True,
    }


def test_the_consolidation_rule_is_configurable(tmp_path: Path) -> None:
    rule = ConsolidationRule.from_options(
        {"low": "50%", "low_exclusive": "false", "high": "0.9", "basis": "equity"}
    )
    (holding,) = read_gleif([write_json(tmp_path, [relationship()])], rule=rule).holdings
    assert holding.basis is Basis.EQUITY
    assert holding.share.describe() == "[50%, 90%]"
    assert ConsolidationRule(low=Fraction(1), high=Fraction(1), low_exclusive=False).share.is_exact


@pytest.mark.parametrize(
    "options",
    [
        {"low": "0.9", "high": "0.5"},
        {"low": "1", "high": "1"},  # (100%, 100%] is empty
        {"low": "150%"},
        {"basis": "ownership"},
        {"low_exclusive": "maybe"},
        {"low": None},
        {"threshold": "0.5"},
    ],
)
def test_an_invalid_consolidation_rule_is_a_config_error(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        ConsolidationRule.from_options(options)


# --- relationship status, periods and types -------------------------------------------------


def test_an_inactive_relationship_with_an_end_date_is_a_dated_holding(tmp_path: Path) -> None:
    periods = [
        {"StartDate": "2015-01-01", "EndDate": "2021-03-31", "PeriodType": "RELATIONSHIP_PERIOD"},
        {"StartDate": "2020-01-01", "EndDate": "2020-12-31", "PeriodType": "ACCOUNTING_PERIOD"},
    ]
    rel = relationship(status="INACTIVE", periods=periods)
    (holding,) = read_gleif([write_json(tmp_path, [rel])]).holdings
    assert (str(holding.start), str(holding.end)) == ("2015-01-01", "2021-03-31")


def test_an_inactive_relationship_without_an_end_date_is_only_a_fact(tmp_path: Path) -> None:
    batch = read_gleif([write_json(tmp_path, [relationship(status="INACTIVE")])])
    assert batch.holdings == []
    (fact,) = batch.facts
    assert (fact.entity, fact.kind, fact.related) == (
        "98450051BS9C610A8T78",
        "direct_parent",
        "2138002YAB7Z9KO21397",
    )
    assert fact.detail == (
        "INACTIVE, from 2018-06-30; not counted as control: no longer current and no end "
        "date stated"
    )


@pytest.mark.parametrize("registration", ["ANNULLED", "DUPLICATE"])
def test_a_relationship_registered_in_error_is_not_a_holding(
    tmp_path: Path, registration: str
) -> None:
    batch = read_gleif([write_json(tmp_path, [relationship(registration=registration)])])
    assert batch.holdings == []
    assert batch.facts[0].detail.endswith(f"not counted as control: registration {registration}")


def test_a_lapsed_relationship_still_counts_and_says_so(tmp_path: Path) -> None:
    batch = read_gleif([write_json(tmp_path, [relationship(registration="LAPSED")])])
    assert len(batch.holdings) == 1
    assert [(f.kind, f.detail) for f in batch.facts] == [
        ("direct_parent", "ACTIVE, from 2018-06-30, registration LAPSED")
    ]


def test_relationship_periods_span_from_the_first_start_to_the_last_end(tmp_path: Path) -> None:
    periods = [
        {"StartDate": "2016-01-01", "EndDate": "2017-01-01", "PeriodType": "RELATIONSHIP_PERIOD"},
        {"StartDate": "2019-01-01", "PeriodType": "RELATIONSHIP_PERIOD"},
    ]
    (holding,) = read_gleif([write_json(tmp_path, [relationship(periods=periods)])]).holdings
    assert (str(holding.start), holding.end) == ("2016-01-01", None)
    (undated,) = read_gleif([write_json(tmp_path, [relationship(periods=[])])]).holdings
    assert (undated.start, undated.end) == (None, None)


@pytest.mark.parametrize(
    ("kind", "fact"),
    [
        ("IS_ULTIMATELY_CONSOLIDATED_BY", "ultimate_parent"),
        ("IS_INTERNATIONAL_BRANCH_OF", "branch_of"),
        ("IS_FUND-MANAGED_BY", "fund_managed_by"),
        ("IS_SUBFUND_OF", "subfund_of"),
        ("IS_FEEDER_TO", "feeder_to"),
    ],
)
def test_other_relationships_are_facts_not_holdings(tmp_path: Path, kind: str, fact: str) -> None:
    batch = read_gleif([write_json(tmp_path, [relationship(kind=kind)])])
    assert batch.holdings == []
    assert [(f.kind, f.related, f.detail) for f in batch.facts] == [
        (fact, "2138002YAB7Z9KO21397", "ACTIVE, from 2018-06-30")
    ]


def test_reporting_exceptions_are_explainable_facts(tmp_path: Path) -> None:
    records = [
        {
            "LEI": "159515PKYKQYJLT0KF16",
            "ExceptionCategory": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT",
            "ExceptionReason": "NATURAL_PERSONS",
        },
        {
            "LEI": "159515PKYKQYJLT0KF16",
            "ExceptionCategory": "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT",
            "ExceptionReason": ["NON_PUBLIC", "LEGAL_OBSTACLES"],
            "ExceptionReference": "Datenschutz",
        },
    ]
    batch = read_gleif([write_json(tmp_path, records)])
    assert [(f.entity, f.kind, f.detail) for f in batch.facts] == [
        ("159515PKYKQYJLT0KF16", "reporting_exception", "DIRECT_PARENT: NATURAL_PERSONS"),
        (
            "159515PKYKQYJLT0KF16",
            "reporting_exception",
            "ULTIMATE_PARENT: NON_PUBLIC, LEGAL_OBSTACLES (reference: Datenschutz)",
        ),
    ]


def test_older_reporting_exception_csv_headers_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "repex.csv"
    path.write_text(
        "LEI,ExceptionCategory,ExceptionReason.1,ExceptionReason.2,ExceptionReference.1\n"
        "159515PKYKQYJLT0KF16,DIRECT_ACCOUNTING_CONSOLIDATION_PARENT,NON_PUBLIC,,\n"
    )
    (fact,) = read_gleif([path]).facts
    assert (fact.record, fact.detail) == (
        "line 2, LEI 159515PKYKQYJLT0KF16",
        "DIRECT_PARENT: NON_PUBLIC",
    )


def test_a_single_gleif_api_record_is_read(tmp_path: Path) -> None:
    api = json.loads((FIXTURES / "api.json").read_text())
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"meta": api["meta"], "data": api["data"][0]}))
    (entity,) = read_gleif([path]).entities
    assert entity.id == "2138002YAB7Z9KO21397"
    assert entity.record == "line 1, LEI 2138002YAB7Z9KO21397"
