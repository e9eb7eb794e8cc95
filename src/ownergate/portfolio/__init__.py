"""Portfolio analyses: what a policy or registry change does to the customer base."""

from __future__ import annotations

from ownergate.portfolio.accounts import (
    AccountOutcome,
    Customers,
    account_outcome,
    link_accounts,
)
from ownergate.portfolio.impact import FLIP_KINDS, Impact, Tally, compare, flip_kinds

__all__ = [
    "FLIP_KINDS",
    "AccountOutcome",
    "Customers",
    "Impact",
    "Tally",
    "account_outcome",
    "compare",
    "flip_kinds",
    "link_accounts",
]
