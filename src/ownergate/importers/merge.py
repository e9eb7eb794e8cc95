"""Merge registries from several sources into one, by declared precedence.

Sources are given in precedence order (the first wins). Entities meet on their id (an LEI
wherever a source has one). An entity's name, kind, countries and status come from the
highest-precedence source that states them; lower sources fill what it leaves empty, and
their other names and identifiers are kept too. A sanctions listing in any source counts.

A holding is identified by (owner, owned, basis, nominee). When several sources state the
same holding, only the rows of the highest-precedence source are used; the others are kept
as ``superseded`` evidence, so the stake is never counted twice. Where the sources disagree
on the share (or on an entity's country) the disagreement is listed in ``conflicts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.domain.model import BASES
from ownergate.domain.shares import Share, from_scaled
from ownergate.graph.tables import HOLDING_COLUMNS, NO_NOMINEE, EntityColumns, HoldingColumns
from ownergate.interchange import EntityIndex
from ownergate.snapshots.registry import (
    CONFLICT_SCHEMA,
    ENTITY_EXTRA_SCHEMA,
    SUPERSEDED_SCHEMA,
    Registry,
)

IntArray = npt.NDArray[np.int64]
_HOLDING_FIELDS = HOLDING_COLUMNS[3:]  # after owner, owned, nominee_for


def merge(registries: Sequence[Registry]) -> Registry:
    """One registry from ``registries`` in precedence order (the first wins)."""
    if not registries:
        raise ValueError("nothing to merge")
    if len(registries) == 1:
        return registries[0]
    offsets = np.cumsum([0] + [len(r.sources) for r in registries])
    ids = pc.unique(pa.chunked_array([_strings(r.entities.ids) for r in registries]))
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    rows = [
        pc.index_in(_strings(r.entities.ids), value_set=ids).to_numpy().astype(np.int64)
        for r in registries
    ]
    entities, extra, country_conflicts = _entities(registries, ids, rows, offsets)
    holdings, source, record, relation, superseded, share_conflicts = _holdings(
        registries, rows, offsets, entities
    )
    sources = [dict(s, precedence=i) for i, s in enumerate(_all(r.sources for r in registries))]
    pairs = list(zip(registries, offsets, strict=False))
    return Registry(
        entities=entities,
        holdings=holdings,
        sources=sources,
        entity_extra=extra,
        holding_source=source,
        holding_record=record,
        holding_relation=relation,
        facts=pa.concat_tables([_offset(r.facts, "source", o) for r, o in pairs]),
        superseded=pa.concat_tables(
            [_offset_superseded(r.superseded, o) for r, o in pairs] + [superseded]
        ),
        conflicts=pa.concat_tables(
            [_offset_conflicts(r.conflicts, o) for r, o in pairs]
            + [country_conflicts, share_conflicts]
        ),
        rejects=pa.concat_tables([_offset(r.rejects, "source", o) for r, o in pairs]),
    )


def _all(groups: Any) -> list[dict[str, Any]]:
    return [s for g in groups for s in g]


def _strings(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(list(values), pa.string())


def _offset(table: pa.Table, column: str, by: int) -> pa.Table:
    i = table.schema.get_field_index(column)
    shifted = pc.add(table.column(column), pa.scalar(int(by), pa.int16()))
    return table.set_column(i, column, shifted.cast(pa.int16()))


def _offset_superseded(table: pa.Table, by: int) -> pa.Table:
    return _offset(_offset(table, "source", by), "kept_source", by)


def _offset_conflicts(table: pa.Table, by: int) -> pa.Table:
    return _offset(_offset(table, "kept_source", by), "other_source", by)


def _entities(
    registries: Sequence[Registry], ids: pa.Array, rows: list[IntArray], offsets: IntArray
) -> tuple[EntityColumns, pa.Table, pa.Table]:
    n = len(ids)
    vocab = ("", *sorted({c for r in registries for c in r.entities.country_vocab} - {""}))
    code = {c: i for i, c in enumerate(vocab)}
    kind = np.zeros(n, np.int8)
    country = np.zeros(n, np.int16)
    legal = np.zeros(n, np.int16)
    listed = np.zeros(n, bool)
    placeholder = np.ones(n, bool)
    winner_source = np.full(n, -1, np.int16)
    names = pa.concat_arrays([_names(r) for r in registries] + [pa.array([""])])
    statuses = pa.concat_arrays(
        [r.entity_extra.column("status").combine_chunks() for r in registries]
        + [pa.nulls(1, pa.string())]
    )
    name_at = np.full(n, len(names) - 1, np.int64)
    status_at = np.full(n, len(statuses) - 1, np.int64)
    claims: list[tuple[IntArray, npt.NDArray[np.int16], int]] = []
    # Lowest precedence first, so that each higher source overwrites what it states.
    for k in range(len(registries) - 1, -1, -1):
        r, at = registries[k], rows[k]
        base = sum(len(registries[j].entities) for j in range(k))
        lut = np.array([code[c] for c in r.entities.country_vocab], np.int16)
        real = ~r.entity_extra.column("placeholder").to_numpy(zero_copy_only=False)
        ent_country = lut[r.entities.country]
        for target, values in ((country, ent_country), (legal, lut[r.entities.legal_country])):
            given = real & (values != 0)
            target[at[given]] = values[given]
        kind[at[real]] = r.entities.kind[real]
        listed[at] |= r.entities.listed
        placeholder[at[real]] = False
        winner_source[at[real]] = offsets[k]
        local = np.arange(len(at))
        has_name = real & (pc.fill_null(_names(r), "").to_numpy(zero_copy_only=False) != "")
        name_at[at[has_name]] = base + local[has_name]
        has_status = real & r.entity_extra.column("status").is_valid().to_numpy(
            zero_copy_only=False
        )
        status_at[at[has_status]] = base + local[has_status]
        claims.append((at[real], ent_country[real], int(offsets[k])))
    conflicts = _country_conflicts(ids, country, winner_source, claims, vocab)
    entities = EntityColumns(
        ids=ids,
        kind=kind,
        country=country,
        legal_country=legal,
        listed=listed,
        country_vocab=vocab,
        names=pc.take(names, pa.array(name_at)),
        find=EntityIndex(ids, "the merged registry").find,
    )
    extra = pa.table(
        {
            "status": pc.take(statuses, pa.array(status_at)),
            "other_names": _gathered(registries, rows, n, "other_names", names, name_at),
            "identifiers": _gathered(registries, rows, n, "identifiers", None, None),
            "placeholder": pa.array(placeholder),
        },
        schema=ENTITY_EXTRA_SCHEMA,
    )
    return entities, extra, conflicts


def _names(r: Registry) -> pa.Array:
    if r.entities.names is None:
        return pa.array([""] * len(r.entities), pa.string())
    return pc.fill_null(_strings(r.entities.names), "")


def _gathered(
    registries: Sequence[Registry],
    rows: list[IntArray],
    n: int,
    column: str,
    names: pa.Array | None,
    name_at: IntArray | None,
) -> pa.Array:
    """Per merged entity, the distinct values of a list column over every source; for other
    names also every source's primary name that is not the chosen one."""
    row_parts: list[IntArray] = []
    value_parts: list[pa.Array] = []
    for r, at in zip(registries, rows, strict=True):
        lists = r.entity_extra.column(column).combine_chunks()
        flat = pc.list_flatten(lists)
        parents = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
        row_parts.append(at[parents])
        value_parts.append(flat)
        if names is not None:
            row_parts.append(at)
            value_parts.append(_names(r))
    table = pa.table(
        {
            "row": pa.array(np.concatenate(row_parts)),
            "value": pa.concat_arrays([v.cast(pa.string()) for v in value_parts]),
        }
    )
    if names is not None and name_at is not None:
        chosen = pc.take(names, pa.array(name_at[table.column("row").to_numpy()]))
        keep = pc.and_(
            pc.not_equal(table.column("value"), chosen), pc.not_equal(table["value"], "")
        )
        table = table.filter(keep)
    table = table.group_by(["row", "value"], use_threads=False).aggregate([])
    table = table.sort_by([("row", "ascending"), ("value", "ascending")])
    row = table.column("row").to_numpy()
    counts = np.bincount(row, minlength=n)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), table.column("value").combine_chunks())
    empty = pa.array(counts == 0)
    return pc.if_else(empty, pa.nulls(n, lists.type), lists)


