"""Customer accounts, their registry entities and their status under one screening.

An account rests on the registry entity it is known to be (``registry_entity_id``), else on
the entity its LEI names (importers use the LEI as the id of every entity that has one; a
snapshot also lists ``LEI:`` identifiers), else on its declared country alone, flagged
unverified, as the request-time gate decides an organisation it cannot find.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.domain.model import REASONS, STATUSES, Reason, Status
from ownergate.engine.screen import ScreenResult
from ownergate.explain.columns import decision_columns, ultimate_seed
from ownergate.graph.tables import text

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

RESTRICTED = STATUSES.index(Status.RESTRICTED)
ALLOWED = STATUSES.index(Status.ALLOWED)
REVIEW = STATUSES.index(Status.REVIEW)

LISTED_REGION = "listed"
UNRESOLVED_REGION = "unresolved"


@dataclass(frozen=True)
class Customers:
    """One row per account; text columns are numpy object arrays (``None`` where empty)."""

    account_id: ObjectArray
    name: ObjectArray
    country: ObjectArray
    lei: ObjectArray
    registry_entity_id: ObjectArray
    revenue: FloatArray
    # The parent company's country each customer declared (None: not given).
    parent_country: ObjectArray | None = None

    def __len__(self) -> int:
        return len(self.account_id)


@dataclass(frozen=True)
class AccountOutcome:
    """Each account's status under one (registry, policy), and where a restriction comes
    from: the seed region and the ultimate restricted group (the seed entity), '' if none."""

    status: npt.NDArray[np.int8]
    reason: ObjectArray
    seed_region: ObjectArray
    group_id: ObjectArray
    group_name: ObjectArray
    unverified: BoolArray


def _arrow(values: Any) -> pa.Array:
    """A numpy object column or a (chunked) pyarrow column as one pyarrow array."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())


def string_array(values: Any) -> pa.Array:
    return _arrow(values).cast(pa.string())


def find_rows(values: Any, ids: pa.Array) -> pa.Array:
    """``pc.index_in(values, value_set=ids)`` (the row of each value among the unique
    ``ids``, null where absent), hashing the smaller side: placing a few accounts in a
    registry of millions must not build a hash table of its millions of ids."""
    values = string_array(values)
    if len(values) * 8 >= len(ids):
        return pc.index_in(values, value_set=ids)
    distinct = pc.drop_null(pc.unique(values))
    if len(distinct) == 0:
        return pa.nulls(len(values), pa.int32())
    hits = pc.index_in(ids, value_set=distinct)
    present = pc.indices_nonzero(pc.is_valid(hits))
    where = np.full(len(distinct), -1, dtype=np.int64)
    where[pc.take(hits, present).to_numpy()] = present.to_numpy()
    slot = pc.index_in(values, value_set=distinct)
    rows = where[pc.fill_null(slot, 0).to_numpy()]
    missing = pc.is_null(slot).to_numpy(zero_copy_only=False) | (rows < 0)
    return pa.array(rows.astype(np.int32), pa.int32(), mask=missing)


def link_accounts(
    customers: Customers, entity_ids: Any, identifiers: pa.Array | None = None
) -> IntArray:
    """The registry row of each account's entity, -1 where it has none.

    ``entity_ids`` is the registry's id column; ``identifiers`` (optional, row-aligned) the
    snapshot's list of ``SCHEME:value`` identifiers per entity.
    """
    ids = string_array(entity_ids)
    by_id = find_rows(customers.registry_entity_id, ids)
    leis = pc.utf8_upper(pc.utf8_trim_whitespace(string_array(customers.lei)))
    by_lei = find_rows(leis, ids)
    rows = pc.coalesce(by_id, by_lei)
    if identifiers is not None and len(identifiers):
        listed = _arrow(identifiers)
        flat = pc.list_flatten(listed)
        owner = pc.list_parent_indices(listed)
        is_lei = pc.fill_null(pc.starts_with(flat, "LEI:"), False)
        values = pc.utf8_upper(pc.utf8_slice_codeunits(pc.filter(flat, is_lei), 4))
        owners = pc.filter(owner, is_lei)
        found = pc.index_in(leis, value_set=values)
        via_identifier = pc.take(owners, found)
        rows = pc.coalesce(rows, pc.cast(via_identifier, rows.type))
    return np.asarray(pc.fill_null(rows, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _labels(codes: Any, labels: tuple[str, ...]) -> ObjectArray:
    return np.asarray(labels, dtype=object)[np.asarray(codes, dtype=np.int64)]


def account_outcome(
    customers: Customers,
    result: ScreenResult,
    rows: IntArray,
    regions: frozenset[str],
) -> AccountOutcome:
    """Each account's status under ``result`` (its registry entity at ``rows``; -1 none)."""
    g = result.graph
    cols = decision_columns(result)
    seed = ultimate_seed(g, cols.top_owner)
    not_allowed = cols.status != ALLOWED
    seed = np.where(not_allowed, seed, -1)
    vocab = np.asarray(g.entities.country_vocab, dtype=object)
    region_text = np.where(
        cols.seed_region > 0,
        vocab[np.maximum(cols.seed_region, 0)],
        np.where(cols.seed_region == 0, LISTED_REGION, UNRESOLVED_REGION),
    ).astype(object)
    region_text[~not_allowed] = ""

    n = len(customers)
    linked = rows >= 0
    at = rows[linked]
    unverified = ~linked
    declared_barred = np.fromiter(
        (c in regions for c in customers.country[unverified]),
        dtype=bool,
        count=int(unverified.sum()),
    )
    status = np.full(n, ALLOWED, dtype=np.int8)
    status[linked] = cols.status[at]
    status[unverified] = np.where(declared_barred, RESTRICTED, ALLOWED)

    reason = np.full(n, Reason.NONE.value, dtype=object)
    reason[linked] = _labels(cols.reason[at], tuple(r.value for r in REASONS))
    reason[unverified] = np.where(declared_barred, Reason.REGION.value, Reason.NONE.value)

    seed_region = np.full(n, "", dtype=object)
    seed_region[linked] = region_text[at]
    seed_region[unverified] = np.where(declared_barred, customers.country[unverified], "")

    group_id = np.full(n, "", dtype=object)
    group_name = np.full(n, "", dtype=object)
    seed_at = seed[at]
    has_group = seed_at >= 0
    accounts = np.flatnonzero(linked)[has_group]
    # Few groups hold many accounts: read each seed's id and name once.
    seeds_used, inverse = np.unique(seed_at[has_group], return_inverse=True)
    group_id[accounts] = np.array([g.entities.id(int(r)) for r in seeds_used], dtype=object)[
        inverse
    ]
    names = g.entities.names
    if names is not None:
        seed_names = [text(names[int(r)]) for r in seeds_used]
        group_name[accounts] = np.array(seed_names, dtype=object)[inverse]
    return AccountOutcome(status, reason, seed_region, group_id, group_name, unverified)
