"""What changed between two registries: entities and holdings added, removed or changed.

Entities are matched by id. Holdings are compared as exact rows (owner, owned, nominee,
basis, share bounds and flags, validity dates) after mapping both sides' entity rows to one
id space, so reordered files or re-numbered rows are no change. A holding key (owner,
owned, basis, nominee) that lost rows and gained rows is reported once as changed, with the
old and the new shares. The changed entities and the owned side of every changed holding
are where re-screening starts (``touched``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.domain.model import BASES, KINDS
from ownergate.domain.shares import Share, from_scaled
from ownergate.graph.tables import (
    EPOCH,
    NO_NOMINEE,
    OPEN_END,
    OPEN_START,
    EntityColumns,
    HoldingColumns,
)

IntArray = npt.NDArray[np.int64]
_ROW = ("owner", "owned", "nominee_for", "basis", "low", "high", "low_exclusive",
        "high_exclusive", "known", "start", "end")  # fmt: skip
ENTITY_CHANGE_SCHEMA = pa.schema(
    [("change", pa.string()), ("id", pa.string()), ("fields", pa.string()),
     ("old", pa.string()), ("new", pa.string())]
)  # fmt: skip
HOLDING_CHANGE_SCHEMA = pa.schema(
    [("change", pa.string()), ("owner", pa.string()), ("owned", pa.string()),
     ("basis", pa.string()), ("nominee_for", pa.string()), ("old", pa.string()),
     ("new", pa.string())]
)  # fmt: skip


@dataclass(frozen=True)
class RegistryDiff:
    entities: pa.Table  # ENTITY_CHANGE_SCHEMA
    holdings: pa.Table  # HOLDING_CHANGE_SCHEMA
    touched: pa.Array  # ids whose own data or incoming holdings changed

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for what, table in (("entities", self.entities), ("holdings", self.holdings)):
            for change in ("added", "removed", "changed"):
                mask = pc.equal(table.column("change"), change)
                out[f"{what} {change}"] = int(pc.sum(mask).as_py() or 0)
        return out


def _ids(entities: EntityColumns) -> pa.Array:
    ids = entities.ids
    if isinstance(ids, pa.ChunkedArray):
        return ids.combine_chunks()
    return ids if isinstance(ids, pa.Array) else pa.array(list(ids), pa.string())


def _described(entities: EntityColumns) -> pa.Table:
    vocab = pa.array(entities.country_vocab)
    names = entities.names if entities.names is not None else [""] * len(entities)
    return pa.table(
        {
            "name": pc.fill_null(pa.array(names, pa.string()), ""),
            "kind": pa.array([k.value for k in KINDS]).take(pa.array(entities.kind)),
            "country": vocab.take(pa.array(entities.country)),
            "legal_country": vocab.take(pa.array(entities.legal_country)),
            "listed": pa.array(entities.listed),
        }
    )


def diff_registries(
    a: tuple[EntityColumns, HoldingColumns], b: tuple[EntityColumns, HoldingColumns]
) -> RegistryDiff:
    ids_a, ids_b = _ids(a[0]), _ids(b[0])
    if ids_a.equals(ids_b):
        # The same entities in the same order (a data update): no ids to match up.
        union = ids_a
        row_a = row_b = np.arange(len(ids_a), dtype=np.int64)
    else:
        union = pc.unique(pa.concat_arrays([ids_a, ids_b]))
        row_a = pc.index_in(ids_a, value_set=union).to_numpy().astype(np.int64)
        row_b = pc.index_in(ids_b, value_set=union).to_numpy().astype(np.int64)
    entities, touched = _entity_changes(a[0], b[0], ids_a, ids_b, row_a, row_b, len(union))
    holdings, owned = _holding_changes(a[1], b[1], row_a, row_b, union)
    touched[owned] = True
    return RegistryDiff(entities, holdings, union.filter(pa.array(touched)))


def _entity_changes(
    a: EntityColumns,
    b: EntityColumns,
    ids_a: pa.Array,
    ids_b: pa.Array,
    row_a: IntArray,
    row_b: IntArray,
    n: int,
) -> tuple[pa.Table, npt.NDArray[np.bool_]]:
    in_a = np.full(n, -1, np.int64)
    in_b = np.full(n, -1, np.int64)
    in_a[row_a] = np.arange(len(row_a))
    in_b[row_b] = np.arange(len(row_b))
    touched = np.zeros(n, bool)
    out: dict[str, list[Any]] = {c: [] for c in ENTITY_CHANGE_SCHEMA.names}
    da, db = _described(a), _described(b)
    both = np.flatnonzero((in_a >= 0) & (in_b >= 0))
    left = pa.array(in_a[both])
    right = pa.array(in_b[both])
    differs = np.zeros(len(both), bool)
    columns = da.column_names
    same_rows = len(both) == len(in_a) == len(in_b) and bool((in_a == in_b).all())
    for c in columns:
        if same_rows:  # the same entities in the same order: no reordering to do
            x, y = da.column(c), db.column(c)
        else:
            x, y = da.column(c).take(left), db.column(c).take(right)
        differs |= pc.not_equal(x, y).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(differs).tolist():
        old = da.slice(int(in_a[both[i]]), 1).to_pylist()[0]
        new = db.slice(int(in_b[both[i]]), 1).to_pylist()[0]
        changed = [c for c in columns if old[c] != new[c]]
        out["change"].append("changed")
        out["id"].append(ids_a[int(in_a[both[i]])].as_py())
        out["fields"].append(",".join(changed))
        out["old"].append("; ".join(f"{c}={old[c]}" for c in changed))
        out["new"].append("; ".join(f"{c}={new[c]}" for c in changed))
    touched[both[differs]] = True
    for change, mine, theirs, ids, desc in (
        ("removed", in_a, in_b, ids_a, da),
        ("added", in_b, in_a, ids_b, db),
    ):
        rows = mine[(mine >= 0) & (theirs < 0)]
        for r in rows.tolist():
            record = desc.slice(r, 1).to_pylist()[0]
            out["change"].append(change)
            out["id"].append(ids[r].as_py())
            out["fields"].append("")
            text = f"{record['name']} ({record['country'] or 'country unknown'})"
            out["old" if change == "removed" else "new"].append(text)
            out["new" if change == "removed" else "old"].append(None)
        touched[np.flatnonzero((mine >= 0) & (theirs < 0))] = True
    return pa.table(out, schema=ENTITY_CHANGE_SCHEMA), touched


def _matrix(h: HoldingColumns, rows: IntArray) -> IntArray:
    cols = []
    for c in _ROW:
        v = getattr(h, c).astype(np.int64)
        if c in ("owner", "owned"):
            v = rows[v]
        elif c == "nominee_for":
            v = np.where(v == NO_NOMINEE, NO_NOMINEE, rows[np.maximum(v, 0)])
        cols.append(v)
    return np.stack(cols) if cols else np.zeros((len(_ROW), 0), np.int64)


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))


def _fingerprints(m: IntArray) -> npt.NDArray[np.uint64]:
    """Two independent 64-bit hashes of each column of ``m`` (a row of the diff matrix):
    shape (2, rows)."""
    out = np.zeros((2, m.shape[1]), np.uint64)
    with np.errstate(over="ignore"):
        for k, mix in enumerate(_MIX):
            h = np.full(m.shape[1], np.uint64(k + 1), np.uint64)
            for value in m.view(np.uint64):
                h ^= value
                h *= mix
                h ^= h >> np.uint64(29)
            out[k] = h
    return out


def _unmatched_pairs(
    fa: npt.NDArray[np.uint64], fb: npt.NDArray[np.uint64]
) -> tuple[IntArray, IntArray]:
    """The columns of A and of B whose fingerprint is not matched one-for-one on the other
    side: every occurrence of a fingerprint whose counts differ, and of any first hash that
    two different second hashes share (too rare to untangle here: compared exactly)."""
    na = fa.shape[1]
    first = np.concatenate([fa[0], fb[0]])
    second = np.concatenate([fa[1], fb[1]])
    side_b = np.arange(len(first)) >= na
    # Not a stable sort: rows under one first hash are compared by their second hashes.
    order = np.argsort(first)
    h1, h2, in_b = first[order], second[order], side_b[order]
    new_run = np.ones(len(h1), bool)
    new_run[1:] = h1[1:] != h1[:-1]
    run = np.cumsum(new_run) - 1
    runs = int(run[-1]) + 1 if len(run) else 0
    count_b = np.bincount(run, weights=in_b, minlength=runs)
    count_a = np.bincount(run, minlength=runs) - count_b
    mixed = np.zeros(len(h2), bool)
    mixed[1:] = (~new_run[1:]) & (h2[1:] != h2[:-1])
    tangled = np.zeros(runs, bool)
    tangled[run[mixed]] = True
    odd = (count_a != count_b) | tangled
    picked = order[odd[run]]
    return picked[picked < na], picked[picked >= na] - na


def _holding_changes(
    a: HoldingColumns, b: HoldingColumns, row_a: IntArray, row_b: IntArray, union: pa.Array
) -> tuple[pa.Table, IntArray]:
    ma, mb = _matrix(a, row_a), _matrix(b, row_b)
    # Rows present a different number of times in A and B. Sorting millions of 11-column
    # rows is slow, so rows are compared by a 128-bit fingerprint first, and only the rows
    # whose fingerprint is not matched are compared whole (exactly, as before).
    odd_a, odd_b = _unmatched_pairs(_fingerprints(ma), _fingerprints(mb))
    both = np.concatenate([ma[:, odd_a], mb[:, odd_b]], axis=1)
    side = np.concatenate([np.zeros(len(odd_a), np.int8), np.ones(len(odd_b), np.int8)])
    order = np.lexsort(tuple(both[::-1]))
    s = both[:, order]
    new_run = np.ones(s.shape[1], bool)
    new_run[1:] = (s[:, 1:] != s[:, :-1]).any(axis=0)
    run = np.cumsum(new_run) - 1
    runs = int(run[-1]) + 1 if len(run) else 0
    count_a = np.bincount(run, weights=side[order] == 0, minlength=runs).astype(np.int64)
    count_b = np.bincount(run, weights=side[order] == 1, minlength=runs).astype(np.int64)
    first = np.flatnonzero(new_run)
    changed_runs = np.flatnonzero(count_b != count_a)
    keys = {(int(s[0, i]), int(s[1, i]), int(s[3, i]), int(s[2, i])) for i in first[changed_runs]}
    # A changed key is shown whole on both sides: every old row and every new row.
    per_key: dict[tuple[int, int, int, int], dict[str, list[str]]] = {
        k: {"old": [], "new": []} for k in keys
    }
    owned_keys = np.fromiter((k[1] for k in keys), np.int64, len(keys))
    for label, m in (("old", ma), ("new", mb)):
        for i in np.flatnonzero(np.isin(m[1], owned_keys)).tolist():
            row = m[:, i]
            key = (int(row[0]), int(row[1]), int(row[3]), int(row[2]))
            if key in per_key:
                per_key[key][label].append(_share_text(row))
    out: dict[str, list[Any]] = {c: [] for c in HOLDING_CHANGE_SCHEMA.names}
    for (owner, owned, basis, nominee), sides in sorted(per_key.items()):
        change = (
            "changed" if sides["old"] and sides["new"] else ("added" if sides["new"] else "removed")
        )
        out["change"].append(change)
        out["owner"].append(union[owner].as_py())
        out["owned"].append(union[owned].as_py())
        out["basis"].append(BASES[basis].value)
        out["nominee_for"].append(union[nominee].as_py() if nominee != NO_NOMINEE else None)
        out["old"].append("; ".join(sorted(sides["old"])) or None)
        out["new"].append("; ".join(sorted(sides["new"])) or None)
    owned_rows = np.array(sorted({k[1] for k in per_key}), np.int64)
    return pa.table(out, schema=HOLDING_CHANGE_SCHEMA), owned_rows


def _share_text(row: IntArray) -> str:
    low, high, lx, hx, known, start, end = (int(v) for v in row[4:])
    share = (
        Share(from_scaled(low), from_scaled(high), bool(lx), bool(hx)) if known else Share.unknown()
    )
    text = share.describe()
    if start != OPEN_START or end != OPEN_END:
        since = "" if start == OPEN_START else str(EPOCH.fromordinal(EPOCH.toordinal() + start))
        until = "" if end == OPEN_END else str(EPOCH.fromordinal(EPOCH.toordinal() + end))
        text += f" [{since}..{until})"
    return text
