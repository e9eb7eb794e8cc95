"""The exact reference implementation against its sources.

Sources cited below:
- docs/semantics.md (the spec, sections §1-§6);
- the project's ownership rules ("RULES.md", summarised in docs/semantics.md);
- OFAC FAQ 401, https://ofac.treasury.gov/faqs/401 (examples quoted in the tests);
- OFAC Revised Guidance on Entities Owned by Persons Whose Property and Interests in
  Property Are Blocked, 13 Aug 2014 (aggregation across blocked persons, FAQ 399).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from fractions import Fraction as F
from typing import Any

import pytest

from ownergate.domain.model import Basis, Entity, Holding, Kind, Reason, Status
from ownergate.domain.shares import Share
from ownergate.graph.reference import (
    End,
    MergedShare,
    ReferenceDecision,
    ReferenceResult,
    is_seed,
    passes,
    prepare_graph,
    screen_reference,
)
from ownergate.graph.reference_effective import (
    integrated_ownership,
    strongly_connected_components,
)
from ownergate.policy.model import Policy

DAY = dt.date(2026, 1, 15)
OFAC: dict[str, Any] = {"comparator": ">="}  # OFAC, BIS and EU: "50 percent or more"


def co(eid: str, country: str = "US", **kw: Any) -> Entity:
    return Entity(eid, kind=kw.pop("kind", Kind.COMPANY), country=country, **kw)


def blocked(eid: str) -> Entity:
    """An SDN-style listed person (seed by its own status, whatever its kind)."""
    return Entity(eid, kind=Kind.PERSON, country="US", listed=True)


def hold(owner: str, owned: str, share: str | Share, **kw: Any) -> Holding:
    return Holding(owner, owned, Share.exact(share) if isinstance(share, str) else share, **kw)


def run(
    entities: list[Entity], holdings: list[Holding], as_of: dt.date = DAY, **policy: Any
) -> ReferenceResult:
    return screen_reference(entities, holdings, Policy(**policy), as_of=as_of)


def decide(entities: list[Entity], holdings: list[Holding], **policy: Any) -> dict[str, Status]:
    return {k: d.status for k, d in run(entities, holdings, **policy).decisions.items()}


R, A, V = Status.RESTRICTED, Status.ALLOWED, Status.REVIEW


# ---------------------------------------------------------------- OFAC FAQ 401


def test_faq401_example1_chain_of_50_percent() -> None:
    """FAQ 401 Ex. 1: "Blocked Person X owns 50 percent of Entity A, and Entity A owns 50
    percent of Entity B. Entity B is considered to be blocked." With the service's ">" (more
    than 50%) neither A nor B is restricted."""
    ents = [blocked("X"), co("A"), co("B")]
    hs = [hold("X", "A", "0.5"), hold("A", "B", "0.5")]
    res = run(ents, hs, **OFAC)
    assert res.decisions["X"] == ReferenceDecision("X", R, Reason.LISTED, F(1), F(1), "control")
    assert res.decisions["A"] == ReferenceDecision(
        "A", R, Reason.OWNERSHIP, F(1, 2), F(1, 2), "control"
    )
    assert res.decisions["B"].status is R and res.decisions["B"].share_min == F(1, 2)
    assert decide(ents, hs) == {"X": R, "A": A, "B": A}


def test_faq401_example2_two_half_owned_intermediaries() -> None:
    """FAQ 401 Ex. 2: X owns 50% of A and 50% of B; A and B each own 25% of C. "Entity C is
    considered to be blocked" (50% aggregate by the blocked A and B). Under ">" A and B are
    not restricted, so C's restricted share is 0."""
    ents = [blocked("X"), co("A"), co("B"), co("C")]
    hs = [hold("X", "A", "0.5"), hold("X", "B", "0.5"), hold("A", "C", "0.25")]
    hs.append(hold("B", "C", "0.25"))
    res = run(ents, hs, **OFAC)
    assert res.decisions["C"].status is R and res.decisions["C"].share_min == F(1, 2)
    gt = run(ents, hs).decisions
    assert [gt[k].status for k in "ABC"] == [A, A, A]
    assert gt["C"].share_max == 0


