"""Names across scripts and countries: hanzi meet their pinyin (both ways), romanised
Chinese legal forms count as legal forms, hangul and kana meet their romanisation, a
shorter name meets a longer registry name, and strong matches abroad are candidates."""

from __future__ import annotations

import pytest

from ownergate.resolve import CandidateIndex, Outcome, RegistryEntity, Resolver, Subject
from ownergate.resolve.names import normalize_name
from ownergate.resolve.pinyin import looks_pinyin, split_syllables

HANZI = CandidateIndex(
    [
        RegistryEntity("CN1", "深圳华信科技有限公司", "CN"),
        RegistryEntity("CN2", "北京星辰控股有限公司", "CN"),
        RegistryEntity("CN3", "重庆长江集团股份有限公司", "CN"),
        RegistryEntity("KR1", "삼성전자 주식회사", "KR"),
        RegistryEntity("JP1", "トヨタ株式会社", "JP"),
    ]
)
LATIN = CandidateIndex(
    [
        RegistryEntity("CN1", "Shenzhen Huaxin Keji Co., Ltd.", "CN"),
        RegistryEntity("CN2", "Beijing Xingchen Holdings Co Ltd", "CN"),
    ]
)


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("Shenzhen Huaxin Keji Co Ltd", "CN1"),
        ("Shenzhen Huaxin Technology Co., Ltd.", "CN1"),
        ("SHENZHEN HUAXIN KEJI YOUXIAN GONGSI", "CN1"),
        ("Beijing Xingchen Konggu Youxian Gongsi", "CN2"),
        ("Beijing Xingchen Holdings Limited", "CN2"),
        # 重庆 is "chong qing" and 长江 "chang jiang": polyphones read from phrases.
        ("Chongqing Changjiang Jituan Gufen Youxian Gongsi", "CN3"),
        ("Samseong Jeonja Jusik Hoesa", "KR1"),
        ("Toyota KK", "JP1"),
    ],
)
def test_a_romanised_name_meets_its_registry_name_in_hanzi_hangul_or_kana(
    name: str, entity: str
) -> None:
    country = {"CN": "CN", "KR": "KR", "JP": "JP"}[entity[:2]]
    result = Resolver(HANZI).resolve(Subject("a", name, country))
    assert (result.outcome, result.entity_id) == (Outcome.LINKED, entity), result


@pytest.mark.parametrize(
    ("name", "entity"),
    [("深圳华信科技有限公司", "CN1"), ("北京星辰控股有限公司", "CN2"), ("北京星辰控股", "CN2")],
)
def test_a_hanzi_name_meets_its_registry_name_in_pinyin(name: str, entity: str) -> None:
    result = Resolver(LATIN).resolve(Subject("a", name, "CN"))
    assert (result.outcome, result.entity_id) == (Outcome.LINKED, entity), result


def test_romanised_legal_forms_are_dropped_and_company_words_translated() -> None:
    assert normalize_name("Beijing Xingchen Konggu Youxian Gongsi").key == (
        "beijing xingchen holdings"
    )
    assert normalize_name("北京星辰控股有限公司").tokens == (
        "bei",
        "jing",
        "xing",
        "chen",
        "holdings",
    )
    assert normalize_name("Huaxin Jituan Gufen Youxian Gongsi").key == "huaxin group"


def test_pinyin_words_are_recognised_and_english_ones_are_not() -> None:
    assert split_syllables("huaxin") == ("hua", "xin")
    assert split_syllables("changan") is not None
    assert split_syllables("dragon") is None
    assert [w for w in ("huaxin", "shenzhen", "keji", "banana", "mining", "dragon") if
            looks_pinyin(w)] == ["huaxin", "shenzhen", "keji"]  # fmt: skip


def test_a_shorter_name_meets_longer_registry_names_for_review_only() -> None:
    index = CandidateIndex(
        [
            RegistryEntity("SG1", "Huaxin Technology (Singapore) Pte Ltd", "SG"),
            RegistryEntity("SG2", "Huaxin Technology Singapore Holdings Pte Ltd", "SG"),
        ]
    )
    result = Resolver(index).resolve(Subject("a", "Huaxin Technology Pte Ltd", "SG"))
    assert result.outcome is Outcome.REVIEW
    assert {c.entity_id for c in result.candidates} == {"SG1", "SG2"}
    assert all(c.score < 0.92 for c in result.candidates)


def test_an_offshore_declaration_finds_the_registry_entity_abroad_for_review() -> None:
    index = CandidateIndex([RegistryEntity("DG", "Dragon Gate Holdings Co., Ltd.", "CN")])
    result = Resolver(index).resolve(Subject("a", "Dragon Gate Holdings", "KY"))
    assert result.outcome is Outcome.REVIEW
    [candidate] = result.candidates
    assert (candidate.entity_id, candidate.country, candidate.mismatch) == ("DG", "CN", True)
    assert candidate.score == pytest.approx(0.95)
    # In its own country the same name links.
    home = Resolver(index).resolve(Subject("b", "Dragon Gate Holdings", "CN"))
    assert (home.outcome, home.entity_id) == (Outcome.LINKED, "DG")


def test_a_confident_home_match_still_links_beside_a_namesake_abroad() -> None:
    index = CandidateIndex(
        [
            RegistryEntity("GB1", "Acme Widgets Ltd", "GB"),
            RegistryEntity("CN1", "Acme Widgets Co Ltd", "CN"),
        ]
    )
    result = Resolver(index).resolve(Subject("a", "Acme Widgets Limited", "GB"))
    assert (result.outcome, result.entity_id) == (Outcome.LINKED, "GB1")
    assert [c.entity_id for c in result.candidates] == ["GB1", "CN1"]
