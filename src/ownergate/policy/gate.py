"""Request-time gate rules: who the customer is, combined with where a request comes from.

A policy's ``[gate]`` section is a versioned, declarative rule set. Each rule names the
signals it needs (all must hold) and an action; a request gets the most severe action of the
rules that match (``deny`` > ``challenge`` > ``allow``), with every matching rule as a reason,
and ``allow`` when none matches. "restricted" in a country condition means the policy's own
regions, so the gate follows the policy it belongs to.

The built-in rules (``DEFAULT_RULES``, gate rules version 1, frozen) follow the seed policy:
deny a restricted account or a request from a restricted region; challenge an account under
review or not yet decided, a request whose claimed countries (locale, payment, declared)
include a restricted region, a Tor exit, and an anonymiser (VPN, relay, proxy, hosting)
used by an account whose declared and observed countries disagree or that rests on no
registry entity. README.md ("Request gate") shows the TOML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.errors import shown

RESTRICTED = "restricted"
ACCOUNT_STATES = ("allowed", "restricted", "review", "unknown")
ANONYMISERS = ("tor_exit", "vpn", "relay", "proxy", "hosting")


class Action(StrEnum):
    ALLOW = "allow"
    CHALLENGE = "challenge"
    DENY = "deny"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Action.ALLOW: 0, Action.CHALLENGE: 1, Action.DENY: 2}
CountrySet = tuple[str, ...] | Literal["restricted"]


def _countries(value: Any) -> Any:
    if value == RESTRICTED or value is None:
        return value
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise ValueError('must be "restricted" or a non-empty list of country codes')
    for code in value:
        if not isinstance(code, str) or not is_country_code(code):
            hint = country_hint(code) if isinstance(code, str) else "not a string"
            raise ValueError(f"{shown(code)} is not a country code: {hint}")
    return tuple(value)


class When(BaseModel):
    """The conditions of a rule; all that are set must hold (lists match any member)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_status: tuple[Literal["allowed", "restricted", "review", "unknown"], ...] | None = None
    account_flags: tuple[str, ...] | None = None
    ip_country: CountrySet | None = None
    ip_country_known: bool | None = None
    ip_flags: tuple[str, ...] | None = None
    claimed_country: CountrySet | None = None
    countries_disagree: bool | None = None

    @field_validator("ip_country", "claimed_country", mode="before")
    @classmethod
    def _country_sets(cls, value: Any) -> Any:
        return _countries(value)

    @field_validator("account_status", "account_flags", "ip_flags", mode="before")
    @classmethod
    def _non_empty(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, str) or not value):
            raise ValueError("must be a non-empty list")
        return value

    def conditions(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class GateRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    action: Action
    reason: str = Field(min_length=1, max_length=500)
    when: When

    @field_validator("when")
    @classmethod
    def _some_condition(cls, value: When) -> When:
        if not value.conditions():
            raise ValueError("must set at least one condition")
        return value


DEFAULT_RULES: tuple[GateRule, ...] = tuple(
    GateRule.model_validate(rule)
    for rule in (
        {
            "name": "restricted-account",
            "action": "deny",
            "reason": "The account is restricted under the region policy.",
            "when": {"account_status": ["restricted"]},
        },
        {
            "name": "restricted-region",
            "action": "deny",
            "reason": "The request comes from a restricted region.",
            "when": {"ip_country": RESTRICTED},
        },
        {
            "name": "account-under-review",
            "action": "challenge",
            "reason": "The account's ownership is under review.",
            "when": {"account_status": ["review"]},
        },
        {
            "name": "account-not-decided",
            "action": "challenge",
            "reason": "The account has no decision yet.",
            "when": {"account_status": ["unknown"]},
        },
        {
            "name": "claims-restricted-region",
            "action": "challenge",
            "reason": "The request's locale, payment or declared country is a restricted region.",
            "when": {"claimed_country": RESTRICTED},
        },
        {
            "name": "tor-exit",
            "action": "challenge",
            "reason": "The request comes through a Tor exit node.",
            "when": {"ip_flags": ["tor_exit"]},
        },
        {
            "name": "anonymiser-disagreeing-countries",
            "action": "challenge",
            "reason": "An anonymiser hides where the request comes from, and the account's "
            "declared and observed countries disagree.",
            "when": {"ip_flags": list(ANONYMISERS), "countries_disagree": True},
        },
        {
            "name": "anonymiser-unverified-account",
            "action": "challenge",
            "reason": "An anonymiser is used by an account that rests on no registry entity.",
            "when": {"ip_flags": list(ANONYMISERS), "account_flags": ["unverified"]},
        },
    )
)


class GateRules(BaseModel):
    """``version`` names the rule set (audit rows carry it); ``sample_allows`` is the share
    of allowed requests written to the audit log (every other verdict is)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1)
    sample_allows: float = Field(default=0.01, ge=0.0, le=1.0)
    rules: tuple[GateRule, ...] = DEFAULT_RULES

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, value: tuple[GateRule, ...]) -> tuple[GateRule, ...]:
        names = [r.name for r in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"rule names must be unique: {', '.join(repeated)}")
        return value

    @property
    def is_default(self) -> bool:
        return self == GateRules()

    def to_toml(self) -> list[str]:
        lines = ["", "[gate]", f"version = {self.version}"]
        lines.append(f"sample_allows = {self.sample_allows!r}")
        if not self.rules:  # an absent list would mean the built-in rules
            lines.append("rules = []")
        for rule in self.rules:
            when = ", ".join(f"{k} = {_toml(v)}" for k, v in rule.when.conditions().items())
            lines += [
                "",
                "[[gate.rules]]",
                f"name = {_toml(rule.name)}",
                f"action = {_toml(rule.action.value)}",
                f"reason = {_toml(rule.reason)}",
                f"when = {{ {when} }}",
            ]
        return lines


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that TOML also refuses DEL."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    return "[" + ", ".join(_toml(v) for v in value) + "]"


@dataclass(frozen=True, slots=True)
class Signals:
    """What is known about one request. ``account_status`` is the account's effective
    status (``unknown`` without an account or a decision); the claimed countries are the
    account's declared country and what the request says (locale, payment, declared)."""

    account_status: str
    account_flags: frozenset[str] = frozenset()
    ip_country: str | None = None
    ip_flags: frozenset[str] = frozenset()
    claimed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class GateOutcome:
    action: Action
    matched: tuple[GateRule, ...]
    rules_version: int


def evaluate(rules: GateRules, regions: frozenset[str], signals: Signals) -> GateOutcome:
    """The most severe action among the rules that match, and those rules in order."""
    matched = tuple(r for r in rules.rules if _holds(r.when, regions, signals))
    action = max((r.action for r in matched), key=lambda a: a.severity, default=Action.ALLOW)
    return GateOutcome(action, matched, rules.version)


def _holds(when: When, regions: frozenset[str], s: Signals) -> bool:
    if when.account_status is not None and s.account_status not in when.account_status:
        return False
    if when.account_flags is not None and not s.account_flags.intersection(when.account_flags):
        return False
    if when.ip_country is not None and not _in(s.ip_country, when.ip_country, regions):
        return False
    if when.ip_country_known is not None and (s.ip_country is not None) != when.ip_country_known:
        return False
    if when.ip_flags is not None and not s.ip_flags.intersection(when.ip_flags):
        return False
    if when.claimed_country is not None and not any(
        _in(c, when.claimed_country, regions) for c in s.claimed
    ):
        return False
    if when.countries_disagree is not None:
        observed = {s.ip_country} if s.ip_country else set()
        disagree = len(s.claimed | observed) > 1
        if disagree != when.countries_disagree:
            return False
    return True


def _in(country: str | None, wanted: CountrySet, regions: frozenset[str]) -> bool:
    if country is None:
        return False
    return country in (regions if wanted == RESTRICTED else wanted)


def locale_country(locale: str) -> str | None:
    """The region of a BCP 47 tag or POSIX locale (``zh-Hans-CN``, ``ru_RU.UTF-8``), if it
    names one as an ISO 3166 code."""
    tag = locale.split(".", 1)[0].split("@", 1)[0].replace("_", "-")
    for part in tag.split("-")[1:]:
        if len(part) == 2 and part.isalpha() and is_country_code(part.upper()):
            return part.upper()
    return None
