"""The FtM importer on a real OpenSanctions graph (read in place, never copied: CC BY-NC).

``opensanctions_ftm_zala``: 91 entities around ZALA Aero, among them 11 Company, 6 Person,
14 Ownership (10 with a percentage), 3 Directorship, 4 Family and 41 Sanction entities.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from ownergate.domain.model import Kind
from ownergate.domain.shares import Share
from ownergate.importers.batch import registry_from_batch
from ownergate.importers.ftm import read_ftm
from ownergate.importers.records import SourceBatch
from tests.shared_data import shared_data

CST = "NK-abdzbEBkqyT29GyREbiURZ"  # LLC CST, the multi-owner asset
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"
KALASHNIKOV = "NK-nR5AXM9AVPq4pQaSPSaVam"
ASSOCIATION = "NK-SiYwWfxwLVrVeFswsvAvsm"


def _path() -> Path:
    return shared_data("opensanctions_ftm_zala") / "entities.ftm.json"


@pytest.fixture(scope="module")
def batch() -> SourceBatch:
    return read_ftm([_path()], listed_topics=frozenset({"sanction"}))


def test_counts(batch: SourceBatch) -> None:
    assert batch.source["records"] == 91
    assert batch.rejects == []
    assert Counter(e.kind for e in batch.entities) == {Kind.COMPANY: 11, Kind.PERSON: 6}
    assert len(batch.holdings) == 14
    assert sum(h.share.known for h in batch.holdings) == 10
    kinds = Counter(f.kind for f in batch.facts)
    assert kinds["sanction"] == 41
    assert (kinds["directorship"], kinds["family"]) == (3, 4)
    assert batch.source["counts"].get("unresolved_references", 0) == 0


def test_every_company_is_russian(batch: SourceBatch) -> None:
    companies = [e for e in batch.entities if e.kind is Kind.COMPANY]
    assert {(e.country, e.legal_country) for e in companies} == {("RU", "RU")}
    assert all(e.name for e in batch.entities)


def test_listing_follows_the_sanction_topic(batch: SourceBatch) -> None:
    listed = {e.id for e in batch.entities if e.listed}
    assert len(listed) == 13  # 7 companies, 6 persons
    assert {CST, ZAKHAROV, KALASHNIKOV} <= listed
    assert ASSOCIATION not in listed  # "sanction.linked" only
    assert not any(e.listed for e in read_ftm([_path()]).entities)


def test_cst_stakes_and_their_periods(batch: SourceBatch) -> None:
    stakes = {(h.owner, h.share.low): h for h in batch.holdings if h.owned == CST}
    current = [h for h in stakes.values() if h.end is None]
    assert sorted((h.owner, h.share.low) for h in current if h.share.known) == [
        (ZAKHAROV, Fraction(51, 100)),
        (KALASHNIKOV, Fraction(49, 100)),
    ]
    ended = stakes[(ZAKHAROV, Fraction(1, 2))]
    assert (ended.start, ended.end) == (dt.date(2015, 11, 25), dt.date(2023, 3, 2))
    subsidiary = [h for h in current if not h.share.known]
    assert [(h.owner, h.relation) for h in subsidiary] == [
        (KALASHNIKOV, "Ownership: subsidiary of")
    ]
    assert subsidiary[0].share == Share.unknown()


def test_builds_a_registry_without_placeholders(batch: SourceBatch) -> None:
    counts = registry_from_batch(batch).sources[0]["counts"]
    assert (counts["entities"], counts["placeholders"], counts["holdings"]) == (17, 0, 14)