def test_faq401_example3_direct_plus_indirect() -> None:
    """FAQ 401 Ex. 3: X owns 50% of A and 10% of B; A owns 40% of B. "Entity B is considered
    to be blocked" (10% direct + 40% through the blocked A). Under ">" A is not restricted and
    only X's direct 10% counts."""
    ents = [blocked("X"), co("A"), co("B")]
    hs = [hold("X", "A", "0.5"), hold("X", "B", "0.1"), hold("A", "B", "0.4")]
    assert run(ents, hs, **OFAC).decisions["B"].share_min == F(1, 2)
    assert decide(ents, hs, **OFAC)["B"] is R
    gt = run(ents, hs).decisions["B"]
    assert (gt.status, gt.share_max) == (A, F(1, 10))


def test_faq401_minority_intermediary_passes_nothing_on() -> None:
    """RULES.md on FAQ 401: "A stake held through an entity that is owned less than 50%
    passes nothing on": X owns 40% of A, A owns 100% of B → neither blocked under ">="."""
    ents = [blocked("X"), co("A"), co("B")]
    res = run(ents, [hold("X", "A", "0.4"), hold("A", "B", "1")], **OFAC).decisions
    assert (res["A"].status, res["B"].status, res["B"].share_max) == (A, A, 0)


def test_revised_guidance_2014_aggregation() -> None:
    """Revised Guidance (13 Aug 2014) / FAQ 399: stakes of different blocked persons add up:
    X 25% + Y 25% of E → E blocked under ">="; E's 50% of C then blocks C. With ">" not."""
    ents = [blocked("X"), blocked("Y"), co("E"), co("C")]
    hs = [hold("X", "E", "0.25"), hold("Y", "E", "0.25"), hold("E", "C", "0.5")]
    assert decide(ents, hs, **OFAC) == {"X": R, "Y": R, "E": R, "C": R}
    assert decide(ents, hs) == {"X": R, "Y": R, "E": A, "C": A}


# ---------------------------------------------------------------- RULES.md method examples


def test_chain_of_60_percent_control_vs_effective() -> None:
    """RULES.md: "a chain of 60% stakes is restricted all the way down under control but only
    at its first step under effective" (0.6, 0.36, 0.216)."""
    ents = [co("S", "CN"), co("A"), co("B"), co("C")]
    hs = [hold("S", "A", "0.6"), hold("A", "B", "0.6"), hold("B", "C", "0.6")]
    assert decide(ents, hs) == {"S": R, "A": R, "B": R, "C": R}
    eff = run(ents, hs, method="effective").decisions
    assert [eff[k].share_min for k in "ABC"] == [F(3, 5), F(9, 25), F(27, 125)]
    assert [eff[k].status for k in "ABC"] == [R, A, A]
    assert {eff[k].method for k in "ABC"} == {"effective"}


def test_direct_20_plus_80_through_45_percent_owned() -> None:
    """RULES.md: "a 20% direct stake plus 80% held through a 45%-owned company is 56%
    effective but 20% control"."""
    ents = [co("S", "CN"), co("M"), co("T")]
    hs = [hold("S", "T", "0.2"), hold("S", "M", "0.45"), hold("M", "T", "0.8")]
    ctl = run(ents, hs).decisions["T"]
    assert (ctl.status, ctl.share_min, ctl.method) == (A, F(1, 5), "control")
    eff = run(ents, hs, method="effective").decisions
    assert (eff["T"].status, eff["T"].share_min) == (R, F(14, 25))
    assert eff["M"].status is A


def test_either_and_both() -> None:
    """semantics §4/§6: either restricts when one method does and names it; both needs both;
    an allowed decision reports the method with the larger share_max."""
    ents = [co("S", "CN"), co("M"), co("T"), co("A"), co("B")]
    hs = [hold("S", "T", "0.2"), hold("S", "M", "0.45"), hold("M", "T", "0.8")]
    hs += [hold("S", "A", "0.6"), hold("A", "B", "0.6")]
    either = run(ents, hs, method="either").decisions
    assert (either["T"].status, either["T"].method, either["T"].share_min) == (
        R,
        "effective",
        F(14, 25),
    )
    assert (either["B"].status, either["B"].method, either["B"].share_min) == (
        R,
        "control",
        F(3, 5),
    )
    assert (either["S"].status, either["S"].method) == (R, "control")
    both = run(ents, hs, method="both").decisions
    assert (both["T"].status, both["T"].method) == (A, "effective")
    assert (both["B"].status, both["B"].method, both["B"].share_max) == (A, "control", F(3, 5))
    assert (both["A"].status, both["A"].method) == (R, "control")