def _country_conflicts(
    ids: pa.Array,
    country: npt.NDArray[np.int16],
    winner_source: npt.NDArray[np.int16],
    claims: list[tuple[IntArray, npt.NDArray[np.int16], int]],
    vocab: tuple[str, ...],
) -> pa.Table:
    rows: dict[str, list[Any]] = {c: [] for c in CONFLICT_SCHEMA.names}
    for at, values, source in claims:
        differs = (values != 0) & (values != country[at])
        for row, value in zip(at[differs].tolist(), values[differs].tolist(), strict=True):
            rows["kind"].append("country")
            rows["subject"].append(ids[row].as_py())
            rows["kept"].append(vocab[int(country[row])])
            rows["kept_source"].append(int(winner_source[row]))
            rows["other"].append(vocab[value])
            rows["other_source"].append(source)
    return pa.table(rows, schema=CONFLICT_SCHEMA)


def _holdings(
    registries: Sequence[Registry],
    rows: list[IntArray],
    offsets: IntArray,
    entities: EntityColumns,
) -> tuple[HoldingColumns, npt.NDArray[np.int16], pa.Array, pa.Array, pa.Table, pa.Table]:
    def cat(name: str) -> Any:
        return np.concatenate([getattr(r.holdings, name) for r in registries])

    def mapped(name: str) -> IntArray:
        parts = []
        for r, at in zip(registries, rows, strict=True):
            local = getattr(r.holdings, name)
            parts.append(np.where(local == NO_NOMINEE, NO_NOMINEE, at[np.maximum(local, 0)]))
        return np.concatenate(parts).astype(np.int64)

    owner, owned, nominee = mapped("owner"), mapped("owned"), mapped("nominee_for")
    fields = {f: cat(f) for f in _HOLDING_FIELDS}
    source = np.concatenate(
        [
            r.holding_source.astype(np.int16) + np.int16(o)
            for r, o in zip(registries, offsets, strict=False)
        ]
    ).astype(np.int16)
    record = pa.concat_arrays([_strings(r.holding_record) for r in registries])
    relation = pa.concat_arrays([_strings(r.holding_relation) for r in registries])
    order = np.lexsort((source, nominee, fields["basis"], owned, owner))
    key = np.stack([owner, owned, fields["basis"].astype(np.int64), nominee])[:, order]
    boundary = (key[:, 1:] != key[:, :-1]).any(axis=0)
    starts = np.flatnonzero(np.concatenate((np.ones(min(1, len(order)), bool), boundary)))
    group_min = np.repeat(source[order][starts], np.diff(np.append(starts, len(order))))
    dropped_sorted = source[order] != group_min
    dropped = np.zeros(len(order), bool)
    dropped[order[dropped_sorted]] = True
    kept_source = np.zeros(len(order), np.int16)
    kept_source[order] = group_min
    superseded, conflicts = _evidence(
        entities, owner, owned, nominee, fields, source, record, relation, dropped, kept_source
    )
    keep = ~dropped
    holdings = HoldingColumns(
        owner=owner[keep],
        owned=owned[keep],
        nominee_for=nominee[keep],
        **{f: v[keep] for f, v in fields.items()},
    )
    mask = pa.array(keep)
    return (
        holdings,
        source[keep],
        record.filter(mask),
        relation.filter(mask),
        superseded,
        conflicts,
    )


