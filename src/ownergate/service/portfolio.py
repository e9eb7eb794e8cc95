"""Whole-base screening and change-driven re-screening of the stored accounts.

``screen`` decides every active account under the active pair: each account is found in
the registry by its registry id or LEI, else by a stored entity link, else resolved by
name (``ownergate.resolve``; ambiguous matches go to the review queue and the account is
decided on its declared country until an analyst answers). Decisions are appended only
where the outcome differs from the account's current one, exactly as the decision service
does for one account. Accounts are taken in id order, a batch per transaction that also
moves the run's cursor, so an interrupted run resumes after its last committed batch.

``rescreen`` goes from one snapshot to another: the diff names the entities touched, the
entities downstream of them are the only ones whose decision can change, and only the
accounts resting on those (or on a touched entity before) are decided again, on a screen
of just their upstream part of the new registry. Each changed status is a flip, emitted
as an event to the given sinks after its batch commits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ownergate.explain.columns import decision_columns
from ownergate.graph.downstream import edges, reach, touched_rows
from ownergate.graph.subset import take
from ownergate.portfolio.accounts import Customers
from ownergate.portfolio.events import EventSink
from ownergate.portfolio.links import ResolverPool
from ownergate.portfolio.screening import Resolved, changed, decisions
from ownergate.resolve import Decisions, Outcome, Resolution
from ownergate.service.binding import effective_overrides, lapse_overrides
from ownergate.service.decider import Decider
from ownergate.service.pairs import Deciders, Pair, active_pair, utcnow
from ownergate.service.portfolio_inputs import (
    Resolvers,
    apply_resolutions,
    ids_of,
    known_rows,
    linked_rows,
    name_subjects,
    part,
    positions,
    read_accounts,
    resting_on,
)
from ownergate.service.portfolio_runs import (
    Clock,
    RunReport,
    check_base,
    computed_at,
    count,
    declared_decisions,
    flip_events,
    new_basis,
    previous_bases,
)
from ownergate.snapshots import SnapshotStore
from ownergate.snapshots.diff import diff_registries
from ownergate.store import (
    AccountRow,
    Database,
    LinkRow,
    NewDecision,
    ScreenRun,
)

BATCH = 5_000
# Up to this many entities within a change's reach, a re-screen reads only the accounts
# resting on them; beyond, it reads the whole base.
NARROW = 20_000
Progress = Callable[[int, int], None]


class PortfolioService:
    def __init__(
        self,
        db: Database,
        deciders: Deciders,
        snapshots: SnapshotStore,
        *,
        batch: int = BATCH,
        workers: int = 1,
        narrow: int = NARROW,
    ) -> None:
        self._db = db
        self._deciders = deciders
        self._resolvers = Resolvers(snapshots)
        self._batch = batch
        self._workers = workers
        self._narrow = narrow

    def load(self, rows: Sequence[AccountRow], *, actor: str) -> tuple[int, int]:
        """Create or update accounts in bulk (one transaction); returns (created, updated)."""
        with self._db.write() as store:
            return store.bulk.write_accounts(rows, actor=actor)

    def screen(
        self,
        *,
        actor: str,
        sinks: Sequence[EventSink] = (),
        progress: Progress | None = None,
        day: dt.date | None = None,
    ) -> RunReport:
        """Decide every active account under the active pair (resuming an unfinished run)."""
        started = time.perf_counter()
        clock = Clock()
        with self._db.read() as store:
            pair = active_pair(store)
        run = self._run("screen", pair, actor)
        day = day or utcnow().date()
        decider = self._deciders.get(pair)
        ents = decider.tables[0]
        with self._db.read() as store:
            customers = read_accounts(store, after=run.cursor)
            links = store.links.states()
            answers = store.links.answers()
        rows, by = known_rows(customers, ents)
        resolved = linked_rows(customers, ents, links, rows, by, pair.snapshot_digest)
        pending = (resolved.rows < 0) & np.array([v is None for v in resolved.link], dtype=bool)
        clock.lap("read")
        resolver = None
        if pending.any():
            resolver = self._resolvers.get(
                pair.snapshot_digest, ents, Decisions(answers.confirmed, answers.rejected)
            )
        clock.lap("index")
        report = RunReport(run.id, "screen", pair, len(customers), run.cursor, dict(run.counts))
        report.phases = clock.phases
        subjects = name_subjects(customers, pending)
        total = len(subjects) + len(customers)
        resolutions: dict[str, Resolution] = {}
        if resolver is not None:
            with ResolverPool(resolver, self._workers) as pool:
                done = [0]

                def advance(n: int) -> None:
                    done[0] += n
                    if progress is not None:
                        progress(done[0], total)

                resolutions = {r.subject_key: r for r in pool.resolve(subjects, advance)}
        # Each resolution with the registry row of its entity (-1: not linked), looked up
        # in one go.
        linked = [r for r in resolutions.values() if r.outcome is Outcome.LINKED and r.entity_id]
        found_rows = positions(ents, [r.entity_id for r in linked])
        rows_of = {r.subject_key: int(row) for r, row in zip(linked, found_rows, strict=True)}
        placed = {key: (r, rows_of.get(key, -1)) for key, r in resolutions.items()}
        clock.lap("resolve")
        self._screen_batches(
            run,
            pair,
            customers,
            resolved,
            placed,
            decider,
            day,
            report,
            sinks,
            actor,
            clock,
            lambda done: None if progress is None else progress(len(subjects) + done, total),
        )
        return self._finish(run, report, started, actor)

    def _screen_batches(
        self,
        run: ScreenRun,
        pair: Pair,
        customers: Customers,
        resolved: Resolved,
        resolutions: dict[str, tuple[Resolution, int]],
        decider: Decider,
        day: dt.date,
        report: RunReport,
        sinks: Sequence[EventSink],
        actor: str,
        clock: Clock,
        advance: Callable[[int], None],
    ) -> None:
        result = decider.result(day)
        declared = declared_decisions(decider.policy, day)
        cols = decision_columns(result)
        clock.lap("screen registry")
        for start in range(0, len(customers), self._batch):
            at = slice(start, start + self._batch)
            batch = part(customers, at)
            found = resolved.take(at)
            new_links = apply_resolutions(batch, found, resolutions, decider.tables[0])
            made = decisions(
                batch,
                result,
                cols,
                found,
                declared,
                snapshot_digest=pair.snapshot_digest,
                as_of=day,
                computed_at=computed_at(day),
            )
            clock.lap("decide")
            self._write(run, pair, made, new_links, report, sinks, actor)
            clock.lap("write")
            advance(min(start + self._batch, len(customers)))

    def rescreen(
        self,
        from_digest: str,
        to_digest: str,
        *,
        actor: str,
        sinks: Sequence[EventSink] = (),
        progress: Progress | None = None,
        day: dt.date | None = None,
    ) -> RunReport:
        """Decide again, under the active policy and the snapshot ``to_digest``, the accounts
        whose decision the change from ``from_digest`` can have altered."""
        started = time.perf_counter()
        clock = Clock()
        with self._db.read() as store:
            version = active_pair(store).policy_version
            store.snapshots.get(from_digest)
            store.snapshots.get(to_digest)
            policy = store.policies.get(version).policy()
            check_base(store.runs.latest_finished(), version, from_digest)
        pair = Pair(version, to_digest)
        run = self._run("rescreen", pair, actor, from_digest)
        day = day or utcnow().date()
        old = self._deciders.tables(from_digest)
        new = self._deciders.tables(to_digest)
        clock.lap("load snapshots")
        touched = diff_registries(old, new).touched
        clock.lap("diff")
        # The holdings' edges, walked down from the change and later up from the accounts.
        src, dst = edges(new[1])
        n = len(new[0].ids)
        scope = reach(n, src, dst, touched_rows(new[0], touched))
        within = ids_of(new[0], scope) + touched.to_pylist()
        with self._db.read() as store:
            if len(within) <= self._narrow:
                # A small change: only accounts naming one of these entities (by registry
                # id, LEI or link) can be in scope, and the store finds them by index.
                ids = resting_on(store, within)
                customers = read_accounts(store, after=run.cursor, ids=ids)
                links = store.links.states(ids)
            else:
                customers = read_accounts(store, after=run.cursor)
                links = store.links.states()
        rows_new, by = known_rows(customers, new[0])
        resolved = linked_rows(customers, new[0], links, rows_new, by, None)
        rows_old, by_old = known_rows(customers, old[0])
        before = linked_rows(customers, old[0], links, rows_old, by_old, None)
        was_touched = touched_rows(old[0], touched)
        now_in = resolved.rows >= 0
        in_scope = np.zeros(len(customers), dtype=bool)
        in_scope[now_in] = scope[resolved.rows[now_in]]
        in_scope |= (before.rows >= 0) & was_touched[np.maximum(before.rows, 0)]
        # An account waiting on a link review rests on each of its candidates.
        in_scope |= _pending_in(resolved, scope) | _pending_in(before, was_touched)
        chosen = np.flatnonzero(in_scope)
        accounts = part(customers, chosen)
        found = resolved.take(chosen)
        clock.lap("scope")
        # Only the part of the new registry these accounts rest on is screened.
        needed = np.zeros(n, dtype=bool)
        needed[found.rows[found.rows >= 0]] = True
        for rows in found.candidates if found.candidates is not None else ():
            needed[[r for r in rows or () if r >= 0]] = True
        sub_ents, sub_holds, kept = take(*new, reach(n, dst, src, needed))
        decider = Decider(policy, sub_ents, sub_holds, as_of=day)
        result = decider.result(day)
        sub_rows = np.where(found.rows >= 0, np.searchsorted(kept, np.maximum(found.rows, 0)), -1)
        found = Resolved(sub_rows, found.by, found.link, found.score, _sub(found.candidates, kept))
        clock.lap("screen part")
        report = RunReport(run.id, "rescreen", pair, len(accounts), run.cursor, dict(run.counts))
        report.phases = clock.phases
        report.scope_entities = int(scope.sum())
        declared = declared_decisions(policy, day)
        cols = decision_columns(result)
        for start in range(0, len(accounts), self._batch):
            at = slice(start, start + self._batch)
            made = decisions(
                part(accounts, at),
                result,
                cols,
                found.take(at),
                declared,
                snapshot_digest=to_digest,
                as_of=day,
                computed_at=computed_at(day),
            )
            clock.lap("decide")
            self._write(run, pair, made, [], report, sinks, actor)
            clock.lap("write")
            if progress is not None:
                progress(min(start + self._batch, len(accounts)), len(accounts))
        return self._finish(run, report, started, actor)

    def _run(self, kind: str, pair: Pair, actor: str, from_digest: str | None = None) -> ScreenRun:
        with self._db.write() as store:
            found = store.runs.unfinished(
                kind,
                policy_version=pair.policy_version,
                snapshot_digest=pair.snapshot_digest,
                from_snapshot_digest=from_digest,
            )
            if found is not None:
                return found
            return store.runs.start(
                kind,
                policy_version=pair.policy_version,
                snapshot_digest=pair.snapshot_digest,
                from_snapshot_digest=from_digest,
                actor=actor,
            )

    def _write(
        self,
        run: ScreenRun,
        pair: Pair,
        made: list[NewDecision],
        new_links: list[LinkRow],
        report: RunReport,
        sinks: Sequence[EventSink],
        actor: str,
    ) -> None:
        if not made:
            return
        with self._db.write() as store:
            current = store.bulk.current([d.account_id for d in made])
            todo = changed(made, current, pair.policy_version, pair.snapshot_digest)
            if new_links:
                store.links.replace_many(new_links, pair.snapshot_digest, at=utcnow())
            before = effective_overrides(store, previous_bases(todo, current))
            ids = store.bulk.append_decisions(
                todo,
                policy_version=pair.policy_version,
                snapshot_digest=pair.snapshot_digest,
                actor=actor,
            )
            bases = [new_basis(d, i) for d, i in zip(todo, ids, strict=True)]
            lapses = lapse_overrides(store, bases, actor)
            after = effective_overrides(store, {b.account_id: b for b in bases})
            flips = flip_events(todo, ids, current, run, pair, before, after, lapses)
            counts = report.counts
            counts["accounts"] = counts.get("accounts", 0) + len(made)
            counts["appended"] = counts.get("appended", 0) + len(todo)
            counts["first"] = counts.get("first", 0) + sum(
                d.account_id not in current for d in todo
            )
            counts["flips"] = counts.get("flips", 0) + len(flips)
            count(counts, "status", [d.status for d in made])
            count(counts, "links", [r.outcome for r in new_links])
            # Committed with the batch they count: a resumed run starts from exact counters.
            store.runs.advance(run.id, made[-1].account_id, counts, actor=actor)
        for sink in sinks:
            sink.emit(flips)

    def _finish(self, run: ScreenRun, report: RunReport, started: float, actor: str) -> RunReport:
        with self._db.write() as store:
            store.runs.finish(run.id, report.counts, actor=actor)
        report.seconds = time.perf_counter() - started
        return report


def _pending_in(resolved: Resolved, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Accounts waiting on a link review with a candidate among ``rows`` (a mask)."""
    out = np.zeros(len(resolved.rows), dtype=bool)
    if resolved.candidates is None:
        return out
    for i, found in enumerate(resolved.candidates):
        out[i] = any(r >= 0 and rows[r] for r in found or ())
    return out


def _sub(candidates: Any, kept: Any) -> Any:
    """Candidate rows of the whole registry as rows of its part ``kept``."""
    if candidates is None:
        return None
    out = np.full(len(candidates), None, dtype=object)
    for i, found in enumerate(candidates):
        if found is not None:
            out[i] = [int(np.searchsorted(kept, r)) if r >= 0 else -1 for r in found]
    return out
