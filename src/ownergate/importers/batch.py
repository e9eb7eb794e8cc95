"""One importer's records as a single-source ``Registry`` (columnar, ready to merge).

Later records of an entity replace earlier ones (update files follow the files they update).
A holding may name an entity its source does not describe (a GLEIF relationship to a parent
whose LEI record is in another file): that entity becomes a placeholder, which another
source can describe when merged, and which ``validate`` counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ownergate.domain.model import BASES, KINDS
from ownergate.domain.shares import SCALE, to_scaled
from ownergate.errors import GraphError
from ownergate.graph.tables import (
    NO_NOMINEE,
    OPEN_END,
    OPEN_START,
    EntityColumns,
    HoldingColumns,
    day_number,
)
from ownergate.importers.records import EntityRecord, Reject, SourceBatch
from ownergate.interchange import COUNTRY_VOCAB, EntityIndex
from ownergate.snapshots.registry import (
    ENTITY_EXTRA_SCHEMA,
    FACT_SCHEMA,
    REJECT_SCHEMA,
    Registry,
)

_CODE = {code: i for i, code in enumerate(COUNTRY_VOCAB)}


def registry_from_batch(batch: SourceBatch) -> Registry:
    latest: dict[str, EntityRecord] = {}
    for e in batch.entities:
        latest.pop(e.id, None)  # keep file order of the latest statement
        latest[e.id] = e
    records = list(latest.values())
    row = {e.id: i for i, e in enumerate(records)}
    placeholders: list[str] = []
    for h in batch.holdings:
        for ref in (h.owner, h.owned, h.nominee_for):
            if ref is not None and ref not in row:
                row[ref] = len(records) + len(placeholders)
                placeholders.append(ref)
    ids = [e.id for e in records] + placeholders
    entities = EntityColumns(
        ids=pa.array(ids, pa.string()),
        kind=np.array([KINDS.index(e.kind) for e in records] + [0] * len(placeholders), np.int8),
        country=_codes(batch, [e.country for e in records], len(placeholders)),
        legal_country=_codes(batch, [e.legal_country for e in records], len(placeholders)),
        listed=np.array([e.listed for e in records] + [False] * len(placeholders), bool),
        country_vocab=COUNTRY_VOCAB,
        names=pa.array([e.name for e in records] + [""] * len(placeholders), pa.string()),
    )
    index = EntityIndex(entities.ids, str(batch.source.get("path", "")))
    entities = _with_find(entities, index)
    extra = pa.table(
        {
            "status": [e.status or None for e in records] + [None] * len(placeholders),
            "other_names": [list(e.other_names) or None for e in records]
            + [None] * len(placeholders),
            "identifiers": [[f"{s}:{v}" for s, v in e.identifiers] or None for e in records]
            + [None] * len(placeholders),
            "placeholder": [False] * len(records) + [True] * len(placeholders),
        },
        schema=ENTITY_EXTRA_SCHEMA,
    )
    hs = batch.holdings
    m = len(hs)
    holdings = HoldingColumns(
        owner=np.array([row[h.owner] for h in hs], np.int64).reshape(m),
        owned=np.array([row[h.owned] for h in hs], np.int64).reshape(m),
        nominee_for=np.array(
            [row[h.nominee_for] if h.nominee_for else NO_NOMINEE for h in hs], np.int64
        ).reshape(m),
        low=np.array(
            [to_scaled(h.share.low) if h.share.known else 0 for h in hs], np.int64
        ).reshape(m),
        high=np.array(
            [to_scaled(h.share.high) if h.share.known else SCALE for h in hs], np.int64
        ).reshape(m),
        low_exclusive=np.array([h.share.low_exclusive for h in hs], bool).reshape(m),
        high_exclusive=np.array([h.share.high_exclusive for h in hs], bool).reshape(m),
        known=np.array([h.share.known for h in hs], bool).reshape(m),
        basis=np.array([BASES.index(h.basis) for h in hs], np.int8).reshape(m),
        start=np.array(
            [day_number(h.start) if h.start else OPEN_START for h in hs], np.int32
        ).reshape(m),
        end=np.array([day_number(h.end) if h.end else OPEN_END for h in hs], np.int32).reshape(m),
    )
    source: dict[str, Any] = dict(batch.source)
    source["counts"] = {
        "entities": len(records),
        "placeholders": len(placeholders),
        "holdings": m,
        "facts": len(batch.facts),
        "rejects": len(batch.rejects),
    }
    facts = pa.table(
        {
            "entity": [f.entity for f in batch.facts],
            "kind": [f.kind for f in batch.facts],
            "detail": [f.detail for f in batch.facts],
            "related": [f.related for f in batch.facts],
            "source": pa.array(np.zeros(len(batch.facts), np.int16)),
            "record": [f.record for f in batch.facts],
        },
        schema=FACT_SCHEMA,
    )
    rejects = reject_table(batch.rejects)
    return Registry(
        entities=entities,
        holdings=holdings,
        sources=[source],
        entity_extra=extra,
        holding_source=np.zeros(m, np.int16),
        holding_record=pa.array([h.record for h in hs], pa.string()),
        holding_relation=pa.array([h.relation for h in hs], pa.string()),
        facts=facts,
        rejects=rejects,
    )


def reject_table(rejects: list[Reject]) -> pa.Table:
    """Rejected records as the snapshot's ``rejects`` table (all from source 0)."""
    return pa.table(
        {
            "source": pa.array(np.zeros(len(rejects), np.int16)),
            "file": [r.error.file for r in rejects],
            "record": [r.error.record for r in rejects],
            "field": [r.error.field for r in rejects],
            "error": [r.error.message for r in rejects],
            "raw": [r.raw for r in rejects],
        },
        schema=REJECT_SCHEMA,
    )


def _codes(
    batch: SourceBatch, countries: list[str | None], pad: int
) -> np.ndarray[Any, np.dtype[np.int16]]:
    unknown = sorted({c for c in countries if c and c not in _CODE})
    if unknown:  # importers validate codes; this guards the contract
        raise GraphError(f"{batch.source.get('path', 'a source')}: not country codes: {unknown}")
    return np.array([_CODE[c] if c else 0 for c in countries] + [0] * pad, np.int16)


def _with_find(entities: EntityColumns, index: EntityIndex) -> EntityColumns:
    from dataclasses import replace

    return replace(entities, find=index.find)