def _share(fields: dict[str, Any], i: int) -> str:
    if not fields["known"][i]:
        return Share.unknown().describe()
    return Share(
        from_scaled(int(fields["low"][i])),
        from_scaled(int(fields["high"][i])),
        bool(fields["low_exclusive"][i]),
        bool(fields["high_exclusive"][i]),
    ).describe()


def _evidence(
    entities: EntityColumns,
    owner: IntArray,
    owned: IntArray,
    nominee: IntArray,
    fields: dict[str, Any],
    source: npt.NDArray[np.int16],
    record: pa.Array,
    relation: pa.Array,
    dropped: npt.NDArray[np.bool_],
    kept_source: npt.NDArray[np.int16],
) -> tuple[pa.Table, pa.Table]:
    """The superseded rows, and a conflict wherever a source's rows for a holding differ
    from the rows that were kept. Cross-source duplicates are few, so Python is fine."""
    groups: dict[tuple[int, int, int, int], dict[int, list[tuple[int, ...]]]] = {}
    dup = np.flatnonzero(dropped)
    keys = {(int(owner[i]), int(owned[i]), int(fields["basis"][i]), int(nominee[i])) for i in dup}
    involved = np.flatnonzero(
        np.isin(owned, np.fromiter((k[1] for k in keys), np.int64, len(keys)))
    )
    text = {i: _share(fields, i) for i in involved.tolist()}
    for i in involved.tolist():
        k = (int(owner[i]), int(owned[i]), int(fields["basis"][i]), int(nominee[i]))
        if k in keys:
            row = tuple(int(fields[f][i]) for f in _HOLDING_FIELDS)
            groups.setdefault(k, {}).setdefault(int(source[i]), []).append(row)
    sup: dict[str, list[Any]] = {c: [] for c in SUPERSEDED_SCHEMA.names}
    for i in dup.tolist():
        sup["owner"].append(entities.id(int(owner[i])))
        sup["owned"].append(entities.id(int(owned[i])))
        sup["basis"].append(BASES[int(fields["basis"][i])].value)
        sup["share"].append(text[i])
        sup["source"].append(int(source[i]))
        sup["record"].append(record[i].as_py())
        sup["relation"].append(relation[i].as_py())
        sup["kept_source"].append(int(kept_source[i]))
    con: dict[str, list[Any]] = {c: [] for c in CONFLICT_SCHEMA.names}
    shares = {
        (k, s): "; ".join(sorted(_describe(r) for r in rs))
        for k, per in groups.items()
        for s, rs in per.items()
    }
    for k, per in sorted(groups.items()):
        kept = min(per)
        for s in sorted(per):
            if s != kept and sorted(per[s]) != sorted(per[kept]):
                basis = BASES[k[2]].value
                con["kind"].append("share")
                con["subject"].append(f"{entities.id(k[0])} -> {entities.id(k[1])} ({basis})")
                con["kept"].append(shares[(k, kept)])
                con["kept_source"].append(kept)
                con["other"].append(shares[(k, s)])
                con["other_source"].append(s)
    return pa.table(sup, schema=SUPERSEDED_SCHEMA), pa.table(con, schema=CONFLICT_SCHEMA)


def _describe(row: tuple[int, ...]) -> str:
    low, high, lx, hx, known = row[:5]
    if not known:
        return Share.unknown().describe()
    return Share(from_scaled(low), from_scaled(high), bool(lx), bool(hx)).describe()
