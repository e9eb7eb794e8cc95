"""The range CSV formats of ip-location-db: ``start, end, country`` and ``start, end, asn,
organisation``, inclusive ranges, one per row.

A fast pass reads the whole file with pyarrow and checks and converts whole columns
(IPv4 addresses with pyarrow compute, IPv6 ones with ``inet_pton``); only when it meets
anything odd does a row-by-row pass with the csv module read the file again, to accept
what is merely loose (spaces) or to name the line and field that is wrong. A million
rows take about a second this way instead of eight.
"""

from __future__ import annotations

import csv
import re
import socket
from collections.abc import Callable
from operator import le
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ownergate.errors import shown
from ownergate.ipintel.formats import (
    MAX_ASN,
    ListData,
    address,
    asn_number,
    fail,
    opened,
)
from ownergate.limits import capped_lines

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_OCTET = r"^(0|[1-9][0-9]{0,2})$"
_HEADER = "ip_range_start"
Values = Callable[[list[pa.Array]], list[int]]
RowValue = Callable[[list[str], int], int]


class _Odd(Exception):
    """Raised by the fast pass: go row by row."""


def read_country_ranges(path: Path, name: str, into: ListData, codes: dict[str, int]) -> None:
    """Values are indices into ``codes``, which grows as new country codes appear."""

    def bulk(columns: list[pa.Array]) -> list[int]:
        encoded = pc.dictionary_encode(columns[2])
        texts = encoded.dictionary.to_pylist()
        if not all(_COUNTRY.match(text) for text in texts):
            raise _Odd
        ids = np.array([codes.setdefault(text, len(codes)) for text in texts], dtype=np.int64)
        return list(ids[encoded.indices.to_numpy()].tolist())

    def one(row: list[str], line: int) -> int:
        code = row[2].strip()
        if not _COUNTRY.match(code):
            fail(f"{shown(code)} is not a two-letter country code", name, line, "country_code")
        return codes.setdefault(code, len(codes))

    _read(path, name, into, 3, bulk, one)


def read_asn_ranges(path: Path, name: str, into: ListData) -> None:
    """Values are AS numbers; the first organisation named for a number is kept."""

    def bulk(columns: list[pa.Array]) -> list[int]:
        encoded = pc.dictionary_encode(columns[2])
        texts = encoded.dictionary.to_pylist()
        if not all(t.isascii() and t.isdigit() and 0 < int(t) <= MAX_ASN for t in texts):
            raise _Odd
        numbers = np.array([int(t) for t in texts], dtype=np.int64)
        values = numbers[encoded.indices.to_numpy()]
        distinct, first = np.unique(values, return_index=True)
        orgs = columns[3].take(pa.array(first)).to_pylist()
        for number, org in zip(distinct.tolist(), orgs, strict=True):
            into.orgs.setdefault(number, org.strip())
        return list(values.tolist())

    def one(row: list[str], line: int) -> int:
        number = asn_number(row[2], name, line, "autonomous_system_number")
        into.orgs.setdefault(number, row[3].strip())
        return number

    _read(path, name, into, 4, bulk, one)


def _read(path: Path, name: str, into: ListData, width: int, bulk: Values, one: RowValue) -> None:
    try:
        columns = _columns(path, width)
        _fast(columns, into, bulk)
    except (_Odd, OSError, ValueError, pa.ArrowException):
        with opened(path, name) as handle:
            _slow(list(csv.reader(capped_lines(handle, name))), width, name, into, one)


def _columns(path: Path, width: int) -> list[pa.Array]:
    if not path.is_file():
        raise _Odd
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(autogenerate_column_names=True),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{k}": pa.string() for k in range(width)}, strings_can_be_null=False
        ),
    )
    if table.num_columns < width or table.num_rows == 0:
        raise _Odd
    columns = [table.column(k).combine_chunks() for k in range(width)]
    if any(c.null_count for c in columns):
        raise _Odd
    if columns[0][0].as_py() == _HEADER:
        columns = [c[1:] for c in columns]
    return columns


def _ipv4(column: pa.Array) -> npt.NDArray[np.uint64]:
    """Dotted quads as integers, exactly as strict as ``inet_pton``, else ``_Odd``."""
    parts = pc.split_pattern(column, ".")
    lengths = pc.list_value_length(parts)
    if len(column) and pc.min_max(lengths).as_py() != {"min": 4, "max": 4}:
        raise _Odd
    octets = pc.list_flatten(parts)
    if not pc.all(pc.match_substring_regex(octets, _OCTET)).as_py() and len(octets):
        raise _Odd
    numbers: npt.NDArray[np.uint64] = pc.cast(octets, pa.uint16()).to_numpy().astype(np.uint64)
    if (numbers > 255).any():
        raise _Odd
    weights = np.array([1 << 24, 1 << 16, 1 << 8, 1], dtype=np.uint64)
    return numbers.reshape(-1, 4) @ weights


def _addresses(column: pa.Array, six: npt.NDArray[np.bool_]) -> list[int]:
    """IPv4 rows vectorised; IPv6 rows through ``inet_pton``, which raises on bad ones."""
    values: list[int] = [0] * len(column)
    if not six.all():
        rows = np.flatnonzero(~six)
        found = _ipv4(column.take(pa.array(rows))).tolist()
        if six.any():
            for row, value in zip(rows.tolist(), found, strict=True):
                values[row] = value
        else:
            values = found
    if six.any():
        pton, v6 = socket.inet_pton, socket.AF_INET6
        rows = np.flatnonzero(six)
        texts = column.take(pa.array(rows)).to_pylist()
        for row, text in zip(rows.tolist(), texts, strict=True):
            values[row] = int.from_bytes(pton(v6, text), "big")
    return values


def _fast(columns: list[pa.Array], into: ListData, bulk: Values) -> None:
    # Everything is computed before anything is added, so a failed pass leaves no trace.
    six = pc.match_substring(columns[0], ":").to_numpy(zero_copy_only=False)
    if (six != pc.match_substring(columns[1], ":").to_numpy(zero_copy_only=False)).any():
        raise _Odd
    starts = _addresses(columns[0], six)
    ends = _addresses(columns[1], six)
    if not all(map(le, starts, ends)):
        raise _Odd
    values = bulk(columns)
    stops = [end + 1 for end in ends]
    if not six.any() or six.all():
        ranges = into.ranges[6 if len(six) and six[0] else 4]
        ranges.starts += starts
        ranges.stops += stops
        ranges.values += values
    else:
        for version, wanted in ((4, False), (6, True)):
            ranges = into.ranges[version]
            pick = np.flatnonzero(six == wanted).tolist()
            ranges.starts += [starts[k] for k in pick]
            ranges.stops += [stops[k] for k in pick]
            ranges.values += [values[k] for k in pick]
    into.records += len(starts)


def _slow(rows: list[list[str]], width: int, name: str, into: ListData, one: RowValue) -> None:
    for line, row in enumerate(rows, 1):
        if not row or (line == 1 and row[0] == _HEADER):
            continue
        if len(row) < width:
            fail(f"expected {width} columns, found {len(row)}", name, line, None)
        version, start = address(row[0], name, line, "ip_range_start")
        end_version, end = address(row[1], name, line, "ip_range_end")
        if end_version != version:
            fail("start and end are of different IP versions", name, line, "ip_range_end")
        if end < start:
            fail(f"{shown(row[1])} is before the start {shown(row[0])}", name, line, "ip_range_end")
        value = one(row, line)
        ranges = into.ranges[version]
        ranges.starts.append(start)
        ranges.stops.append(end + 1)
        ranges.values.append(value)
        into.records += 1
