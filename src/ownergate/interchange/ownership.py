"""The ownership table: who holds what share of whom, read into ``HoldingColumns``.

Shares are parsed exactly into integers scaled by ``SCALE`` (10**18): plain decimals and
percentages are split into integer and fraction digits with pyarrow string kernels, once
per distinct value; anything else (exponents, signs, underscores, float text such as
``1e-07``) goes through ``parse_share`` itself, so both agree on every input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.domain.model import BASES
from ownergate.domain.shares import SCALE, SCALE_DIGITS, ShareSyntaxError, parse_share, to_scaled
from ownergate.errors import InputError, shown
from ownergate.graph.tables import (
    EPOCH,
    NO_NOMINEE,
    OPEN_END,
    OPEN_START,
    EntityColumns,
    HoldingColumns,
)
from ownergate.interchange.entities import EntityIndex, read_entities_indexed
from ownergate.interchange.files import (
    Coded,
    PathLike,
    Source,
    boolean_column,
    choice_column,
    coded_column,
    first_true,
    read_source,
    text_column,
)

OWNERSHIP_COLUMNS = (
    "owner",
    "owned",
    "share",
    "share_min",
    "share_max",
    "min_exclusive",
    "max_exclusive",
    "basis",
    "nominee_for",
    "start",
    "end",
)
_CODED = ("share", "share_min", "share_max", "min_exclusive", "max_exclusive", "basis")
_LOOSE = ("share", "share_min", "share_max", "min_exclusive", "max_exclusive")
_DECIMAL = r"^\+?(?P<i>[0-9]*)(?:\.(?P<f>[0-9]*))?$"

OK, NOT_A_SHARE, OUTSIDE, TOO_PRECISE = 0, 1, 2, 3
_MAX_EXPONENT = 1000  # beyond it, parse_share would build enormous integers
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def read_ownership(path: PathLike, entities: EntityIndex | EntityColumns) -> HoldingColumns:
    """Read and validate an ownership file against the entities it refers to."""
    index = entities if isinstance(entities, EntityIndex) else EntityIndex.of(entities)
    source = read_source(
        path,
        columns=OWNERSHIP_COLUMNS,
        coded=(*_CODED, "start", "end"),
        loose=_LOOSE,
        required=("owner", "owned"),
    )
    n = len(source)
    owner, owned, nominee = _resolve_ids(source, index)
    low, high, low_exclusive, high_exclusive, known = _shares(source)
    basis = choice_column(source, "basis", [b.value for b in BASES], "a basis")
    start = _dates(source, "start", OPEN_START)
    end = _dates(source, "end", OPEN_END)
    row = first_true((start != OPEN_START) & (end != OPEN_END) & (start >= end))
    if row is not None:
        raise source.error(
            f"end {_iso(end[row])} is not after start {_iso(start[row])}: a holding is valid "
            "from start until (not including) end",
            row=row,
            field="end",
        )
    return HoldingColumns(
        owner=owner,
        owned=owned,
        nominee_for=nominee,
        low=low,
        high=high,
        low_exclusive=low_exclusive,
        high_exclusive=high_exclusive,
        known=known,
        basis=np.zeros(n, np.int8) if basis is None else np.maximum(basis, 0),
        start=start,
        end=end,
    )


def read_registry(
    entities_path: PathLike, ownership_path: PathLike
) -> tuple[EntityColumns, HoldingColumns]:
    """Read an entities file and the ownership file that refers to it."""
    entities, index = read_entities_indexed(entities_path)
    holdings = read_ownership(ownership_path, index)
    # The decoded Parquet/CSV buffers are gone; hand their pages back before the engine
    # allocates its own (the allocator would otherwise keep ~1 GB per 10M holdings).
    pa.default_memory_pool().release_unused()
    return entities, holdings


def _resolve_ids(source: Source, index: EntityIndex) -> tuple[IntArray, IntArray, IntArray]:
    """Owner, owned and nominee ids to entity rows in one hash lookup."""
    n = len(source)
    owner, owned = text_column(source, "owner"), text_column(source, "owned")
    assert owner is not None and owned is not None  # required columns
    nominee = text_column(source, "nominee_for")
    chunks = [*owner.chunks, *owned.chunks]
    nominee_rows = np.zeros(0, dtype=np.int64)
    if nominee is not None:
        given = pc.and_kleene(pc.is_valid(nominee), pc.not_equal(nominee, ""))
        nominee_rows = np.flatnonzero(given.to_numpy())
        chunks.extend(pc.filter(nominee, given).chunks)
    found = index.lookup(pa.chunked_array(chunks, type=pa.string()))
    owner_rows, owned_rows, nominee_found = found[:n], found[n : 2 * n], found[2 * n :]
    for column, values, rows in (("owner", owner, owner_rows), ("owned", owned, owned_rows)):
        row = first_true(rows < 0)
        if row is not None:
            raise _unknown(source, index, column, values[row].as_py(), row)
    if nominee is not None and (nominee_found < 0).any():
        row = int(nominee_rows[(nominee_found < 0).argmax()])
        raise _unknown(source, index, "nominee_for", nominee[row].as_py(), row)
    nominee_index = np.full(n, NO_NOMINEE, dtype=np.int64)
    nominee_index[nominee_rows] = nominee_found
    return owner_rows, owned_rows, nominee_index


def _unknown(
    source: Source, index: EntityIndex, column: str, value: str | None, row: int
) -> InputError:
    if not value:
        return source.error(
            f"empty {column} id: every holding names its owner and the owned entity",
            row=row,
            field=column,
        )
    return source.error(
        f"unknown entity id {shown(value)}: not in {index.source}", row=row, field=column
    )


def _shares(source: Source) -> tuple[IntArray, IntArray, BoolArray, BoolArray, BoolArray]:
    """Scaled low and high ends, exclusive flags and whether the share is known.

    Values are spread over the rows only where the result needs them: a column per row
    costs more memory traffic than parsing its distinct values.
    """
    n = len(source)
    share, low, high = (_share_column(source, c) for c in ("share", "share_min", "share_max"))
    flags = [boolean_column(source, c) for c in ("min_exclusive", "max_exclusive")]
    none = np.zeros(n, dtype=bool)
    has_share, has_low, has_high = (none if c is None else c[0].given for c in (share, low, high))
    lows = np.zeros(n, np.int64) if share is None else share[0].take(share[1], np.int64(0))
    highs = np.where(has_share, lows, SCALE)

    def fail(mask: BoolArray, column: str, message: str, rows: IntArray | None = None) -> None:
        row = first_true(mask)
        if row is not None:
            row = row if rows is None else int(rows[row])
            raise source.error(message.format(*_texts(source, row)), row=row, field=column)

    def flags_without_range(ranged: BoolArray | None) -> None:
        for column, flag in zip(("min_exclusive", "max_exclusive"), flags, strict=True):
            if flag is not None:
                given = flag >= 0
                fail(
                    given if ranged is None else given & ~ranged,
                    column,
                    f"{column} is given without a range: exclusive flags apply to share_min "
                    "and share_max only",
                )

    if low is None and high is None:  # the common case, without temporary arrays
        flags_without_range(None)
        return lows, highs, none, none.copy(), has_share
    ranged = has_low & has_high

    fail(
        has_share & (has_low | has_high),
        "share",
        "give either share or a range (share_min and share_max), not both",
    )
    fail(
        has_low & ~has_high,
        "share_max",
        "share_min {1} is given without share_max: a range needs both ends",
    )
    fail(
        has_high & ~has_low,
        "share_min",
        "share_max {2} is given without share_min: a range needs both ends",
    )
    rows = np.flatnonzero(ranged)  # empty unless both columns are there
    lo = low[1][low[0].codes[rows]] if low is not None else np.zeros(0, np.int64)
    hi = high[1][high[0].codes[rows]] if high is not None else np.zeros(0, np.int64)
    fail(lo > hi, "share_min", "share_min {1} is greater than share_max {2}", rows)
    flags_without_range(ranged)
    low_x, high_x = (np.full(n, -1, np.int8) if f is None else f for f in flags)
    for column, flag in (("min_exclusive", low_x), ("max_exclusive", high_x)):
        fail(
            (lo == hi) & (flag[rows] == 1),
            column,
            "share_min {1} equals share_max {2} and the bound is exclusive: the range is empty",
            rows,
        )
    lows[rows], highs[rows] = lo, hi
    return lows, highs, ranged & (low_x == 1), ranged & (high_x == 1), ranged | has_share


def _texts(source: Source, row: int) -> list[str]:
    """The share, share_min and share_max cells of a row, quoted, for messages."""
    out = []
    for column in ("share", "share_min", "share_max"):
        col = coded_column(source, column)
        out.append(shown(col.value(row)) if col is not None and col.codes[row] >= 0 else "''")
    return out


def _share_column(source: Source, column: str) -> tuple[Coded, IntArray] | None:
    """A share column's codes and the scaled value of each distinct value (validated)."""
    col = coded_column(source, column)
    if col is None:
        return None
    scaled, problem = parse_shares(col.values)
    row = col.first_row(problem != OK)
    if row is not None:
        raise source.error(
            share_problem(int(problem[col.codes[row]]), col.value(row)), row=row, field=column
        )
    return col, scaled


