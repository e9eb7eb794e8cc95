"""The customer base in, the flipped accounts out (CSV and JSON).

Customers come as Parquet, CSV or JSON Lines with the columns ``ownergate synth customers``
writes; like every interchange reader, a bad value is an ``InputError`` naming the file,
the record and the field.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.domain.model import STATUSES
from ownergate.errors import InputError, shown
from ownergate.interchange.files import (
    PathLike,
    Source,
    coded_column,
    first_true,
    read_source,
    text_column,
)
from ownergate.portfolio.accounts import Customers
from ownergate.portfolio.impact import Impact
from ownergate.store import AccountRow, checks

CUSTOMER_COLUMNS = (
    "account_id",
    "organisation_name",
    "declared_country",
    "lei",
    "registry_entity_id",
    "annual_revenue",
    "revenue_currency",
    "parent_country",
)
REQUIRED = ("account_id", "declared_country", "annual_revenue")
FLIP_COLUMNS = (
    "account_id",
    "name",
    "country",
    "revenue",
    "status_a",
    "status_b",
    "reason_b",
    "seed_region",
    "group_id",
    "group_name",
    "unverified",
)


def _optional_text(source: Source, column: str) -> np.ndarray[Any, np.dtype[np.object_]]:
    col = text_column(source, column)
    if col is None:
        return np.full(len(source), None, dtype=object)
    trimmed = pc.utf8_trim_whitespace(col.combine_chunks())
    blank = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return np.asarray(blank.to_numpy(zero_copy_only=False), dtype=object)


def _account_ids(source: Source) -> np.ndarray[Any, np.dtype[np.object_]]:
    ids = _optional_text(source, "account_id")
    empty = np.array([v is None for v in ids], dtype=bool)
    row = first_true(empty)
    if row is not None:
        raise source.error("empty account id", row=row, field="account_id")
    _, first, counts = np.unique(ids.astype(str), return_index=True, return_counts=True)
    if (counts > 1).any():
        value = ids[first[counts > 1][0]]
        rows = np.flatnonzero(ids == value)
        at_first = source.records([int(rows[0])])[0]
        raise source.error(
            f"duplicate account id {shown(value)}: already given at {at_first}",
            row=int(rows[1]),
            field="account_id",
        )
    return ids


def _countries(source: Source) -> np.ndarray[Any, np.dtype[np.object_]]:
    col = coded_column(source, "declared_country")
    assert col is not None  # a required column
    valid = np.array([is_country_code(str(v)) for v in col.values.to_pylist()], dtype=bool)
    row = col.first_row(~valid)
    if row is None and not col.given.all():
        row = first_true(~col.given)
    if row is not None:
        value = col.value(row) if col.codes[row] >= 0 else ""
        hint = country_hint(value) if value else "empty"
        raise source.error(
            f"{shown(value)} is not a country code: {hint}", row=row, field="declared_country"
        )
    values = np.asarray(col.values.to_pylist(), dtype=object)
    return values[col.codes]


def _revenue(source: Source) -> np.ndarray[Any, np.dtype[np.float64]]:
    col = source.table.column("annual_revenue").combine_chunks()
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        text = pc.utf8_trim_whitespace(col)
        try:
            cast = pc.cast(text, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            cast = None  # some value is not a number: find the first, to name its record
        if cast is None:
            numbers = []
            for row, value in enumerate(text.to_pylist()):
                try:
                    numbers.append(math.nan if value is None else float(value))
                except ValueError:
                    raise source.error(
                        f"{shown(value)} is not a number", row=row, field="annual_revenue"
                    ) from None
            revenue = np.array(numbers, dtype=np.float64)
        else:
            revenue = pc.fill_null(cast, math.nan).to_numpy(zero_copy_only=False)
    elif (
        pa.types.is_integer(col.type)
        or pa.types.is_floating(col.type)
        or pa.types.is_decimal(col.type)
    ):
        revenue = pc.fill_null(col.cast(pa.float64()), math.nan).to_numpy(zero_copy_only=False)
    else:
        raise source.error(f"column has type {col.type}: expected a number", field="annual_revenue")
    bad = ~np.isfinite(revenue) | (revenue < 0)
    bad_row = first_true(bad)
    if bad_row is not None:
        value = revenue[bad_row]
        what = "empty" if math.isnan(value) else f"{shown(value)} is not a revenue"
        raise source.error(
            f"{what}: expected a non-negative amount in USD", row=bad_row, field="annual_revenue"
        )
    return np.asarray(revenue, dtype=np.float64)


def read_customers(path: PathLike) -> Customers:
    """Read and validate a customer base (.parquet, .csv, .jsonl)."""
    return _read_customers(path)[1]


def account_rows(path: PathLike) -> list[AccountRow]:
    """A customer base as accounts to store: each needs a name, and an LEI when given must
    be a well-formed one; revenues are in USD, kept to the cent."""
    source, customers = _read_customers(path)
    rows = []
    for i in range(len(customers)):
        name, lei = customers.name[i], customers.lei[i]
        if not name:
            raise source.error("empty organisation name", row=i, field="organisation_name")
        if lei is not None:
            try:
                lei = checks.lei(lei)
            except InputError as exc:
                raise source.error(exc.message, row=i, field="lei") from None
        rows.append(
            AccountRow(
                id=str(customers.account_id[i]),
                organisation_name=str(name),
                declared_country=str(customers.country[i]),
                entity_id=customers.registry_entity_id[i],
                lei=lei,
                annual_revenue=Decimal(f"{customers.revenue[i]:.2f}"),
                revenue_currency="USD",
                parent_country=None
                if customers.parent_country is None
                else customers.parent_country[i],
            )
        )
    return rows


def _read_customers(path: PathLike) -> tuple[Source, Customers]:
    source = read_source(
        path,
        columns=CUSTOMER_COLUMNS,
        coded=("declared_country", "revenue_currency"),
        loose=("annual_revenue",),
        required=REQUIRED,
    )
    ids = _account_ids(source)
    names = _optional_text(source, "organisation_name")
    return source, Customers(
        account_id=ids,
        name=np.array(["" if v is None else v for v in names], dtype=object),
        country=_countries(source),
        lei=_optional_text(source, "lei"),
        registry_entity_id=_optional_text(source, "registry_entity_id"),
        revenue=_revenue(source),
        parent_country=_parent_countries(source),
    )


def _parent_countries(source: Source) -> np.ndarray[Any, np.dtype[np.object_]]:
    """The optional declared parent country of each customer, checked like its own."""
    values = _optional_text(source, "parent_country")
    for row, value in enumerate(values):
        if value is not None and not is_country_code(str(value)):
            raise source.error(
                f"{shown(value)} is not a country code: {country_hint(str(value))}",
                row=row,
                field="parent_country",
            )
    return values


def flip_table(impact: Impact) -> pa.Table:
    """One row per flipped account (``FLIP_COLUMNS``), largest revenue first."""
    c, a, b = impact.customers, impact.a, impact.b
    rows = impact.flipped
    rows = rows[np.argsort(-c.revenue[rows], kind="stable")]
    statuses = np.array([s.value for s in STATUSES], dtype=object)

    def strings(values: np.ndarray[Any, Any]) -> pa.Array:
        return pa.array(values[rows].tolist(), pa.string())

    columns = [
        strings(c.account_id),
        strings(c.name),
        strings(c.country),
        pa.array(c.revenue[rows], pa.float64()),
        strings(statuses[a.status]),
        strings(statuses[b.status]),
        strings(b.reason),
        strings(b.seed_region),
        strings(b.group_id),
        strings(b.group_name),
        pa.array(b.unverified[rows], pa.bool_()),
    ]
    return pa.table(dict(zip(FLIP_COLUMNS, columns, strict=True)))


def write_flips(table: pa.Table, csv_path: Path, json_path: Path) -> None:
    """The flipped accounts as CSV and as a JSON array, one object per line."""
    pa_csv.write_csv(table, csv_path)
    # json's C encoder runs only without indentation: one compact object per line keeps
    # hundreds of thousands of flips fast to write and still easy to read and diff.
    lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in table.to_pylist())
    json_path.write_text(f"[\n{lines}\n]\n" if lines else "[]\n", "utf-8")
