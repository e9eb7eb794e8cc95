"""Sizes past which input is a broken or hostile file, not registry data.

Every importer holds each record to ``MAX_RECORD_BYTES`` (a GLEIF record is a few kilobytes,
a BODS statement or an FtM entity rarely more than a few hundred) and refuses it, naming the
record, as soon as it reads past the cap: a zip bomb holding one gigabyte element is
refused after 64 MiB, not held whole in memory. An XML record may hold at most
``MAX_XML_ELEMENTS`` elements (a record of millions of empty elements is small on disk and
large in memory). Every text field an importer keeps (ids, names, countries, dates, fact
details) holds at most ``MAX_FIELD_CHARS`` characters, and a line of a line-oriented file
(JSON Lines, CSV, the IP lists) at most ``MAX_RECORD_BYTES`` bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from ownergate.errors import InputError

MAX_RECORD_BYTES = 64 << 20
MAX_XML_ELEMENTS = 100_000
MAX_FIELD_CHARS = 10_000


def describe_bytes(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n:,} bytes"


def capped_lines(
    stream: IO[str], name: str, limit: int = MAX_RECORD_BYTES, start: int = 1
) -> Iterator[str]:
    """The lines of a text stream, each read with at most ``limit`` characters: a line
    longer than that (a gzip bomb of one endless line, say) is refused naming its number,
    without ever holding more than ``limit`` characters of it."""
    number = start - 1
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith("\n")):
            raise InputError(
                f"the line is larger than {describe_bytes(limit)}: a broken or hostile file",
                file=name,
                record=f"line {number}",
            )
        yield line


def capped_binary_lines(
    stream: IO[bytes], name: str, limit: int = MAX_RECORD_BYTES
) -> Iterator[bytes]:
    """``capped_lines`` for a binary stream."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith(b"\n")):
            raise InputError(
                f"the line is larger than {describe_bytes(limit)}: a broken or hostile file",
                file=name,
                record=f"line {number}",
            )
        yield line


def too_long(value: str) -> str | None:
    """The error message for a text over the field cap; None for one within it."""
    if len(value) <= MAX_FIELD_CHARS:
        return None
    return f"longer than {MAX_FIELD_CHARS:,} characters ({len(value):,})"
