"""The bundled policy file is the seed policy, and policy errors name their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergate.errors import PolicyError
from ownergate.policy.model import Comparator, Method, default_policy, parse_policy

ROOT = Path(__file__).resolve().parents[2]


def test_bundled_policy_file_is_the_seed_policy() -> None:
    text = (ROOT / "policies" / "default.toml").read_text()
    policy = parse_policy(text, "policies/default.toml")
    assert policy == default_policy()
    assert policy.regions == ("CN", "RU", "KP", "IR")
    assert policy.comparator is Comparator.GT and policy.method is Method.CONTROL


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ('regions = ["CHN"]', "regions", "not a country code"),
        ("threshold = 1.3", "threshold", "outside [0, 1]"),
        ("colour = 1", "colour", "unknown key"),
        ('comparator = "=>"', "comparator", "'>' or '>='"),
        ('method = "majority"', "method", "'control'"),
        ('owner_kinds = ["robot"]', "owner_kinds.0", "'company'"),
        ("aggregate_owners = 3", "aggregate_owners", "boolean"),
    ],
)
def test_bad_policy_values_name_the_key(text: str, field: str, message: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.toml")
    assert info.value.field == field
    assert message in str(info.value)
    assert str(info.value).startswith("p.toml, field")
    assert "\n" not in str(info.value)


def test_malformed_toml_names_the_file() -> None:
    with pytest.raises(PolicyError, match=r"^p\.toml: malformed TOML"):
        parse_policy('regions = ["CN"', "p.toml")


def test_percentage_threshold_is_exact() -> None:
    policy = parse_policy('threshold = "50%"\ncomparator = ">="', "p.toml")
    assert policy.threshold == default_policy().threshold
