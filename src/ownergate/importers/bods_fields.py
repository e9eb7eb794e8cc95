"""Typed, validated access to the fields of one BODS statement.

Every check raises ``InputError`` naming the file, the statement and the dotted field path
(``recordDetails.interests[0].share.exact``), so a user can find and fix the value. JSON
``null`` counts as absent for optional fields: publishers emit it often and it says nothing.
Numbers arrive as ``int`` or ``Decimal`` (the reader parses floats as ``Decimal``), so shares
stay exact from the file's text to the ``Fraction``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.domain.shares import Share, ShareSyntaxError, parse_share
from ownergate.errors import InputError, shown
from ownergate.limits import too_long

Json = dict[str, Any]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?"
)
_JURISDICTION = re.compile(r"(?P<country>[A-Z]{2})(-[A-Z0-9]{1,3})?")
_LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
_HUNDRED = Decimal(100)


def _key(path: str) -> str:
    """The JSON key a dotted path ends in (``a.b[0].share`` → ``share``)."""
    return path.rpartition(".")[2]


class Fields:
    """Reads the fields of one statement; ``record`` says where it is in ``file``."""

    def __init__(self, file: str, record: str) -> None:
        self.file = file
        self.record = record

    def error(self, path: str, message: str) -> InputError:
        return InputError(message, file=self.file, record=self.record, field=path or None)

    def _value(
        self, obj: Mapping[str, Any], path: str, required: bool, key: str | None = None
    ) -> Any:
        value = obj.get(key or _key(path))
        if value is None and required:
            raise self.error(path, "is missing")
        return value

    def text(
        self, obj: Mapping[str, Any], path: str, *, required: bool = False, key: str | None = None
    ) -> str | None:
        value = self._value(obj, path, required, key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(path, f"expected a string, got {describe_type(value)}")
        if problem := too_long(value):
            raise self.error(path, problem)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escape such as "\ud800"
            raise self.error(path, "is not valid Unicode text") from None
        if required and not value.strip():
            raise self.error(path, "is empty")
        return value

    def mapping(self, obj: Mapping[str, Any], path: str, *, required: bool = False) -> Json | None:
        value = self._value(obj, path, required)
        if value is not None and not isinstance(value, dict):
            raise self.error(path, f"expected an object, got {describe_type(value)}")
        return value

    def items(self, obj: Mapping[str, Any], path: str) -> list[Any]:
        value = self._value(obj, path, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, f"expected an array, got {describe_type(value)}")
        return value

    def strings(self, obj: Mapping[str, Any], path: str) -> tuple[str, ...]:
        """The array of strings at ``path``."""
        items = self.items(obj, path)
        return tuple(
            self.text({"item": v}, f"{path}[{i}]", key="item") or "" for i, v in enumerate(items)
        )

    def objects(self, obj: Mapping[str, Any], path: str) -> list[tuple[str, Json]]:
        """The array at ``path`` as (path of the item, item), each item an object."""
        out = []
        for i, item in enumerate(self.items(obj, path)):
            if not isinstance(item, dict):
                raise self.error(f"{path}[{i}]", f"expected an object, got {describe_type(item)}")
            out.append((f"{path}[{i}]", item))
        return out

    def flag(self, obj: Mapping[str, Any], path: str) -> bool | None:
        value = self._value(obj, path, False)
        if value is not None and not isinstance(value, bool):
            raise self.error(path, f"expected true or false, got {describe_type(value)}")
        return value

    def choice(
        self,
        obj: Mapping[str, Any],
        path: str,
        allowed: Collection[str],
        *,
        required: bool = False,
    ) -> str | None:
        value = self.text(obj, path, required=required)
        if value is not None and value not in allowed:
            known = ", ".join(sorted(allowed)) if len(allowed) <= 8 else "the BODS codelist"
            raise self.error(path, f"unknown value {shown(value)} (expected one of {known})")
        return value

    def date(self, obj: Mapping[str, Any], path: str) -> dt.date | None:
        value = self.text(obj, path)
        if value is None:
            return None
        if not _DATE.fullmatch(value):
            raise self.error(path, f"expected a date YYYY-MM-DD, got {shown(value)}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(path, f"not a calendar date: {shown(value)}") from None

    def timestamp(self, obj: Mapping[str, Any], path: str) -> dt.datetime | None:
        """A date or an ISO 8601 date-time, as an aware UTC datetime (a date is its midnight)."""
        value = self.text(obj, path)
        if value is None:
            return None
        if not (_DATE.fullmatch(value) or _DATE_TIME.fullmatch(value)):
            raise self.error(path, f"expected a date or an ISO 8601 date-time, got {shown(value)}")
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.error(path, f"not a calendar date-time: {shown(value)}") from None
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)

    def country(self, obj: Mapping[str, Any], path: str) -> str | None:
        """An ISO 3166-1 alpha-2 code at ``path`` (a plain string)."""
        code = self.text(obj, path)
        if code is not None and not is_country_code(code):
            raise self.error(
                path,
                f"not an ISO 3166-1 alpha-2 country code: {shown(code)}; " + country_hint(code),
            )
        return code

    def jurisdiction(self, obj: Mapping[str, Any], path: str) -> str | None:
        """The country of a jurisdiction object: its ``code`` may be a subdivision (``GB-SCT``)."""
        found = self.mapping(obj, path)
        if found is None:
            return None
        code = self.text(found, f"{path}.code")
        if code is None:
            return None
        match = _JURISDICTION.fullmatch(code)
        if not match or not is_country_code(match["country"]):
            raise self.error(
                f"{path}.code",
                f"not an ISO 3166-1 country or ISO 3166-2 subdivision code: {shown(code)}; "
                + country_hint(code),
            )
        return match["country"]

    def address_country(self, address: Mapping[str, Any], path: str) -> str | None:
        """BODS 0.4 gives ``country`` as ``{name, code}``, 0.2/0.3 as the code itself."""
        value = address.get("country")
        if isinstance(value, dict):
            return self.country(value, f"{path}.country.code")
        return self.country(address, f"{path}.country")

    def lei(self, value: str, path: str) -> str:
        if not _LEI.fullmatch(value) or int("".join(str(int(c, 36)) for c in value)) % 97 != 1:
            raise self.error(path, f"not a valid LEI (ISO 17442): {shown(value)}")
        return value

    def share(self, obj: Mapping[str, Any], path: str) -> Share:
        """A BODS ``share`` object (percentages) as an exact ``Share``; absent → unknown.

        BODS 0.4 gives ``exclusiveMinimum``/``exclusiveMaximum`` as bounds in their own
        right; 0.2/0.3 gave them as booleans that make ``minimum``/``maximum`` exclusive.
        Both are read. Where an inclusive and an exclusive bound are both given, the tighter
        one holds.
        """
        found = self.mapping(obj, path)
        if found is None:
            return Share.unknown()
        exact = self._percent(found, f"{path}.exact")
        low = self._bound(found, path, "minimum", "exclusiveMinimum", lower=True)
        high = self._bound(found, path, "maximum", "exclusiveMaximum", lower=False)
        try:
            if exact is not None:
                if not _within(exact, low, high):
                    raise self.error(f"{path}.exact", "lies outside the minimum/maximum given")
                return Share.exact(exact)
            if low is None and high is None:
                return Share.unknown()
            lo, lo_excl = low or (Fraction(0), False)
            hi, hi_excl = high or (Fraction(1), False)
            return Share.between(lo, hi, low_exclusive=lo_excl, high_exclusive=hi_excl)
        except ShareSyntaxError as err:
            raise self.error(path, str(err)) from None

    def _bound(
        self, share: Json, path: str, inclusive: str, exclusive: str, *, lower: bool
    ) -> tuple[Fraction, bool] | None:
        found: list[tuple[Fraction, bool]] = []
        value = self._percent(share, f"{path}.{inclusive}")
        flag = share.get(exclusive)
        if isinstance(flag, bool):  # BODS 0.2/0.3
            if flag and value is None:
                raise self.error(f"{path}.{exclusive}", f"is true but {inclusive} is not given")
            if value is not None:
                found.append((value, flag))
        else:
            if value is not None:
                found.append((value, False))
            other = self._percent(share, f"{path}.{exclusive}")
            if other is not None:
                found.append((other, True))
        if not found:
            return None
        # The tighter bound wins; at equal values the exclusive one is tighter.
        if lower:
            return max(found, key=lambda b: (b[0], b[1]))
        return min(found, key=lambda b: (b[0], not b[1]))

    def _percent(self, obj: Mapping[str, Any], path: str) -> Fraction | None:
        value = obj.get(_key(path))
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.error(path, f"expected a percentage number, got {describe_type(value)}")
        if not 0 <= value <= _HUNDRED:
            raise self.error(path, f"percentage {value} is outside 0..100")
        try:
            return parse_share(f"{value}%")
        except ShareSyntaxError as err:
            raise self.error(path, str(err)) from None


def _within(
    value: Fraction, low: tuple[Fraction, bool] | None, high: tuple[Fraction, bool] | None
) -> bool:
    if low is not None and (value < low[0] or (low[1] and value == low[0])):
        return False
    return not (high is not None and (value > high[0] or (high[1] and value == high[0])))


def describe_type(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    names = {dict: "an object", list: "an array", str: "a string", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, Decimal) else "null")
