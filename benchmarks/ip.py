"""Benchmark IP lookups over all bundled sources.

    python benchmarks/ip.py [--lookups 200000] [--seed 7] [--workdir DIR]

Compiles the bundled data (data/ip) into a fresh work directory in a child process (as
``ownergate ip update`` would), then, in this process: the time to map the index
(``IpIntel.load``), the cost per lookup, one at a time in a loop and in batches of 1,000
(``lookup_many``), for random IPv4 addresses, addresses inside the data's ranges, and
random IPv6 addresses in 2000::/3, and resident memory (RSS) before loading, after loading
and after all lookups (the address lists are made before the first reading). Prints each
figure next to its goal (≤ 5 µs per lookup, ≤ 200 MB resident); asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil

from ownergate.ipintel import IpIntel

GOAL_US = 5.0
GOAL_MB = 200.0
BATCH = 1000


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 1e6


def per_lookup_us(run: Callable[[list[str]], object], addresses: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run(addresses)
        best = min(best, time.perf_counter() - start)
    return best / len(addresses) * 1e6


def random_v4(rng: random.Random, n: int) -> list[str]:
    return [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(n)]


def random_v6(rng: random.Random, n: int) -> list[str]:
    return [str(ipaddress.IPv6Address((1 << 125) | rng.getrandbits(125))) for _ in range(n)]


def inside_data(index: Path, rng: random.Random, n: int) -> list[str]:
    """Addresses just past the starts of random segments: where the data has boundaries."""
    starts = np.load(index / "v4.starts.npy")
    picks = [int(starts[rng.randrange(1, len(starts) - 1)]) for _ in range(n)]
    return [str(ipaddress.IPv4Address(p + rng.randrange(0, 4))) for p in picks]


def compile_in_child(workdir: Path) -> tuple[Path, float]:
    code = (
        "import sys; from pathlib import Path; from ownergate.ipintel import BUNDLED, IpDataStore;"
        "print(IpDataStore(Path(sys.argv[1]), BUNDLED).install(BUNDLED, origin='bundled'))"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(workdir)], check=True, capture_output=True, text=True
    )
    return Path(done.stdout.strip()), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ownergate-ip-bench-"))
    rng = random.Random(args.seed)
    imported = rss_mb()

    index, compile_s = compile_in_child(workdir)
    size_mb = sum(p.stat().st_size for p in index.iterdir()) / 1e6
    sets = {
        "random IPv4": random_v4(rng, args.lookups),
        "IPv4 inside ranges": inside_data(index, rng, args.lookups),
        "random IPv6 (2000::/3)": random_v6(rng, args.lookups),
    }
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    intel = IpIntel.load(index)
    load_ms = (time.perf_counter() - start) * 1e3
    loaded = rss_mb()
    segments = intel.segments()

    def one_by_one(addresses: list[str]) -> None:
        lookup = intel.lookup
        for address in addresses:
            lookup(address)

    def batched(addresses: list[str]) -> None:
        for k in range(0, len(addresses), BATCH):
            intel.lookup_many(addresses[k : k + BATCH])

    for addresses in sets.values():
        one_by_one(addresses)  # warm: page in the maps, fill the per-combination cache
    print(f"sources: {', '.join(s.name for s in intel.sources)}")
    print(f"index: {segments[4]:,} IPv4 + {segments[6]:,} IPv6 segments, {size_mb:.1f} MB")
    print(f"compile (first use / ip update, a fresh process): {compile_s:.1f} s")
    print(f"load (map the index): {load_ms:.1f} ms")
    print(f"{'lookups, µs each (best of 3)':<34}{'single':>8}{'batch':>8}   goal ≤ {GOAL_US} µs")
    for name, addresses in sets.items():
        single = per_lookup_us(one_by_one, addresses)
        batch = per_lookup_us(batched, addresses)
        print(f"  {name:<32}{single:>8.2f}{batch:>8.2f}")
    after = rss_mb()
    print(
        f"resident: {imported:.0f} MB after imports, {before:.0f} MB with the address lists, "
        f"{loaded:.0f} MB loaded, {after:.0f} MB after {3 * args.lookups:,} lookups"
    )
    print(
        f"resident for all sources (index maps and caches): {after - before:.0f} MB; "
        f"the process without its address lists: {after - before + imported:.0f} MB "
        f"(goal ≤ {GOAL_MB:.0f} MB)"
    )
    intel.close()
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
