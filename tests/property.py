"""How hard the property tests look: ``OWNERGATE_PROPERTY_SCALE=30`` multiplies every
test's number of examples (CI runs the default, 1)."""

from __future__ import annotations

import os
from typing import Any


def examples(n: int) -> int:
    return n * max(1, int(os.environ.get("OWNERGATE_PROPERTY_SCALE", "1")))


def in_dependency_order(entities: list[Any], holdings: list[Any]) -> tuple[list[Any], Any]:
    """``entities`` renumbered as a snapshot numbers them, and the registry's blocks: the
    engine then walks the numbering itself instead of ordering each run."""
    from ownergate.graph.order import dependency_order
    from ownergate.graph.tables import columns_from_records

    ents, holds = columns_from_records(entities, holdings)
    order, blocks = dependency_order(len(ents), holds)
    return [entities[i] for i in order.tolist()], blocks
