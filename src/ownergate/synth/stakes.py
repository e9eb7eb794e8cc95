"""Stake sizes in units of 0.01% (``FULL`` = 100%) and the edge accumulator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ownergate.synth.structure import F64, I8, I32, I64, Bool, draw, uniform

FULL = 10_000
NO_DAY = int(np.iinfo(np.int32).min)
EQUITY, VOTING = 0, 1
COMPANY, PERSON, OTHER, STATE = 0, 1, 2, 3  # owner classes before pooled owners are resolved
TREE, JV, ROOT_OWNER, SME_OWNER, CROSS, VOTE, ENDED, CONFLICT, FILLER, PAD = range(10)

WHOLLY, MAJORITY, JOINT, MINORITY = 0, 1, 2, 3
STAKE_MIX = np.array([0.55, 0.20, 0.05, 0.20])  # parent -> subsidiary, over all tree edges
HOLDCO_MIX = np.array([0.80, 0.17, 0.03, 0.0])  # intermediate holding companies
MAJORITY_ROUND = np.array(
    [5100, 5500, 6000, 6500, 6667, 7000, 7500, 8000, 8500, 9000, 9500, 9900], dtype=np.int32
)
MINORITY_ROUND = np.array(
    [500, 1000, 1500, 2000, 2500, 3000, 3333, 3500, 4000, 4500, 4900], dtype=np.int32
)


def day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def probs(*weights: float) -> F64:
    return np.array(weights, dtype=np.float64)


def round_down(units: I64, step: int) -> I64:
    return np.asarray((units // step) * step, dtype=np.int64)


def stake_kinds(rng: np.random.Generator, holdco: Bool) -> I8:
    """WHOLLY/MAJORITY/JOINT/MINORITY per subsidiary: holdcos are mostly wholly owned, the
    leaves make up the rest so that the overall mix is ``STAKE_MIX``."""
    share = float(holdco.mean()) if len(holdco) else 0.0
    leaf = np.clip(STAKE_MIX - share * HOLDCO_MIX, 0.0, None) / max(1.0 - share, 1e-9)
    n = len(holdco)
    return np.where(holdco, draw(rng, HOLDCO_MIX, n), draw(rng, leaf, n)).astype(np.int8)


def stake_units(rng: np.random.Generator, kinds: I8) -> I64:
    n = len(kinds)
    round_ = uniform(rng, n) < 0.5
    majority = np.where(
        round_,
        MAJORITY_ROUND[rng.integers(0, len(MAJORITY_ROUND), n, dtype=np.int32)],
        rng.integers(5001, 9901, n, dtype=np.int32),
    )
    minority = np.where(
        round_,
        MINORITY_ROUND[rng.integers(0, len(MINORITY_ROUND), n, dtype=np.int32)],
        rng.integers(100, 4901, n, dtype=np.int32),
    )
    units = np.where(kinds == MAJORITY, majority, minority)
    units[kinds == WHOLLY] = FULL
    units[kinds == JOINT] = FULL // 2
    return units.astype(np.int64)


def percent_total(rng: np.random.Generator, n: int, p_full: float, low: int) -> I64:
    """Totals: 100% with probability ``p_full``, else a whole percentage in [low, 99%]."""
    return np.where(
        uniform(rng, n) < p_full, FULL, round_down(rng.integers(low, FULL, n), 100)
    ).astype(np.int64)


def split_total(
    rng: np.random.Generator, k: I64, totals: I64, equal: Bool | None = None
) -> tuple[I64, I64]:
    """Split ``totals[g]`` into ``k[g]`` positive parts (round numbers where possible).

    Returns (group of each part, parts); the parts of a group sum exactly to its total.
    Needs ``totals >= k``.
    """
    groups = len(k)
    g = np.repeat(np.arange(groups, dtype=np.int64), k)
    gran = np.where(totals >= 100 * k, 100, np.where(totals >= 10 * k, 10, 1))
    w = rng.exponential(size=len(g))
    if equal is not None:
        w[equal[g]] = 1.0
    wsum = np.bincount(g, weights=w, minlength=groups)
    free = (totals - gran * k) // gran
    extra = np.floor(w / wsum[g] * free[g] * (1.0 - 1e-12)).astype(np.int64)
    parts = gran[g] * (1 + extra)
    rest = totals - np.bincount(g, weights=parts, minlength=groups).astype(np.int64)
    first = np.cumsum(k) - k
    has = k > 0
    parts[first[has]] += rest[has]
    return g, parts


@dataclass(frozen=True)
class Edges:
    """Holdings before pooled owners (persons, trusts/funds, states) are resolved.

    In ``cols``, ``owner`` is an internal company index for ``owner_cls == COMPANY``, else a
    slot number (persons, others) or a state number. ``nominee`` is the internal index of
    the nominee company holding the stake for ``owner`` (or -1); ``form`` is 0 for an exact
    share, 1 for a range, 2 for an unknown share.
    """

    cols: Cols
    nominee: I32
    form: I8
    person_slots: int
    other_slots: int

    def __len__(self) -> int:
        return len(self.cols.owned)


class EdgeBuffer:
    """Collects edge chunks; pooled owners get fresh slot numbers from ``slots``."""

    def __init__(self) -> None:
        self._chunks: list[tuple[npt.NDArray[np.generic], ...]] = []
        self.n = 0
        self.person_slots = 0
        self.other_slots = 0

    def slots(self, cls: int, n: int) -> I64:
        if cls == PERSON:
            base, self.person_slots = self.person_slots, self.person_slots + n
        else:
            base, self.other_slots = self.other_slots, self.other_slots + n
        return np.arange(base, base + n, dtype=np.int64)

    def add(
        self,
        cat: int,
        cls: I8 | int,
        owner: I64,
        owned: I64,
        units: I64,
        *,
        basis: int = EQUITY,
        start: I32 | None = None,
        end: I32 | None = None,
    ) -> int:
        """Append a chunk; returns the index of its first edge."""
        n = len(owned)
        chunk = (
            np.broadcast_to(np.asarray(cls, dtype=np.int8), (n,)),
            np.asarray(owner, dtype=np.int32),
            np.asarray(owned, dtype=np.int32),
            np.asarray(units, dtype=np.int32),
            np.full(n, basis, dtype=np.int8),
            np.full(n, cat, dtype=np.int8),
            np.full(n, NO_DAY, dtype=np.int32) if start is None else start.astype(np.int32),
            np.full(n, NO_DAY, dtype=np.int32) if end is None else end.astype(np.int32),
        )
        self._chunks.append(chunk)
        base, self.n = self.n, self.n + n
        return base

    def allocated(self, size: int) -> I64:
        """Sum of the shares (units) added so far per owned company."""
        total = np.zeros(size, dtype=np.int64)
        for chunk in self._chunks:
            total += np.bincount(chunk[2], weights=chunk[3], minlength=size).astype(np.int64)
        return total

    def columns(self) -> Cols:
        if not self._chunks:
            self.add(TREE, COMPANY, *(np.zeros(0, dtype=np.int64),) * 3)
        cols = [np.concatenate(parts) for parts in zip(*self._chunks, strict=True)]
        self._chunks = []
        return Cols(
            owner_cls=np.asarray(cols[0], dtype=np.int8),
            owner=as_i32(cols[1]),
            owned=as_i32(cols[2]),
            units=as_i32(cols[3]),
            basis=np.asarray(cols[4], dtype=np.int8),
            cat=np.asarray(cols[5], dtype=np.int8),
            start=as_i32(cols[6]),
            end=as_i32(cols[7]),
        )


@dataclass
class Cols:
    owner_cls: I8
    owner: I32
    owned: I32
    units: I32
    basis: I8
    cat: I8
    start: I32
    end: I32

    def take(self, keep: I64) -> Cols:
        return Cols(*(getattr(self, name)[keep] for name in _COL_NAMES))


_COL_NAMES = ("owner_cls", "owner", "owned", "units", "basis", "cat", "start", "end")


def as_i32(a: npt.NDArray[np.generic]) -> I32:
    return np.asarray(a, dtype=np.int32)
