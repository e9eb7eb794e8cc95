"""The rule an allow override is held to: no worse, and the same evidence."""

from __future__ import annotations

import dataclasses

import pytest

from ownergate.domain.model import Status
from ownergate.service.binding import Basis, lapse_reasons

BOUND = Basis(1, "a", Status.REVIEW, 0.3, 0.6, "TGT", ("RU1", "TGT"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": Status.RESTRICTED}, "status review → restricted"),
        ({"share_max": 0.7}, "restricted share 30%–60% → 30%–70%"),
        ({"share_min": 0.4}, "restricted share 30%–60% → 40%–60%"),
        ({"seed_path": ("RU2", "TGT")}, "seed path RU1 → TGT → RU2 → TGT"),
        ({"entity_id": None}, "registry entity TGT → (none)"),
        ({"seed_path": None}, "seed path RU1 → TGT → (not recorded)"),
    ],
)
def test_a_worse_decision_or_other_evidence_breaks_the_binding(
    change: dict[str, object], reason: str
) -> None:
    current = dataclasses.replace(BOUND, decision_id=2, **change)  # type: ignore[arg-type]
    assert reason in lapse_reasons(BOUND, current)


def test_the_same_or_better_evidence_keeps_it_and_nothing_binds_nothing() -> None:
    assert lapse_reasons(BOUND, BOUND) == []
    better = dataclasses.replace(BOUND, decision_id=2, status=Status.ALLOWED, share_min=0.1)
    assert lapse_reasons(BOUND, better) == []
    assert lapse_reasons(None, BOUND) != []
