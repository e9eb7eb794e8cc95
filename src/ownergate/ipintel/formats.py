"""Readers for the list formats of ``sources.toml``; errors name file, line and field.

Every reader adds half-open integer ranges ``[start, stop)`` per IP version to a
``ListData``; a file may mix IPv4 and IPv6. ``.gz`` files are read through gzip. The range
CSV formats are in ``range_csv``.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NoReturn

from ownergate.errors import InputError, shown
from ownergate.ipintel.addresses import parse_int
from ownergate.limits import capped_lines

BITS = {4: 32, 6: 128}
MAX_ASN = (1 << 32) - 1


@dataclass
class Ranges:
    """Ranges of one IP version; ``values`` is empty for plain sets of networks."""

    starts: list[int] = field(default_factory=list)
    stops: list[int] = field(default_factory=list)
    values: list[int] = field(default_factory=list)


@dataclass
class ListData:
    """What one list's files hold: ranges per version, and for ASN data the org names."""

    ranges: dict[int, Ranges] = field(default_factory=lambda: {4: Ranges(), 6: Ranges()})
    orgs: dict[int, str] = field(default_factory=dict)
    asns: set[int] = field(default_factory=set)
    records: int = 0


def fail(message: str, name: str, line: int | None, column: str | None) -> NoReturn:
    raise InputError(message, file=name, record=f"line {line}" if line else None, field=column)


@contextmanager
def opened(path: Path, name: str) -> Iterator[IO[str]]:
    if not path.is_file():
        fail("missing: sources.toml lists it", name, None, None)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
                yield handle
        else:
            with path.open(encoding="utf-8", newline="") as handle:
                yield handle
    except UnicodeDecodeError:
        fail("is not UTF-8 text", name, None, None)
    except (OSError, EOFError, zlib.error) as exc:
        fail(f"cannot be read ({exc.__class__.__name__}: {exc})", name, None, None)


def address(text: str, name: str, line: int, column: str) -> tuple[int, int]:
    try:
        return parse_int(text.strip())
    except (OSError, ValueError):
        fail(f"{shown(text)} is not an IP address", name, line, column)


def read_networks(path: Path, name: str, into: ListData) -> None:
    """One CIDR or single address per line; ``#`` starts a comment."""
    with opened(path, name) as handle:
        for line, raw in enumerate(capped_lines(handle, name), 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            version, start, stop = network_range(text, name, line)
            ranges = into.ranges[version]
            ranges.starts.append(start)
            ranges.stops.append(stop)
            into.records += 1


def read_asn_list(path: Path, name: str, into: ListData) -> None:
    """One ASN per line (``AS13335`` or ``13335``); ``#`` starts a comment."""
    with opened(path, name) as handle:
        for line, raw in enumerate(capped_lines(handle, name), 1):
            text = raw.split("#", 1)[0].strip()
            if text:
                into.asns.add(asn_number(text.upper().removeprefix("AS"), name, line, "asn"))
                into.records += 1


def network_range(text: str, name: str, line: int) -> tuple[int, int, int]:
    """``(version, start, stop)`` of a CIDR or a single address."""
    host, slash, prefix = text.partition("/")
    version, start = address(host, name, line, "network")
    bits = BITS[version]
    size = 1
    if slash:
        if not (prefix.isascii() and prefix.isdigit()) or int(prefix) > bits:
            fail(f"{shown(text)}: prefix length must be 0-{bits}", name, line, "network")
        size = 1 << (bits - int(prefix))
        if start % size:
            fail(f"{shown(text)} has host bits set", name, line, "network")
    return version, start, start + size


def asn_number(text: str, name: str, line: int, column: str) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ASN:
        fail(f"{shown(text)} is not an AS number (1-{MAX_ASN})", name, line, column)
    return int(text)
