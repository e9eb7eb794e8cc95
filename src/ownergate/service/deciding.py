"""One decision on an organisation under a pair: find its registry entity, decide, and
describe the outcome as the store keeps it.

An organisation resolves to a registry entity by its registry entity id, else by its LEI
(snapshots key entities by LEI where a source gave one), else by a stored name link.
Found nowhere, it is ``unverified``: decided on its declared country and the policy's
``unverified`` rule (``ownergate.resolve.signals``), or, while its name link waits for an
analyst, on the most restrictive of its candidate entities (``service.uncertain``). The
evidence document is the ``explain`` document plus what the decision was asked about
(``subject``), how the entity was found (``resolution``) and the ``flags``, so a decision
can be replayed from the store.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ownergate.domain.countries import country_hint, is_country_code
from ownergate.domain.model import Holding, Reason, Status
from ownergate.errors import InputError, shown
from ownergate.service.decider import Decider
from ownergate.service.pairs import Pair

UNVERIFIED = "unverified"
LINK_REVIEW = "link_review"
INLINE = "inline"


@dataclass(frozen=True, slots=True)
class Subject:
    """What is decided: an organisation as the platform describes it."""

    name: str
    country: str
    registry_entity_id: str | None = None
    lei: str | None = None
    parent_country: str | None = None

    def as_json(self) -> dict[str, Any]:
        out = {
            "organisation_name": self.name,
            "declared_country": self.country,
            "registry_entity_id": self.registry_entity_id,
            "lei": self.lei,
        }
        if self.parent_country is not None:
            out["parent_country"] = self.parent_country
        return out


@dataclass(frozen=True, slots=True)
class Resolution:
    """The registry entity found for a subject, and by which of its identifiers."""

    entity_id: str | None
    by: str | None  # "registry_entity_id", "lei", "link" or None

    def as_json(self) -> dict[str, Any]:
        return {"entity_id": self.entity_id, "by": self.by}


@dataclass(frozen=True, slots=True)
class Decided:
    """A computed decision, ready to store or to return."""

    pair: Pair
    as_of: dt.date
    entity_id: str | None
    status: Status
    reason: Reason
    share_min: float
    share_max: float
    method: str
    flags: tuple[str, ...]
    evidence: dict[str, Any]
    resolved_by: str | None = None
    seed_path: tuple[str, ...] = ()

    def outcome(self) -> tuple[Any, ...]:
        """What makes two decisions on an account the same decision (as
        ``store.NewDecision.key``): the outcome, the entity, the pair, and what an override
        is bound to (flags and seed path)."""
        return (
            self.status,
            self.reason,
            self.share_min,
            self.share_max,
            self.entity_id,
            self.pair.policy_version,
            self.pair.snapshot_digest,
            tuple(self.flags),
            tuple(self.seed_path),
        )


def check_country(value: str, field: str) -> str:
    """``value`` when it is an ISO 3166-1 alpha-2 code; else an InputError naming ``field``."""
    if not is_country_code(value):
        raise InputError(
            f"{shown(value)} is not a country code: {country_hint(value)}", field=field
        )
    return value


def resolve(decider: Decider, subject: Subject, linked: str | None = None) -> Resolution:
    """The subject's registry entity in the decider's snapshot, if it has one: by its
    registry id, its LEI, or the entity it was linked to by name (``linked``, a stored
    entity link)."""
    for by, ref in (
        ("registry_entity_id", subject.registry_entity_id),
        ("lei", subject.lei),
        ("link", linked),
    ):
        if ref is not None and decider.row(ref) is not None:
            return Resolution(ref, by)
    return Resolution(None, None)


def decide(
    decider: Decider,
    pair: Pair,
    subject: Subject,
    day: dt.date,
    inline: list[Holding] | None = None,
    linked: str | None = None,
    candidates: Sequence[str] = (),
) -> Decided:
    """The subject's decision under ``pair`` (whose decider is ``decider``) as of ``day``;
    ``linked`` is the entity a stored link names for it, if any; ``candidates`` the
    entities its pending name link waits on (best first)."""
    found = resolve(decider, subject, linked)
    if inline:
        _check_inline(decider, inline, found.entity_id)
    if found.entity_id is None and not inline:
        from ownergate.service.uncertain import decide_uncertain

        return decide_uncertain(decider, pair, subject, day, candidates)
    outcome = decider.decide_organisation(
        subject.name, subject.country, found.entity_id, inline, day=day
    )
    flags = tuple(
        flag
        for flag, holds in ((INLINE, bool(inline)), (UNVERIFIED, found.entity_id is None))
        if holds
    )
    evidence = finite_json(
        {
            **outcome.evidence,
            "subject": subject.as_json(),
            "resolution": found.as_json(),
            "flags": list(flags),
            "snapshot_digest": pair.snapshot_digest,
        }
    )
    return Decided(
        pair=pair,
        as_of=day,
        entity_id=found.entity_id,
        status=outcome.status,
        reason=outcome.reason,
        share_min=outcome.share_min,
        share_max=outcome.share_max,
        method=outcome.method,
        flags=flags,
        evidence=evidence,
        resolved_by=found.by,
        seed_path=outcome.seed_path,
    )


def _check_inline(decider: Decider, inline: list[Holding], entity_id: str | None) -> None:
    for index, holding in enumerate(inline):
        if decider.row(holding.owner) is None:
            raise InputError(
                f"{shown(holding.owner)} is not an entity of the active snapshot",
                field=f"holdings[{index}].owner",
            )
        if holding.owner == entity_id:
            raise InputError(
                "is the organisation itself: an organisation does not hold itself",
                field=f"holdings[{index}].owner",
            )


def finite_json(value: Any) -> Any:
    """``value`` with infinite and NaN floats as the strings ``float()`` reads back
    (``"Infinity"``): JSON has no such numbers, and a divergent cross-holding is one."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value
