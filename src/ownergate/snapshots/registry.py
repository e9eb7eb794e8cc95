"""A merged registry as a snapshot stores it: the engine's tables plus their provenance.

``entities``/``holdings`` are what the engine screens. Beside them, row-aligned, each entity
carries its status, other names and identifiers, and each holding the source it came from
(an index into ``sources``, which are in precedence order: 0 wins), the source's record id
and relation type. ``facts`` are stated facts kept for explanations and cross-checks;
``superseded`` are holdings a higher-precedence source also states (kept as evidence, not
counted); ``conflicts`` are the disagreements found while merging; ``rejects`` the records
left out under ``--skip-invalid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ownergate.graph.order import dependency_order, renumbering
from ownergate.graph.tables import EntityColumns, HoldingColumns

ENTITY_EXTRA_SCHEMA = pa.schema(
    [
        ("status", pa.string()),
        ("other_names", pa.list_(pa.string())),
        ("identifiers", pa.list_(pa.string())),  # "SCHEME:value"
        ("placeholder", pa.bool_()),  # named by a holding but described by no source
    ]
)
FACT_SCHEMA = pa.schema(
    [
        ("entity", pa.string()),
        ("kind", pa.string()),
        ("detail", pa.string()),
        ("related", pa.string()),
        ("source", pa.int16()),
        ("record", pa.string()),
    ]
)
SUPERSEDED_SCHEMA = pa.schema(
    [
        ("owner", pa.string()),
        ("owned", pa.string()),
        ("basis", pa.string()),
        ("share", pa.string()),
        ("source", pa.int16()),
        ("record", pa.string()),
        ("relation", pa.string()),
        ("kept_source", pa.int16()),
    ]
)
CONFLICT_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # "share" or "country"
        ("subject", pa.string()),  # "owner -> owned (basis)" or the entity id
        ("kept", pa.string()),
        ("kept_source", pa.int16()),
        ("other", pa.string()),
        ("other_source", pa.int16()),
    ]
)
REJECT_SCHEMA = pa.schema(
    [
        ("source", pa.int16()),
        ("file", pa.string()),
        ("record", pa.string()),
        ("field", pa.string()),
        ("error", pa.string()),
        ("raw", pa.string()),
    ]
)


def empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


@dataclass(frozen=True)
class Registry:
    entities: EntityColumns
    holdings: HoldingColumns
    sources: list[dict[str, Any]]
    entity_extra: pa.Table
    holding_source: npt.NDArray[np.int16]
    holding_record: pa.Array
    holding_relation: pa.Array
    facts: pa.Table = field(default_factory=lambda: empty(FACT_SCHEMA))
    superseded: pa.Table = field(default_factory=lambda: empty(SUPERSEDED_SCHEMA))
    conflicts: pa.Table = field(default_factory=lambda: empty(CONFLICT_SCHEMA))
    rejects: pa.Table = field(default_factory=lambda: empty(REJECT_SCHEMA))

    @classmethod
    def plain(
        cls, entities: EntityColumns, holdings: HoldingColumns, source: dict[str, Any]
    ) -> Registry:
        """One source with nothing but the engine's tables (the interchange format)."""
        n, m = len(entities), len(holdings)
        extra = pa.table(
            {
                "status": pa.nulls(n, pa.string()),
                "other_names": pa.nulls(n, pa.list_(pa.string())),
                "identifiers": pa.nulls(n, pa.list_(pa.string())),
                "placeholder": pa.array(np.zeros(n, dtype=bool)),
            },
            schema=ENTITY_EXTRA_SCHEMA,
        )
        return cls(
            entities=entities,
            holdings=holdings,
            sources=[source],
            entity_extra=extra,
            holding_source=np.zeros(m, dtype=np.int16),
            holding_record=pa.nulls(m, pa.string()),
            holding_relation=pa.nulls(m, pa.string()),
        )


def _rows(values: Any, order: npt.NDArray[np.int64]) -> Any:
    if values is None:
        return None
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.take(pa.array(order))
    return np.asarray(values, dtype=object)[order]


def in_dependency_order(registry: Registry) -> tuple[Registry, npt.NDArray[np.int64]]:
    """``registry`` with its entities renumbered in dependency order (``graph/order.py``),
    and the cross-holding blocks of that numbering. Holdings keep their rows; their entity
    references follow the new numbers."""
    ents, holds = registry.entities, registry.holdings
    order, blocks = dependency_order(len(ents), holds)
    new = renumbering(order)
    entities = replace(
        ents,
        ids=_rows(ents.ids, order),
        names=_rows(ents.names, order),
        kind=np.asarray(ents.kind)[order],
        country=np.asarray(ents.country)[order],
        legal_country=np.asarray(ents.legal_country)[order],
        listed=np.asarray(ents.listed)[order],
        find=None,
    )
    nominee = np.asarray(holds.nominee_for)
    holdings = replace(
        holds,
        owner=new[holds.owner],
        owned=new[holds.owned],
        nominee_for=np.where(nominee >= 0, new[np.maximum(nominee, 0)], nominee),
    )
    extra = registry.entity_extra.take(pa.array(order))
    return replace(registry, entities=entities, holdings=holdings, entity_extra=extra), blocks
