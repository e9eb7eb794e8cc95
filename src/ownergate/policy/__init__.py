"""Region policies as data: which countries and owner kinds seed restriction, and how."""

from ownergate.policy.model import (
    Comparator,
    CountryBasis,
    Method,
    Policy,
    PolicyBasis,
    default_policy,
    parse_policy,
)

__all__ = [
    "Comparator",
    "CountryBasis",
    "Method",
    "Policy",
    "PolicyBasis",
    "default_policy",
    "parse_policy",
]
