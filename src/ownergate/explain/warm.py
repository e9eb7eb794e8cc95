"""Load the compiled kernels before they are needed, beside the work that precedes them.

A fresh process pays for numba once (its import, the BLAS check that imports
``scipy.linalg``, loading each kernel from its cache): about half a second, as long as
screening a million holdings. ``start`` does it in a daemon thread while the caller reads
its registry (Parquet and memory-mapped reads release the GIL), by screening a three-entity
registry through every kernel a screen uses, with the array types a real run uses, so the
real calls find them loaded.
"""

from __future__ import annotations

import datetime as dt
import threading

_started: list[threading.Thread] = []


def _run() -> None:
    try:
        _screen_a_little()
    except Exception:  # noqa: BLE001 - warming is an optimisation: the real run reports errors
        return


def _screen_a_little() -> None:
    import numpy as np

    from ownergate.domain.model import Entity, Holding
    from ownergate.domain.shares import Share
    from ownergate.engine.screen import screen
    from ownergate.explain.columns import decision_columns
    from ownergate.graph.order import dependency_order
    from ownergate.graph.prepare import prepare
    from ownergate.graph.tables import columns_from_records
    from ownergate.policy.model import Method, Policy

    entities = [Entity("S", country="CN"), Entity("A"), Entity("B")]
    holdings = [
        Holding("S", "A", Share.exact("0.6")),
        Holding("A", "B", Share.exact("0.3")),
        Holding("B", "A", Share.exact("0.1")),
    ]
    ents, holds = columns_from_records(entities, holdings)
    _, blocks = dependency_order(len(ents), holds)
    day = dt.date(2026, 1, 1)
    for method in Method:
        policy = Policy(method=method)
        for with_blocks in (None, np.asarray(blocks)):
            result = screen(prepare(ents, holds, policy, day, blocks=with_blocks), policy)
            decision_columns(result)


def start() -> None:
    """Warm the kernels in the background, once per process."""
    if not _started:
        thread = threading.Thread(target=_run, name="ownergate-warm-up", daemon=True)
        _started.append(thread)
        thread.start()