def test_either_review_names_first_method_restricting_at_high() -> None:
    ents = [co("S", "CN"), co("T")]
    hs = [hold("S", "T", Share.between("0.3", "0.7"))]
    d = run(ents, hs, method="either").decisions["T"]
    assert (d.status, d.reason, d.method) == (V, Reason.UNDETERMINED, "control")


# ---------------------------------------------------------------- cycles


def test_cycle_without_seed_is_allowed() -> None:
    ents = [co("A"), co("B")]
    hs = [hold("A", "B", "0.6"), hold("B", "A", "0.6")]
    for method in ("control", "effective"):
        assert decide(ents, hs, method=method) == {"A": A, "B": A}


def test_seed_into_two_cycle_solved_exactly() -> None:
    """x = 0.3 + 0.5 y, y = 0.5 x → x = 0.4, y = 0.2 (RULES.md: "Cycles are solved exactly,
    never cut at a depth"); control sees only the direct 30%."""
    ents = [co("S", "CN"), co("A"), co("B")]
    hs = [hold("S", "A", "0.3"), hold("A", "B", "0.5"), hold("B", "A", "0.5")]
    eff = run(ents, hs, method="effective").decisions
    assert (eff["A"].share_min, eff["B"].share_min) == (F(2, 5), F(1, 5))
    ctl = run(ents, hs).decisions
    assert (ctl["A"].status, ctl["A"].share_min, ctl["B"].status) == (A, F(3, 10), A)


def test_circular_holding_cannot_restrict_itself_under_control() -> None:
    """RULES.md: "a circular holding can never make itself restricted" (least fixed point):
    S 40% of A, B 60% of A, A 60% of B. Effective integrates the cycle: x = 0.4 / 0.64."""
    ents = [co("S", "CN"), co("A"), co("B")]
    hs = [hold("S", "A", "0.4"), hold("B", "A", "0.6"), hold("A", "B", "0.6")]
    assert decide(ents, hs, **OFAC) == {"S": R, "A": A, "B": A}
    eff = run(ents, hs, method="effective").decisions
    assert (eff["A"].share_min, eff["B"].share_min) == (F(5, 8), F(3, 8))
    assert (eff["A"].status, eff["B"].status) == (R, A)


def test_seeds_absorb() -> None:
    """§2: seeds absorb; a stake held in a seed is not traced (T's 60% of S does not loop)."""
    ents = [co("S", "CN"), co("S2", "RU"), co("T"), co("U")]
    hs = [
        hold("S", "T", "0.3"),
        hold("T", "S", "0.6"),
        hold("S", "S2", "1"),
        hold("S2", "U", "0.6"),
    ]
    eff = run(ents, hs, method="effective").decisions
    assert eff["T"].share_min == F(3, 10)
    assert eff["S2"].share_min == 1 and eff["S2"].reason is Reason.REGION
    uk = run(ents, hs, method="effective", aggregate_owners=False).decisions
    assert uk["U"].share_min == F(3, 5)  # r_S(U) = 0: S2 absorbs; r_S2(U) = 0.6


def test_divergent_cycle_with_conflicting_data_is_infinite() -> None:
    """§4: an infinite effective value can only arise from conflicting data: A and B hold
    100% of each other and S holds 50% of A (A's low ends sum to 1.5, reported)."""
    ents = [co("S", "CN"), co("A"), co("B"), co("C")]
    hs = [hold("S", "A", "0.5"), hold("A", "B", "1"), hold("B", "A", "1"), hold("B", "C", "0.1")]
    res = run(ents, hs, method="effective")
    assert res.conflicts == [("A", "equity", F(3, 2))]
    for k in "ABC":
        d = res.decisions[k]
        assert (d.status, d.share_min, d.share_max) == (R, math.inf, math.inf)


