"""Writing decision tables (CSV, Parquet or JSON Lines by extension), atomically.

The table is written to a temporary file beside the target and moved over it with
``os.replace``, so readers see the old file or the complete new one, never half a file.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ownergate.errors import InputError
from ownergate.interchange.files import Format, PathLike, file_format

DECISION_COLUMNS = ("id", "status", "reason", "share_min", "share_max", "method", "evidence")
TableLike: TypeAlias = "pa.Table | pa.RecordBatch | Mapping[str, Any]"
_BATCH_ROWS = 65_536
_CONTROL = r"[\x00-\x1f]"


def write_decisions(path: PathLike, table: TableLike) -> None:
    """Write ``table`` (normally the ``DECISION_COLUMNS``) to ``path``, replacing it whole.

    Parent directories are created. Failures to write raise ``InputError`` naming the file;
    the temporary file is removed and an existing target is left untouched.
    """
    name = os.fspath(path)
    fmt = file_format(path)
    data = _as_table(table)
    target = Path(path)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            _WRITERS[fmt](data, temp)
            fd = os.open(temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot write file: {exc.strerror or exc}", file=name) from None


def _as_table(table: TableLike) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    return pa.table(dict(table))


def _write_csv(table: pa.Table, path: Path) -> None:
    plain = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table]
    pa_csv.write_csv(pa.table(plain, names=table.column_names), path)


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path)


def _write_jsonl(table: pa.Table, path: Path) -> None:
    """One JSON object per line, built with vectorised string kernels batch by batch."""
    keys = [json.dumps(name, ensure_ascii=False) + ":" for name in table.column_names]
    with path.open("wb") as fh:
        for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
            if batch.num_rows == 0:
                continue
            if not keys:
                fh.write(b"{}\n" * batch.num_rows)
                continue
            pieces: list[Any] = []
            for i, (key, column) in enumerate(zip(keys, batch.columns, strict=True)):
                pieces += [("{" if i == 0 else ",") + key, _json_values(column)]
            lines = pc.binary_join_element_wise(*pieces, "}\n", "")
            offsets = np.frombuffer(
                lines.buffers()[1], np.int32, count=len(lines) + 1, offset=4 * lines.offset
            )
            fh.write(memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1])])


def _json_values(column: pa.Array) -> pa.Array:
    """Each value as JSON text (``null`` for nulls)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        text = column.cast(pa.string())
    elif pa.types.is_floating(kind):
        text = pc.if_else(pc.is_finite(column), column.cast(pa.string()), None)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_temporal(kind):
        text = _json_strings(column.cast(pa.string()))
    else:
        values = [json.dumps(v, ensure_ascii=False, default=str) for v in column.to_pylist()]
        text = pa.array(values, pa.string())
    return pc.fill_null(text, "null")


def _json_strings(text: pa.Array) -> pa.Array:
    escaped = pc.replace_substring(pc.replace_substring(text, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    control = pc.fill_null(pc.match_substring_regex(text, _CONTROL), False)
    if not pc.any(control).as_py():
        return quoted
    # Control characters need \\u escapes: let json.dumps write those few values.
    rows = pc.indices_nonzero(control)
    fixed = [json.dumps(v, ensure_ascii=False) for v in text.take(rows).to_pylist()]
    return pc.replace_with_mask(quoted, control, pa.array(fixed, pa.string()))


_WRITERS: dict[Format, Callable[[pa.Table, Path], None]] = {
    "csv": _write_csv,
    "parquet": _write_parquet,
    "jsonl": _write_jsonl,
}
