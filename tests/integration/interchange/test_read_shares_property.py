"""The vectorised share parser agrees exactly with ``parse_share``, the reference."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ownergate.domain.shares import ShareSyntaxError, parse_share, to_scaled
from ownergate.errors import InputError
from ownergate.interchange import EntityIndex, parse_shares, read_ownership
from ownergate.interchange.ownership import OK
from tests.property import examples


def reference(value: str | float) -> int | None:
    """The scaled share, or None where ``parse_share`` rejects the value."""
    try:
        return to_scaled(parse_share(value))
    except ShareSyntaxError:
        return None


def vectorised(values: list[str]) -> list[int | None]:
    scaled, problem = parse_shares(pa.array(values, pa.string()))
    return [int(s) if p == OK else None for s, p in zip(scaled, problem, strict=True)]


@st.composite
def decimal_texts(draw: st.DrawFn) -> str:
    whole = draw(st.text("0123456789", max_size=4))
    fraction = draw(st.none() | st.text("0123456789", max_size=24))
    text = whole if fraction is None else f"{whole}.{fraction}"
    text = draw(st.sampled_from(["", "", "+", "-"])) + text
    text += draw(st.sampled_from(["", "", "%", " %", "e-2", "E1"]))
    pad = draw(st.sampled_from(["", " ", "\t"]))
    return pad + text + pad


@settings(max_examples=examples(400))
@given(st.lists(decimal_texts(), min_size=1, max_size=20))
@example(["0.1", "0.2", "0.2", "60%", "33.333333333333333333%", "33.3333333333333333%"])
@example(["1.0000000000000000000001", "100.00000000000000001%", "0001", "000.50%", "."])
def test_decimal_strings_agree_with_parse_share(values: list[str]) -> None:
    assert vectorised(values) == [reference(v) for v in values]


@settings(max_examples=examples(300))
@given(st.lists(st.text(max_size=12), min_size=1, max_size=20))
@example(["", " ", "%", "nan", "Infinity", "1_0%", "٠.٥", "0x1", "1e-99", "\x1c0.5", "5e-1%"])
def test_any_text_agrees_with_parse_share(values: list[str]) -> None:
    assert vectorised(values) == [reference(v) for v in values]


def test_huge_exponents_are_rejected_without_computing_them() -> None:
    """``parse_share`` itself would build a billion-digit integer for these."""
    texts = [
        "1e-999999999",
        "1e999999999",
        "-1e-999999999",
        "0e-999999999",
        "1" + "0" * 2000 + "e-2000",
    ]
    assert vectorised(texts) == [None, None, None, 0, 10**18]


floats = st.floats(min_value=-0.5, max_value=1.5, allow_nan=False) | st.sampled_from(
    [0.1, 1 / 3, 5e-324, 1e-7, 1e-18, 1e-19, 0.0, -0.0, 1.0, float("nan"), float("inf")]
)


@settings(max_examples=examples(300))
@given(st.lists(floats, min_size=1, max_size=20))
def test_floats_mean_their_shortest_repr(values: list[float]) -> None:
    """Float columns are read through Arrow's float-to-text cast: it must match ``repr``."""
    texts = pa.array(values, pa.float64()).cast(pa.string()).to_pylist()
    assert vectorised(texts) == [reference(v) for v in values]


@settings(max_examples=examples(25), deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=10))
def test_float_parquet_columns_read_exactly(values: list[float]) -> None:
    index = EntityIndex(pa.array(["A", "B"]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ownership.parquet"
        n = len(values)
        table = pa.table({"owner": ["A"] * n, "owned": ["B"] * n, "share": values})
        pq.write_table(table, path)
        expected = [reference(v) for v in values]
        if None in expected:
            try:
                read_ownership(path, index)
            except InputError as error:
                assert error.record == f"row {expected.index(None) + 1}"
            else:
                raise AssertionError("a share with more than 18 places was accepted")
        else:
            assert read_ownership(path, index).low.tolist() == expected


@settings(max_examples=examples(40), deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=15))
def test_garbage_in_a_csv_file_raises_only_input_errors(share: str) -> None:
    index = EntityIndex(pa.array(["A", "B"]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ownership.csv"
        escaped = share.replace('"', '""')
        path.write_text(f'owner,owned,share\nA,B,"{escaped}"\n', encoding="utf-8")
        try:
            table = read_ownership(path, index)
        except InputError as error:
            assert "\n" not in str(error)
            assert (error.record, error.field) in {("line 2", "share"), (None, None)}
        else:
            assert len(table) == 1
