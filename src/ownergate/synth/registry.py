"""A deterministic, realistic synthetic ownership registry in the interchange format.

``generate_registry(edges, seed)`` returns ``(entities, ownership)`` Arrow tables with exactly
``edges`` ownership rows; the same ``(edges, seed)`` always gives identical tables (one
``numpy.random.default_rng(seed)`` stream, drawn in a fixed order, no per-row Python).

Shape (fractions of holdings unless noted): corporate groups as trees under a root parent
with Zipf-distributed sizes; parent stakes 55% wholly owned, 20% majority, 5% joint
ventures (two 50% owners), 20% minority; about 40% of subsidiaries abroad; persons (10% of
entities), trusts/funds and states owning roots and single companies; about 0.7% cross
holdings closing cycles; 3% voting-rights holdings; 2% ended holdings (each replaced by a
current one starting that day); 5% with a start date; 0.3% held through nominees; 3%
ranges (BODS-style bands); 3% unknown; 0.01% deliberate conflicts (shares in one company
summing above 100%); 5% of entities hold and are held by nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ownergate.errors import ConfigError
from ownergate.synth import countries as C
from ownergate.synth import names as N
from ownergate.synth.columns import (
    BASIS_BYTES,
    CODE_BYTES,
    SHARE_TEXTS,
    expand,
    fixed_width,
    id_strings,
    pick,
    sparse,
    take_records,
)
from ownergate.synth.holdings import Layout, build_holdings
from ownergate.synth.stakes import FULL, NO_DAY, OTHER, PERSON, STATE, Edges
from ownergate.synth.structure import (
    COUNTRY_P,
    I8,
    I16,
    I32,
    I64,
    Bool,
    Forest,
    build_forest,
    draw,
    draw_from,
    uniform,
)

TREE_SHARE = 0.50  # parent -> subsidiary holdings, of all holdings
SME_SHARE = 0.13  # single companies owned by persons / funds, per holding
NOMINEE_SHARE = 0.003
PERSONS, OTHERS, STANDALONE = 0.10, 0.01, 0.05  # of all entities
NO_HQ = 0.005  # companies without a known headquarters country
LISTED = 0.0005  # deny-listed entities
PERCENT_SPELLING = 0.6  # the rest are decimals ("0.6"); one spelling per owned company
BRANDED = 0.5  # subsidiaries named after their group

ENTITY_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("country", pa.string()),
        ("legal_country", pa.string()),
        ("listed", pa.bool_()),
    ]
)
OWNERSHIP_SCHEMA = pa.schema(
    [
        ("owner", pa.string()),
        ("owned", pa.string()),
        ("share", pa.string()),
        ("share_min", pa.string()),
        ("share_max", pa.string()),
        ("min_exclusive", pa.bool_()),
        ("max_exclusive", pa.bool_()),
        ("basis", pa.string()),
        ("nominee_for", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
    ]
)
_DICT_ENTITIES = ["kind", "country", "legal_country"]
_DICT_OWNERSHIP = ["share", "share_min", "share_max", "basis"]
KIND_COMPANY, KIND_PERSON, KIND_STATE, KIND_OTHER = 0, 1, 2, 3
_KINDS = pa.array(["company", "person", "state", "other"])
_BASES = pa.array(["equity", "voting"])
# BODS-style bands: [0,10%) [10%,25%] (25%,50%] (50%,75%) [75%,100%]
_BAND_LOW = np.array([0, 1000, 2500, 5000, 7500])
_BAND_HIGH = np.array([1000, 2500, 5000, 7500, FULL])
_BAND_LOW_EXCL = np.array([False, False, True, True, False])
_BAND_HIGH_EXCL = np.array([True, False, False, True, False])


def generate_registry(edges: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """``(entities, ownership)`` with exactly ``edges`` ownership rows."""
    if edges < 0 or seed < 0:
        raise ConfigError(f"edges and seed must be non-negative (got {edges}, {seed})")
    rng = np.random.default_rng(seed)
    forest = build_forest(rng, round(edges * TREE_SHARE))
    lay = _layout(rng, edges, forest)
    held = build_holdings(rng, edges, forest, lay)
    return _tables(rng, forest, lay, held)


def write_registry(out_dir: Path, edges: int, seed: int) -> tuple[Path, Path]:
    """Write ``out_dir/entities.parquet`` and ``out_dir/ownership.parquet``."""
    entities, ownership = generate_registry(edges, seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = out_dir / "entities.parquet", out_dir / "ownership.parquet"
    # dictionary-encode only the low-cardinality columns (ids and names never repeat enough)
    pq.write_table(entities, paths[0], compression="zstd", use_dictionary=_DICT_ENTITIES)
    pq.write_table(ownership, paths[1], compression="zstd", use_dictionary=_DICT_OWNERSHIP)
    return paths


def _layout(rng: np.random.Generator, edges: int, forest: Forest) -> Layout:
    sme = max(round(edges * SME_SHARE), 2 if edges else 0)
    nominee_holdings = round(edges * NOMINEE_SHARE)
    nominees = max(1, round(nominee_holdings / 25)) if nominee_holdings else 0
    total = (len(forest) + sme + nominees) / (1.0 - PERSONS - OTHERS - STANDALONE)
    standalone = round(total * STANDALONE)
    country = np.concatenate(
        [
            forest.country,
            draw(rng, COUNTRY_P, sme + standalone),
            draw_from(rng, C.NOMINEE_HOMES, nominees),
        ]
    )
    return Layout(len(forest), sme, standalone, nominees, country)


def _spread(rng: np.random.Generator, pool: int, slots: int) -> tuple[I64, I64]:
    """Assign ``slots`` to ``pool`` owners, every owner at least one.

    Returns the owner of each slot and, for each owner, one of its slots.
    """
    of = np.zeros(slots, dtype=np.int64)
    where = rng.permutation(slots)
    if pool:
        of[where[:pool]] = np.arange(pool)
        of[where[pool:]] = rng.integers(0, pool, slots - pool)
    return of, where[:pool].astype(np.int64)


@dataclass(frozen=True)
class _Resolved:
    owner: I32
    nominee_for: I32
    kind: I8
    country: I16
    legal: I16
    names: N.Parts


def _resolve(rng: np.random.Generator, forest: Forest, lay: Layout, held: Edges) -> _Resolved:
    """Give pooled owners (persons, trusts/funds, states) entity indices and attributes."""
    cols = held.cols
    total_est = lay.companies / (1.0 - PERSONS - OTHERS - STANDALONE)
    n_persons = min(max(round(total_est * PERSONS), 1), held.person_slots)
    n_others = min(max(round(total_est * OTHERS), 1), held.other_slots)
    is_state = cols.owner_cls == STATE
    states = np.unique(cols.owner[is_state]).astype(np.int64)
    base_p = lay.companies
    base_o, base_s = base_p + n_persons, base_p + n_persons + n_others
    owner = cols.owner.copy()
    first: list[I64] = []
    for cls, pool, slots, base in (
        (PERSON, n_persons, held.person_slots, base_p),
        (OTHER, n_others, held.other_slots, base_o),
    ):
        of, anchor = _spread(rng, pool, slots)
        sel = np.flatnonzero(cols.owner_cls == cls)
        slot_owned = np.full(slots, -1, dtype=np.int64)
        slot_owned[cols.owner[sel]] = cols.owned[sel]  # -1: the holding was cut
        owner[sel] = base + of[cols.owner[sel]]
        first.append(slot_owned[anchor])
    owner[is_state] = base_s + np.searchsorted(states, cols.owner[is_state])
    principal = held.nominee >= 0
    nominee_for = np.where(principal, owner, -1).astype(np.int32)
    owner = np.where(principal, held.nominee, owner).astype(np.int32)
    kind = np.repeat(
        np.array([KIND_COMPANY, KIND_PERSON, KIND_OTHER, KIND_STATE], dtype=np.int8),
        [lay.companies, n_persons, n_others, len(states)],
    )
    p_owned, o_owned = first
    p_country = np.where(
        (p_owned >= 0) & (uniform(rng, n_persons) < 0.8),
        lay.country[np.maximum(p_owned, 0)],
        draw(rng, COUNTRY_P, n_persons),
    )
    o_country = np.where(
        (o_owned >= 0) & (uniform(rng, n_others) < 0.5),
        lay.country[np.maximum(o_owned, 0)],
        draw_from(rng, C.TRUST_HAVENS, n_others),
    )
    s_country = np.array([C.INDEX[C.STATE_NAMES[s][0]] for s in states], dtype=np.int16)
    people = [p_country, o_country, s_country]
    country = np.concatenate([lay.country, *people]).astype(np.int16)
    legal = np.concatenate([forest.legal, lay.country[len(forest) :], *people]).astype(np.int16)
    # names (before headquarters are blanked, so that the words still fit)
    brand = (forest.level > 0) & (uniform(rng, len(forest)) < BRANDED)
    brand_of = np.where(brand, forest.root, -1).astype(np.int32)
    single = lay.country[len(forest) : lay.active + lay.standalone]
    names = np.concatenate(
        [
            N.company_names(rng, forest.country, forest.legal, forest.offshore, brand_of),
            N.company_names(rng, single, single, np.zeros(len(single), dtype=bool)),
            N.nominee_names(rng, lay.country[lay.active + lay.standalone :]),
            N.person_names(rng, p_country),
            N.trust_names(rng, o_country),
            N.state_names(states),
        ],
        axis=0,
    )
    return _Resolved(owner, nominee_for, kind, country, legal, names)


_ENTITY_RECORD = np.dtype(
    {
        "names": ["names", "kind", "listed", "country", "legal"],
        "formats": [("<u2", (N.PARTS,)), "i1", "?", "<i2", "<i2"],
        "offsets": [0, 2 * N.PARTS, 2 * N.PARTS + 1, 2 * N.PARTS + 2, 2 * N.PARTS + 4],
        "itemsize": 2 * N.PARTS + 8,  # a multiple of 4 bytes, for take_records
    }
)
_HOLDING_RECORD = np.dtype(
    [
        ("owner", "<i4"),
        ("units", "<i2"),
        ("form", "i1"),
        ("basis", "i1"),
        ("start", "<i4"),
        ("end", "<i4"),
        ("nominee_for", "<i4"),
    ]
)


def _tables(
    rng: np.random.Generator, forest: Forest, lay: Layout, held: Edges
) -> tuple[pa.Table, pa.Table]:
    r = _resolve(rng, forest, lay, held)
    n = len(r.kind)
    # Per-entity fields travel as one packed record: one gather to permute them all.
    rec = np.empty(n, dtype=_ENTITY_RECORD)
    rec["names"] = r.names
    rec["kind"] = r.kind
    rec["country"] = np.where((r.kind == KIND_COMPANY) & (uniform(rng, n) < NO_HQ), -1, r.country)
    rec["legal"] = r.legal
    rec["listed"] = _listed(rng, r.country, r.legal, r.kind)
    # new ids: a random permutation, so that ids do not reveal the group structure
    new_of = rng.permutation(n).astype(np.int32)
    internal_of = np.empty(n, dtype=np.int32)
    internal_of[new_of] = np.arange(n, dtype=np.int32)
    rec = take_records(rec, internal_of)
    del internal_of
    width = max(8, len(str(n)))
    entities = pa.Table.from_arrays(
        [
            id_strings(np.arange(n, dtype=np.int64), width),
            N.render(rec["names"]),
            pick(_KINDS, rec["kind"]),
            fixed_width(CODE_BYTES, rec["country"]),
            fixed_width(CODE_BYTES, rec["legal"]),
            pa.array(rec["listed"]),
        ],
        schema=ENTITY_SCHEMA,
    )
    del rec
    return entities, _ownership(width, new_of, r, held)


def _listed(rng: np.random.Generator, country: I16, legal: I16, kind: I8) -> Bool:
    """About ``LISTED`` of all entities, concentrated where deny lists are (RU, IR, KP, ...)."""
    weights = np.array([C.LISTED_WEIGHT.get(code, 1.0) for code in C.CODES], dtype=np.float32)
    w = np.maximum(weights[country], weights[legal])
    w[kind == KIND_STATE] = 0.0
    w *= np.float32(LISTED * len(w) / max(float(w.sum(dtype=np.float64)), 1.0))
    return np.asarray(uniform(rng, len(w)) < w, dtype=np.bool_)


def _percent_spelling(owned: I32) -> Bool:
    """Per owned company (a hash of its id number): percentages or decimals."""
    mixed = owned.astype(np.uint32)
    mixed *= np.uint32(0x9E3779B1)  # Fibonacci hashing, wrapping mod 2**32
    mixed >>= np.uint32(20)
    return np.asarray(mixed < round(PERCENT_SPELLING * 4096), dtype=bool)


def _ownership(width: int, new_of: I32, r: _Resolved, held: Edges) -> pa.Table:
    """Rows sorted by owned id (then generation order)."""
    cols = held.cols
    n = len(cols.owned)
    rec = np.empty(n, dtype=_HOLDING_RECORD)
    rec["owner"] = new_of[r.owner]
    rec["units"] = cols.units
    rec["form"] = held.form
    rec["basis"] = cols.basis
    rec["start"] = cols.start
    rec["end"] = cols.end
    rec["nominee_for"] = -1
    has_nf = np.flatnonzero(r.nominee_for >= 0)
    rec["nominee_for"][has_nf] = new_of[r.nominee_for[has_nf]]
    key = new_of[cols.owned].astype(np.int64)
    key <<= 32
    key |= np.arange(n, dtype=np.int64)
    key.sort()
    rec = take_records(rec, key & 0xFFFFFFFF)
    key >>= 32
    owned = key.astype(np.int32)
    del key
    units = rec["units"].astype(np.int32)
    form = rec["form"]
    units += np.where(_percent_spelling(owned), 0, FULL + 1).astype(np.int32)  # text index
    exact, ranged = form == 0, form == 1
    text = units[ranged]
    value = text % (FULL + 1)
    spelling = text - value
    band = np.select([value < 1000, value <= 2500, value <= 5000, value < 7500], [0, 1, 2, 3], 4)
    nf = rec["nominee_for"]
    nominated = nf >= 0
    start, end = rec["start"], rec["end"]
    return pa.Table.from_arrays(
        [
            id_strings(rec["owner"], width),
            id_strings(owned, width),
            pick(SHARE_TEXTS, units, exact),
            sparse(pick(SHARE_TEXTS, _BAND_LOW[band] + spelling), ranged),
            sparse(pick(SHARE_TEXTS, _BAND_HIGH[band] + spelling), ranged),
            pa.array(expand(_BAND_LOW_EXCL[band], ranged), mask=~ranged),
            pa.array(expand(_BAND_HIGH_EXCL[band], ranged), mask=~ranged),
            fixed_width(BASIS_BYTES, rec["basis"]),
            sparse(id_strings(nf[nominated], width), nominated),
            pa.array(start, type=pa.date32(), mask=start == NO_DAY),
            pa.array(end, type=pa.date32(), mask=end == NO_DAY),
        ],
        schema=OWNERSHIP_SCHEMA,
    )
