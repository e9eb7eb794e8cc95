"""Writing decision tables (CSV, Parquet or JSON Lines by extension), atomically.

The table is written to a temporary file beside the target and moved over it with
``os.replace``, so readers see the old file or the complete new one, never half a file.
A ``pa.RecordBatchReader`` is written batch by batch as it is read: a large table never
has to be whole in memory.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ownergate.errors import InputError
from ownergate.interchange.files import Format, PathLike, file_format

DECISION_COLUMNS = ("id", "status", "reason", "share_min", "share_max", "method", "evidence")
TableLike: TypeAlias = "pa.Table | pa.RecordBatch | pa.RecordBatchReader | Mapping[str, Any]"
_BATCH_ROWS = 65_536
_WORKERS = min(2, os.cpu_count() or 1)
_CONTROL = r"[\x00-\x1f]"


def write_decisions(path: PathLike, table: TableLike) -> None:
    """Write ``table`` (normally the ``DECISION_COLUMNS``) to ``path``, replacing it whole.

    ``table`` may be a ``pa.RecordBatchReader``, consumed once.

    Parent directories are created. Failures to write raise ``InputError`` naming the file;
    the temporary file is removed and an existing target is left untouched.
    """
    name = os.fspath(path)
    fmt = file_format(path)
    data = _as_reader(table)
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


def _as_reader(table: TableLike) -> pa.RecordBatchReader:
    if isinstance(table, pa.RecordBatchReader):
        return table
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    elif not isinstance(table, pa.Table):
        table = pa.table(dict(table))
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())


def _write_csv(reader: pa.RecordBatchReader, path: Path) -> None:
    """Batches are turned into CSV text in worker threads (arrow's writer uses one core)
    and the texts written in order: the same bytes as writing the table in one go."""
    schema = pa.schema(
        [
            f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
            for f in reader.schema
        ]
    )

    def text(batch: pa.RecordBatch | None) -> pa.Buffer:
        sink = pa.BufferOutputStream()
        if batch is None:  # the header line
            pa_csv.write_csv(schema.empty_table(), sink)
        else:
            plain = [
                c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in batch
            ]
            options = pa_csv.WriteOptions(include_header=False)
            pa_csv.write_csv(pa.record_batch(plain, schema=schema), sink, options)
        return sink.getvalue()

    with path.open("wb") as fh, ThreadPoolExecutor(_WORKERS) as pool:
        pending: deque[Future[pa.Buffer]] = deque([pool.submit(text, None)])
        for batch in reader:
            pending.append(pool.submit(text, batch))
            while len(pending) > _WORKERS:
                fh.write(pending.popleft().result())
        while pending:
            fh.write(pending.popleft().result())


def _write_parquet(reader: pa.RecordBatchReader, path: Path) -> None:
    """Ids are unique: a dictionary for them is built and thrown away, so they go without.
    Min/max statistics of text columns cost more than their encoding; numbers keep theirs.
    Dictionary-encoded columns are written as Parquet dictionaries as they are (no text per
    row is made); the Arrow schema is not stored, so readers see them as plain text."""
    names = reader.schema.names
    types = [t.value_type if pa.types.is_dictionary(t) else t for t in reader.schema.types]
    text = [pa.types.is_string(t) or pa.types.is_large_string(t) for t in types]
    with pq.ParquetWriter(
        str(path),
        reader.schema,
        use_dictionary=[c for c in names if c != "id"],
        write_statistics=[c for c, is_text in zip(names, text, strict=True) if not is_text],
        store_schema=False,
    ) as writer:
        for batch in reader:
            writer.write_batch(batch)


def _write_jsonl(reader: pa.RecordBatchReader, path: Path) -> None:
    """One JSON object per line, built with vectorised string kernels batch by batch."""
    keys = [json.dumps(name, ensure_ascii=False) + ":" for name in reader.schema.names]
    with path.open("wb") as fh:
        for whole in reader:
            for begin in range(0, whole.num_rows, _BATCH_ROWS):
                _write_json_lines(fh, keys, whole.slice(begin, _BATCH_ROWS))


def _write_json_lines(fh: BinaryIO, keys: list[str], batch: pa.RecordBatch) -> None:
    """Lines for at most ``_BATCH_ROWS`` rows at a time (the joined text is one buffer)."""
    if not keys:
        fh.write(b"{}\n" * batch.num_rows)
        return
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


_WRITERS: dict[Format, Callable[[pa.RecordBatchReader, Path], None]] = {
    "csv": _write_csv,
    "parquet": _write_parquet,
    "jsonl": _write_jsonl,
}
