"""Engine paths the random graphs rarely reach: overflow fallback, deep chains, big cycles."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ownergate.domain.model import Entity, Holding, Status
from ownergate.domain.shares import Share
from ownergate.engine import effective as effective_module
from ownergate.engine.exact import ExactEffective
from ownergate.engine.screen import ScreenResult, screen
from ownergate.graph.prepare import PreparedGraph, prepare
from ownergate.graph.reference import screen_reference
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import Policy

DAY = dt.date(2026, 1, 1)


def _run(
    entities: list[Entity], holdings: list[Holding], policy: Policy
) -> tuple[PreparedGraph, ScreenResult]:
    ents, holds = columns_from_records(entities, holdings)
    g = prepare(ents, holds, policy, DAY)
    return g, screen(g, policy)


def test_eighteen_decimal_shares_fall_back_to_python_integers() -> None:
    # 1e-18 units and stakes summing to 5 (conflicting data) could overflow int64 sums.
    entities = [Entity(f"S{i}", country="CN") for i in range(5)] + [Entity("T"), Entity("U")]
    holdings = [Holding(f"S{i}", "T", Share.exact("1")) for i in range(5)]
    holdings.append(Holding("T", "U", Share.exact("0.500000000000000001")))
    policy = Policy()
    g, result = _run(entities, holdings, policy)
    assert g.unit == 1 and not g.units_exact
    assert result.status_of(5) is Status.RESTRICTED
    assert result.status_of(6) is Status.RESTRICTED  # 0.500000000000000001 > 0.5, exactly
    expected = screen_reference(entities, holdings, policy, DAY).decisions
    assert expected["U"].status is Status.RESTRICTED
    assert [c.owned for c in g.conflicts] == [5]


def test_long_chain_has_no_depth_cap() -> None:
    n = 2_000
    entities = [Entity("E0", country="RU")] + [Entity(f"E{i}") for i in range(1, n)]
    holdings = [Holding(f"E{i}", f"E{i + 1}", Share.exact("0.6")) for i in range(n - 1)]
    _, control = _run(entities, holdings, Policy())
    assert all(control.status_of(i) is Status.RESTRICTED for i in range(n))
    _, effective = _run(entities, holdings, Policy(method="effective"))
    assert effective.status_of(1) is Status.RESTRICTED
    assert effective.status_of(2) is Status.ALLOWED
    assert math.isclose(effective.share_min[10], 0.6**10, rel_tol=1e-12)


def test_large_cross_holding_ring_is_solved_not_cut() -> None:
    # A ring of 500 companies each holding 50% of the next, fed 40% by a seed at one point:
    # x0 = 0.4 + 0.5 x499, x_{k+1} = 0.5 x_k, so x0 = 0.4 / (1 - 0.5**500).
    size = 500
    entities = [Entity("S", country="CN")] + [Entity(f"R{i}") for i in range(size)]
    holdings = [Holding("S", "R0", Share.exact("0.4"))]
    holdings += [Holding(f"R{i}", f"R{(i + 1) % size}", Share.exact("0.5")) for i in range(size)]
    _, result = _run(entities, holdings, Policy(method="effective"))
    assert math.isclose(result.share_min[1], 0.4 / (1 - 0.5**size), rel_tol=1e-12)
    assert math.isclose(result.share_min[2], 0.2 / (1 - 0.5**size), rel_tol=1e-12)


def test_conflicting_cycle_is_unbounded_and_never_allowed() -> None:
    entities = [Entity("S", country="CN"), Entity("A"), Entity("B")]
    holdings = [
        Holding("S", "A", Share.exact("0.1")),
        Holding("B", "A", Share.exact("1")),
        Holding("A", "B", Share.exact("1")),
    ]
    g, result = _run(entities, holdings, Policy(method="effective"))
    assert math.isinf(result.share_min[1]) and math.isinf(result.share_min[2])
    assert result.status_of(1) is Status.RESTRICTED
    assert [c.owned for c in g.conflicts] == [1]


def test_component_fed_twice_by_one_upstream_component_is_settled() -> None:
    """Two holdings run from one cross-holding (A1, A2) into another (B1, B2): the second
    component and everything below it must be settled, not left at zero."""
    entities = [Entity("S", country="CN")] + [Entity(x) for x in ("A1", "A2", "B1", "B2", "C")]
    holdings = [
        Holding("S", "A1", Share.exact("0.9")),
        Holding("A1", "A2", Share.exact("0.9")),
        Holding("A2", "A1", Share.exact("0.05")),
        Holding("A1", "B1", Share.exact("0.5")),
        Holding("A2", "B2", Share.exact("0.5")),
        Holding("B1", "B2", Share.exact("0.4")),
        Holding("B2", "B1", Share.exact("0.4")),
        Holding("B2", "C", Share.exact("1")),
    ]
    policy = Policy(method="effective")
    _, result = _run(entities, holdings, policy)
    expected = screen_reference(entities, holdings, policy, DAY).decisions
    for i, entity in enumerate(entities):
        want = expected[entity.id]
        assert result.status_of(i) is want.status, entity.id
        assert math.isclose(result.share_min[i], float(want.share_min), rel_tol=1e-12)
    assert result.status_of(5) is Status.RESTRICTED  # C: 100% of B2, itself about 72.9%


def _spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    calls: list[object] = []
    original = getattr(owner, name)

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def _agree(entities: list[Entity], holdings: list[Holding], policy: Policy) -> ScreenResult:
    _, result = _run(entities, holdings, policy)
    expected = screen_reference(entities, holdings, policy, DAY).decisions
    for i, entity in enumerate(entities):
        assert result.status_of(i) is expected[entity.id].status, entity.id
    return result


def test_a_cross_holding_of_one_hundred_percent_each_way_is_unbounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Conflicting data: no finite least solution. Decided exactly divergent (pivots of
    I - M), after the certified pass hands the component over."""
    calls = _spy(monkeypatch, effective_module, "settle_component")
    entities = [Entity("S", country="CN"), Entity("A"), Entity("B"), Entity("C")]
    holdings = [
        Holding("S", "A", Share.exact("0.01")),
        Holding("A", "B", Share.exact("1")),
        Holding("B", "A", Share.exact("1")),
        Holding("B", "C", Share.exact("0.3")),
    ]
    result = _agree(entities, holdings, Policy(method="effective"))
    assert calls, "the component was settled by the certified pass"
    assert math.isinf(result.share_min[1]) and math.isinf(result.share_min[3])


