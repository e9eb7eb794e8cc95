"""Where records are in their files, named as errors name them: "line 7" of a CSV or JSON
Lines file (header and blank lines counted; a quoted field may span lines), "row 3" of a
Parquet file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ownergate.limits import capped_binary_lines, capped_lines


def _csv_records(file: Path) -> Any:
    """(start line, fields) of each non-blank CSV record, header included."""
    with file.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.reader(capped_lines(fh, str(file)))
        previous = 0
        try:
            for fields in reader:
                start, previous = previous + 1, reader.line_num
                if fields:
                    yield start, fields
        except csv.Error:
            return


def _csv_lines(file: Path, rows: Sequence[int]) -> dict[int, int]:
    wanted, found = set(rows), {}
    last = max(wanted, default=-1)
    for row, (line, _) in enumerate(_csv_records(file), start=-1):
        if row in wanted:
            found[row] = line
        if row >= last:
            break
    return found


def csv_bad_line(file: Path, width: int) -> int | None:
    for line, fields in _csv_records(file):
        if len(fields) != width:
            return int(line)
    return None


def _json_lines(file: Path) -> dict[int, int]:
    with file.open("rb") as fh:
        lines = enumerate(capped_binary_lines(fh, str(file)), start=1)
        return dict(enumerate(n for n, raw in lines if raw.strip()))


def record_labels(path: str | Path, rows: Sequence[int]) -> list[str]:
    """How errors name the records at 0-based ``rows`` of a file: "line 7" in a CSV or
    JSON Lines file (its header and blank lines counted), "row 3" in a Parquet file."""
    file = Path(path)
    fmt = file.suffix.lower().lstrip(".")
    if fmt == "parquet":
        return [f"row {r + 1}" for r in rows]
    found = _csv_lines(file, rows) if fmt == "csv" else _json_lines(file)
    return [f"line {found[r]}" if r in found else f"record {r + 1}" for r in rows]
