"""Checks of values given to the repositories; a bad value is an ``InputError`` naming its
field, whatever the caller (API, CLI or service) validated before."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.errors import InputError, shown

_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
MAX_REVENUE_DIGITS = 30
E = TypeVar("E", bound=StrEnum)


def text(value: Any, field: str, max_length: int) -> str:
    """A non-blank string of at most ``max_length`` characters, without control characters."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("must be a non-empty string", field=field)
    if len(value) > max_length:
        raise InputError(f"is longer than {max_length} characters", field=field)
    if _CONTROL.search(value):
        raise InputError("contains control characters", field=field)
    return value


def country(value: Any, field: str) -> str:
    if not isinstance(value, str) or not is_country_code(value):
        hint = country_hint(value) if isinstance(value, str) else "not a string"
        raise InputError(f"{shown(value)} is not a country code: {hint}", field=field)
    return value


def lei(value: Any) -> str:
    """An ISO 17442 Legal Entity Identifier: 20 characters whose check digits hold."""
    if not isinstance(value, str) or not _LEI.match(value):
        raise InputError(f"{shown(value)} is not an LEI (20 characters, A-Z and 0-9)", field="lei")
    if int("".join(str(int(c, 36)) for c in value)) % 97 != 1:
        raise InputError(
            f"{shown(value)} is not an LEI: its check digits do not match", field="lei"
        )
    return value


def currency(value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise InputError(
            f"{shown(value)} is not an ISO 4217 currency code such as 'EUR'",
            field="revenue_currency",
        )
    return value


def revenue(value: Any) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InputError("must be a finite, non-negative Decimal", field="annual_revenue")
    if len(value.as_tuple().digits) > MAX_REVENUE_DIGITS:
        raise InputError(f"has more than {MAX_REVENUE_DIGITS} digits", field="annual_revenue")
    return value


def aware(value: Any, field: str) -> dt.datetime:
    """A datetime with a time zone, converted to UTC."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InputError("must be a datetime with a time zone", field=field)
    return value.astimezone(dt.UTC)


def choice(kind: type[E], value: Any, field: str) -> E:
    """``value`` as a member of ``kind``."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise InputError(f"{shown(value)} is not one of {allowed}", field=field) from None
