"""The synthetic customer base: deterministic, drawn from the registry's companies in the
mix asked for, with names changed as the truth table says and heavy-tailed revenue."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from ownergate.errors import ConfigError
from ownergate.synth import generate_registry
from ownergate.synth.customers import (
    CUSTOMER_SCHEMA,
    REGIONS,
    TRUTH_SCHEMA,
    CustomerMix,
    generate_customers,
)

N = 4_000


@pytest.fixture(scope="module")
def registry() -> tuple[pa.Table, pa.Table]:
    return generate_registry(60_000, 11)


@pytest.fixture(scope="module")
def base(registry: tuple[pa.Table, pa.Table]) -> tuple[pa.Table, pa.Table]:
    return generate_customers(*registry, N, 5)


def column_map(table: pa.Table, key: str, value: str) -> dict[str, str]:
    return dict(zip(table.column(key).to_pylist(), table.column(value).to_pylist(), strict=True))


def test_the_same_seed_gives_the_same_base(
    registry: tuple[pa.Table, pa.Table], base: tuple[pa.Table, pa.Table]
) -> None:
    again = generate_customers(*registry, N, 5)
    assert again[0].equals(base[0]) and again[1].equals(base[1])
    assert not generate_customers(*registry, N, 6)[0].equals(base[0])


def test_accounts_are_distinct_companies_of_the_registry(
    registry: tuple[pa.Table, pa.Table], base: tuple[pa.Table, pa.Table]
) -> None:
    entities, _ = registry
    customers, truth = base
    assert customers.schema == CUSTOMER_SCHEMA and truth.schema == TRUTH_SCHEMA
    assert customers.num_rows == truth.num_rows == N
    kinds = column_map(entities, "id", "kind")
    chosen = truth.column("entity_id").to_pylist()
    assert len(set(chosen)) == N and {kinds[e] for e in chosen} == {"company"}
    assert len(set(customers.column("account_id").to_pylist())) == N


def test_known_links_are_the_true_entities(base: tuple[pa.Table, pa.Table]) -> None:
    customers, truth = base
    links = customers.column("registry_entity_id").to_pylist()
    known = [
        (link, true)
        for link, true in zip(links, truth.column("entity_id").to_pylist(), strict=True)
        if link
    ]
    assert all(link == true for link, true in known)
    assert 0.3 < len(known) / N < 0.5  # CustomerMix.known_link = 0.4


def test_names_change_as_the_truth_says(
    registry: tuple[pa.Table, pa.Table], base: tuple[pa.Table, pa.Table]
) -> None:
    entities, _ = registry
    names = column_map(entities, "id", "name")
    customers, truth = base
    rows = zip(
        customers.column("organisation_name").to_pylist(),
        truth.column("entity_id").to_pylist(),
        truth.column("name_change").to_pylist(),
        strict=True,
    )
    seen = set()
    for typed, entity, change in rows:
        seen.add(change)
        if change == "exact":
            assert typed == names[entity]
        elif change == "case":
            assert typed in (names[entity].upper(), names[entity].lower())
        elif change in ("typo", "word_order"):
            assert sorted(typed.replace(" ", "")) == sorted(names[entity].replace(" ", "")) or (
                abs(len(typed) - len(names[entity])) == 1
            )
    assert seen == {"exact", "case", "legal_form", "word_order", "typo"}


def test_the_mix_holds_restricted_headquarters_and_revenue_is_heavy_tailed(
    registry: tuple[pa.Table, pa.Table], base: tuple[pa.Table, pa.Table]
) -> None:
    entities, _ = registry
    country = column_map(entities, "id", "country")
    customers, truth = base
    region_hq = sum(country[e] in REGIONS for e in truth.column("entity_id").to_pylist())
    assert region_hq == round(N * CustomerMix().restricted_hq)
    revenue = customers.column("annual_revenue").to_numpy()
    assert (revenue > 0).all()
    assert 0.005 < (revenue >= 100_000).mean() < 0.03
    assert np.median(revenue) < revenue.mean() / 2  # the tail carries the total


def test_every_declared_country_is_a_country_code(base: tuple[pa.Table, pa.Table]) -> None:
    from ownergate.domain.countries import is_country_code

    declared = base[0].column("declared_country").to_pylist()
    assert all(isinstance(code, str) and is_country_code(code) for code in declared)


def test_a_registry_too_small_is_refused(registry: tuple[pa.Table, pa.Table]) -> None:
    with pytest.raises(ConfigError, match="fewer than"):
        generate_customers(*registry, 10_000_000, 1)
