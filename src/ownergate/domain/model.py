"""Entities, holdings and decisions as plain records.

These records are what the reference implementation, the explanations and the tests speak;
the vectorised engine works on the columnar ``graph.tables`` built from the same fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from ownergate.domain.shares import Share


class Kind(StrEnum):
    COMPANY = "company"
    PERSON = "person"
    STATE = "state"
    OTHER = "other"


class Basis(StrEnum):
    EQUITY = "equity"
    VOTING = "voting"


class Status(StrEnum):
    RESTRICTED = "restricted"
    ALLOWED = "allowed"
    REVIEW = "review"


class Reason(StrEnum):
    REGION = "region"
    LISTED = "listed"
    OWNERSHIP = "ownership"
    UNDETERMINED = "undetermined"
    NONE = "none"


KINDS: tuple[Kind, ...] = tuple(Kind)
BASES: tuple[Basis, ...] = tuple(Basis)
STATUSES: tuple[Status, ...] = tuple(Status)
REASONS: tuple[Reason, ...] = tuple(Reason)


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str = ""
    kind: Kind = Kind.COMPANY
    country: str | None = None
    legal_country: str | None = None
    listed: bool = False


@dataclass(frozen=True, slots=True)
class Holding:
    """``owner`` holds ``share`` of ``owned``; valid on [start, end) when dates are given."""

    owner: str
    owned: str
    share: Share
    basis: Basis = Basis.EQUITY
    nominee_for: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def valid_on(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        if self.start is not None and day < self.start:
            return False
        return not (self.end is not None and day >= self.end)

    @property
    def beneficiary(self) -> str:
        """Whom the stake is attributed to: the nominee's principal where there is one."""
        return self.nominee_for or self.owner


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one entity; ``share_min``/``share_max`` bound the restricted share."""

    id: str
    status: Status
    reason: Reason
    share_min: Fraction | float
    share_max: Fraction | float
    method: str
    evidence: str = ""
    notes: tuple[str, ...] = field(default=())
