"""The policy model and its TOML form.

Unknown keys and bad values are errors that name the key: a typo in a compliance policy
must never silently fall back to a default.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.domain.model import Kind
from ownergate.domain.shares import ShareSyntaxError, parse_share
from ownergate.errors import PolicyError, shown
from ownergate.policy.gate import GateRules, toml_string


class CountryBasis(StrEnum):
    HEADQUARTERS = "headquarters"
    LEGAL = "legal"
    HEADQUARTERS_OR_LEGAL = "headquarters_or_legal"


class Comparator(StrEnum):
    GT = ">"
    GE = ">="


class Method(StrEnum):
    CONTROL = "control"
    EFFECTIVE = "effective"
    EITHER = "either"
    BOTH = "both"


class PolicyBasis(StrEnum):
    EQUITY = "equity"
    EQUITY_OR_VOTING = "equity_or_voting"


class Unverified(StrEnum):
    """What an account found in no registry is: allowed on its declared country, or sent
    to review."""

    ALLOW = "allow"
    REVIEW = "review"


class Signal(StrEnum):
    """Risk signals that send an unverified account to review under ``unverified = "allow"``."""

    OFFSHORE = "offshore_declaration"
    REGION_NAME = "region_name"
    PARENT = "parent_in_region"


# Offshore and holding jurisdictions: where a subsidiary of a group from anywhere is
# commonly declared.
OFFSHORE = (
    "KY", "VG", "BM", "BS", "BZ", "PA", "SC", "MU", "MH", "WS", "AI", "TC", "GI", "IM", "JE",
    "GG", "LI", "MC", "AD", "HK", "MO", "SG", "IE", "NL", "LU", "CY", "MT", "CH", "AE", "LB",
)  # fmt: skip


def _country_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError("must be a list of ISO 3166-1 alpha-2 codes")
    out: list[str] = []
    for code in value:
        if not isinstance(code, str) or not is_country_code(code):
            hint = country_hint(code) if isinstance(code, str) else "not a string"
            raise ValueError(f"{shown(code)} is not a country code: {hint}")
        if code not in out:
            out.append(code)
    return tuple(out)


class Policy(BaseModel):
    """A versioned region policy (see docs/semantics.md for what each key means)."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = "default"
    version: int = Field(default=1, ge=1)
    effective_from: dt.date | None = None
    regions: tuple[str, ...] = ("CN", "RU", "KP", "IR")
    owner_kinds: tuple[Kind, ...] = (Kind.COMPANY,)
    country_basis: CountryBasis = CountryBasis.HEADQUARTERS
    threshold: Fraction = Fraction(1, 2)
    comparator: Comparator = Comparator.GT
    method: Method = Method.CONTROL
    aggregate_owners: bool = True
    basis: PolicyBasis = PolicyBasis.EQUITY
    # Accounts found in no registry entity (``ownergate.resolve.signals``).
    unverified: Unverified = Unverified.ALLOW
    unverified_signals: tuple[Signal, ...] = tuple(Signal)
    offshore_countries: tuple[str, ...] = OFFSHORE
    # Request-time rules (``ownergate.policy.gate``); a policy without [gate] has the
    # built-in rule set version 1.
    gate: GateRules = Field(default_factory=GateRules)

    @field_validator("regions", "offshore_countries", mode="before")
    @classmethod
    def _regions(cls, value: Any) -> tuple[str, ...]:
        return _country_list(value)

    @field_validator("unverified_signals", mode="before")
    @classmethod
    def _signals(cls, value: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValueError(f"must be a list of {', '.join(s.value for s in Signal)}")
        return value

    @field_validator("owner_kinds", mode="before")
    @classmethod
    def _kinds(cls, value: Any) -> Any:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValueError("must be a list of entity kinds")
        if not value:
            raise ValueError("must name at least one entity kind")
        return value

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold(cls, value: Any) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Fraction):
            raise ValueError("must be a number in (0, 1] or a percentage string")
        try:
            result = parse_share(value)
        except ShareSyntaxError as exc:
            raise ValueError(str(exc)) from None
        if result == 0:
            raise ValueError("must be greater than 0")
        return result

    @property
    def region_set(self) -> frozenset[str]:
        return frozenset(self.regions)

    def describe(self) -> str:
        word = "more than" if self.comparator is Comparator.GT else "at least"
        agg = "in aggregate" if self.aggregate_owners else "by a single owner"
        pct = Decimal(self.threshold.numerator) / Decimal(self.threshold.denominator) * 100
        return (
            f"{self.name} v{self.version}: {'/'.join(self.regions)} "
            f"({', '.join(k.value for k in self.owner_kinds)}, {self.country_basis.value}) "
            f"and entities {word} {pct.normalize():f}% owned {agg} "
            f"[{self.method.value}, {self.basis.value}]"
        )

    def to_toml(self) -> str:
        q = toml_string
        thr = Decimal(self.threshold.numerator) / Decimal(self.threshold.denominator)
        lines = [
            f"name = {q(self.name)}",
            f"version = {self.version}",
        ]
        if self.effective_from is not None:
            lines.append(f"effective_from = {self.effective_from.isoformat()}")
        lines += [
            f"regions = [{', '.join(q(r) for r in self.regions)}]",
            f"owner_kinds = [{', '.join(q(k.value) for k in self.owner_kinds)}]",
            f"country_basis = {q(self.country_basis.value)}",
            f'threshold = "{thr.normalize():f}"',
            f"comparator = {q(self.comparator.value)}",
            f"method = {q(self.method.value)}",
            f"aggregate_owners = {'true' if self.aggregate_owners else 'false'}",
            f"basis = {q(self.basis.value)}",
        ]
        # Written only when set otherwise, so that older policies keep their exact text.
        if self.unverified is not Unverified.ALLOW:
            lines.append(f"unverified = {q(self.unverified.value)}")
        if self.unverified_signals != tuple(Signal):
            signals = ", ".join(q(s.value) for s in self.unverified_signals)
            lines.append(f"unverified_signals = [{signals}]")
        if self.offshore_countries != OFFSHORE:
            lines.append(
                f"offshore_countries = [{', '.join(q(c) for c in self.offshore_countries)}]"
            )
        if not self.gate.is_default:
            lines += self.gate.to_toml()
        return "\n".join(lines) + "\n"


def default_policy() -> Policy:
    """The seed policy: CN/RU/KP/IR-headquartered companies and >50% owned, directly or not."""
    return Policy(
        name="unsupported-regions",
        version=1,
        effective_from=dt.date(2025, 9, 5),
    )


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Parse a policy from TOML text; errors name ``source`` and the offending key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"malformed TOML: {exc}", file=source) from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "<top level>"
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        raise PolicyError(msg, file=source, field=key) from None
