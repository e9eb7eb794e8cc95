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


def assert_engine_matches_reference(
    entities: list[Any], holdings: list[Any], policy: Any, as_of: Any
) -> None:
    """The vectorised engine decides every entity as the exact reference does (status,
    reason, method; shares to float precision), as numbered and in dependency order."""
    import math
    from fractions import Fraction

    from ownergate.engine.screen import screen
    from ownergate.graph.prepare import prepare
    from ownergate.graph.reference import screen_reference
    from ownergate.graph.tables import columns_from_records

    def close(fast: float, exact: Fraction | float) -> bool:
        if isinstance(exact, float) and math.isinf(exact):
            return math.isinf(fast)
        return math.isclose(fast, float(exact), rel_tol=1e-9, abs_tol=1e-12)

    expected = screen_reference(entities, holdings, policy, as_of).decisions
    ents, holds = columns_from_records(entities, holdings)
    ordered, blocks = in_dependency_order(entities, holdings)
    o_ents, o_holds = columns_from_records(ordered, holdings)
    runs = [
        (entities, screen(prepare(ents, holds, policy, as_of), policy)),
        (ordered, screen(prepare(o_ents, o_holds, policy, as_of, blocks=blocks), policy)),
    ]
    for listed, result in runs:
        for i, entity in enumerate(listed):
            want = expected[entity.id]
            got = (result.status_of(i), result.reason_of(i), result.method_of(i))
            assert got == (want.status, want.reason, want.method), entity.id
            assert close(float(result.share_min[i]), want.share_min), entity.id
            assert close(float(result.share_max[i]), want.share_max), entity.id
