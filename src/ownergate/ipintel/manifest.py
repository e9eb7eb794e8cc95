"""``sources.toml``: which files a folder of IP data holds, how to read them, and their dates.

Every list is one layer of the index: ``country_ranges_csv`` and ``asn_ranges_csv`` give
values to ranges; ``networks`` (CIDRs or single addresses) gives a flag or a country to its
members; ``asn_list`` flags the addresses whose ASN it names. Country answers are tried in
the order the lists appear.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ownergate.errors import InputError, shown

MANIFEST = "sources.toml"
FORMATS = ("country_ranges_csv", "asn_ranges_csv", "networks", "asn_list")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_FLAG = re.compile(r"^[a-z][a-z0-9_]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ListSpec:
    """One list of a source: its files, their format, and the flag or country it gives."""

    source: str
    id: str
    format: str
    files: tuple[str, ...]
    flag: str | None = None
    country: str | None = None

    @property
    def label(self) -> str:
        return f"{self.source}/{self.id}"


@dataclass(frozen=True)
class SourceSpec:
    name: str
    date: dt.date
    licence: str
    title: str
    url: str
    version: str
    attribution: str
    lists: tuple[ListSpec, ...]


@dataclass(frozen=True)
class Manifest:
    sources: tuple[SourceSpec, ...]
    checksums: dict[str, str]

    @property
    def lists(self) -> tuple[ListSpec, ...]:
        return tuple(lst for s in self.sources for lst in s.lists)


def parse_manifest(text: str, file: str = MANIFEST) -> Manifest:
    """Parse and check a manifest; errors name the source, the list and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML: {exc}", file=file) from None
    if data.get("format", 1) != 1:
        raise InputError("unknown format: this version reads format 1", file=file, field="format")
    raw_sources = data.get("source")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise InputError("names no [[source]]", file=file, field="source")
    sources = tuple(_source(raw, i, file) for i, raw in enumerate(raw_sources, 1))
    names = [s.name for s in sources]
    for name in names:
        if names.count(name) > 1:
            raise InputError(f"source {shown(name)} is named twice", file=file, field="name")
    checksums = data.get("checksums", {})
    if not isinstance(checksums, dict):
        raise InputError("must be a table of path = sha256", file=file, field="checksums")
    for path, digest in checksums.items():
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise InputError(
                "expected a SHA-256 hex digest", file=file, record=path, field="checksums"
            )
    return Manifest(sources, dict(checksums))


def _source(raw: Any, index: int, file: str) -> SourceSpec:
    record = f"source {index}"
    if not isinstance(raw, dict):
        raise InputError("must be a table", file=file, record=record)
    name = _text(raw, "name", file, record, required=True)
    record = f"source {shown(name)}"
    if not _NAME.match(name):
        raise InputError(
            "use lower-case letters, digits, '_', '.', '-'", file=file, record=record, field="name"
        )
    date = raw.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise InputError(
            "expected the date of the data (YYYY-MM-DD)", file=file, record=record, field="date"
        )
    raw_lists = raw.get("list")
    if not isinstance(raw_lists, list) or not raw_lists:
        raise InputError("names no [[source.list]]", file=file, record=record, field="list")
    lists = tuple(_list(r, name, i, file) for i, r in enumerate(raw_lists, 1))
    ids = [lst.id for lst in lists]
    if len(set(ids)) != len(ids):
        raise InputError("two lists share an id", file=file, record=record, field="id")
    return SourceSpec(
        name=name,
        date=date,
        licence=_text(raw, "licence", file, record, required=True),
        title=_text(raw, "title", file, record),
        url=_text(raw, "url", file, record),
        version=_text(raw, "version", file, record),
        attribution=_text(raw, "attribution", file, record),
        lists=lists,
    )


def _list(raw: Any, source: str, index: int, file: str) -> ListSpec:
    record = f"source {shown(source)}, list {index}"
    if not isinstance(raw, dict):
        raise InputError("must be a table", file=file, record=record)
    list_id = _text(raw, "id", file, record, required=True)
    record = f"source {shown(source)}, list {shown(list_id)}"
    if not _NAME.match(list_id):
        raise InputError(
            "use lower-case letters, digits, '_', '.', '-'", file=file, record=record, field="id"
        )
    fmt = _text(raw, "format", file, record, required=True)
    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {shown(fmt)}; one of {', '.join(FORMATS)}",
            file=file,
            record=record,
            field="format",
        )
    files = raw.get("files")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise InputError("expected a list of file paths", file=file, record=record, field="files")
    for path in files:
        parts = PurePosixPath(path).parts
        if PurePosixPath(path).is_absolute() or ".." in parts or not parts:
            raise InputError(
                f"{shown(path)} must be a path inside the folder",
                file=file,
                record=record,
                field="files",
            )
    flag = raw.get("flag")
    country = raw.get("country")
    if flag is not None and (not isinstance(flag, str) or not _FLAG.match(flag)):
        raise InputError(
            "a flag is a lower-case name such as 'vpn'", file=file, record=record, field="flag"
        )
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country)):
        raise InputError(
            "expected a two-letter country code", file=file, record=record, field="country"
        )
    wants = {"networks": "flag or country", "asn_list": "flag"}.get(fmt, "")
    given = [k for k in ("flag", "country") if raw.get(k) is not None]
    allowed = {"networks": (["flag"], ["country"]), "asn_list": (["flag"],)}.get(fmt, ([],))
    if given not in allowed:
        need = f"needs exactly one {wants}" if wants else "takes no flag or country"
        raise InputError(
            f"format {shown(fmt)} {need}",
            file=file,
            record=record,
            field=given[0] if given else "flag",
        )
    return ListSpec(source, list_id, fmt, tuple(files), flag, country)


def _text(raw: dict[str, Any], key: str, file: str, record: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise InputError("expected text", file=file, record=record, field=key)
    return value
