"""Holdings of the synthetic registry, built stage by stage in bulk (no per-row loops).

Stages, in order: group trees (parent -> subsidiary), second owners of joint ventures,
owners of group roots and of single companies (persons, trusts/funds, states), cross
holdings (cycles), voting-rights holdings, ended holdings replaced by current ones, a few
deliberate conflicts, and minority holders filling the remaining edge budget out of each
company's unallocated capital, so that the current equity shares in one company sum to at
most 100% (except the deliberate conflicts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ownergate.synth import countries as C
from ownergate.synth.stakes import (
    COMPANY,
    CONFLICT,
    CROSS,
    ENDED,
    FILLER,
    FULL,
    JOINT,
    JV,
    NO_DAY,
    OTHER,
    PAD,
    PERSON,
    ROOT_OWNER,
    SME_OWNER,
    STATE,
    TREE,
    VOTE,
    VOTING,
    Cols,
    EdgeBuffer,
    Edges,
    as_i32,
    day,
    percent_total,
    probs,
    round_down,
    split_total,
    stake_kinds,
    stake_units,
)
from ownergate.synth.structure import I8, I16, I32, I64, Forest, draw, uniform

CROSS_SHARE = 0.007  # of all holdings: cross holdings that close cycles
VOTING_SHARE = 0.03
ENDED_SHARE = 0.02
START_SHARE = 0.05
CONFLICT_SHARE = 0.0001
NOMINEE_SHARE = 0.003
RANGE_SHARE = 0.03
UNKNOWN_SHARE = 0.03
FILLER_MAX = 4900  # 49%
FIRST_DAY, LAST_DAY = day("1990-01-01"), day("2024-12-31")
FIRST_END = day("2005-01-01")

_STATE_CNT = np.array([len(C.STATES.get(code, ())) for code in C.CODES], dtype=np.int64)
_STATE_OFF = np.cumsum(_STATE_CNT) - _STATE_CNT
_STATE_P = np.array([C.STATE_OWNED.get(code, 0.0) for code in C.CODES])


@dataclass(frozen=True)
class Layout:
    """Internal company indices: grouped, single (owned), standalone, nominee companies."""

    grouped: int
    sme: int
    standalone: int
    nominees: int
    country: I16  # headquarters of every company

    @property
    def active(self) -> int:
        """Companies that can hold and be held: grouped and single owned companies."""
        return self.grouped + self.sme

    @property
    def companies(self) -> int:
        return self.active + self.standalone + self.nominees


def build_holdings(rng: np.random.Generator, edges: int, forest: Forest, lay: Layout) -> Edges:
    """Exactly ``edges`` holdings (see the module docstring for the stages)."""
    buf = EdgeBuffer()
    tree = _tree(rng, buf, forest)
    _owners(rng, buf, forest, lay)
    headroom = FULL - buf.allocated(lay.companies)
    _cross(rng, buf, forest, lay, headroom, round(edges * CROSS_SHARE))
    start_fix = _voting_ended_conflicts(rng, buf, forest, tree, edges)
    _filler(rng, buf, lay, headroom, edges - buf.n)
    person_slots, other_slots = buf.person_slots, buf.other_slots
    cols = buf.columns()
    for at, days in start_fix:
        cols.start[at] = days
    n = len(cols.owned)
    if n > edges:  # only for tiny registries: keep a random subset, in order
        cols = cols.take(np.sort(rng.choice(n, edges, replace=False)))
    nominee, form = _annotate(rng, lay, cols)
    return Edges(cols, nominee, form, person_slots, other_slots)


@dataclass(frozen=True)
class _Tree:
    at: int  # index of the first tree edge
    owner: I64
    owned: I64
    units: I64


def _tree(rng: np.random.Generator, buf: EdgeBuffer, f: Forest) -> _Tree:
    child = np.flatnonzero(f.parent >= 0)
    kinds = stake_kinds(rng, f.has_child[child])
    units = stake_units(rng, kinds)
    owner = f.parent[child].astype(np.int64)
    at = buf.add(TREE, COMPANY, owner, child, units)
    jv = child[kinds == JOINT]  # the other 50% of a joint venture: another group's company
    partner = _other_company(rng, jv, len(f))
    buf.add(JV, COMPANY, partner, jv, np.full(len(jv), FULL // 2))
    return _Tree(at, owner, child.astype(np.int64), units)


_NOMINEE_CATS = np.isin(np.arange(16), [ROOT_OWNER, SME_OWNER, FILLER])


def _subset(rng: np.random.Generator, values: I64, k: int) -> I64:
    """``k`` distinct random entries of ``values`` (all of them, shuffled, if fewer)."""
    k = min(max(k, 0), len(values))
    return np.asarray(values[rng.choice(len(values), k, replace=False)], dtype=np.int64)


def _other_company(rng: np.random.Generator, avoid: I64, n: int) -> I64:
    """A random company in ``[0, n)`` for each entry, never the entry itself."""
    if n < 2:
        return np.zeros(len(avoid), dtype=np.int64)
    pick = rng.integers(0, n, len(avoid), dtype=np.int32)
    return np.where(pick == avoid, (pick + 1) % n, pick).astype(np.int64)


def _owners(rng: np.random.Generator, buf: EdgeBuffer, f: Forest, lay: Layout) -> None:
    """Owners of group roots and of single companies: persons, trusts/funds, states."""
    multi = np.flatnonzero(f.parent < 0)
    roots = multi[f.has_child[multi]].astype(np.int64)
    sme = np.arange(lay.grouped, lay.active, dtype=np.int64)
    owned = np.concatenate([roots, sme])
    country = lay.country[owned]
    is_sme = np.arange(len(owned)) >= len(roots)
    p_state = np.where(is_sme, 0.01 * (_STATE_CNT[country] > 0), _STATE_P[country])
    u = uniform(rng, len(owned))
    v = (u - p_state) / (1.0 - p_state)
    state = u < p_state
    # roots: 40% persons, 8% a trust or fund, the rest widely held (no recorded owner)
    # single companies: 89% persons, 6% a trust or fund, 5% another company
    persons = ~state & (v < np.where(is_sme, 0.89, 0.40))
    other = ~state & ~persons & (v < np.where(is_sme, 0.95, 0.48))
    company = ~state & ~persons & ~other & is_sme
    if lay.grouped == 0:  # a tiny registry without groups: founders instead
        persons |= company
        company[:] = False
    # persons: 1-3 founders or a family, splitting a total stake
    who = owned[persons]
    sme_p = is_sme[persons]
    k = (
        np.where(
            sme_p,
            draw(rng, probs(0.55, 0.30, 0.15), len(who)),
            draw(rng, probs(0.45, 0.3, 0.25), len(who)),
        ).astype(np.int64)
        + 1
    )
    totals = np.where(
        sme_p, percent_total(rng, len(who), 0.85, 5000), percent_total(rng, len(who), 0.3, 2000)
    )
    g, parts = split_total(rng, k, totals, equal=uniform(rng, len(who)) < 0.4)
    cat = np.where(sme_p[g], SME_OWNER, ROOT_OWNER)
    for c in (ROOT_OWNER, SME_OWNER):
        sel = cat == c
        buf.add(c, PERSON, buf.slots(PERSON, int(sel.sum())), who[g][sel], parts[sel])
    # trusts, foundations and funds
    who = owned[other]
    totals = np.where(
        is_sme[other],
        percent_total(rng, len(who), 0.7, 5000),
        percent_total(rng, len(who), 0.3, 2500),
    )
    buf.add(ROOT_OWNER, OTHER, buf.slots(OTHER, len(who)), who, totals)
    # another company (a portfolio investment in a single company)
    who = owned[company]
    buf.add(
        SME_OWNER,
        COMPANY,
        rng.integers(0, lay.grouped, len(who)) if len(who) else who,
        who,
        percent_total(rng, len(who), 0.5, 2000),
    )
    # states: the central body, or a provincial / regional one
    who = owned[state]
    c = country[state]
    cnt = _STATE_CNT[c]
    us = uniform(rng, len(who))
    pick = np.where(
        (us < 0.5) | (cnt == 1), 0, 1 + (uniform(rng, len(who)) * (cnt - 1)).astype(np.int64)
    )
    r = uniform(rng, len(who))
    totals = np.select(
        [r < 0.4, r < 0.8],
        [FULL, round_down(rng.integers(5100, 9001, len(who)), 100)],
        round_down(rng.integers(1000, 4901, len(who)), 100),
    )
    buf.add(ROOT_OWNER, STATE, _STATE_OFF[c] + pick, who, totals.astype(np.int64))


def _cross(
    rng: np.random.Generator, buf: EdgeBuffer, f: Forest, lay: Layout, headroom: I64, target: int
) -> None:
    """Cross holdings closing cycles: siblings holding each other, a subsidiary holding a
    few percent of its parent, and 2-3 company cycles between groups."""
    if target <= 0 or lay.active < 3:
        return
    eligible = np.zeros(lay.companies, dtype=bool)
    eligible[: lay.active] = headroom[: lay.active] >= 200
    used = np.zeros(lay.companies, dtype=bool)
    owners: list[I64] = []
    owneds: list[I64] = []
    # siblings: pairs of eligible children of one parent
    cand = np.flatnonzero(eligible[: len(f)] & (f.parent >= 0))
    cand = cand[np.argsort(f.parent[cand], kind="stable")]
    par = f.parent[cand]
    run = np.ones(len(cand), dtype=bool)
    run[1:] = par[1:] != par[:-1]
    pos = np.arange(len(cand)) - np.maximum.accumulate(np.where(run, np.arange(len(cand)), 0))
    first = np.flatnonzero((pos[:-1] % 2 == 0) & (par[1:] == par[:-1]))
    first = _subset(rng, first, int(target * 0.4) // 2)
    a, b = cand[first], cand[first + 1]
    owners += [a, b]
    owneds += [b, a]
    used[a] = used[b] = True
    # a subsidiary holding a few percent of its parent
    children = np.flatnonzero(f.parent >= 0)
    cand = _subset(rng, children, 20 * target)
    cand = cand[eligible[f.parent[cand]] & ~used[f.parent[cand]]]
    _, once = np.unique(f.parent[cand], return_index=True)
    child = cand[np.sort(_subset(rng, once, int(target * 0.3)))]
    owners.append(child)
    owneds.append(f.parent[child].astype(np.int64))
    used[f.parent[child]] = True
    # 2- and 3-company cycles, mostly between groups
    rest = max(target - sum(len(x) for x in owners), 0)
    pairs, triples = rest // 4, (rest - 2 * (rest // 4)) // 3
    cand = np.flatnonzero(eligible & ~used)
    cand = _subset(rng, cand, min(len(cand), 4 * target))
    pairs = min(pairs, len(cand) // 2)
    triples = min(triples, (len(cand) - 2 * pairs) // 3)
    p = cand[: 2 * pairs].reshape(-1, 2)
    t = cand[2 * pairs : 2 * pairs + 3 * triples].reshape(-1, 3)
    owners += [p[:, 0], p[:, 1], t[:, 0], t[:, 1], t[:, 2]]
    owneds += [p[:, 1], p[:, 0], t[:, 1], t[:, 2], t[:, 0]]
    owner = np.concatenate(owners).astype(np.int64)
    owned = np.concatenate(owneds).astype(np.int64)
    units = np.minimum(headroom[owned] // 2, rng.integers(50, 1001, len(owned)))
    units = np.maximum(round_down(units, 10), 10)
    np.subtract.at(headroom, owned, units)
    buf.add(CROSS, COMPANY, owner, owned, units)


def _voting_ended_conflicts(
    rng: np.random.Generator, buf: EdgeBuffer, f: Forest, tree: _Tree, edges: int
) -> list[tuple[I64, I64]]:
    # voting rights differing from equity (dual-class shares), one per subsidiary
    pick = _subset(rng, np.flatnonzero(tree.units < FULL), round(edges * VOTING_SHARE))
    s = tree.units[pick]
    more = np.where(
        s > FULL // 2,
        s + round_down(((FULL - s) * uniform(rng, len(s))).astype(np.int64), 100),
        np.minimum(FULL, round_down((s * rng.uniform(1.2, 2.5, len(s))).astype(np.int64), 100)),
    )
    vote = np.where(s == FULL // 2, s, np.maximum(more, s))
    buf.add(VOTE, COMPANY, tree.owner[pick], tree.owned[pick], vote, basis=VOTING)
    # ended holdings: a former owner sold the stake to the current owner on day `d`
    n = min(round(edges * ENDED_SHARE), len(tree.owned))
    pick = _subset(rng, np.arange(len(tree.owned)), n)
    d = rng.integers(FIRST_END, LAST_DAY + 1, n)
    began = np.where(uniform(rng, n) < 0.4, d - rng.integers(365, 15 * 365, n), NO_DAY)
    former = _other_company(rng, tree.owner[pick], len(f))
    buf.add(
        ENDED,
        COMPANY,
        former,
        tree.owned[pick],
        tree.units[pick],
        start=as_i32(began),
        end=as_i32(d),
    )
    fix = [(tree.at + pick.astype(np.int64), d.astype(np.int64))]
    # deliberate conflicts: a second report of a stake in a wholly-owned subsidiary
    pick = _subset(rng, np.flatnonzero(tree.units == FULL), round(edges * CONFLICT_SHARE))
    owned = tree.owned[pick]
    units = round_down(rng.integers(1000, 6001, len(pick)), 100)
    buf.add(CONFLICT, COMPANY, _other_company(rng, owned, len(f)), owned, units)
    return fix


def _filler(rng: np.random.Generator, buf: EdgeBuffer, lay: Layout, headroom: I64, n: int) -> None:
    """Minority holders (companies, persons, funds) in companies with unallocated capital."""
    if n <= 0:
        return
    h = headroom[: lay.active]
    cap = np.minimum(np.where(h >= FULL, 6, 3), h // 50)
    if int(cap.sum()) < n:
        cap = np.minimum(h // 50, 200)
    total = int(cap.sum())
    fill = min(n, total)
    if fill:
        pos = np.sort(rng.choice(total, fill, replace=False))
        target = np.searchsorted(np.cumsum(cap), pos, side="right")
        owned, k = np.unique(target, return_counts=True)
        hk = h[owned]
        alloc = np.maximum(50 * k, (hk * rng.uniform(0.15, 0.9, len(owned))).astype(np.int64))
        g, parts = split_total(rng, k.astype(np.int64), alloc)
        np.minimum(parts, FILLER_MAX, out=parts)  # minority holders: below 50% each
        owned = owned[g].astype(np.int64)
        kind = draw(rng, probs(0.5, 0.3, 0.2), fill) if lay.grouped else np.ones(fill, np.int16)
        comp = _other_company(rng, owned, lay.grouped) if lay.grouped else owned
        for cls in (COMPANY, PERSON, OTHER):
            sel = kind == cls
            owner = comp[sel] if cls == COMPANY else buf.slots(cls, int(sel.sum()))
            buf.add(FILLER, cls, owner, owned[sel], parts[sel])
    pad = n - fill  # only when no capital is left: historical (ended) holdings
    if pad > 0 and lay.active:
        owned = rng.integers(0, lay.active, pad)
        d = rng.integers(FIRST_END, LAST_DAY + 1, pad)
        units = round_down(rng.integers(100, FULL + 1, pad), 100)
        owner = _other_company(rng, owned, lay.active)
        buf.add(PAD, COMPANY, owner, owned, units, end=as_i32(d))


def _annotate(rng: np.random.Generator, lay: Layout, cols: Cols) -> tuple[I32, I8]:
    """Start dates (in place), nominees and the share form (exact, range, unknown)."""
    n = len(cols.owned)
    current = cols.end == NO_DAY
    # nominees hold some stakes of persons, funds and companies for them
    nominee = np.full(n, -1, dtype=np.int32)
    if lay.nominees:
        held = _NOMINEE_CATS[cols.cat] & (cols.owner_cls != STATE) & current
        pick = _subset(rng, np.flatnonzero(held), round(n * NOMINEE_SHARE))
        nominee[pick] = lay.active + lay.standalone + rng.integers(0, lay.nominees, len(pick))
    # start dates: the replacing holdings have one; add more up to START_SHARE
    missing = np.flatnonzero((cols.start == NO_DAY) & current)
    extra = max(round(n * START_SHARE) - int((cols.start != NO_DAY).sum()), 0)
    pick = _subset(rng, missing, extra)
    cols.start[pick] = rng.integers(FIRST_DAY, LAST_DAY + 1, len(pick))
    u = uniform(rng, n)
    form = np.zeros(n, dtype=np.int8)
    form[u < RANGE_SHARE + UNKNOWN_SHARE] = 2
    form[u < RANGE_SHARE] = 1
    return nominee, form
