"""The gate's rule set: the built-in rules on the cases they exist for, the most severe
action winning, the TOML form round-tripping, and bad rules named by their key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ownergate.errors import PolicyError
from ownergate.policy.gate import (
    ANONYMISERS,
    Action,
    GateRule,
    GateRules,
    Signals,
    When,
    evaluate,
    locale_country,
)
from ownergate.policy.model import default_policy, parse_policy

POLICY = default_policy()
REGIONS = POLICY.region_set


def verdict(**signals: object) -> tuple[Action, list[str]]:
    outcome = evaluate(POLICY.gate, REGIONS, Signals(**signals))  # type: ignore[arg-type]
    return outcome.action, [r.name for r in outcome.matched]


def test_an_allowed_account_at_home_is_allowed() -> None:
    assert verdict(account_status="allowed", ip_country="SG", claimed=frozenset({"SG"})) == (
        Action.ALLOW,
        [],
    )


def test_a_restricted_account_is_denied_wherever_it_calls_from() -> None:
    assert verdict(account_status="restricted", ip_country="SG") == (
        Action.DENY,
        ["restricted-account"],
    )


def test_a_request_from_a_restricted_region_is_denied() -> None:
    action, names = verdict(account_status="allowed", ip_country="CN", claimed=frozenset({"SG"}))
    assert action is Action.DENY and names == ["restricted-region"]


def test_review_and_undecided_accounts_are_challenged() -> None:
    assert verdict(account_status="review", ip_country="DE")[0] is Action.CHALLENGE
    assert verdict(account_status="unknown", ip_country="DE") == (
        Action.CHALLENGE,
        ["account-not-decided"],
    )


def test_a_claimed_restricted_country_is_challenged() -> None:
    action, names = verdict(
        account_status="allowed", ip_country="SG", claimed=frozenset({"SG", "RU"})
    )
    assert action is Action.CHALLENGE and "claims-restricted-region" in names


def test_anonymisers_are_challenged_only_with_a_second_signal() -> None:
    vpn = frozenset({"vpn"})
    home = {"account_status": "allowed", "ip_flags": vpn}
    assert verdict(**home, ip_country="SG", claimed=frozenset({"SG"}))[0] is Action.ALLOW
    assert verdict(**home, ip_country="NL", claimed=frozenset({"SG"})) == (
        Action.CHALLENGE,
        ["anonymiser-disagreeing-countries"],
    )
    assert verdict(
        **home, ip_country="SG", claimed=frozenset({"SG"}), account_flags=frozenset({"unverified"})
    ) == (Action.CHALLENGE, ["anonymiser-unverified-account"])


def test_tor_is_challenged_on_its_own() -> None:
    assert verdict(account_status="allowed", ip_flags=frozenset({"tor_exit"}), ip_country="DE")[
        1
    ] == ["tor-exit"]


def test_deny_outranks_challenge_and_every_match_is_a_reason() -> None:
    action, names = verdict(
        account_status="restricted", ip_country="RU", ip_flags=frozenset({"tor_exit"})
    )
    assert action is Action.DENY
    assert names == ["restricted-account", "restricted-region", "tor-exit"]


countries = st.sampled_from(["CN", "RU", "SG", "DE", "US"])
rules = st.builds(
    GateRule,
    name=st.text("abcdefgh-", min_size=1, max_size=10),
    action=st.sampled_from(list(Action)),
    reason=st.text(min_size=1, max_size=40).filter(str.strip),
    when=st.builds(
        When,
        account_status=st.sampled_from([None, ("restricted",), ("allowed", "review")]),
        ip_country=st.one_of(
            st.none(), st.just("restricted"), st.lists(countries, min_size=1).map(tuple)
        ),
        ip_flags=st.sampled_from([None, ("vpn",), ANONYMISERS]),
        countries_disagree=st.sampled_from([None, True, False]),
    ).filter(lambda w: bool(w.conditions())),
)


@given(
    st.lists(rules, max_size=5, unique_by=lambda r: r.name),
    st.sampled_from([0.0, 0.01, 1.0]),
    st.integers(1, 9),
)
def test_a_policy_with_gate_rules_round_trips_through_its_toml(
    chosen: list[GateRule], sample: float, version: int
) -> None:
    gate = GateRules(version=version, sample_allows=sample, rules=tuple(chosen))
    policy = POLICY.model_copy(update={"gate": gate})
    assert parse_policy(policy.to_toml()) == policy


def test_the_seed_policy_writes_no_gate_section() -> None:
    assert "[gate]" not in POLICY.to_toml()
    assert parse_policy(POLICY.to_toml()).gate == GateRules()


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ('[[gate.rules]]\nname="x"\naction="block"\nreason="r"\nwhen={ip_flags=["vpn"]}', "action"),
        (
            '[[gate.rules]]\nname="x"\naction="deny"\nreason="r"\nwhen={ip_country=["XX"]}',
            "ip_country",
        ),
        ('[[gate.rules]]\nname="x"\naction="deny"\nreason="r"\nwhen={}', "when"),
        ('[[gate.rules]]\nname="x"\naction="deny"\nreason="r"\nwhen={ip_flag=["vpn"]}', "ip_flag"),
        ("[gate]\nsample_allows = 2", "sample_allows"),
    ],
)
def test_a_bad_rule_is_named_by_its_key(toml: str, field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(toml, "policy.toml")
    assert caught.value.field is not None and field in caught.value.field
    assert caught.value.file == "policy.toml"


def test_duplicate_rule_names_are_refused() -> None:
    rule = '[[gate.rules]]\nname="x"\naction="deny"\nreason="r"\nwhen={ip_flags=["vpn"]}\n'
    with pytest.raises(PolicyError, match="unique"):
        parse_policy(rule + rule)


@pytest.mark.parametrize(
    ("locale", "country"),
    [("zh-Hans-CN", "CN"), ("ru_RU.UTF-8", "RU"), ("fa-IR", "IR"), ("en", None), ("es-419", None)],
)
def test_a_locale_names_its_region(locale: str, country: str | None) -> None:
    assert locale_country(locale) == country
