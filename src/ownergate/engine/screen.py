"""Decide every entity: seeds, the method's low and high runs, status, reason and share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ownergate.domain.model import REASONS, STATUSES, Reason, Status
from ownergate.domain.shares import End
from ownergate.engine.control import RunResult, run_control
from ownergate.engine.effective import run_effective
from ownergate.engine.threshold import Threshold
from ownergate.graph.prepare import PreparedGraph, SeedReason
from ownergate.policy.model import Method, Policy

METHODS = ("control", "effective")
CONTROL, EFFECTIVE = 0, 1

Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ScreenResult:
    """Per-entity arrays; ``status``/``reason`` index ``STATUSES``/``REASONS``, ``method``
    indexes ``METHODS``. ``runs[(method, end)]`` keeps each run for explanations."""

    graph: PreparedGraph
    policy: Policy
    status: Int8Array
    reason: Int8Array
    share_min: FloatArray
    share_max: FloatArray
    method: Int8Array
    runs: dict[tuple[int, End], RunResult]

    def status_of(self, i: int) -> Status:
        return STATUSES[int(self.status[i])]

    def reason_of(self, i: int) -> Reason:
        return REASONS[int(self.reason[i])]

    def method_of(self, i: int) -> str:
        return METHODS[int(self.method[i])]

    def counts(self) -> dict[tuple[Status, Reason], int]:
        key = self.status.astype(np.int64) * len(REASONS) + self.reason
        counts = np.bincount(key, minlength=len(STATUSES) * len(REASONS))
        return {
            (s, r): int(counts[i * len(REASONS) + j])
            for i, s in enumerate(STATUSES)
            for j, r in enumerate(REASONS)
            if counts[i * len(REASONS) + j]
        }


def _tables() -> tuple[Int8Array, Int8Array]:
    """Status and reason for every (seed reason, restricted low, restricted high) key."""
    status = np.zeros(4 * len(SeedReason), dtype=np.int8)
    reason = np.zeros(4 * len(SeedReason), dtype=np.int8)
    for seed in SeedReason:
        for low in (0, 1):
            for high in (0, 1):
                if seed is not SeedReason.NONE:
                    s, r = Status.RESTRICTED, Reason.REGION
                    if seed is SeedReason.LISTED:
                        r = Reason.LISTED
                elif low:
                    s, r = Status.RESTRICTED, Reason.OWNERSHIP
                elif high:
                    s, r = Status.REVIEW, Reason.UNDETERMINED
                else:
                    s, r = Status.ALLOWED, Reason.NONE
                status[seed * 4 + low * 2 + high] = STATUSES.index(s)
                reason[seed * 4 + low * 2 + high] = REASONS.index(r)
    return status, reason


_STATUS_OF, _REASON_OF = _tables()


def methods_of(policy: Policy) -> tuple[int, ...]:
    if policy.method is Method.CONTROL:
        return (CONTROL,)
    if policy.method is Method.EFFECTIVE:
        return (EFFECTIVE,)
    return (CONTROL, EFFECTIVE)


def run_method(g: PreparedGraph, policy: Policy, method: int, end: End) -> RunResult:
    thr = Threshold.of(policy)
    if method == CONTROL:
        return run_control(g, end, thr, policy.aggregate_owners)
    return run_effective(g, end, thr, policy.aggregate_owners)


def screen(g: PreparedGraph, policy: Policy) -> ScreenResult:
    """Decide every entity of the prepared graph under ``policy``."""
    n = g.n
    methods = methods_of(policy)
    runs: dict[tuple[int, End], RunResult] = {}
    for m in methods:
        runs[(m, End.LOW)] = run_method(g, policy, m, End.LOW)
        # Without ranges, unknown shares or exclusive bounds both ends are the same run.
        certain = all(layer.certain for layer in g.layers)
        runs[(m, End.HIGH)] = runs[(m, End.LOW)] if certain else run_method(g, policy, m, End.HIGH)
    low = [runs[(m, End.LOW)].restricted for m in methods]
    high = [runs[(m, End.HIGH)].restricted for m in methods]
    if policy.method is Method.BOTH:
        r_low, r_high = np.logical_and.reduce(low), np.logical_and.reduce(high)
    else:
        r_low, r_high = np.logical_or.reduce(low), np.logical_or.reduce(high)

    # One table look-up per entity: (seed reason, restricted at low end, at high end).
    key = g.seed_reason.astype(np.int8) * 4
    key += r_low.view(np.int8) * 2
    key += r_high.view(np.int8)
    status = _STATUS_OF[key]
    reason = _REASON_OF[key]

    chosen = np.zeros(n, dtype=np.int8)
    if len(methods) == 2:
        c_low, e_low = low
        c_high, e_high = high
        c_max = runs[(CONTROL, End.HIGH)].share
        e_max = runs[(EFFECTIVE, End.HIGH)].share
        by_share = np.where(e_max > c_max, EFFECTIVE, CONTROL)
        # Floats this close may be an exact tie (control) or not: compare the exact shares.
        close = np.flatnonzero(
            ~r_high & (c_max > 0) & np.isclose(e_max, c_max, rtol=1e-9, atol=1e-12)
        )
        c_exact = runs[(CONTROL, End.HIGH)].exact
        e_exact = runs[(EFFECTIVE, End.HIGH)].exact
        for v in close.tolist():
            by_share[v] = EFFECTIVE if e_exact(v) > c_exact(v) else CONTROL
        review_pick = np.where(c_high, CONTROL, EFFECTIVE)
        restricted_pick = (
            np.full(n, CONTROL)
            if policy.method is Method.BOTH
            else np.where(c_low, CONTROL, EFFECTIVE)
        )
        chosen = np.where(r_low, restricted_pick, np.where(r_high, review_pick, by_share)).astype(
            np.int8
        )
        chosen[g.seeds] = CONTROL
    else:
        chosen[:] = methods[0]
    if len(methods) == 1:  # the runs' own arrays: nothing to pick
        share_min = runs[(methods[0], End.LOW)].share
        share_max = runs[(methods[0], End.HIGH)].share
    else:
        share_min = np.zeros(n)
        share_max = np.zeros(n)
        for m in methods:
            pick = chosen == m
            share_min[pick] = runs[(m, End.LOW)].share[pick]
            share_max[pick] = runs[(m, End.HIGH)].share[pick]
    return ScreenResult(g, policy, status, reason, share_min, share_max, chosen, runs)