def test_wide_ranges_on_a_cycle_diverge_only_at_the_high_end() -> None:
    """Ranges whose high ends sum above 1 are not a conflict (§1.7 counts low ends), but the
    high run may diverge: that is review, never allowed."""
    ents = [co("S", "CN"), co("A"), co("B")]
    rng = Share.between("0", "1")
    hs = [hold("S", "A", Share.between("0", "0.5")), hold("A", "B", rng), hold("B", "A", rng)]
    res = run(ents, hs, method="effective")
    assert res.conflicts == []
    d = res.decisions["A"]
    assert (d.status, d.share_min, d.share_max) == (V, 0, math.inf)


# ---------------------------------------------------------------- UK style, exactness, bounds


def test_uk_no_aggregation() -> None:
    """RULES.md (UK OFSI): "different designated persons are not added together"; "through a
    chain of majority stakes"."""
    ents = [co("S1", "CN"), co("S2", "RU"), co("T"), co("A"), co("B")]
    hs = [hold("S1", "T", "0.3"), hold("S2", "T", "0.3"), hold("S1", "A", "0.6")]
    hs.append(hold("A", "B", "0.6"))
    for method in ("control", "effective"):
        agg = run(ents, hs, method=method).decisions["T"]
        assert (agg.status, agg.share_min) == (R, F(3, 5))
        uk = run(ents, hs, method=method, aggregate_owners=False).decisions["T"]
        assert (uk.status, uk.share_min) == (A, F(3, 10))
    assert decide(ents, hs, aggregate_owners=False)["B"] is R


def test_exact_threshold_arithmetic() -> None:
    """RULES.md: "0.1 + 0.2 + 0.2 is exactly 0.5"."""
    ents = [co("S1", "CN"), co("S2", "CN"), co("S3", "CN"), co("T")]
    hs = [hold("S1", "T", "0.1"), hold("S2", "T", "0.2"), hold("S3", "T", "0.2")]
    for method in ("control", "effective"):
        assert run(ents, hs, method=method).decisions["T"].share_min == F(1, 2)
        assert decide(ents, hs, method=method)["T"] is A
        assert decide(ents, hs, method=method, **OFAC)["T"] is R


def test_exclusive_bounds() -> None:
    """§5: an exclusive low end means the true value is strictly above it, an exclusive high
    end strictly below it."""
    ents = [co("S", "CN"), co("T")]
    above = [hold("S", "T", Share.between("0.5", "0.7", low_exclusive=True))]
    d = run(ents, above).decisions["T"]
    assert (d.status, d.share_min, d.share_max) == (R, F(1, 2), F(7, 10))
    below = [hold("S", "T", Share.between("0.3", "0.5", high_exclusive=True))]
    d = run(ents, below, **OFAC).decisions["T"]
    assert (d.status, d.share_max) == (A, F(1, 2))
    assert decide(ents, [hold("S", "T", Share.between("0.3", "0.5"))], **OFAC)["T"] is V
    band = run(ents, [hold("S", "T", Share.between("0.25", "0.75"))]).decisions["T"]
    assert (band.status, band.share_min, band.share_max) == (V, F(1, 4), F(3, 4))


def test_exclusive_low_end_through_a_path_under_effective() -> None:
    """§5 for effective: a path of edges with a positive true weight (low > 0 or exclusive)
    carrying an exclusive low end makes the low value strict, even at weight 0: T = 0.5 +
    0.5 · a with a in (0, 0.1]."""
    ents = [co("S", "CN"), co("A"), co("T")]
    hs = [hold("S", "T", "0.5"), hold("S", "A", Share.between("0", "0.1", low_exclusive=True))]
    hs.append(hold("A", "T", "0.5"))
    eff = run(ents, hs, method="effective").decisions["T"]
    assert (eff.status, eff.share_min, eff.share_max) == (R, F(1, 2), F(11, 20))
    assert decide(ents, hs)["T"] is A  # control: A is not restricted, S's 50% is not > 50%


