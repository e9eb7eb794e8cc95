"""A synthetic customer base over a synthetic registry: the accounts a platform would have.

Each account is a company of the registry as a customer knows itself: its name as typed at
sign-up (usually the registered name, else with the legal form dropped or changed, another
case, words swapped or a typo), the country it declares (its headquarters, now and then its
country of incorporation), and an annual revenue drawn from a heavy-tailed distribution
(lognormal: a median near $3,700, about 1.4% of accounts above $100k, a handful above $1M).
The platform already knows the registry entity of ``known_link`` of the accounts
(``registry_entity_id``); the others must be resolved by name.

Who the customers are is biased the way a global customer base is: ``restricted_hq`` of the
accounts are companies headquartered in the policy regions, ``foreign_subsidiaries`` are
companies outside them held more than 50% by a company from them (a direct holding; deeper
ones turn up among the rest), and the rest are drawn from all other companies. The truth
(each account's entity and how its name was changed) is a table of its own, for measuring
entity resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.errors import ConfigError
from ownergate.synth import countries as C

CUSTOMER_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("organisation_name", pa.string()),
        ("declared_country", pa.string()),
        ("lei", pa.string()),
        ("registry_entity_id", pa.string()),
        ("annual_revenue", pa.float64()),
        ("revenue_currency", pa.string()),
    ]
)
TRUTH_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("entity_id", pa.string()), ("name_change", pa.string())]
)
REGIONS = ("CN", "RU", "KP", "IR")
NAME_CHANGES = ("exact", "case", "legal_form", "word_order", "typo")
_CHANGE_WEIGHTS = (0.55, 0.12, 0.18, 0.05, 0.10)
_FORMS = sorted(
    {f for pre, post in [*C.LEGAL_FORMS.values(), C.DEFAULT_FORMS] for f in (*pre, *post) if f}
    | {"GmbH", "AG", "S.A.", "B.V.", "Pte. Ltd.", "Sdn. Bhd.", "Ltd.", "Inc.", "LLC", "PLC"},
    key=len,
    reverse=True,
)


@dataclass(frozen=True)
class CustomerMix:
    restricted_hq: float = 0.02
    foreign_subsidiaries: float = 0.015
    known_link: float = 0.4
    median_revenue: float = 3_700.0
    revenue_sigma: float = 1.5


def generate_customers(
    entities: pa.Table, ownership: pa.Table, n: int, seed: int, mix: CustomerMix | None = None
) -> tuple[pa.Table, pa.Table]:
    """``(customers, truth)`` with ``n`` accounts over the registry's companies."""
    mix = mix or CustomerMix()
    rng = np.random.default_rng(seed)
    companies = np.flatnonzero(pc.equal(entities.column("kind"), "company").to_numpy(False))
    if len(companies) < n:
        raise ConfigError(f"the registry has {len(companies):,} companies, fewer than {n:,}")
    country = entities.column("country").to_numpy(zero_copy_only=False).astype(str)
    in_region = np.isin(country, REGIONS)
    held = _majority_held_by_region(entities, ownership, in_region)
    pools = [
        (companies[in_region[companies]], mix.restricted_hq),
        (companies[held[companies] & ~in_region[companies]], mix.foreign_subsidiaries),
    ]
    chosen: list[npt.NDArray[np.int64]] = []
    taken = np.zeros(entities.num_rows, dtype=bool)
    for pool, share in pools:
        k = min(len(pool), round(n * share))
        pick = rng.choice(pool, size=k, replace=False) if k else pool[:0]
        taken[pick] = True
        chosen.append(pick)
    rest = companies[~taken[companies] & ~in_region[companies]]
    chosen.append(rng.choice(rest, size=n - sum(len(c) for c in chosen), replace=False))
    rows = rng.permutation(np.concatenate(chosen))

    names = entities.column("name").take(pa.array(rows)).to_pylist()
    changes = rng.choice(len(NAME_CHANGES), size=n, p=_CHANGE_WEIGHTS)
    typed = [_change(name, int(c), rng) for name, c in zip(names, changes, strict=True)]
    # A headquarters the registry does not know is declared as the country of incorporation.
    hq = pc.coalesce(entities.column("country"), entities.column("legal_country"))
    legal = pc.coalesce(entities.column("legal_country"), hq)
    hq_codes = hq.to_numpy(zero_copy_only=False).astype(object)
    legal_codes = legal.to_numpy(zero_copy_only=False).astype(object)
    declared = np.where(rng.random(n) < 0.05, legal_codes[rows], hq_codes[rows])
    revenue = np.round(np.exp(rng.normal(np.log(mix.median_revenue), mix.revenue_sigma, size=n)), 2)
    ids = [f"cust-{i:07d}" for i in range(1, n + 1)]
    entity_ids = entities.column("id").take(pa.array(rows))
    known = rng.random(n) < mix.known_link
    customers = pa.table(
        {
            "account_id": pa.array(ids),
            "organisation_name": pa.array(typed),
            "declared_country": pa.array(declared.tolist()),
            "lei": pa.nulls(n, pa.string()),
            "registry_entity_id": pc.if_else(
                pa.array(known), entity_ids, pa.scalar(None, pa.string())
            ),
            "annual_revenue": pa.array(revenue),
            "revenue_currency": pa.array(["USD"] * n),
        },
        schema=CUSTOMER_SCHEMA,
    )
    truth = pa.table(
        {
            "account_id": pa.array(ids),
            "entity_id": entity_ids,
            "name_change": pa.array([NAME_CHANGES[int(c)] for c in changes]),
        },
        schema=TRUTH_SCHEMA,
    )
    return customers, truth


def _majority_held_by_region(
    entities: pa.Table, ownership: pa.Table, in_region: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Entities with a direct holding above 50% (its lower bound) by a region entity."""
    index = {key: i for i, key in enumerate(entities.column("id").to_pylist())}
    owners = ownership.column("owner").to_pylist()
    owned = ownership.column("owned").to_pylist()
    shares = pc.coalesce(ownership.column("share"), ownership.column("share_min")).to_pylist()
    held = np.zeros(entities.num_rows, dtype=bool)
    for owner, target, share in zip(owners, owned, shares, strict=True):
        o = index.get(owner)
        if o is None or not in_region[o] or share is None or _value(share) <= 0.5:
            continue
        t = index.get(target)
        if t is not None:
            held[t] = True
    return held


def _value(share: str) -> float:
    text = share.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return 0.0


def _change(name: str, change: int, rng: np.random.Generator) -> str:
    kind = NAME_CHANGES[change]
    if kind == "case":
        return name.upper() if rng.random() < 0.5 else name.lower()
    if kind == "legal_form":
        form = next((f for f in _FORMS if name.endswith(" " + f) or name.startswith(f + " ")), None)
        if form is None:
            return name
        bare = name.removesuffix(" " + form) if name.endswith(" " + form) else name[len(form) + 1 :]
        other = _FORMS[int(rng.integers(len(_FORMS)))]
        return bare if rng.random() < 0.5 or other == form else f"{bare} {other}"
    if kind == "word_order":
        words = name.split()
        if len(words) > 2:
            i = int(rng.integers(len(words) - 1))
            words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    if kind == "typo" and len(name) > 4:
        i = int(rng.integers(1, len(name) - 1))
        roll = rng.random()
        if roll < 0.33:
            return name[:i] + name[i + 1 :]  # dropped letter
        if roll < 0.66:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # swapped letters
        return name[:i] + name[i] + name[i:]  # doubled letter
    return name
