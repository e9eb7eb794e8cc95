"""Reading interchange files: format by extension, known columns only, exact error locations.

Every reader goes through ``read_source``, which loads only the columns a table knows
(unknown extra columns are ignored), and then through the column helpers here. Values of
low-cardinality columns (kinds, countries, shares, flags, dates) are dictionary-encoded and
parsed once per distinct value, so the per-row work stays vectorised. Errors locate the
record lazily: only when a value is bad is the file scanned for the line number.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from ownergate.errors import InputError, one_line, shown
from ownergate.interchange.field_sizes import first_too_long
from ownergate.interchange.lines import csv_bad_line, record_labels
from ownergate.limits import capped_binary_lines, capped_lines, too_long

Format = Literal["csv", "parquet", "jsonl"]
FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
PathLike = str | os.PathLike[str]
T = TypeVar("T", bound=np.generic)

_DICT = pa.dictionary(pa.int32(), pa.string())
_TRUE = pa.array(["true", "1", "yes"])
_FALSE = pa.array(["false", "0", "no"])


def file_format(path: PathLike) -> Format:
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise InputError(
            f"unsupported file extension {shown(suffix or '(none)')}: use .csv, .parquet, .jsonl "
            "or .ndjson",
            file=os.fspath(path),
        ) from None


@dataclass(frozen=True, eq=False)
class Source:
    """The known columns of one file, and how to name its records in messages."""

    name: str
    path: Path
    format: Format
    table: pa.Table
    lines: npt.NDArray[np.int64] | None = None  # line of each record when already known

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def has(self, column: str) -> bool:
        return column in self.table.column_names

    def records(self, rows: Sequence[int]) -> list[str]:
        if self.format != "parquet" and self.lines is not None:
            return [f"line {int(self.lines[r])}" for r in rows]
        return record_labels(self.path, rows)

    def error(
        self, message: str, *, row: int | None = None, field: str | None = None
    ) -> InputError:
        record = self.records([row])[0] if row is not None else None
        return InputError(one_line(message), file=self.name, record=record, field=field)


def read_source(
    path: PathLike,
    *,
    columns: Sequence[str],
    coded: Collection[str] = (),
    loose: Collection[str] = (),
    required: Collection[str] = (),
) -> Source:
    """Read the known ``columns`` of a file; ``coded`` ones dictionary-encoded where cheap.

    ``loose`` columns may hold JSON numbers or booleans (others are read as text).
    """
    name = os.fspath(path)
    fmt = file_format(path)
    file = Path(path)
    if not file.exists():
        raise InputError("file not found", file=name)
    if file.is_dir():
        raise InputError("is a directory, not a file", file=name)
    lines = None
    try:
        if fmt == "csv":
            table = _read_csv(file, name, columns, coded)
        elif fmt == "parquet":
            table = _read_parquet(file, name, columns, coded)
        else:
            table, lines = _read_jsonl(file, name, columns, loose)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=name) from None
    source = Source(name, file, fmt, table, lines)
    for column in table.column_names:
        row = first_too_long(table.column(column))
        if row is not None:
            value = str(table.column(column)[row].as_py())
            raise source.error(too_long(value) or "too long", row=row, field=column)
    for column in required:
        absent = not source.has(column)
        if not absent and fmt == "jsonl" and len(source):
            absent = table.column(column).null_count == len(source)
        if absent:
            # Column names are the file's: shown escaped, the list cut like any value.
            names = [c for c in _column_names(file, fmt, table) if c]
            found = one_line(", ".join(names), 300) if names else "none"
            raise source.error(f"missing required column (columns found: {found})", field=column)
    return source


def _column_names(file: Path, fmt: Format, table: pa.Table) -> list[str]:
    if fmt != "jsonl":
        return _csv_header(file, str(file)) if fmt == "csv" else pq.read_schema(file).names
    return [c for c in table.column_names if table.column(c).null_count < table.num_rows]


def _csv_header(file: Path, name: str) -> list[str]:
    try:
        with file.open(newline="", encoding="utf-8-sig") as fh:
            for fields in csv.reader(capped_lines(fh, name)):
                if fields:
                    return fields
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=name) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV header: {exc}", file=name, record="line 1") from None
    raise InputError("empty file: expected a header line naming the columns", file=name)


def _read_csv(file: Path, name: str, columns: Sequence[str], coded: Collection[str]) -> pa.Table:
    header = _csv_header(file, name)
    for column in columns:
        if header.count(column) > 1:
            raise InputError("column given twice in the header", file=name, field=column)
    present = [c for c in columns if c in header]
    if not present:
        return pa.table({})
    convert = pa_csv.ConvertOptions(
        column_types={c: _DICT if c in coded else pa.string() for c in present},
        include_columns=present,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    try:
        return pa_csv.read_csv(file, parse_options=parse, convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        line = csv_bad_line(file, len(header)) if "columns" in str(exc) else None
        record = f"line {line}" if line is not None else None
        message = f"malformed CSV: {str(exc).removeprefix('CSV parse error: ')}"
        raise InputError(one_line(message), file=name, record=record) from None


def _read_parquet(
    file: Path, name: str, columns: Sequence[str], coded: Collection[str]
) -> pa.Table:
    try:
        schema = pq.read_schema(file)
        present = [c for c in columns if c in schema.names]
        text = [c for c in present if pa.types.is_string(schema.field(c).type)]
        as_dict = [c for c in text if c in coded]
        return pq.read_table(file, columns=present, read_dictionary=as_dict)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise InputError(one_line(f"not a readable Parquet file: {exc}"), file=name) from None


def _read_jsonl(
    file: Path, name: str, columns: Sequence[str], loose: Collection[str]
) -> tuple[pa.Table, npt.NDArray[np.int64] | None]:
    schema = pa.schema([(c, pa.string()) for c in columns if c not in loose])
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    try:
        table = pa_json.read_json(file, parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        # Mixed types in a column, numbers where text is expected, or malformed JSON: the
        # line-by-line reader handles the first two and names the line for the third.
        return _read_jsonl_slowly(file, name, columns)
    return table.select([c for c in columns if c in table.column_names]), None


def _read_jsonl_slowly(
    file: Path, name: str, columns: Sequence[str]
) -> tuple[pa.Table, npt.NDArray[np.int64]]:
    data: dict[str, list[str | None]] = {c: [] for c in columns}
    seen: set[str] = set()
    lines: list[int] = []
    with file.open("rb") as fh:
        for number, raw in enumerate(capped_binary_lines(fh, name), start=1):
            if not raw.strip():
                continue
            record = f"line {number}"
            try:
                obj = json.loads(raw, parse_float=lambda s: repr(float(s)), parse_int=str)
            except UnicodeDecodeError:
                raise InputError("not UTF-8 text", file=name, record=record) from None
            except ValueError as exc:
                message = f"malformed JSON: {getattr(exc, 'msg', exc)}"
                raise InputError(message, file=name, record=record) from None
            if not isinstance(obj, dict):
                message = 'expected a JSON object such as {"id": "..."} on each line'
                raise InputError(message, file=name, record=record)
            for column in columns:
                value = obj.get(column)
                if value is not None:
                    seen.add(column)
                data[column].append(_json_text(value, name, record, column))
            lines.append(number)
    table = pa.table({c: pa.array(data[c], pa.string()) for c in columns if c in seen})
    return table, np.array(lines, dtype=np.int64)


def _json_text(value: object, name: str, record: str, column: str) -> str | None:
    if isinstance(value, bool | float):  # floats here are the NaN and Infinity constants
        return ("true" if value else "false") if isinstance(value, bool) else repr(value)
    if value is None or isinstance(value, str):
        return value
    kind = "an object" if isinstance(value, dict) else "a list"
    raise InputError(f"expected a single value, not {kind}", file=name, record=record, field=column)


_ACCEPTED = "string large_string integer floating boolean decimal date timestamp null".split()


def _check_type(source: Source, column: str, kind: pa.DataType) -> None:
    if not any(getattr(pa.types, f"is_{name}")(kind) for name in _ACCEPTED):
        raise source.error(f"column has type {kind}: expected text", field=column)


def text_column(source: Source, column: str) -> pa.ChunkedArray | None:
    """A column as plain strings (numbers as their text); ``None`` if the file lacks it."""
    if not source.has(column):
        return None
    col = source.table.column(column)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    _check_type(source, column, col.type)
    return col if pa.types.is_string(col.type) else col.cast(pa.string())


@dataclass(frozen=True, eq=False)
class Coded:
    """A column as codes into its distinct (whitespace-trimmed) values; -1 = empty."""

    codes: npt.NDArray[np.int32]
    values: pa.Array

    def value(self, row: int) -> str:
        return str(self.values[int(self.codes[row])].as_py())

    def first_row(self, bad: npt.NDArray[np.bool_]) -> int | None:
        """The first row holding a value flagged in ``bad`` (one flag per distinct value)."""
        if not bad.any():
            return None
        mask = np.append(bad, False)[self.codes]
        return int(mask.argmax()) if mask.any() else None

    def take(self, per_value: npt.NDArray[T], missing: T) -> npt.NDArray[T]:
        """Spread one result per distinct value over the rows; ``missing`` for empty rows."""
        return np.append(per_value, missing)[self.codes]

    @property
    def given(self) -> npt.NDArray[np.bool_]:
        return self.codes >= 0


def coded_column(source: Source, column: str) -> Coded | None:
    if not source.has(column):
        return None
    col = source.table.column(column)
    if not pa.types.is_dictionary(col.type):
        _check_type(source, column, col.type)
        if pa.types.is_null(col.type):
            return Coded(np.full(len(col), -1, dtype=np.int32), pa.array([], pa.string()))
        col = pc.dictionary_encode(col)
    col = col.unify_dictionaries()
    if col.num_chunks:
        values = col.chunk(0).dictionary
        indices = pa.chunked_array([c.indices for c in col.chunks], type=col.type.index_type)
        codes = pc.fill_null(indices, -1).to_numpy().astype(np.int32, copy=False)
    else:
        values, codes = pa.array([], pa.string()), np.zeros(0, dtype=np.int32)
    _check_type(source, column, values.type)
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    values = pc.ascii_trim_whitespace(values)
    blank = pc.equal(values, "").to_numpy(zero_copy_only=False)
    if blank.any():
        remap = np.where(blank, -1, np.arange(len(values), dtype=np.int32))
        codes = np.append(remap, np.int32(-1)).astype(np.int32)[codes]
    return Coded(codes, values)


def boolean_column(source: Source, column: str) -> npt.NDArray[np.int8] | None:
    """Booleans as -1 (empty), 0 or 1; accepts true/false, yes/no, 1/0 in any case."""
    col = coded_column(source, column)
    if col is None:
        return None
    lower = pc.utf8_lower(col.values)
    true = pc.is_in(lower, value_set=_TRUE).to_numpy(zero_copy_only=False)
    false = pc.is_in(lower, value_set=_FALSE).to_numpy(zero_copy_only=False)
    row = col.first_row(~(true | false))
    if row is not None:
        raise source.error(
            f"{shown(col.value(row))} is not a boolean: expected true or false "
            "(yes/no and 1/0 are accepted too)",
            row=row,
            field=column,
        )
    return col.take(true.astype(np.int8), np.int8(-1))


def choice_column(
    source: Source, column: str, choices: Sequence[str], what: str
) -> npt.NDArray[np.int8] | None:
    """Index into ``choices`` of each row (case-insensitive), -1 for empty rows."""
    col = coded_column(source, column)
    if col is None:
        return None
    found = pc.index_in(pc.utf8_lower(col.values), value_set=pa.array(list(choices)))
    positions = pc.fill_null(found, -1).to_numpy().astype(np.int8)
    row = col.first_row(positions < 0)
    if row is not None:
        raise source.error(
            f"{shown(col.value(row))} is not {what}: expected one of {', '.join(choices)}",
            row=row,
            field=column,
        )
    return col.take(positions, np.int8(-1))


def first_true(mask: npt.NDArray[np.bool_]) -> int | None:
    return int(mask.argmax()) if mask.any() else None
