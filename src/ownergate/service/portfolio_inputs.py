"""What whole-base screening reads: the stored accounts as columns, where each one is in a
registry, and the resolver over a snapshot's names (built once per snapshot: indexing a
large registry takes seconds)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from ownergate.graph.tables import EntityColumns
from ownergate.portfolio.accounts import Customers, find_rows, string_array
from ownergate.portfolio.links import registry_entities
from ownergate.portfolio.screening import Resolved
from ownergate.resolve import (
    CandidateIndex,
    Decisions,
    Outcome,
    Resolution,
    Resolver,
    Subject,
    normalize_name,
)
from ownergate.snapshots import SnapshotStore
from ownergate.store import Account, AccountStatus, EntityLink, LinkRow, Repositories
from ownergate.store.links import LinkState, link_applies


def read_accounts(
    store: Repositories, *, after: str | None = None, ids: Sequence[str] | None = None
) -> Customers:
    """The active accounts in id order (after ``after``, or only ``ids``), as columns."""
    query = select(
        Account.id,
        Account.organisation_name,
        Account.declared_country,
        Account.lei,
        Account.entity_id,
        Account.annual_revenue,
        Account.parent_country,
    ).where(Account.status == AccountStatus.ACTIVE)
    if after is not None:
        query = query.where(Account.id > after)
    rows: list[Any] = []
    if ids is None:
        rows = list(store.session.execute(query.order_by(Account.id)))
    else:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 2_000):
            part = wanted[start : start + 2_000]
            rows.extend(store.session.execute(query.where(Account.id.in_(part))))
        rows.sort(key=lambda r: r[0])
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7

    def objects(values: Sequence[Any]) -> Any:
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out

    return Customers(
        account_id=objects(columns[0]),
        name=objects(columns[1]),
        country=objects(columns[2]),
        lei=objects(columns[3]),
        registry_entity_id=objects(columns[4]),
        revenue=np.array([float(v) if v is not None else 0.0 for v in columns[5]]),
        parent_country=objects(columns[6]),
    )


def resting_on(store: Repositories, entity_ids: Sequence[str]) -> list[str]:
    """The accounts naming one of ``entity_ids`` as their registry id, LEI, linked entity
    or candidate of a link waiting for review."""
    found: set[str] = set()
    for start in range(0, len(entity_ids), 2_000):
        part = list(entity_ids[start : start + 2_000])
        query = select(Account.id).where(Account.entity_id.in_(part) | Account.lei.in_(part))
        found.update(store.session.scalars(query))
        linked = select(EntityLink.account_id).where(EntityLink.entity_id.in_(part))
        found.update(store.session.scalars(linked))
    # Accounts waiting on a link review rest on each of their candidates.
    wanted = set(entity_ids)
    found.update(a for a, ids in store.links.pending().items() if wanted.intersection(ids))
    return sorted(found)


def part(customers: Customers, at: Any) -> Customers:
    """The accounts at positions ``at`` (a slice or an index array)."""
    return Customers(
        account_id=customers.account_id[at],
        name=customers.name[at],
        country=customers.country[at],
        lei=customers.lei[at],
        registry_entity_id=customers.registry_entity_id[at],
        revenue=customers.revenue[at],
        parent_country=None if customers.parent_country is None else customers.parent_country[at],
    )


def known_rows(customers: Customers, ents: EntityColumns) -> tuple[Any, Any]:
    """Each account's registry row by its registry id, else its LEI (as the service
    resolves them), -1 where neither is in the registry; and which one found it."""
    ids = string_array(ents.ids)
    by_id = _rows(find_rows(customers.registry_entity_id, ids))
    leis = pc.utf8_upper(pc.utf8_trim_whitespace(string_array(customers.lei)))
    by_lei = _rows(find_rows(leis, ids))
    rows = np.where(by_id >= 0, by_id, by_lei)
    by = np.full(len(customers), None, dtype=object)
    by[by_lei >= 0] = "lei"
    by[by_id >= 0] = "registry_entity_id"
    return rows, by


def _rows(found: Any) -> Any:
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def linked_rows(
    customers: Customers,
    ents: EntityColumns,
    links: Mapping[str, LinkState],
    rows: Any,
    by: Any,
    snapshot_digest: str | None,
) -> Resolved:
    """``rows``/``by`` completed with the stored links still in force (see
    ``service.accounts.link_in_force``) whose entity is in the registry. With
    ``snapshot_digest``, a resolver's link made against another snapshot is not in force
    (the account is resolved again); a confirmed one always is."""
    rows = rows.copy()
    by = by.copy()
    link = np.full(len(customers), None, dtype=object)
    score = np.full(len(customers), np.nan)
    candidates = np.full(len(customers), None, dtype=object)
    linked_at: list[int] = []
    linked_to: list[str] = []
    methods: list[str] = []
    for i in np.flatnonzero(rows < 0).tolist():
        found = links.get(str(customers.account_id[i]))
        if found is None:
            continue
        if not link_applies(found, customers.name[i], customers.country[i], snapshot_digest):
            continue
        link[i] = found.outcome
        score[i] = found.score
        if found.entity_id is not None:
            linked_at.append(i)
            linked_to.append(found.entity_id)
            methods.append(found.method)
        else:
            pending = found.pending()
            if pending:
                candidates[i] = positions(ents, pending).tolist()
    at = np.asarray(linked_at, dtype=np.int64)
    found_rows = positions(ents, linked_to)
    present = found_rows >= 0
    rows[at[present]] = found_rows[present]
    by[at[present]] = np.asarray(methods, dtype=object)[present]
    return Resolved(rows, by, link, score, candidates)


def positions(ents: EntityColumns, entity_ids: Sequence[str | None]) -> Any:
    """The registry row of each id (-1 where absent), in one vectorised look-up."""
    if not entity_ids:
        return np.zeros(0, dtype=np.int64)
    return _rows(find_rows(pa.array(list(entity_ids), pa.string()), string_array(ents.ids)))


class Resolvers:
    """One name index per snapshot digest, built on first use and kept."""

    def __init__(self, snapshots: SnapshotStore) -> None:
        self._snapshots = snapshots
        self._lock = threading.Lock()
        self._indexes: dict[str | None, CandidateIndex] = {}

    def get(self, digest: str | None, ents: EntityColumns, decisions: Decisions) -> Resolver:
        with self._lock:
            index = self._indexes.get(digest)
            if index is None:
                index = self._indexes[digest] = self._build(digest, ents)
        return Resolver(index, decisions=decisions)

    def _build(self, digest: str | None, ents: EntityColumns) -> CandidateIndex:
        other: list[Any] | None = None
        idents: list[Any] | None = None
        if digest is not None:
            name = self._snapshots.by_digest(digest).name
            columns = [
                self._snapshots.entity_column(name, c) for c in ("other_names", "identifiers")
            ]
            other, idents = (None if c is None else pa.array(c).to_pylist() for c in columns)
        return CandidateIndex(registry_entities(ents, other, idents))


def name_subjects(customers: Customers, pending: Any) -> list[Subject]:
    """The accounts to resolve by name, ordered by name and country so that accounts with
    the same name land in the same chunk and are scored once."""
    subjects = [
        Subject(
            key=str(customers.account_id[i]),
            name=str(customers.name[i]),
            country=customers.country[i],
            lei=customers.lei[i],
        )
        for i in np.flatnonzero(pending).tolist()
    ]
    return sorted(subjects, key=lambda s: (normalize_name(s.name).key, s.country or ""))


def apply_resolutions(
    batch: Customers,
    found: Resolved,
    resolutions: dict[str, tuple[Resolution, int]],
    ents: EntityColumns,
) -> list[LinkRow]:
    """Fill ``found`` for the batch's accounts resolved in this run; their new links."""
    links = []
    for i in range(len(batch)):
        hit = resolutions.get(str(batch.account_id[i]))
        if hit is None:
            continue
        r, row = hit
        found.link[i] = r.outcome.value
        found.score[i] = r.score
        if row >= 0:
            found.rows[i] = row
            found.by[i] = r.method.value
        elif r.outcome is Outcome.REVIEW and r.candidates and found.candidates is not None:
            found.candidates[i] = positions(ents, [c.entity_id for c in r.candidates]).tolist()
        links.append(
            LinkRow(
                account_id=r.subject_key,
                subject_name=str(batch.name[i]),
                subject_country=str(batch.country[i]),
                outcome=r.outcome.value,
                method=r.method.value,
                score=float(r.score),
                entity_id=r.entity_id,
                candidates=[c.as_json() for c in r.candidates],
            )
        )
    return links


def ids_of(ents: Any, rows: Any) -> list[str]:
    at = np.flatnonzero(rows)
    if isinstance(ents.ids, pa.Array | pa.ChunkedArray):
        return [str(v) for v in ents.ids.take(pa.array(at)).to_pylist()]
    return [ents.id(int(i)) for i in at]
