"""What a change of policy (or of registry) does to the customer base: flips and breakdowns.

Pure computation over the account outcomes of ``portfolio.accounts``: which accounts flip
between the two screenings, their number and revenue, and the breakdowns leadership asks
for (by seed region, ultimate restricted group, account country, revenue band).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ownergate.domain.model import STATUSES
from ownergate.portfolio.accounts import (
    ALLOWED,
    RESTRICTED,
    REVIEW,
    AccountOutcome,
    Customers,
    FloatArray,
    ObjectArray,
)

FLIP_KINDS = ("newly restricted", "newly allowed", "moved to review", "left review")
NEWLY_RESTRICTED, NEWLY_ALLOWED, MOVED_TO_REVIEW, LEFT_REVIEW = range(4)
UNCHANGED = -1

LARGE_ACCOUNT = 100_000.0
BANDS: tuple[tuple[str, float], ...] = (
    ("< $10k", 0.0),
    ("$10k–$100k", 10_000.0),
    ("$100k–$1M", LARGE_ACCOUNT),
    ("≥ $1M", 1_000_000.0),
)
"""Revenue bands (label, lower bound): each band runs up to the next one's bound."""

DIMENSIONS = ("seed region", "restricted group", "account country", "revenue band")
NO_GROUP = "(no registry group)"
NO_REGION = "(none)"


@dataclass(frozen=True)
class Tally:
    """Accounts and their annual revenue (USD) under one key of a breakdown."""

    key: str
    label: str
    accounts: int
    revenue: float


@dataclass(frozen=True)
class Impact:
    """The comparison of screening A with screening B over one customer base.

    ``flip`` holds a ``FLIP_KINDS`` index per account (``UNCHANGED`` where the status is
    the same); ``breakdowns[kind][dimension]`` are the tallies of that flip, largest
    revenue first (revenue bands in band order).
    """

    customers: Customers
    a: AccountOutcome
    b: AccountOutcome
    flip: npt.NDArray[np.int8]
    totals: tuple[Tally, ...]
    large: tuple[Tally, ...]
    status_a: tuple[Tally, ...]
    status_b: tuple[Tally, ...]
    breakdowns: dict[str, dict[str, tuple[Tally, ...]]]
    top_groups: tuple[Tally, ...]

    @property
    def flipped(self) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.flip != UNCHANGED)

    def total(self, kind: int) -> Tally:
        return self.totals[kind]


def flip_kinds(a: npt.NDArray[np.int8], b: npt.NDArray[np.int8]) -> npt.NDArray[np.int8]:
    """The ``FLIP_KINDS`` index of each account going from status ``a`` to ``b``.

    A move into review counts as "moved to review" and one out of it as "left review",
    whatever the other side is: leadership reads these apart from the clear flips.
    """
    out = np.full(len(a), UNCHANGED, dtype=np.int8)
    out[(a == ALLOWED) & (b == RESTRICTED)] = NEWLY_RESTRICTED
    out[(a == RESTRICTED) & (b == ALLOWED)] = NEWLY_ALLOWED
    out[(a == REVIEW) & (b != REVIEW)] = LEFT_REVIEW
    out[(a != REVIEW) & (b == REVIEW)] = MOVED_TO_REVIEW
    return out


def revenue_bands(revenue: FloatArray) -> npt.NDArray[np.int64]:
    """The ``BANDS`` index of each revenue."""
    bounds = np.array([low for _, low in BANDS[1:]])
    return np.searchsorted(bounds, revenue, side="right").astype(np.int64)


def tally(
    keys: ObjectArray,
    revenue: FloatArray,
    labels: ObjectArray | None = None,
) -> tuple[Tally, ...]:
    """Accounts and revenue per distinct key, largest revenue first (then by key)."""
    if not len(keys):
        return ()
    distinct, first, inverse = np.unique(keys.astype(str), return_index=True, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(distinct))
    sums = np.bincount(inverse, weights=revenue, minlength=len(distinct))
    names = labels if labels is not None else keys
    rows = [
        Tally(str(k), str(names[first[i]]), int(counts[i]), float(sums[i]))
        for i, k in enumerate(distinct)
    ]
    return tuple(sorted(rows, key=lambda t: (-t.revenue, t.key)))


def band_tally(revenue: FloatArray) -> tuple[Tally, ...]:
    """Accounts and revenue per revenue band, every band listed, in band order."""
    band = revenue_bands(revenue)
    counts = np.bincount(band, minlength=len(BANDS))
    sums = np.bincount(band, weights=revenue, minlength=len(BANDS))
    return tuple(
        Tally(label, label, int(counts[i]), float(sums[i])) for i, (label, _) in enumerate(BANDS)
    )


def _breakdowns(
    customers: Customers, b: AccountOutcome, pick: npt.NDArray[np.bool_]
) -> dict[str, tuple[Tally, ...]]:
    revenue = customers.revenue[pick]
    region = np.where(b.seed_region[pick] == "", NO_REGION, b.seed_region[pick]).astype(object)
    group = b.group_id[pick]
    group_label = np.where(group == "", NO_GROUP, b.group_name[pick]).astype(object)
    group_label = np.where(group_label == "", group, group_label).astype(object)
    return {
        "seed region": tally(region, revenue),
        "restricted group": tally(group, revenue, group_label),
        "account country": tally(customers.country[pick], revenue),
        "revenue band": band_tally(revenue),
    }


def _status_tally(customers: Customers, status: npt.NDArray[np.int8]) -> tuple[Tally, ...]:
    counts = np.bincount(status, minlength=len(STATUSES))
    sums = np.bincount(status, weights=customers.revenue, minlength=len(STATUSES))
    return tuple(
        Tally(s.value, s.value, int(counts[i]), float(sums[i])) for i, s in enumerate(STATUSES)
    )


def compare(customers: Customers, a: AccountOutcome, b: AccountOutcome, top: int = 10) -> Impact:
    """Compare the account outcomes ``a`` and ``b`` of the same customers."""
    flip = flip_kinds(a.status, b.status)
    revenue = customers.revenue
    large = revenue >= LARGE_ACCOUNT
    totals, large_totals = [], []
    for kind, label in enumerate(FLIP_KINDS):
        pick = flip == kind
        totals.append(Tally(label, label, int(pick.sum()), float(revenue[pick].sum())))
        big = pick & large
        large_totals.append(Tally(label, label, int(big.sum()), float(revenue[big].sum())))
    breakdowns = {
        FLIP_KINDS[kind]: _breakdowns(customers, b, flip == kind)
        for kind in (NEWLY_RESTRICTED, MOVED_TO_REVIEW)
    }
    groups = breakdowns[FLIP_KINDS[NEWLY_RESTRICTED]]["restricted group"]
    return Impact(
        customers=customers,
        a=a,
        b=b,
        flip=flip,
        totals=tuple(totals),
        large=tuple(large_totals),
        status_a=_status_tally(customers, a.status),
        status_b=_status_tally(customers, b.status),
        breakdowns=breakdowns,
        top_groups=tuple(t for t in groups if t.key != "")[:top],
    )
