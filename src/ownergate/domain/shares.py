"""Exact ownership shares: decimals, percentages, intervals with exclusive bounds.

Shares are parsed exactly (``0.1 + 0.2 + 0.2`` is exactly one half) and kept as
``fractions.Fraction``. Vectorised engines carry the same values as integers scaled by
``SCALE`` (10**18), which is exact for every decimal with at most 18 places.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from ownergate.errors import shown

SCALE_DIGITS = 18
SCALE: int = 10**SCALE_DIGITS
ONE = Fraction(1)
ZERO = Fraction(0)


class ShareSyntaxError(ValueError):
    """A share value that is not a decimal in [0, 1] or a percentage in [0%, 100%]."""


def parse_share(value: str | float | int | Decimal | Fraction) -> Fraction:
    """Parse a share exactly: ``"0.6"``, ``"60%"``, ``0.6`` (a float means its shortest repr).

    Raises ``ShareSyntaxError`` for anything outside [0, 1] or with more than 18 decimal
    places once expressed as a fraction of one.
    """
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, bool):
        raise ShareSyntaxError(f"not a share: {shown(value)}")
    elif isinstance(value, int | Decimal):
        result = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ShareSyntaxError(f"not a share: {shown(value)}")
        result = Fraction(Decimal(repr(value)))
    else:
        text = value.strip().replace("_", "")
        percent = text.endswith("%")
        if percent:
            text = text[:-1].strip()
        if not text:
            raise ShareSyntaxError(f"not a share: {shown(value)}")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise ShareSyntaxError(f"not a number: {shown(value)}") from None
        if not dec.is_finite():
            raise ShareSyntaxError(f"not a share: {shown(value)}")
        # Refuse absurd exponents before they become billion-digit integers.
        if dec and dec.adjusted() > 3:
            raise ShareSyntaxError(f"share {shown(value)} is outside [0, 1] (or [0%, 100%])")
        _, digits, exponent = dec.as_tuple()
        trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
        if dec and int(exponent) + trailing < -(SCALE_DIGITS + 2):
            raise ShareSyntaxError(
                f"share {shown(value)} has more than {SCALE_DIGITS} decimal places"
            )
        result = Fraction(dec) / 100 if percent else Fraction(dec)
    if result < 0 or result > 1:
        raise ShareSyntaxError(f"share {shown(value)} is outside [0, 1] (or [0%, 100%])")
    if SCALE % result.denominator:
        raise ShareSyntaxError(f"share {shown(value)} has more than {SCALE_DIGITS} decimal places")
    return result


def to_scaled(value: Fraction) -> int:
    """The share as an integer count of 1e-18 units (exact for parsed shares)."""
    scaled = value * SCALE
    if scaled.denominator != 1:
        raise ShareSyntaxError(f"share {value} is not a multiple of 1e-{SCALE_DIGITS}")
    return int(scaled)


def from_scaled(value: int) -> Fraction:
    return Fraction(value, SCALE)


def format_share(value: Fraction | float, *, percent: bool = True) -> str:
    """Human text for a share: exact fractions print as short decimals (``62.5%``)."""
    if isinstance(value, float):
        if value == float("inf"):
            return "unbounded"
        return f"{value * 100:.4g}%" if percent else f"{value:.6g}"
    if percent:
        value = value * 100
    dec = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(dec.quantize(Decimal("0.0001")).normalize(), "f")
    return f"{text}%" if percent else text


class End(StrEnum):
    """Which end of every share interval a run uses (two monotone runs bound a decision)."""

    LOW = "low"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Share:
    """A holding's share: exact, an interval with optional exclusive bounds, or unknown.

    ``low``/``high`` are the bounds; an unknown share has ``known=False`` and its high end is
    filled in when the graph is built (1 minus the owned entity's other known stakes).
    """

    low: Fraction
    high: Fraction
    low_exclusive: bool = False
    high_exclusive: bool = False
    known: bool = True

    @classmethod
    def exact(cls, value: Fraction | str | float) -> Share:
        v = parse_share(value)
        return cls(v, v)

    @classmethod
    def between(
        cls,
        low: Fraction | str | float,
        high: Fraction | str | float,
        *,
        low_exclusive: bool = False,
        high_exclusive: bool = False,
    ) -> Share:
        lo, hi = parse_share(low), parse_share(high)
        if lo > hi:
            raise ShareSyntaxError(f"share_min {lo} is greater than share_max {hi}")
        if lo == hi and (low_exclusive or high_exclusive):
            raise ShareSyntaxError(f"interval {lo}..{hi} with an exclusive bound is empty")
        return cls(lo, hi, low_exclusive, high_exclusive)

    @classmethod
    def unknown(cls) -> Share:
        return cls(ZERO, ONE, known=False)

    @property
    def is_exact(self) -> bool:
        return self.known and self.low == self.high

    def describe(self) -> str:
        if not self.known:
            return "unknown share"
        if self.is_exact:
            return format_share(self.low)
        left = "(" if self.low_exclusive else "["
        right = ")" if self.high_exclusive else "]"
        return f"{left}{format_share(self.low)}, {format_share(self.high)}{right}"


def exact_text(value: Fraction) -> str:
    """The exact decimal text of a share (shares are multiples of 1e-18, so it terminates)."""
    scaled = value * SCALE
    if scaled.denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    dec = Decimal(int(scaled)).scaleb(-SCALE_DIGITS)
    text = format(dec.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")
