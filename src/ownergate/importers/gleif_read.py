"""Reading GLEIF files record by record: zip or plain, XML, JSON or CSV, sniffed from content.

Every reader streams: XML with ``iterparse`` (each record cleared once used), JSON with the
standard decoder one record at a time from a moving window (the golden copy is one array of
millions of records), CSV with the ``csv`` module. A record is handed on while it is still in
memory, so its raw text can be kept if it is rejected. Errors that leave the rest of the
file unreadable (bad XML, JSON syntax, bad UTF-8, a broken zip) raise ``InputError`` for the
file even under ``skip_invalid``: there is no next record to go on with.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from ownergate.errors import InputError, shown
from ownergate.importers.gleif_csv import REQUIRED_COLUMNS, csv_kind
from ownergate.importers.gleif_shape import RawRecord, RecordKind, local
from ownergate.limits import MAX_RECORD_BYTES, MAX_XML_ELEMENTS, capped_lines, describe_bytes

_ROOTS = {
    "LEIData": (RecordKind.LEI, "LEIRecord"),
    "RelationshipData": (RecordKind.RR, "RelationshipRecord"),
    "ReportingExceptionData": (RecordKind.REPEX, "Exception"),
}
_HEADERS = {"LEIHeader", "Header"}
_ARRAY_KEYS = {"records", "relations", "exceptions", "data"}  # golden copy and API arrays
_BLANK = re.compile(r"[ \t\r\n]+")
_CHUNK = 1 << 20
_XML_BLOCK = 64 << 10
_STREAM_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, UnicodeDecodeError)


def records(path: Path, meta: dict[str, Any]) -> Iterator[RawRecord]:
    """The records of one file; ``meta`` gets its layout and what its header states."""
    name = str(path)
    head = _head(path)
    first = head.lstrip()[:1]
    if not first:
        raise InputError("empty file: no GLEIF records", file=name)
    try:
        with _binary(path) as stream:
            if first == "<":
                meta["layout"] = "xml"
                yield from _xml(stream, name, meta)
            elif first in "[{":
                meta["layout"] = "json"
                yield from _json(stream, name)
            else:
                meta["layout"] = "csv"
                yield from _csv(stream, name, meta)
    except _STREAM_ERRORS as exc:
        raise InputError(f"cannot read the file: {_reason(exc)}", file=name) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text ({exc.reason} at byte {exc.start} of a block)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _head(path: Path) -> str:
    """The first characters of the file (of its one member if it is a zip), BOM removed."""
    try:
        with _binary(path) as stream:
            block = stream.read(4096)
    except _STREAM_ERRORS as exc:
        raise InputError(f"cannot read the file: {_reason(exc)}", file=str(path)) from None
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(block)
    return text.removeprefix("\ufeff")


@contextmanager
def _binary(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes; a zip (as GLEIF publishes) must hold exactly one file."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open the file: {_reason(exc)}", file=str(path)) from None
    with handle:
        if handle.read(4) != b"PK\x03\x04":
            handle.seek(0)
            yield handle
            return
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
            members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise InputError(f"not a readable zip file: {exc}", file=str(path)) from None
        if len(members) != 1:
            names = ", ".join(repr(m.filename[:60]) for m in members[:5])
            raise InputError(
                f"a zip file must hold exactly one GLEIF file, found {len(members)} ({names})",
                file=str(path),
            )
        try:
            member = archive.open(members[0])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise InputError(
                f"cannot open {shown(members[0].filename[:60])} in the zip file: {exc}",
                file=str(path),
            ) from None
        with archive, member:
            yield member


# --- XML ------------------------------------------------------------------------------------


def _xml(stream: IO[bytes], name: str, meta: dict[str, Any]) -> Iterator[RawRecord]:
    """Records as they end. The bytes and elements read since the current record started
    are counted after every block: a record past ``MAX_RECORD_BYTES`` or
    ``MAX_XML_ELEMENTS`` is refused while it is being read, not once it is whole."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    kind: RecordKind | None = None
    record_tag = ""
    depth = 0
    container: ET.Element | None = None
    ordinal = 0
    read = 0
    started: int | None = None  # bytes read when the open record started
    elements = 0
    try:
        while block := stream.read(_XML_BLOCK):
            read += len(block)
            parser.feed(block)
            # Only start and end events were asked for: each carries an element.
            events = cast(Iterator[tuple[str, ET.Element]], parser.read_events())
            for event, elem in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        kind, record_tag = _xml_root(elem, name)
                        meta["kind"] = kind.value
                    elif depth == 2:
                        container = elem
                    elif depth == 3 and local(elem.tag) == record_tag:
                        started, elements = read, 0
                    elements += 1
                    continue
                depth -= 1
                if depth == 2 and local(elem.tag) == record_tag:
                    ordinal += 1
                    started = None
                    yield RawRecord("xml", elem, None, ordinal, _xml_text(elem), kind)
                    elem.clear()
                    if container is not None:
                        container.clear()  # drop the cleared records the parent still lists
                elif depth == 1 and local(elem.tag) in _HEADERS:
                    _xml_header(elem, meta)
                    elem.clear()
            if started is not None:
                _xml_record_cap(name, ordinal + 1, read - started, elements)
        parser.close()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(
            f"not well-formed XML: {exc}", file=name, record=f"line {line}" if line else None
        ) from None
    if kind is None:
        raise InputError("not a GLEIF XML file: no root element", file=name)


def _xml_root(elem: ET.Element, name: str) -> tuple[RecordKind, str]:
    root = local(elem.tag)
    if root not in _ROOTS:
        raise InputError(
            # An XML name holds no control character or quote: shown as written.
            f"not a GLEIF XML file: root element <{root[:40]}>, expected one of "
            f"{', '.join(_ROOTS)}",
            file=name,
        )
    return _ROOTS[root]


