"""Impact of the seed change on a tiny registry and customer base, checked to the dollar.

Registry: a CN parent owns 60% of an SG subsidiary, which owns all of a DE company (known to
the registry by its LEI) and an unknown stake of a joint venture; a RU parent holds 30% of
a neutral holding which owns all of a GB company. Accounts are linked by entity id, by LEI,
or not at all (CN, SG and RU ones decided on their declared country).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.explain.columns import ultimate_seed
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import columns_from_records
from ownergate.interchange import read_policy
from ownergate.policy.model import Policy, default_policy
from ownergate.portfolio import Customers, account_outcome, compare, link_accounts
from ownergate.portfolio.impact import (
    LEFT_REVIEW,
    MOVED_TO_REVIEW,
    NEWLY_ALLOWED,
    NEWLY_RESTRICTED,
    Impact,
    Tally,
)

AS_OF = dt.date(2026, 6, 30)
POLICIES = Path(__file__).parents[3] / "policies"
DEG_LEI = "529900DEG0000000000X"

ENTITIES = [
    Entity("CNP", "Sino Parent Co.", country="CN"),
    Entity("SGS", "Lion City Pte.", country="SG"),
    Entity(DEG_LEI, "Rhein Logistik GmbH", country="DE"),
    Entity("JV", "Joint Venture B.V.", country="NL"),
    Entity("RUP", "Ural Parent", country="RU"),
    Entity("HOLD", "Neutral Holding AG", country="CH"),
    Entity("MIN", "Minority Ventures Ltd", country="GB"),
    Entity("USX", "Delaware Holdings LLC", country="US"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("SGS", DEG_LEI, Share.exact("1")),
    Holding("SGS", "JV", Share.unknown()),
    Holding("RUP", "HOLD", Share.exact("0.3")),
    Holding("HOLD", "MIN", Share.exact("1")),
]
# account id, declared country, registry entity id, LEI, annual revenue
ACCOUNTS = [
    ("acc-cnp", "CN", "CNP", None, 2_000_000.0),
    ("acc-sgs", "SG", "SGS", None, 150_000.0),
    ("acc-deg", "DE", None, DEG_LEI.lower(), 50_000.0),
    ("acc-jv", "NL", "JV", None, 1_500_000.0),
    ("acc-min", "GB", "MIN", None, 5_000.0),
    ("acc-hold", "CH", "HOLD", None, 20_000.0),
    ("acc-usx", "US", "USX", None, 40_000.0),
    ("acc-cn", "CN", None, None, 300_000.0),
    ("acc-sg", "SG", None, None, 8_000.0),
    ("acc-ru", "RU", "NOT-IN-REGISTRY", None, 1_000.0),
]


def customers() -> Customers:
    cols = list(zip(*ACCOUNTS, strict=True))
    return Customers(
        account_id=np.array(cols[0], dtype=object),
        name=np.array([f"Customer {a}" for a in cols[0]], dtype=object),
        country=np.array(cols[1], dtype=object),
        registry_entity_id=np.array(cols[2], dtype=object),
        lei=np.array(cols[3], dtype=object),
        revenue=np.array(cols[4], dtype=np.float64),
    )


def run(policy_a: Policy, policy_b: Policy) -> Impact:
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    base = customers()
    rows = link_accounts(base, ents.ids)
    outcomes = [
        account_outcome(base, screen(prepare(ents, holds, p, AS_OF), p), rows, p.region_set)
        for p in (policy_a, policy_b)
    ]
    return compare(base, *outcomes)


@pytest.fixture(scope="module")
def region_only() -> Policy:
    return read_policy(POLICIES / "region-only.toml")


@pytest.fixture(scope="module")
def seed_change(region_only: Policy) -> Impact:
    return run(region_only, default_policy())


def test_accounts_link_by_entity_id_then_lei() -> None:
    ents, _ = columns_from_records(ENTITIES, HOLDINGS)
    rows = link_accounts(customers(), ents.ids)
    assert rows.tolist() == [0, 1, 2, 3, 6, 5, 7, -1, -1, -1]


def test_accounts_link_by_a_snapshot_lei_identifier() -> None:
    ents, _ = columns_from_records(ENTITIES, HOLDINGS)
    base = customers()
    base.lei[7] = "lei-of-usx "
    identifiers = pa.array(
        [None, ["GB-COH:123"], [], None, None, None, None, ["LEI:LEI-OF-USX"]],
        pa.list_(pa.string()),
    )
    assert link_accounts(base, ents.ids, identifiers)[7] == 7


def test_region_only_restricts_the_seeds_alone(region_only: Policy) -> None:
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    result = screen(prepare(ents, holds, region_only, AS_OF), region_only)
    assert [result.status_of(i).value for i in range(len(ENTITIES))] == [
        "restricted",
        "allowed",
        "allowed",
        "allowed",
        "restricted",
        "allowed",
        "allowed",
        "allowed",
    ]


def test_ultimate_seed_follows_the_largest_restricted_owner() -> None:
    from ownergate.explain.columns import decision_columns

    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    result = screen(prepare(ents, holds, default_policy(), AS_OF), default_policy())
    seed = ultimate_seed(result.graph, decision_columns(result).top_owner)
    assert seed.tolist()[:5] == [0, 0, 0, 0, 4]


def test_seed_change_flips_counts_and_revenue(seed_change: Impact) -> None:
    assert seed_change.total(NEWLY_RESTRICTED) == Tally(
        "newly restricted", "newly restricted", 2, 200_000.0
    )
    assert seed_change.total(MOVED_TO_REVIEW).accounts == 1
    assert seed_change.total(MOVED_TO_REVIEW).revenue == 1_500_000.0
    assert seed_change.total(NEWLY_ALLOWED).accounts == 0
    assert seed_change.total(LEFT_REVIEW).accounts == 0
    assert (seed_change.large[NEWLY_RESTRICTED].accounts, seed_change.large[0].revenue) == (
        1,
        150_000.0,
    )
    flipped = seed_change.customers.account_id[seed_change.flipped].tolist()
    assert flipped == ["acc-sgs", "acc-deg", "acc-jv"]


def test_seed_change_breakdowns(seed_change: Impact) -> None:
    new = seed_change.breakdowns["newly restricted"]
    assert new["seed region"] == (Tally("CN", "CN", 2, 200_000.0),)
    assert new["restricted group"] == (Tally("CNP", "Sino Parent Co.", 2, 200_000.0),)
    assert new["account country"] == (
        Tally("SG", "SG", 1, 150_000.0),
        Tally("DE", "DE", 1, 50_000.0),
    )
    assert [(t.label, t.accounts, t.revenue) for t in new["revenue band"]] == [
        ("< $10k", 0, 0.0),
        ("$10k–$100k", 1, 50_000.0),
        ("$100k–$1M", 1, 150_000.0),
        ("≥ $1M", 0, 0.0),
    ]
    review = seed_change.breakdowns["moved to review"]
    assert review["restricted group"] == (Tally("CNP", "Sino Parent Co.", 1, 1_500_000.0),)
    assert review["revenue band"][3].accounts == 1
    assert seed_change.top_groups == (Tally("CNP", "Sino Parent Co.", 2, 200_000.0),)


def test_unlinked_accounts_are_decided_on_their_declared_country(seed_change: Impact) -> None:
    b = seed_change.b
    assert b.unverified.tolist() == [False] * 7 + [True] * 3
    assert b.status[7:].tolist() == [0, 1, 0]  # CN restricted, SG allowed, RU restricted
    assert b.seed_region[7:].tolist() == ["CN", "", "RU"]
    assert b.group_id[7:].tolist() == ["", "", ""]
    assert seed_change.status_b[0] == Tally("restricted", "restricted", 5, 2_501_000.0)


def test_the_reverse_change_allows_and_leaves_review(region_only: Policy) -> None:
    back = run(default_policy(), region_only)
    assert (back.total(NEWLY_ALLOWED).accounts, back.total(NEWLY_ALLOWED).revenue) == (
        2,
        200_000.0,
    )
    assert back.total(LEFT_REVIEW).accounts == 1
    assert back.total(NEWLY_RESTRICTED).accounts == 0
    assert back.top_groups == ()
