"""Small interchange files written from rows of text, in the format a suffix names."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

Rows = list[dict[str, str | None]]


def write(path: Path, rows: Rows) -> Path:
    """Write rows of text in the format the suffix names (None = empty / absent)."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if path.suffix == ".csv":
        with path.open("w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(columns)
            out.writerows([[row.get(c) or "" for c in columns] for row in rows])
    elif path.suffix == ".parquet":
        data = {c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns}
        pq.write_table(pa.table(data), path)
    else:
        lines = [json.dumps({k: v for k, v in row.items() if v is not None}) for row in rows]
        path.write_text("\n".join(lines) + "\n")
    return path
