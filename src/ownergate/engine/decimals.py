"""Exact decimals in int64 for the compiled kernels: ``num · 10^-exp`` in normal form
(no trailing zeros in ``num`` while ``exp > 0``), so equal values have equal pairs."""

from __future__ import annotations

import numpy as np
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)

LIMIT = 1 << 62
MAX_EXP = 30_000  # exponents are stored as int16
POW10 = np.array([10**k for k in range(19)], dtype=np.int64)
# LIMIT // 10**k: whether a scaled operand stays within LIMIT, without a division.
FITS = np.array([LIMIT // 10**k for k in range(19)], dtype=np.int64)
# Products below this as floats are below LIMIT as integers (float rounding is ~1e-16).
_PRODUCT_FITS = 0.999 * LIMIT


@njit(cache=True)
def normal(num: int, exp: int) -> tuple[int, int]:
    while exp > 0 and num % 10 == 0:
        num //= 10
        exp -= 1
    return num, exp


@njit(cache=True)
def add(a: int, ea: int, b: int, eb: int) -> tuple[int, int, bool]:
    """a·10^-ea + b·10^-eb exactly, or ok=False where int64 would overflow."""
    e = max(ea, eb)
    da, db = e - ea, e - eb
    if da > 18 or db > 18:
        return 0, 0, False
    if abs(a) > FITS[da] or abs(b) > FITS[db]:
        return 0, 0, False
    total = a * POW10[da] + b * POW10[db]
    if abs(total) > LIMIT:
        return 0, 0, False
    num, exp = normal(total, e)
    return num, exp, True


@njit(cache=True)
def times(num: int, exp: int, units: int, unit_digits: int) -> tuple[int, int, bool]:
    """(num · 10^-exp) · (units · 10^-unit_digits) exactly, or ok=False on overflow (of
    the digits, or of an int16 exponent)."""
    if abs(float(num)) * float(units) >= _PRODUCT_FITS or exp + unit_digits > MAX_EXP:
        return 0, 0, False
    out, e = normal(num * units, exp + unit_digits)
    return out, e, True


@njit(cache=True)
def as_float(num: int, exp: int) -> float:
    """The nearest float, within 4 units of roundoff."""
    return num * 10.0 ** (-exp)
