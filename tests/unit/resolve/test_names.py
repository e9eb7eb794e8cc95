"""Name normalisation: legal forms, punctuation and scripts."""

from __future__ import annotations

import pytest

from ownergate.resolve import CandidateIndex, Outcome, RegistryEntity, Resolver, Subject
from ownergate.resolve.names import normalize_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Huawei Technologies Co., Ltd.", "huawei technologies"),
        ("HUAWEI TECHNOLOGIES COMPANY LIMITED", "huawei technologies"),
        ("Siemens AG", "siemens"),
        ("Foo L.L.C.", "foo"),
        ("Foo sp. z o.o.", "foo"),
        ("Société Générale S.A.", "societe generale"),
        ("ООО Ромашка", "romashka"),
        ("华为技术有限公司", "hua wei ji shu"),
        ("Procter & Gamble", "procter and gamble"),
    ],
)
def test_legal_forms_scripts_and_punctuation_are_normalised(name: str, key: str) -> None:
    assert normalize_name(name).key == key


def test_a_name_that_is_only_a_legal_form_keeps_a_key() -> None:
    assert normalize_name("Limited").key == "limited"


def test_initials_are_not_glued_across_commas() -> None:
    assert normalize_name("Fund I, a. s.").tokens == ("fund", "i")


@pytest.mark.parametrize(
    "query",
    ["华为技术有限公司", "Huawei Technologies Co., Ltd.", "Хуавэй", "HUAWEI TECHNOLOGIES LIMITED"],
)
def test_every_script_of_one_entity_meets_it(query: str) -> None:
    huawei = RegistryEntity(
        "huawei", "Huawei Technologies Co., Ltd.", "CN", ("华为技术有限公司", "Хуавэй")
    )
    zte = RegistryEntity("zte", "ZTE Corporation", "CN", ("中兴通讯股份有限公司",))
    result = Resolver(CandidateIndex([huawei, zte])).resolve(Subject("a", query, "CN"))
    assert result.outcome is Outcome.LINKED
    assert result.entity_id == "huawei"