def test_uk_strictness_uses_the_largest_stake() -> None:
    """UK style: the single largest stake decides; it is strictly below its high end only
    when every stake reaching it has an exclusive high end."""
    ents = [co("S1", "CN"), co("S2", "CN"), co("T")]
    low = Share.between("0.4", "0.5", high_exclusive=True)
    hs = [hold("S1", "T", low), hold("S2", "T", Share.between("0.3", "0.5", high_exclusive=True))]
    d = run(ents, hs, aggregate_owners=False, **OFAC).decisions["T"]
    assert (d.status, d.share_max) == (A, F(1, 2))
    hs[1] = hold("S2", "T", Share.between("0.3", "0.5"))
    assert decide(ents, hs, aggregate_owners=False, **OFAC)["T"] is V


def test_passes() -> None:
    gt, ge = Policy(), Policy(comparator=">=")
    assert not passes(F(1, 2), False, gt, End.LOW) and passes(F(1, 2), True, gt, End.LOW)
    assert not passes(F(1, 2), True, gt, End.HIGH)
    assert passes(F(1, 2), True, ge, End.LOW) and not passes(F(1, 2), True, ge, End.HIGH)
    assert passes(math.inf, False, gt, End.HIGH) and not passes(F(49, 100), True, ge, End.LOW)


# ---------------------------------------------------------------- preparing the graph (§1)


def test_unknown_share_is_capped_by_other_low_ends() -> None:
    """§1.5 / RULES.md: an unknown share is [0, 1 − the owned entity's other known stakes]."""
    ents = [co("S", "CN"), co("P"), co("X")]
    capped = [hold("S", "X", Share.unknown()), hold("P", "X", "0.7")]
    d = run(ents, capped).decisions["X"]
    assert (d.status, d.share_min, d.share_max) == (A, 0, F(3, 10))
    loose = [hold("S", "X", Share.unknown()), hold("P", "X", "0.4")]
    d = run(ents, loose).decisions["X"]
    assert (d.status, d.share_min, d.share_max) == (V, 0, F(3, 5))
    ranged = [hold("S", "X", Share.unknown()), hold("P", "X", Share.between("0.2", "0.9"))]
    assert run(ents, ranged).decisions["X"].share_max == F(4, 5)  # interval counts its minimum


def test_unknown_shares_do_not_cap_each_other_and_merge() -> None:
    """§1.5: other unknowns count 0; §1.6: same (owner, owned, basis) adds up."""
    ents = [co("S", "CN"), co("P"), co("X")]
    hs = [hold("S", "X", Share.unknown()), hold("P", "X", Share.unknown()), hold("S", "X", "0.25")]
    layer = prepare_graph(ents, hs, Policy(), DAY).layers[Basis.EQUITY]
    assert (layer[("S", "X")].low, layer[("S", "X")].high) == (F(1, 4), F(1))
    assert (layer[("P", "X")].low, layer[("P", "X")].high) == (F(0), F(3, 4))


def test_share_classes_merge() -> None:
    """RULES.md: "Holdings of the same owner in the same entity add up (several share
    classes)"; an exclusive bound of a summand stays exclusive."""
    ents = [co("S", "CN"), co("T")]
    hs = [hold("S", "T", "0.3"), hold("S", "T", Share.between("0.2", "0.3", low_exclusive=True))]
    d = run(ents, hs).decisions["T"]
    assert (d.status, d.share_min, d.share_max) == (R, F(1, 2), F(3, 5))


def test_nominees_are_attributed_to_their_principal() -> None:
    """§1.2: a holding with nominee_for = B counts as B's; the nominee holds nothing."""
    ents = [co("S", "CN"), co("N"), co("T"), co("NS", "CN"), co("P"), co("U")]
    hs = [
        hold("N", "T", "0.6", nominee_for="S"),
        hold("NS", "U", "0.3", nominee_for="P"),
        hold("NS", "U", "0.3", nominee_for="P"),
    ]
    res = run(ents, hs).decisions
    assert (res["T"].status, res["T"].share_min) == (R, F(3, 5))
    assert (res["U"].status, res["U"].share_max) == (A, 0)
    assert prepare_graph(ents, hs, Policy(), DAY).layers[Basis.EQUITY][("P", "U")].low == F(3, 5)


