"""FollowTheMoney property values: typed access with errors naming ``properties.<prop>[i]``.

FtM stores every property as a list of strings. Only the properties the importer uses are
checked; the rest of an entity passes through untouched, so a richer export (extra
properties, newer schema versions) never fails on something ownergate does not read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ownergate.domain.countries import is_country_code
from ownergate.domain.shares import Share, ShareSyntaxError, parse_share
from ownergate.errors import InputError, one_line, shown
from ownergate.limits import too_long

# FtM's historical and pseudo-countries: no ISO 3166-1 alpha-2 code stands for them.
# ``suhh`` Soviet Union, ``cshh`` Czechoslovakia, ``yucs``/``csxx`` Yugoslavia / Serbia and
# Montenegro, ``zz`` global, ``x-so`` Somaliland (not a code of its own in ISO).
_NO_CODE = frozenset({"suhh", "cshh", "yucs", "csxx", "zz", "x-so", "eu"})

_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?"
)
_NUMBER = r"(\d+(?:[.,]\d*)?|[.,]\d+)"
_PERCENT = re.compile(rf"{_NUMBER}\s*%?")
_RANGE = re.compile(rf"{_NUMBER}\s*%?\s*(?:-|–|to)\s*{_NUMBER}\s*%?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record is, for errors: the file as given and ``line N (id X)``."""

    file: str
    record: str

    def error(self, message: str, field: str | None = None) -> InputError:
        return InputError(one_line(message), file=self.file, record=self.record, field=field)


class Props:
    """The ``properties`` object of one entity, read one property at a time."""

    def __init__(self, raw: Mapping[str, Any], where: Where) -> None:
        self._raw = raw
        self.where = where

    def values(self, prop: str) -> list[tuple[str, str]]:
        """The non-empty values of ``prop`` as (field path, stripped text), in file order."""
        value = self._raw.get(prop)
        if value is None:
            return []
        field = f"properties.{prop}"
        if not isinstance(value, list):
            raise self.where.error(f"expected a list of strings, not {_kind(value)}", field)
        out: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            path = f"{field}[{i}]"
            if not isinstance(item, str):
                raise self.where.error(f"expected a string, not {_kind(item)}", path)
            text_ok(item, self.where, path)
            if item.strip():
                out.append((path, item.strip()))
        return out

    def texts(self, *props: str) -> list[str]:
        """The distinct values of ``props``, in order."""
        return list(dict.fromkeys(text for p in props for _, text in self.values(p)))

    def one(self, prop: str) -> tuple[str, str] | None:
        """The single distinct value of ``prop`` (an id reference), None if absent."""
        values = self.values(prop)
        distinct = {text for _, text in values}
        if len(distinct) > 1:
            raise self.where.error(
                f"expected one value, got {len(distinct)}: {shown(sorted(distinct))}",
                f"properties.{prop}",
            )
        return values[0] if values else None

    def dates(self, prop: str, *, end: bool = False) -> list[dt.date]:
        return [parse_date(text, self.where, path, end=end) for path, text in self.values(prop)]


def text_ok(text: str, where: Where, field: str) -> str:
    """Refuse lone surrogates (``"\\ud800"`` is valid JSON but not storable UTF-8) and text
    over the field cap."""
    if problem := too_long(text):
        raise where.error(problem, field)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise where.error("not valid Unicode text (lone surrogate)", field) from None
    return text


def country(text: str) -> str | None:
    """Upper-case ISO alpha-2 for an FtM country code; None for codes with no ISO country.

    FtM writes ISO codes in lower case and a few of its own: subdivisions such as ``cn-xz``
    or ``gb-sct`` map to their country (``CN``, ``GB``); historical states and ``zz`` map to
    nothing, because guessing a successor state would be a claim the source does not make.
    """
    code = text.strip().lower()
    if code in _NO_CODE:
        return None
    head = code.split("-", 1)[0] if "-" in code else code
    upper = head.upper()
    return upper if len(upper) == 2 and is_country_code(upper) else None


def parse_date(text: str, where: Where, field: str, *, end: bool = False) -> dt.date:
    """An FtM date, possibly partial (``2021``, ``2021-05``), possibly with a time.

    A partial start is the first day of its period; a partial end is the first day after
    it, since ownergate's ends are exclusive: the stake is then counted for the whole
    period the source leaves open, never dropped early.
    """
    m = _DATE.fullmatch(text)
    if m is None:
        raise where.error(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {shown(text)}", field)
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day is not None:
            return dt.date(year, int(month), int(day))
        if month is not None:
            first = dt.date(year, int(month), 1)
            if not end:
                return first
            return dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
        return dt.date(year + 1, 1, 1) if end else dt.date(year, 1, 1)
    except (ValueError, OverflowError):
        raise where.error(f"not a valid date: {shown(text)}", field) from None


def parse_percentage(text: str, where: Where, field: str) -> Share:
    """An FtM percentage (a number from 0 to 100 as text) as a share.

    Accepts ``51``, ``51.0``, ``25,5`` (decimal comma), ``51%`` and a band ``25-50`` (as
    the interval [25%, 50%]). ``0.51`` is 0.51%, never 51%: FtM percentages are 0-100.
    """
    try:
        if m := _PERCENT.fullmatch(text):
            return Share.exact(_fraction(m[1]))
        if m := _RANGE.fullmatch(text):
            return Share.between(_fraction(m[1]), _fraction(m[2]))
    except ShareSyntaxError as exc:
        raise where.error(f"not a percentage from 0 to 100: {shown(text)} ({exc})", field) from None
    raise where.error(f"not a percentage from 0 to 100: {shown(text)}", field)


def _fraction(number: str) -> Fraction:
    if len(number) > 40:  # no percentage needs more; keeps Decimal work bounded
        raise ShareSyntaxError(f"too many digits: {number[:20]}...")
    return parse_share(number.replace(",", ".") + "%")


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {shown(value)}"
    return f"{shown(value)}"
