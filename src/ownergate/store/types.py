"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no exact decimal and no time zones: revenues are kept there as decimal text, and
timestamps as UTC without an offset. Python always sees ``Decimal`` and aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from ownergate.errors import shown

# SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid), not a BIGINT one.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")

# Plain ``json`` on PostgreSQL keeps the document's text as given (``jsonb`` would reorder it).
Json = JSON()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC; naive datetimes are refused (their zone would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: give a time zone")
    return value.astimezone(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC to the microsecond."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, _dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal kept exactly, scale included: unconstrained ``NUMERIC`` on PostgreSQL (which
    would round to a declared scale), decimal text on SQLite."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{shown(value)} is not a finite Decimal")
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, _dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value)