def share_problem(problem: int, value: str) -> str:
    if problem == OUTSIDE:
        return (
            f"share {shown(value)} is outside [0, 1]: expected a decimal in [0, 1] or a "
            "percentage in [0%, 100%]"
        )
    if problem == TOO_PRECISE:
        return (
            f"share {shown(value)} has more than {SCALE_DIGITS} decimal places (as a fraction "
            f"of one): round it to {SCALE_DIGITS} places"
        )
    return (
        f"{shown(value)} is not a share: expected a decimal in [0, 1] such as '0.6' or a "
        "percentage such as '60%'"
    )


def parse_shares(values: pa.Array) -> tuple[IntArray, npt.NDArray[np.int8]]:
    """Parse share strings exactly: scaled values and a problem code (``OK``...) for each."""
    text = pc.ascii_trim_whitespace(values)
    percent = pc.fill_null(pc.ends_with(text, "%"), False)
    body = pc.if_else(percent, pc.ascii_trim_whitespace(pc.utf8_slice_codeunits(text, 0, -1)), text)
    parts = pc.extract_regex(body, _DECIMAL)
    whole = pc.utf8_ltrim(pc.fill_null(pc.struct_field(parts, "i"), ""), "0")
    fraction = pc.utf8_rtrim(pc.fill_null(pc.struct_field(parts, "f"), ""), "0")
    digits = pc.add(
        pc.utf8_length(pc.struct_field(parts, "i")), pc.utf8_length(pc.struct_field(parts, "f"))
    )
    simple = pc.fill_null(pc.greater(digits, 0), False).to_numpy(zero_copy_only=False)
    pct = percent.to_numpy(zero_copy_only=False)
    whole_len = pc.utf8_length(whole).to_numpy()
    frac_len = pc.utf8_length(fraction).to_numpy()
    head = pc.binary_join_element_wise("0", pc.utf8_slice_codeunits(whole, 0, 4), "")
    integer = pc.cast(head, pa.int64()).to_numpy()
    padded = pc.utf8_rpad(pc.utf8_slice_codeunits(fraction, 0, SCALE_DIGITS), SCALE_DIGITS, "0")
    frac18 = pc.cast(padded, pa.int64()).to_numpy()
    top = np.where(pct, 100, 1)
    outside = (whole_len > 3) | (integer > top) | ((integer == top) & (frac_len > 0))
    too_precise = frac_len > np.where(pct, SCALE_DIGITS - 2, SCALE_DIGITS)
    unit = np.where(pct, SCALE // 100, SCALE)
    scaled = np.where(outside, 0, integer) * unit + np.where(pct, frac18 // 100, frac18)
    problem = np.where(outside, OUTSIDE, np.where(too_precise, TOO_PRECISE, OK)).astype(np.int8)
    problem[~simple] = NOT_A_SHARE
    scaled[~simple | (problem != OK)] = 0
    rest = np.flatnonzero(~simple)
    if len(rest):
        for i, value in zip(rest, text.take(pa.array(rest)).to_pylist(), strict=True):
            scaled[i], problem[i] = _parse_one(value)
    return scaled.astype(np.int64), problem


def _parse_one(value: str | None) -> tuple[int, int]:
    """The exact reference path for values that are not plain decimals or percentages."""
    huge = _huge_exponent(value or "")
    if huge is not None:
        return 0, huge
    try:
        return to_scaled(parse_share(value or "")), OK
    except ShareSyntaxError as exc:
        message = str(exc)
        if "outside" in message:
            return 0, OUTSIDE
        return 0, TOO_PRECISE if "decimal places" in message else NOT_A_SHARE
    except (ValueError, ArithmeticError):
        return 0, NOT_A_SHARE


def _huge_exponent(value: str) -> int | None:
    """Classify values such as ``1e-999999999`` without computing 10**999999999."""
    text = value.strip().replace("_", "")
    percent = text.endswith("%")
    try:
        number = Decimal(text.removesuffix("%").strip())
    except ArithmeticError:
        return None
    _, digits, exponent = number.as_tuple()
    if not number.is_finite() or not number or not isinstance(exponent, int):
        return None
    significant = bytes(digits).rstrip(b"\0")  # trailing zeros do not add places
    if abs(exponent + len(digits) - len(significant)) <= _MAX_EXPONENT:
        return None
    return OUTSIDE if number < 0 or number > (100 if percent else 1) else TOO_PRECISE


def _dates(source: Source, column: str, default: int) -> npt.NDArray[np.int32]:
    """ISO dates (text or date columns) to day numbers; ``default`` where empty."""
    col: Coded | None = coded_column(source, column)
    if col is None:
        return np.full(len(source), default, dtype=np.int32)
    parsed = pc.strptime(col.values, format="%Y-%m-%d", unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), col.values)
    ok = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    row = col.first_row(~ok)
    if row is not None:
        raise source.error(
            f"{shown(col.value(row))} is not a date: expected an ISO date such as '2024-01-31'",
            row=row,
            field=column,
        )
    days = pc.fill_null(pc.cast(pc.cast(parsed, pa.date32()), pa.int32()), 0).to_numpy()
    return col.take(days.astype(np.int32), np.int32(default))


def _iso(day: int) -> str:
    return (EPOCH + dt.timedelta(days=int(day))).isoformat()
