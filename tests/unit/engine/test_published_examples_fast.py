"""Every sourced example of the reference tests, decided by the vectorised engine.

The reference tests (OFAC FAQ 401 examples, the 2014 aggregation guidance, the circular
holding, the UK no-aggregation case, exactness at the threshold, ...) call one helper,
``run``; here it is swapped for the fast engine, so each example asserts the same outcome
of both implementations. Float shares are read back as the simple fractions they stand for.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from ownergate.domain.model import Entity, Holding
from ownergate.engine.screen import screen
from ownergate.graph.prepare import prepare
from ownergate.graph.reference import ReferenceDecision, ReferenceResult
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import Policy
from tests.unit.graph import test_reference as examples


def _as_exact(value: float) -> Fraction | float:
    return value if math.isinf(value) else Fraction(value).limit_denominator(10**9)


def fast_run(
    entities: list[Entity], holdings: list[Holding], as_of: dt.date = examples.DAY, **policy: Any
) -> ReferenceResult:
    pol = Policy(**policy)
    ents, holds = columns_from_records(entities, holdings)
    g = prepare(ents, holds, pol, as_of)
    result = screen(g, pol)
    decisions = {
        e.id: ReferenceDecision(
            e.id,
            result.status_of(i),
            result.reason_of(i),
            _as_exact(float(result.share_min[i])),
            _as_exact(float(result.share_max[i])),
            result.method_of(i),
        )
        for i, e in enumerate(entities)
    }
    conflicts = [
        (g.entities.id(c.owned), c.basis.value, Fraction(c.low_sum, 10**18)) for c in g.conflicts
    ]
    return ReferenceResult(decisions, conflicts, [])


def _uses_run(fn: Callable[..., Any]) -> bool:
    """Examples that decide a registry (not the reference's own input validation)."""
    source = inspect.getsource(fn)
    return (
        ("run(" in source or "decide(" in source)
        and "dropped_self_holdings" not in source
        and "pytest.raises" not in source
    )


CASES = [
    fn
    for name, fn in sorted(vars(examples).items())
    if name.startswith("test_")
    and callable(fn)
    and _uses_run(fn)
    and not inspect.signature(fn).parameters
]


@pytest.mark.parametrize("example", CASES, ids=[fn.__name__ for fn in CASES])
def test_fast_engine_on_published_example(
    example: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(examples, "run", fast_run)
    example()