def test_treasury_shares_are_not_stakes_and_scale_the_others() -> None:
    """§1.3: 46% held beside 10% treasury shares is 46/90 = 51.1% of what is outstanding."""
    ents = [co("S", "CN"), co("T"), co("U")]
    own = hold("T", "T", "0.1")
    res = run(ents, [own, hold("S", "T", "0.46"), hold("U", "T", "0.44")])
    assert res.dropped_self_holdings == [own]
    assert res.conflicts == []
    assert (res.decisions["T"].status, res.decisions["T"].share_min) == (R, F(46, 90))
    # Without the treasury holding the same stake is a minority.
    plain = run(ents, [hold("S", "T", "0.46"), hold("U", "T", "0.44")])
    assert plain.decisions["T"].status is A


def test_treasury_shares_held_through_a_nominee_count_too() -> None:
    ents = [co("S", "CN"), co("T"), co("N")]
    via = hold("N", "T", "0.2", nominee_for="T")
    res = run(ents, [via, hold("S", "T", "0.45")])
    assert res.dropped_self_holdings == [via]
    assert res.decisions["T"].share_min == F(45, 80)


def test_treasury_shares_apply_under_the_effective_method() -> None:
    ents = [co("S", "CN"), co("A"), co("T")]
    hs = [hold("S", "A", "0.8"), hold("A", "T", "0.6"), hold("T", "T", "0.1")]
    res = run(ents, hs, method="effective").decisions
    assert (res["T"].status, res["T"].share_min) == (R, F(8, 10) * F(6, 10) / F(9, 10))


def test_a_ranged_treasury_share_widens_the_interval() -> None:
    # 45% beside 0-20% treasury: 45% to 56.25% of what is outstanding.
    ents = [co("S", "CN"), co("T")]
    hs = [hold("S", "T", "0.45"), hold("T", "T", Share.between("0", "0.2"))]
    got = run(ents, hs).decisions["T"]
    assert (got.status, got.share_min, got.share_max) == (V, F(45, 100), F(45, 80))


def test_an_unknown_treasury_share_can_make_any_stake_whole() -> None:
    # Unknown treasury share: up to 1 - 30%; then the 30% holder may hold all outstanding.
    ents = [co("S", "CN"), co("T")]
    hs = [hold("S", "T", "0.3"), hold("T", "T", Share.unknown())]
    got = run(ents, hs).decisions["T"]
    assert (got.status, got.share_min, got.share_max) == (V, F(3, 10), 1)


def test_a_treasury_share_of_one_hundred_percent_is_a_conflict() -> None:
    ents = [co("S", "CN"), co("T")]
    res = run(ents, [hold("T", "T", "1"), hold("S", "T", "0.1")])
    assert res.conflicts == [("T", "equity", F(11, 10))]
    assert res.decisions["T"].status is R  # every positive stake counts whole


def test_stakes_over_what_is_outstanding_are_capped_at_one_whole() -> None:
    ents = [co("S", "CN"), co("T")]
    res = run(ents, [hold("T", "T", "0.5"), hold("S", "T", "0.7")])
    assert [c[0] for c in res.conflicts] == ["T"]
    assert res.decisions["T"].share_min == 1


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2024, 12, 31), A),
        (dt.date(2025, 1, 1), R),
        (dt.date(2025, 12, 31), R),
        (dt.date(2026, 1, 1), A),
    ],
)
def test_dated_holdings(day: dt.date, status: Status) -> None:
    """§1.1: a holding counts on D when start <= D < end."""
    ents = [co("S", "CN"), co("T")]
    hs = [hold("S", "T", "0.6", start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1))]
    assert decide(ents, hs, as_of=day)["T"] is status


