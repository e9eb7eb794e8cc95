"""The segmentation against a plain reference: for every probe address, the value of the
narrowest covering range (the later row among equal widths) and whether any range of a
set covers it, on random overlapping ranges in both address spaces, up to their ends."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.ipintel import segments
from tests.property import examples

Range = tuple[int, int]  # [start, stop)


def reference_value(ranges: list[Range], values: list[int], x: int) -> int:
    best: tuple[int, int] | None = None
    for row, (start, stop) in enumerate(ranges):
        if start <= x < stop:
            key = (-(stop - start), row)
            if best is None or key > best:
                best = key
    return -1 if best is None else values[best[1]]


def reference_cover(ranges: list[Range], x: int) -> bool:
    return any(start <= x < stop for start, stop in ranges)


@st.composite
def range_lists(draw: st.DrawFn, version: int) -> list[list[Range]]:
    end = 1 << segments.BITS[version]
    # A few windows, some at the very start and end of the space, so ranges crowd,
    # nest, overlap partly, repeat and touch.
    bases = draw(
        st.lists(
            st.one_of(st.just(0), st.just(end - 64), st.integers(0, end - 64)),
            min_size=1,
            max_size=3,
        )
    )
    lists = []
    for _ in range(4):
        ranges = []
        for _ in range(draw(st.integers(0, 8))):
            start = draw(st.sampled_from(bases)) + draw(st.integers(0, 60))
            width = draw(st.one_of(st.integers(1, 8), st.integers(1, 64)))
            ranges.append((start, min(start + width, end)))
        lists.append(ranges)
    return lists


def packed(x: int, version: int) -> bytes:
    return x.to_bytes(4 if version == 4 else 16, "big")


def check(version: int, lists: list[list[Range]], data: st.DataObject) -> None:
    end = 1 << segments.BITS[version]
    values = [[data.draw(st.integers(0, 3)) for _ in r] for r in lists[:2]]
    cut = segments.segment(version, [([a for a, _ in r], [b for _, b in r]) for r in lists])
    columns = []
    for k in range(2):
        starts, stops = [a for a, _ in lists[k]], [b for _, b in lists[k]]

        def rank(starts: list[int] = starts, stops: list[int] = stops) -> segments.IntArray:
            return segments.priorities(starts, stops)

        array = np.array(values[k], dtype=np.int64)
        columns.append(segments.paint(cut.size, cut.spans[k], array, rank))
    covers = [segments.cover(cut.size, cut.spans[k]) for k in (2, 3)]
    sets, combos = segments.combine(covers, cut.size)
    keep = segments.compact([*columns, sets])
    search = segments.Searcher(segments.stored_starts(cut, keep), version)
    kept = [c[keep] for c in columns]
    kept_sets = sets[keep]

    probes = {0, end - 1}
    for ranges in lists:
        for start, stop in ranges:
            probes |= {start, stop - 1, min(stop, end - 1), max(start - 1, 0)}
    probes |= {data.draw(st.integers(0, end - 1)) for _ in range(5)}
    ordered = sorted(probes)
    many = search.many([packed(x, version) for x in ordered]).tolist()
    for x, i_many in zip(ordered, many, strict=True):
        i = search.one(packed(x, version))
        assert i == i_many
        for k in range(2):
            assert kept[k][i] == reference_value(lists[k], values[k], x), (k, x)
        members = combos[int(kept_sets[i])]
        for k in (0, 1):
            assert (k in members) == reference_cover(lists[2 + k], x), (k, x)


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
def test_ipv4_segments_match_the_reference(data: st.DataObject) -> None:
    check(4, data.draw(range_lists(4)), data)


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
def test_ipv6_segments_match_the_reference(data: st.DataObject) -> None:
    check(6, data.draw(range_lists(6)), data)


def test_narrower_range_wins_and_the_outer_one_resumes() -> None:
    # DE /23 with a BE /32 inside it, as in ip-location-db's GeoFeed-over-WHOIS rows.
    ranges = [(100, 612), (400, 401)]
    cut = segments.segment(4, [([a for a, _ in ranges], [b for _, b in ranges])])
    starts, stops = [a for a, _ in ranges], [b for _, b in ranges]
    column = segments.paint(
        cut.size,
        cut.spans[0],
        np.array([7, 9], dtype=np.int64),
        lambda: segments.priorities(starts, stops),
    )
    search = segments.Searcher(segments.stored_starts(cut, np.ones(cut.size, bool)), 4)
    found = {x: int(column[search.one(packed(x, 4))]) for x in (99, 100, 399, 400, 401, 611, 612)}
    assert found == {99: -1, 100: 7, 399: 7, 400: 9, 401: 7, 611: 7, 612: -1}


def test_group_rows_numbers_distinct_rows() -> None:
    a = np.array([1, 1, 2, 2, 1], dtype=np.int64)
    b = np.array([5, 5, 5, 6, 5], dtype=np.int64)
    ids, table = segments.group_rows([a, b])
    assert [tuple(table[i]) for i in ids] == list(zip(a, b, strict=True))
    assert len(table) == 3


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(0, (1 << 32) - 1), st.integers(0, 8).map(lambda b: b << 16)),
        max_size=40,
    ),
    st.lists(st.integers(0, (1 << 32) - 1), max_size=10),
)
def test_ipv4_searcher_finds_the_last_start_at_or_below(
    starts: list[int], extra: list[int]
) -> None:
    # Many starts on and around /16 boundaries, where the block table narrows the search.
    keys = sorted({0, *starts})
    search = segments.Searcher(np.array(keys, dtype=np.uint32), 4)
    probes = {x + d for x in keys for d in (-1, 0, 1) if 0 <= x + d < 1 << 32} | set(extra)
    probes |= {b << 16 for b in range(9)} | {(b << 16) - 1 for b in range(1, 9)}
    for x in probes:
        expected = max(k for k, start in enumerate(keys) if start <= x)
        assert search.one(packed(x, 4)) == expected, x
    ordered = sorted(probes)
    assert search.many([packed(x, 4) for x in ordered]).tolist() == [
        search.one(packed(x, 4)) for x in ordered
    ]


def test_priorities_rank_wide_ipv6_ranges() -> None:
    # Widths past 2**64 take the two-word path; the narrowest ranks highest, ties by row.
    starts = [0, 5, 5, 1 << 120]
    stops = [1 << 100, (1 << 70) + 5, (1 << 70) + 5, (1 << 120) + (1 << 64)]
    assert segments.priorities(starts, stops).tolist() == [0, 1, 2, 3]
    assert segments.priorities([0, 0], [1 << 65, 10]).tolist() == [0, 1]


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(0, 4), st.integers(0, (1 << 64) - 1), st.just((1 << 64) - 1)),
            st.one_of(st.integers(0, 3), st.integers(0, (1 << 64) - 1)),
        ),
        max_size=40,
    ),
    st.lists(st.integers(0, (1 << 128) - 1), max_size=10),
)
def test_ipv6_searcher_finds_the_last_start_at_or_below(
    words: list[tuple[int, int]], extra: list[int]
) -> None:
    # Starts sharing their high word, next to block edges and the end of the space.
    keys = sorted({0, *((high << 64) | low for high, low in words)})
    starts = np.array([k.to_bytes(16, "big") for k in keys], dtype="S16")
    search = segments.Searcher(starts, 6)
    end = 1 << 128
    probes = {x + d for x in keys for d in (-1, 0, 1) if 0 <= x + d < end} | set(extra)
    probes |= {((1 << 64) - 1) << 64, (1 << 64) << 48, end - 1}
    for x in probes:
        expected = max(k for k, start in enumerate(keys) if start <= x)
        assert search.one(packed(x, 6)) == expected, hex(x)
    ordered = sorted(probes)
    assert search.many([packed(x, 6) for x in ordered]).tolist() == [
        search.one(packed(x, 6)) for x in ordered
    ]