def _xml_record_cap(name: str, ordinal: int, size: int, elements: int) -> None:
    if size > MAX_RECORD_BYTES:
        raise InputError(
            f"the record is larger than {describe_bytes(MAX_RECORD_BYTES)}: a broken or "
            "hostile file",
            file=name,
            record=f"record {ordinal}",
        )
    if elements > MAX_XML_ELEMENTS:
        raise InputError(
            f"the record holds more than {MAX_XML_ELEMENTS:,} elements: a broken or hostile file",
            file=name,
            record=f"record {ordinal}",
        )


def _xml_header(elem: ET.Element, meta: dict[str, Any]) -> None:
    for child in elem:
        key = {"ContentDate": "content_date", "FileContent": "file_content"}.get(local(child.tag))
        if key and child.text:
            meta[key] = child.text.strip()[:40]


# --- JSON -----------------------------------------------------------------------------------


class _Window:
    """A moving window over JSON text: whitespace, punctuation and whole values, with the
    line number of the current position."""

    def __init__(self, text: IO[str], name: str) -> None:
        self.text, self.name = text, name
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.decoder = json.JSONDecoder()

    def fail(self, message: str) -> InputError:
        return InputError(message, file=self.name, record=f"line {self.line}")

    def _more(self) -> bool:
        if self.eof:
            return False
        if self.pos > _CHUNK:
            self.buf, self.pos = self.buf[self.pos :], 0
        data = self.text.read(_CHUNK)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """The next non-blank character ('' at the end)."""
        while True:
            blank = _BLANK.match(self.buf, self.pos)
            self._advance(blank.end() if blank else self.pos)
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos : self.pos + 1]

    def take(self, expected: str) -> str:
        found = self.peek()
        if not found or found not in expected:
            what = shown(found) if found else "the end of the file"
            raise self.fail(f"JSON syntax: expected {' or '.join(expected)}, found {what}")
        self._advance(self.pos + 1)
        return found

    def value(self) -> tuple[Any, int, str]:
        """The next whole value, the line it starts on and its text."""
        self.peek()
        line = self.line
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > MAX_RECORD_BYTES:
                    raise self.fail(
                        f"the record is larger than {describe_bytes(MAX_RECORD_BYTES)}: a "
                        "broken or hostile file"
                    ) from None
                if self._more():
                    continue
                raise self.fail(f"JSON syntax: {exc.msg}") from None
            except RecursionError:
                raise self.fail("JSON nested too deeply") from None
            # A number cut at the window's end would decode short: read on first.
            if end == len(self.buf) and self._more():
                continue
            text = self.buf[self.pos : end]
            self._advance(end)
            return value, line, text


def _json(stream: IO[bytes], name: str) -> Iterator[RawRecord]:
    win = _Window(io.TextIOWrapper(stream, encoding="utf-8-sig"), name)
    ordinal = 0

    def items() -> Iterator[tuple[Any, int, str]]:
        win.take("[")
        if win.peek() == "]":
            win.take("]")
            return
        while True:
            yield win.value()
            if win.take(",]") == "]":
                return

    def top() -> Iterator[tuple[Any, int, str]]:
        if win.peek() == "[":
            yield from items()
            return
        win.take("{")
        found = False
        while win.peek() != "}":
            key, _, _ = win.value()
            if not isinstance(key, str):
                raise win.fail("JSON syntax: expected a key")
            win.take(":")
            if key in _ARRAY_KEYS and win.peek() == "[":
                found = True
                yield from items()
            else:
                value, line, text = win.value()
                if key == "data" and isinstance(value, dict):  # one API record
                    found = True
                    yield value, line, text
            if win.peek() != "}":
                win.take(",")
        win.take("}")
        if not found:
            raise InputError(
                "no GLEIF records: expected a JSON array, or an object with 'records', "
                "'relations', 'exceptions' or 'data'",
                file=name,
            )

    for value, line, text in top():
        ordinal += 1
        yield RawRecord("json", value, line, ordinal, _const(text))
    if win.peek():
        raise win.fail("JSON syntax: extra data after the records")


# --- CSV ------------------------------------------------------------------------------------


def _csv(stream: IO[bytes], name: str, meta: dict[str, Any]) -> Iterator[RawRecord]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(capped_lines(text, name))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("empty file: no GLEIF records", file=name)
        kind = csv_kind(header)
        if kind is None:
            raise InputError(
                "not a GLEIF golden-copy CSV: the header has none of 'LEI' with "
                "'Entity.LegalName', 'Relationship.StartNode.NodeID' or 'Exception.Category'",
                file=name,
                record="line 1",
            )
        meta["kind"] = kind.value
        missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
        if missing:
            raise InputError(
                f"the header lacks column(s) {', '.join(missing)}", file=name, record="line 1"
            )
        ordinal, last = 0, reader.line_num
        for row in reader:
            start, last = last + 1, reader.line_num
            if not row:
                continue
            ordinal += 1
            yield RawRecord("csv", row, start, ordinal, _csv_text(row), kind, header)
    except csv.Error as exc:
        raise InputError(
            f"not readable as CSV: {exc}", file=name, record=f"line {reader.line_num}"
        ) from None


def _csv_text(row: list[str]) -> Callable[[], str]:
    def text() -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        return out.getvalue()

    return text


def _xml_text(elem: ET.Element) -> Callable[[], str]:
    return lambda: ET.tostring(elem, encoding="unicode")


def _const(text: str) -> Callable[[], str]:
    return lambda: text
