"""Exact threshold tests, shared by the fast paths' checks at the boundary."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ownergate.domain.shares import SCALE, End
from ownergate.policy.model import Comparator, Policy

# Float sums of at most ~1e6 shares are within 1e-10 of exact: anything closer to the
# threshold than this is decided in exact arithmetic.
BAND = 1e-9


@dataclass(frozen=True)
class Threshold:
    value: Fraction
    inclusive: bool

    @classmethod
    def of(cls, policy: Policy) -> Threshold:
        return cls(policy.threshold, policy.comparator is Comparator.GE)

    @property
    def approx(self) -> float:
        return float(self.value)

    @property
    def scaled(self) -> int:
        return int(self.value * SCALE)

    def passes(self, value: Fraction | Decimal | int | float, strict: bool, end: End) -> bool:
        """Whether ``value`` passes, given whether an exclusive bound contributes.

        At the low end a strict value lies above ``value`` (so equality passes for ``>``);
        at the high end a strict value lies below it (so equality fails for ``>=``).
        """
        target: Fraction | int = self.value if not isinstance(value, int) else self.scaled
        if isinstance(value, float):
            if value == float("inf"):
                return True
            value = Fraction(value)
        elif isinstance(value, Decimal):
            value = Fraction(value)
        if value != target:
            return value > target
        if end is End.LOW:
            return self.inclusive or strict
        return self.inclusive and not strict