def test_a_slowly_converging_cross_holding_is_solved_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stakes of 99.9999% each way: Gauss-Seidel would need millions of sweeps."""
    calls = _spy(monkeypatch, effective_module, "settle_component")
    entities = [Entity("S", country="CN"), Entity("A"), Entity("B")]
    holdings = [
        Holding("S", "A", Share.exact("0.0000001")),
        Holding("A", "B", Share.exact("0.999999")),
        Holding("B", "A", Share.exact("0.999999")),
    ]
    result = _agree(entities, holdings, Policy(method="effective"))
    assert calls
    # x = 1e-7 / (1 - 0.999999^2): about 0.05
    assert math.isclose(result.share_min[1], 1e-7 / (1 - 0.999999**2), rel_tol=1e-9)


@pytest.mark.parametrize(
    ("comparator", "status"), [(">", Status.ALLOWED), (">=", Status.RESTRICTED)]
)
def test_an_exact_tie_inside_a_cross_holding_is_decided_exactly(
    monkeypatch: pytest.MonkeyPatch, comparator: str, status: Status
) -> None:
    """A = 0.25 + 0.5 B and B = A: A is exactly one half, which no float bound decides."""
    calls = _spy(monkeypatch, ExactEffective, "settle")
    entities = [Entity("S", country="CN"), Entity("A"), Entity("B")]
    holdings = [
        Holding("S", "A", Share.exact("0.25")),
        Holding("B", "A", Share.exact("0.5")),
        Holding("A", "B", Share.exact("1")),
    ]
    result = _agree(entities, holdings, Policy(method="effective", comparator=comparator))
    assert calls, "the tie went to exact arithmetic"
    assert result.status_of(1) is status and result.status_of(2) is status


def test_a_tiny_stake_through_a_cross_holding_lifts_an_exact_half_above_it() -> None:
    """A joint venture held 50% by a seed and 50% by a company a seed reaches only through
    a cross-holding, by a tiny amount: the float sum is exactly 0.5, the value is above it."""
    entities = [Entity("S", country="CN")] + [Entity(x) for x in ("X", "Y", "Z", "J")]
    holdings = [
        Holding("S", "X", Share.exact("0.000001")),
        Holding("X", "Y", Share.exact("0.000001")),
        Holding("Y", "X", Share.exact("0.5")),
        Holding("Y", "Z", Share.exact("0.000001")),
        Holding("S", "J", Share.exact("0.5")),
        Holding("Z", "J", Share.exact("0.5")),
    ]
    result = _agree(entities, holdings, Policy(method="effective"))
    assert result.share_min[4] == 0.5  # as a float: about 0.5 + 5e-19
    assert result.status_of(4) is Status.RESTRICTED  # strictly more than half