def test_conflicts_are_reported_and_values_used_as_given() -> None:
    """§1.7 / RULES.md: "reported, never silently normalised"."""
    ents = [co("S", "CN"), co("P"), co("T")]
    hs = [hold("S", "T", "0.7"), hold("P", "T", "0.6"), hold("P", "T", Share.unknown())]
    res = run(ents, hs)
    assert res.conflicts == [("T", "equity", F(13, 10))]
    assert (res.decisions["T"].status, res.decisions["T"].share_min) == (R, F(7, 10))


def test_unknown_entity_in_a_holding_is_an_input_error() -> None:
    with pytest.raises(Exception, match="'Z' is not an entity"):
        run([co("T")], [hold("Z", "T", "0.5")])


# ---------------------------------------------------------------- seeds (§2)


def test_listed_and_region_seeds() -> None:
    """§2: listed entities are seeds (reason listed unless also a region seed)."""
    ents = [co("L", listed=True), co("C", "CN", listed=True), blocked("P"), co("U")]
    res = run(ents, []).decisions
    assert [(res[k].status, res[k].reason) for k in "LCPU"] == [
        (R, Reason.LISTED),
        (R, Reason.REGION),
        (R, Reason.LISTED),
        (A, Reason.NONE),
    ]
    assert (res["U"].share_min, res["U"].share_max) == (0, 0)


@pytest.mark.parametrize(
    ("country", "legal", "basis", "seed"),
    [
        (None, "CN", "headquarters", True),  # headquarters falls back to legal
        ("US", "CN", "headquarters", False),
        ("US", "CN", "legal", True),
        ("CN", "US", "legal", False),
        ("CN", None, "legal", True),  # legal falls back to headquarters
        ("US", "CN", "headquarters_or_legal", True),
        ("CN", "US", "headquarters_or_legal", True),
        ("US", "GB", "headquarters_or_legal", False),
    ],
)
def test_country_basis(country: str | None, legal: str | None, basis: str, seed: bool) -> None:
    e = Entity("E", country=country, legal_country=legal)
    assert (is_seed(e, Policy(country_basis=basis)) is Reason.REGION) is seed


def test_owner_kinds() -> None:
    """RULES.md: the service bars "companies headquartered in unsupported regions": a CN
    person is not a seed by default and passes nothing on."""
    ents = [co("P", "CN", kind=Kind.PERSON), co("T")]
    hs = [hold("P", "T", "1")]
    assert decide(ents, hs) == {"P": A, "T": A}
    assert decide(ents, hs, owner_kinds=["company", "person"]) == {"P": R, "T": R}


# ---------------------------------------------------------------- basis (§1.4)


def test_equity_or_voting() -> None:
    """§4: e passes when its equity or its voting S passes; the larger is reported. Under
    control the restricted set is shared across layers, under effective the layers are
    separate systems."""
    ents = [co("S", "CN"), co("T"), co("A"), co("B")]
    hs = [
        hold("S", "T", "0.3"),
        hold("S", "T", "0.6", basis=Basis.VOTING),
        hold("S", "A", "0.6", basis=Basis.VOTING),
        hold("A", "B", "0.6"),
    ]
    assert decide(ents, hs) == {"S": R, "T": A, "A": A, "B": A}
    both = run(ents, hs, basis="equity_or_voting").decisions
    assert (both["T"].status, both["T"].share_min) == (R, F(3, 5))
    assert (both["A"].status, both["B"].status) == (R, R)
    eff = run(ents, hs, basis="equity_or_voting", method="effective").decisions
    assert (eff["A"].status, eff["B"].status, eff["B"].share_max) == (R, A, 0)


def test_unknown_caps_are_per_layer() -> None:
    ents = [co("S", "CN"), co("P"), co("T")]
    hs = [hold("S", "T", Share.unknown(), basis=Basis.VOTING), hold("P", "T", "0.7")]
    d = run(ents, hs, basis="equity_or_voting").decisions["T"]
    assert (d.status, d.share_max) == (V, 1)


# ---------------------------------------------------------------- the linear algebra


def test_tarjan_orders_components_upstream_first() -> None:
    succ = {"a": ["b"], "b": ["c", "a"], "c": ["d"], "d": ["c", "e"], "e": []}
    comps = strongly_connected_components(["e", "d", "c", "b", "a"], succ)
    assert [sorted(c) for c in comps] == [["a", "b"], ["c", "d"], ["e"]]


