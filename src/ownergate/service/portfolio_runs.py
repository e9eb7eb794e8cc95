"""The bookkeeping of a screening run: its report, phase timings, flip events, and the
decision on a declared country alone."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ownergate.domain.model import Status
from ownergate.policy.model import Policy
from ownergate.portfolio.screening import Declared
from ownergate.service.binding import Basis, InForce, Lapse
from ownergate.service.decider import Decider
from ownergate.service.pairs import Pair, empty_tables, utcnow
from ownergate.store import ConflictError, NewDecision, ScreenRun


@dataclass
class RunReport:
    """What a run did; ``counts`` sum over every batch of the run, resumed ones included."""

    run_id: int
    kind: str
    pair: Pair
    accounts: int
    resumed_after: str | None
    counts: dict[str, int] = field(default_factory=dict)
    scope_entities: int | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


class Clock:
    """Seconds spent per phase of a run, summed over its batches."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now


def count(counts: dict[str, int], prefix: str, values: Sequence[str]) -> None:
    for value in values:
        key = f"{prefix}.{value}"
        counts[key] = counts.get(key, 0) + 1


def previous_bases(
    todo: list[NewDecision], current: dict[str, tuple[int, Any]]
) -> dict[str, Basis]:
    """The basis of the decision each of these accounts has before ``todo`` is appended."""
    out = {}
    for d in todo:
        found = current.get(d.account_id)
        if found is None:
            continue
        decision_id, (status, _reason, low, high, entity, _v, _s, _flags, path) = found
        out[d.account_id] = Basis(
            decision_id,
            d.account_id,
            Status(status),
            low,
            high,
            entity,
            None if path is None else tuple(path),
        )
    return out


def new_basis(decision: NewDecision, decision_id: int) -> Basis:
    return Basis(
        decision_id,
        decision.account_id,
        Status(decision.status),
        decision.share_min,
        decision.share_max,
        decision.entity_id,
        decision.seed_path,
    )


def flip_events(
    todo: list[NewDecision],
    ids: list[int],
    current: dict[str, tuple[int, Any]],
    run: ScreenRun,
    pair: Pair,
    before: dict[str, InForce] | None = None,
    after: dict[str, InForce] | None = None,
    lapses: Sequence[Lapse] = (),
) -> list[dict[str, Any]]:
    """An event per account whose decided or effective status changed. The effective status
    is the override's while one is in force (``before``/``after``); an allow override that
    lapsed on the new decision is named with its reasons."""
    before, after = before or {}, after or {}
    lapsed = {lapse.account_id: lapse for lapse in lapses}
    out = []
    for decision, decision_id in zip(todo, ids, strict=True):
        previous = current.get(decision.account_id)
        # An account's first decision is no flip: there is no status it flips from.
        if previous is None:
            continue
        account = decision.account_id
        from_status = previous[1][0]
        was = before.get(account)
        now = after.get(account)
        from_effective = was.status.value if was is not None else from_status
        to_effective = now.status.value if now is not None else decision.status
        if from_status == decision.status and from_effective == to_effective:
            continue
        event: dict[str, Any] = {
            "event": "decision.flip",
            "account_id": account,
            "from_status": from_status,
            "from_decision": previous[0],
            "to_status": decision.status,
            "from_effective_status": from_effective,
            "to_effective_status": to_effective,
            "reason": decision.reason,
            "decision": decision_id,
            "entity_id": decision.entity_id,
            "flags": list(decision.flags),
            "override": None if now is None else {"id": now.override_id, "verdict": now.verdict},
            "policy_version": pair.policy_version,
            "snapshot_digest": pair.snapshot_digest,
            "run": run.id,
            "at": decision.computed_at.isoformat(),
        }
        if account in lapsed:
            event["override_lapsed"] = {
                "id": lapsed[account].override_id,
                "reasons": lapsed[account].reasons,
            }
        out.append(event)
    return out


def declared_decisions(policy: Policy, day: dt.date) -> Callable[[str], Declared]:
    """The decision on a declared country alone, made once per country as the service
    makes it (an organisation of that country in an otherwise empty registry)."""
    decider = Decider(policy, *empty_tables(), as_of=day)
    memo: dict[str, Declared] = {}

    def declared(country: str) -> Declared:
        if country not in memo:
            o = decider.decide_organisation("organisation", country, day=day)
            memo[country] = Declared(
                o.status.value, o.reason.value, o.share_min, o.share_max, o.method
            )
        return memo[country]

    return declared


def computed_at(day: dt.date) -> dt.datetime:
    # As the service: now, unless the day turned since the decision's day.
    now = utcnow()
    if now.date() == day:
        return now
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def check_base(last: ScreenRun | None, version: int, from_digest: str) -> None:
    """A re-screen only re-decides what the change can reach, so every other account must
    already rest on the policy version and snapshot it starts from: the base's last
    finished run must have left it there."""
    if last is None:
        raise ConflictError("the customer base was never screened: run a screen first")
    if (last.policy_version, last.snapshot_digest) != (version, from_digest):
        raise ConflictError(
            f"the customer base was last screened under policy version {last.policy_version} "
            f"and snapshot {(last.snapshot_digest or 'none')[:12]}, not policy version "
            f"{version} and snapshot {from_digest[:12]}: screen it under those first"
        )
