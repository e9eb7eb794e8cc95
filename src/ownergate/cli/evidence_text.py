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


def _pct(values: npt.NDArray[np.float64]) -> pa.Array:
    """``62.5%``-style text; unbounded values (conflicting data) say so."""
    finite = np.isfinite(values)
    rounded = pa.array(np.round(np.where(finite, values, 0.0) * 100, 4))
    text = pc.binary_join_element_wise(pc.cast(rounded, pa.string()), "%", "")
    return pc.if_else(pa.array(finite), text, "unbounded")


def label_array(codes: npt.NDArray[np.int8], labels: tuple[str, ...]) -> pa.Array:
    """Codes as a string column (a dictionary decode in arrow, not a Python loop)."""
    dictionary = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels))
    return dictionary.cast(pa.string())


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
    """The decision table (``DECISION_SCHEMA``) in batches of ``rows`` rows.

    Each batch is built in a worker thread while the caller consumes the one before.
    """
    ids = id_array(cols.ids)
    n = len(ids)

    def batch(begin: int) -> pa.RecordBatch:
        part = slice(begin, min(n, begin + rows))
        return pa.record_batch(
            [
                ids[part],
                label_array(cols.status[part], STATUS_LABELS),
                label_array(cols.reason[part], REASON_LABELS),
                pa.array(cols.share_min[part]),
                pa.array(cols.share_max[part]),
                label_array(cols.method[part], METHOD_LABELS),
                evidence_column(cols, policy, country_vocab, part),
            ],
            schema=DECISION_SCHEMA,
        )

    def batches() -> Iterator[pa.RecordBatch]:
        with ThreadPoolExecutor(1) as pool:
            ahead: Future[pa.RecordBatch] | None = pool.submit(batch, 0) if n else None
            for begin in range(rows, n + rows, rows):
                assert ahead is not None
                current = ahead.result()
                ahead = pool.submit(batch, begin) if begin < n else None
                yield current

    return pa.RecordBatchReader.from_batches(DECISION_SCHEMA, batches())


def evidence_column(
    cols: DecisionColumns,
    policy: Policy,
    country_vocab: tuple[str, ...],
    part: slice | None = None,
) -> pa.Array:
    """The evidence of every entity, or of the entities in ``part`` (a slice of rows)."""
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

    def region_of(rows: IntArray) -> pa.Array:
        return vocab.take(pa.array(np.maximum(seed_region[rows], 0).astype(np.int64)))

    def ownership(rows: IntArray) -> pa.Array:
        region = region_of(rows)
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
        return join(lo, phrase, top_id, " (", top, ")", ultimately, "")

    def review(rows: IntArray) -> pa.Array:
        lo, hi = _pct(share_min[rows]), _pct(share_max[rows])
        return join(
            "restricted share ", lo, " to ", hi, ": ranged or unknown holdings decide it", ""
        )

    def region(rows: IntArray) -> pa.Array:
        return join(_WHERE[policy.country_basis], region_of(rows), "")

    def constant(text: str) -> Callable[[IntArray], pa.Array]:
        return lambda rows: pa.repeat(pa.scalar(text, pa.string()), len(rows))

    def at_most(rows: IntArray) -> pa.Array:
        return join("restricted share at most ", _pct(share_max[rows]), "")

    allowed = status_is["allowed"]
    parts: list[tuple[npt.NDArray[np.bool_], Callable[[IntArray], pa.Array]]] = [
        (reason_is["region"], region),
        (reason_is["listed"], constant("listed entity")),
        (reason_is["ownership"], ownership),
        (status_is["review"], review),
        (allowed & (share_max > 0), at_most),
        (allowed & ~(share_max > 0), constant("no restricted owner")),
    ]
    order: list[IntArray] = []
    texts: list[pa.Array] = []
    for mask, phrase in parts:
        rows = np.flatnonzero(mask)
        if len(rows):
            order.append(rows)
            texts.append(phrase(rows))
    if not order:
        return pa.array([], type=pa.string())
    placed = np.concatenate(order)
    inverse = np.empty(n, dtype=np.int64)
    inverse[placed] = np.arange(len(placed))
    return pa.concat_arrays([t.cast(pa.string()) for t in texts]).take(pa.array(inverse))