def test_integrated_ownership_matches_power_iteration() -> None:
    """The exact solution agrees with iterating r ← 1_seed + M r (Neumann series) on random
    consistent graphs (each entity's incoming shares sum to at most 1, so no divergence)."""
    rng = random.Random(401)
    for _ in range(40):
        nodes = [f"n{i}" for i in range(7)]
        weights: dict[tuple[str, str], F] = {}
        for e in nodes[1:]:
            owners = rng.sample([n for n in nodes if n != e], rng.randint(0, 3))
            budget = F(rng.randint(1, 90), 100)  # spectral radius <= 0.9
            for o in owners:
                w = budget * F(rng.randint(1, 10), 10) / len(owners)
                weights[(o, e)] = w
        exact = integrated_ownership(weights, ["n0"], ["n0"])
        approx = dict.fromkeys(nodes, 0.0)
        for _ in range(400):
            approx = {
                n: 1.0
                if n == "n0"
                else sum(float(w) * approx[o] for (o, e), w in weights.items() if e == n)
                for n in nodes
            }
        for n in nodes:
            assert float(exact.get(n, F(0))) == pytest.approx(approx[n], abs=1e-9)


def _sample(share: MergedShare, rng: random.Random, mode: str) -> F:
    """A value the true share may take: the low or high end unless it is exclusive (then the
    midpoint), or any of those at random."""
    mid = (share.low + share.high) / 2
    low = mid if share.low_exclusive else share.low
    high = mid if share.high_exclusive else share.high
    if mode == "low":
        return low
    return high if mode == "high" else rng.choice([low, mid, high])


_POINTS = [F(0), F(1, 10), F(1, 4), F(2, 5), F(1, 2), F(1, 2), F(3, 5), F(3, 4), F(1)]


def _random_share(rng: random.Random) -> Share:
    """Exact, unknown or ranged shares, biased to land sums on the 50% threshold."""
    kind = rng.randrange(3)
    if kind == 0:
        return Share.exact(rng.choice(_POINTS))
    if kind == 1:
        return Share.unknown()
    lo, hi = sorted(rng.sample(sorted(set(_POINTS)), 2))
    return Share.between(
        lo, hi, low_exclusive=rng.random() < 0.4, high_exclusive=rng.random() < 0.4
    )


@pytest.mark.parametrize("trial", range(200))
def test_decisions_hold_for_every_value_in_the_intervals(trial: int) -> None:
    """§5: every method is monotone in the shares, so `restricted` must hold and `allowed`
    must fail for every choice of true values inside the (possibly open) intervals, and the
    true share must lie in [share_min, share_max]."""
    rng = random.Random(trial)
    ents = [co(f"e{i}", rng.choice(["CN", "US", "US"])) for i in range(5)]
    hs = [
        hold(f"e{rng.randrange(5)}", f"e{rng.randrange(5)}", _random_share(rng), basis=basis)
        for _ in range(rng.randint(4, 10))
        for basis in [rng.choice(list(Basis))]
    ]
    kw: dict[str, Any] = {
        "comparator": rng.choice([">", ">="]),
        "method": rng.choice(["control", "effective", "either", "both"]),
        "aggregate_owners": rng.random() < 0.7,
        "basis": rng.choice(["equity", "equity", "equity_or_voting"]),
    }
    ranged = run(ents, hs, **kw).decisions
    layers = prepare_graph(ents, hs, Policy(**kw), DAY).layers
    for mode in ("low", "high", "random", "random"):
        truth = [
            Holding(o, e, Share(v, v), basis=basis)
            for basis, layer in layers.items()
            for (o, e), s in layer.items()
            for v in [_sample(s, rng, mode)]
        ]
        exact = run(ents, truth, **kw).decisions
        for k, d in ranged.items():
            if d.status is R:
                assert exact[k].status is R, (k, hs, truth)
            elif d.status is A:
                assert exact[k].status is A, (k, hs, truth)
            if kw["method"] in ("control", "effective"):
                assert d.share_min <= exact[k].share_min <= d.share_max
