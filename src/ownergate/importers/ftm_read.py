"""Reading FtM files into JSON values with their line numbers.

Two layouts are accepted: JSON Lines (one entity per line, as OpenSanctions exports
``entities.ftm.json``) and a single JSON array of entities. A bad line of a JSON Lines file
is one bad record; a syntax error inside an array leaves the rest of the array unreadable,
so under ``skip_invalid`` the remainder of that file becomes one reject.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ownergate.errors import InputError, one_line
from ownergate.limits import MAX_RECORD_BYTES, capped_binary_lines, describe_bytes

OnError = Callable[[InputError, str], None]
"""Called with a record's error and raw text; raises, or keeps a reject and returns."""

_WS = " \t\r\n"
_DECODER = json.JSONDecoder()
_RAW_LIMIT = 10_000  # the raw text kept with a reject of an unreadable array remainder


@dataclass(frozen=True, slots=True)
class Item:
    line: int
    raw: str
    value: Any


def read_items(path: Path, name: str, on_error: OnError) -> Iterator[Item]:
    """The JSON values of one file, in order; a malformed one goes to ``on_error``."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip(b"\xef\xbb\xbf" + _WS.encode())
            while not head:
                chunk = fh.read(4096)
                if not chunk:
                    return
                head = chunk.lstrip(_WS.encode())
            fh.seek(0)
            if head.startswith(b"["):
                yield from _array(fh.read(), name, on_error)
            else:
                yield from _lines(fh, name, on_error)
    except FileNotFoundError:
        raise InputError("file not found", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=name) from None


def _lines(fh: Any, name: str, on_error: OnError) -> Iterator[Item]:
    for number, data in enumerate(capped_binary_lines(fh, name), start=1):
        if number == 1:
            data = data.removeprefix(b"\xef\xbb\xbf")
        if not data.strip():
            continue
        record = f"line {number}"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raw = data.decode("utf-8", errors="replace").rstrip("\r\n")
            on_error(InputError("not UTF-8 text", file=name, record=record), raw)
            continue
        raw = text.rstrip("\r\n")
        try:
            value = json.loads(text)
        except RecursionError:
            on_error(InputError("JSON nested too deeply", file=name, record=record), raw)
            continue
        except ValueError as exc:
            message = one_line(f"malformed JSON: {getattr(exc, 'msg', exc)}")
            on_error(InputError(message, file=name, record=record), raw)
            continue
        yield Item(number, raw, value)


def _array(data: bytes, name: str, on_error: OnError) -> Iterator[Item]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        record = f"line {line}"
        on_error(InputError("not UTF-8 text", file=name, record=record), "")
        return
    lines = _LineCounter(text)
    pos = _skip(text, text.index("[") + 1)
    if pos < len(text) and text[pos] == "]":
        pos = _skip(text, pos + 1)
    else:
        while True:
            start = pos
            try:
                value, pos = _DECODER.raw_decode(text, pos)
            except (ValueError, RecursionError) as exc:
                at = getattr(exc, "pos", start)
                message = one_line(
                    f"malformed JSON array: {getattr(exc, 'msg', 'nested too deeply')}"
                )
                record = f"line {lines.at(at)}"
                on_error(InputError(message, file=name, record=record), text[start:][:_RAW_LIMIT])
                return
            if pos - start > MAX_RECORD_BYTES:
                message = f"the record is larger than {describe_bytes(MAX_RECORD_BYTES)}"
                record = f"line {lines.at(start)}"
                on_error(InputError(message, file=name, record=record), text[start:][:_RAW_LIMIT])
                return
            yield Item(lines.at(start), text[start:pos], value)
            pos = _skip(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip(text, pos + 1)
                continue
            if pos < len(text) and text[pos] == "]":
                pos = _skip(text, pos + 1)
                break
            message = "malformed JSON array: expected ',' or ']' after an entity"
            record = f"line {lines.at(pos)}"
            on_error(InputError(message, file=name, record=record), text[pos:][:_RAW_LIMIT])
            return
    if pos < len(text):
        message = "malformed JSON array: text after the closing ']'"
        record = f"line {lines.at(pos)}"
        on_error(InputError(message, file=name, record=record), text[pos:][:_RAW_LIMIT])


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


class _LineCounter:
    """Line numbers of increasing offsets, counting each newline once."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> int:
        if pos < self._pos:  # an error offset can lie before the last item's start
            return self._text.count("\n", 0, pos) + 1
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line
