"""The JSON Lines sink: one compact object per line, appended across runs, UTF-8 as is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ownergate.portfolio.events import JsonLinesSink, open_sinks

FLIPS: list[dict[str, Any]] = [
    {"account": "A1", "before": "allow", "after": "deny"},
    {"account": "A2", "before": "review", "after": "allow", "score": 0.25},
]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_events_round_trip_one_compact_sorted_object_per_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "flips.jsonl"  # the parent does not exist yet
    sink = JsonLinesSink(path)
    sink.emit(FLIPS)
    sink.close()

    assert [json.loads(line) for line in lines(path)] == FLIPS
    # Compact and key-sorted, so the same event always has the same bytes.
    assert lines(path)[0] == '{"account":"A1","after":"deny","before":"allow"}'


def test_a_second_sink_on_the_same_file_appends(tmp_path: Path) -> None:
    # A resumed run must add to what the interrupted one wrote, not replace it.
    path = tmp_path / "flips.jsonl"
    for event in FLIPS:
        sink = JsonLinesSink(path)
        sink.emit([event])
        sink.close()

    assert [json.loads(line) for line in lines(path)] == FLIPS


def test_a_torn_last_line_does_not_swallow_the_next_event(tmp_path: Path) -> None:
    path = tmp_path / "flips.jsonl"
    path.write_text('{"account":"A0","aft', encoding="utf-8")  # a crash mid-write
    sink = JsonLinesSink(path)
    sink.emit(FLIPS[:1])
    sink.close()

    assert json.loads(lines(path)[1]) == FLIPS[0]


def test_unicode_is_written_as_utf8_not_escaped(tmp_path: Path) -> None:
    path = tmp_path / "flips.jsonl"
    event = {"account": "Ö-7", "name": "Société Générale 北京"}
    sink = JsonLinesSink(path)
    sink.emit([event])
    sink.close()

    raw = path.read_bytes()
    assert "Société Générale 北京".encode() in raw
    assert json.loads(raw.decode("utf-8")) == event


def test_an_empty_emit_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "flips.jsonl"
    sink = JsonLinesSink(path)
    sink.emit([])
    sink.close()

    assert path.read_bytes() == b""


def test_open_sinks_opens_only_what_is_asked_for(tmp_path: Path) -> None:
    assert open_sinks(None, None) == []
    (sink,) = open_sinks(tmp_path / "flips.jsonl", None)
    assert isinstance(sink, JsonLinesSink)
    sink.close()
