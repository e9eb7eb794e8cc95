"""One-line evidence for every decision, built column-wise with pyarrow (millions of rows).

Each kind of decision is phrased on its own subset of rows; most entities need no owner
facts at all ("no restricted owner"), so the expensive string work is paid only where
there is something to say. ``decision_batches`` builds the whole decision table a block of
rows at a time, the next block while the previous one is written: memory stays bounded by
the block, and building and writing share the cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.explain.columns import (
    METHOD_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    DecisionColumns,
)
from ownergate.policy.model import CountryBasis, Policy

_WHERE = {
    CountryBasis.HEADQUARTERS: "headquartered in ",
    CountryBasis.LEGAL: "incorporated in ",
    CountryBasis.HEADQUARTERS_OR_LEGAL: "headquartered or incorporated in ",
}
IntArray = npt.NDArray[np.int64]
BATCH_ROWS = 1 << 20
_CODED = pa.dictionary(pa.int8(), pa.string())
DECISION_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("share_min", pa.float64()),
        ("share_max", pa.float64()),
        ("method", pa.string()),
        ("evidence", pa.string()),
    ]
)
# What ``decision_batches`` yields: the same columns, the text ones dictionary-encoded
# (writers decode them or write them as dictionaries; readers see ``DECISION_SCHEMA``).
DECISION_BATCH_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("status", _CODED),
        ("reason", _CODED),
        ("share_min", pa.float64()),
        ("share_max", pa.float64()),
        ("method", _CODED),
        ("evidence", pa.dictionary(pa.int32(), pa.string())),
    ]
)


def _pct(values: npt.NDArray[np.float64]) -> pa.Array:
    """``62.5%``-style text; unbounded values (conflicting data) say so."""
    finite = np.isfinite(values)
    rounded = pa.array(np.round(np.where(finite, values, 0.0) * 100, 4))
    text = pc.binary_join_element_wise(pc.cast(rounded, pa.string()), "%", "")
    return pc.if_else(pa.array(finite), text, "unbounded")


def label_codes(codes: npt.NDArray[np.int8], labels: tuple[str, ...]) -> pa.DictionaryArray:
    """Codes as a dictionary column over ``labels`` (no text per row)."""
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels))


def label_array(codes: npt.NDArray[np.int8], labels: tuple[str, ...]) -> pa.Array:
    """Codes as a string column (a dictionary decode in arrow, not a Python loop)."""
    return label_codes(codes, labels).cast(pa.string())


def id_array(ids: object) -> pa.Array:
    """Entity ids as an arrow string array (readers may already hold one)."""
    if isinstance(ids, pa.ChunkedArray):
        return ids.combine_chunks()
    if isinstance(ids, pa.Array):
        return ids
    return pa.array(ids, type=pa.string())


def decision_batches(
    cols: DecisionColumns,
    policy: Policy,
    country_vocab: tuple[str, ...],
    rows: int = BATCH_ROWS,
) -> pa.RecordBatchReader:
    """The decision table (``DECISION_BATCH_SCHEMA``) in batches of ``rows`` rows.

    Each batch is built in a worker thread while the caller consumes the one before.
    """
    ids = id_array(cols.ids)
    n = len(ids)

    def batch(begin: int) -> pa.RecordBatch:
        part = slice(begin, min(n, begin + rows))
        return pa.record_batch(
            [
                ids[part],
                label_codes(cols.status[part], STATUS_LABELS),
                label_codes(cols.reason[part], REASON_LABELS),
                pa.array(cols.share_min[part]),
                pa.array(cols.share_max[part]),
                label_codes(cols.method[part], METHOD_LABELS),
                evidence_dictionary(cols, policy, country_vocab, part),
            ],
            schema=DECISION_BATCH_SCHEMA,
        )

    def batches() -> Iterator[pa.RecordBatch]:
        with ThreadPoolExecutor(1) as pool:
            ahead: Future[pa.RecordBatch] | None = pool.submit(batch, 0) if n else None
            for begin in range(rows, n + rows, rows):
                assert ahead is not None
                current = ahead.result()
                ahead = pool.submit(batch, begin) if begin < n else None
                yield current

    return pa.RecordBatchReader.from_batches(DECISION_BATCH_SCHEMA, batches())


def evidence_column(
    cols: DecisionColumns,
    policy: Policy,
    country_vocab: tuple[str, ...],
    part: slice | None = None,
) -> pa.Array:
    """The evidence of every entity, or of the entities in ``part`` (a slice of rows)."""
    return evidence_dictionary(cols, policy, country_vocab, part).cast(pa.string())


def _pct_keys(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """What ``_pct`` prints, as a number (infinity for unbounded): equal keys, equal text."""
    finite = np.isfinite(values)
    out: npt.NDArray[np.float64] = np.where(
        finite, np.round(np.where(finite, values, 0.0) * 100, 4), np.inf
    )
    return out


Phrase = Callable[[IntArray], tuple[pa.Array, IntArray]]


def evidence_dictionary(
    cols: DecisionColumns,
    policy: Policy,
    country_vocab: tuple[str, ...],
    part: slice | None = None,
) -> pa.DictionaryArray:
    """``evidence_column`` dictionary-encoded: a text per distinct phrase (a constant, one
    per country, one per distinct share), and one per row only where the row names its own
    owners or interval. Millions of rows then cost a few texts and an index each."""
    ids = id_array(cols.ids)
    part = slice(0, len(ids)) if part is None else part
    n = len(range(*part.indices(len(ids))))
    vocab = pa.array(list(country_vocab), type=pa.string())
    join = pc.binary_join_element_wise
    reason, status = cols.reason[part], cols.status[part]
    reason_is = {r: reason == REASON_LABELS.index(r) for r in REASON_LABELS}
    status_is = {s: status == STATUS_LABELS.index(s) for s in STATUS_LABELS}
    is_control = cols.method[part] == METHOD_LABELS.index("control")
    seed_region, top_owner = cols.seed_region[part], cols.top_owner[part]
    top_value, share_min, share_max = (
        cols.top_value[part],
        cols.share_min[part],
        cols.share_max[part],
    )
    owner_count = cols.owners[part]

    def each(rows: IntArray) -> IntArray:
        return np.arange(len(rows), dtype=np.int64)

    def ownership(rows: IntArray) -> tuple[pa.Array, IntArray]:
        region = vocab.take(pa.array(np.maximum(seed_region[rows], 0).astype(np.int64)))
        ultimately = pc.if_else(pc.equal(region, ""), "", join("; ultimately from ", region, ""))
        top_id = ids.take(pa.array(np.maximum(top_owner[rows], 0)))
        top = _pct(top_value[rows])
        lo = _pct(share_min[rows])
        owners = pc.cast(pa.array(owner_count[rows]), pa.string())
        phrase = pc.if_else(
            pa.array(is_control[rows]),
            pc.binary_join_element_wise(" held by ", owners, " restricted owner(s); largest ", ""),
            " effective restricted ownership; largest via ",
        )
        return join(lo, phrase, top_id, " (", top, ")", ultimately, ""), each(rows)

    def review(rows: IntArray) -> tuple[pa.Array, IntArray]:
        lo, hi = _pct(share_min[rows]), _pct(share_max[rows])
        why = ": ranged or unknown holdings decide it"
        return join("restricted share ", lo, " to ", hi, why, ""), each(rows)

    def region(rows: IntArray) -> tuple[pa.Array, IntArray]:
        where = _WHERE[policy.country_basis]
        return join(where, vocab, ""), np.maximum(seed_region[rows], 0).astype(np.int64)

    def constant(text: str) -> Phrase:
        return lambda rows: (pa.array([text]), np.zeros(len(rows), dtype=np.int64))

    def at_most(rows: IntArray) -> tuple[pa.Array, IntArray]:
        encoded = pa.array(_pct_keys(share_max[rows])).dictionary_encode()
        keys = encoded.dictionary.to_numpy()
        where = encoded.indices.to_numpy()
        finite = np.isfinite(keys)
        number = pc.cast(pa.array(np.where(finite, keys, 0.0)), pa.string())
        text = pc.if_else(pa.array(finite), join(number, "%", ""), "unbounded")
        return join("restricted share at most ", text, ""), where.astype(np.int64)

    allowed = status_is["allowed"]
    parts: list[tuple[npt.NDArray[np.bool_], Phrase]] = [
        (reason_is["region"], region),
        (reason_is["listed"], constant("listed entity")),
        (reason_is["ownership"], ownership),
        (status_is["review"], review),
        (allowed & (share_max > 0), at_most),
        (allowed & ~(share_max > 0), constant("no restricted owner")),
    ]
    indices = np.zeros(n, dtype=np.int32)
    texts: list[pa.Array] = []
    offset = 0
    for mask, phrase in parts:
        rows = np.flatnonzero(mask)
        if len(rows):
            text, at = phrase(rows)
            indices[rows] = at + offset
            texts.append(text.cast(pa.string()))
            offset += len(text)
    dictionary = pa.concat_arrays(texts) if texts else pa.array([], pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(indices), dictionary)
